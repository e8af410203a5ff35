"""The `code` check: extraction, statuses, partial credit, invalid and error paths, and the
API end to end."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

import sandbox
from app.checkers import code
from app.checkers.base import Status
from sandbox.local import LocalBackend

PY_ADD = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
STDIO = [{"input": "1 2", "output": "3"}, {"input": "5 5", "output": "10"}]


@pytest.fixture(autouse=True)
def _local_backend() -> Iterator[None]:
    """Each test starts and ends with the default local backend (one test breaks it)."""
    sandbox.configure("local")
    yield
    sandbox.configure("local")


def params(**kw: Any) -> dict[str, Any]:
    return {"language": "python", "tests": STDIO, **kw}


def test_fenced_block_extraction() -> None:
    text = (
        "Reasoning with `inline` code.\n"
        "```python\nprint('draft')\n```\n"
        "Then C++:\n```cpp\nint main(){}\n```\n"
        "```py\nprint('final')\n```\n"
        "```\nplain\n```\n"
    )
    assert code.extract_program(text, "python") == "print('final')"
    assert code.extract_program(text, "cpp") == "int main(){}"
    assert code.extract_program("```\nx = 1\n```", "python") == "x = 1"
    assert code.extract_program("no code here", "python") is None
    assert code.extract_program("```python\nnever closed", "python") is None
    assert code.extract_program("~~~~c++\nint x;\n~~~~", "cpp") == "int x;"
    nested = "````markdown\n```python\ninner\n```\n````"
    assert code.extract_program(nested, "python") == "```python\ninner\n```"


def test_correct_program_scores_one() -> None:
    s = code.check(PY_ADD, params())
    assert (s.value, s.status) == (1.0, Status.CORRECT)
    assert s.details["passed"] == 2 and s.details["total"] == 2
    assert [t["status"] for t in s.details["tests"]] == ["passed", "passed"]
    assert all(t["time_ms"] > 0 for t in s.details["tests"])


def test_partial_credit_and_all_or_nothing() -> None:
    tests = [*STDIO, {"input": "2 2", "output": "5"}, {"input": "0 0", "output": "0"}]
    s = code.check(PY_ADD, params(tests=tests))
    assert s.value == 0.75 and s.status is Status.WRONG
    assert [t["status"] for t in s.details["tests"]] == ["passed", "passed", "wrong", "passed"]
    s = code.check(PY_ADD, params(tests=tests, partial=False))
    # All or nothing: the verdict is known at the first failure, the rest are not run.
    assert s.value == 0.0 and s.status is Status.WRONG and s.details["passed"] == 2
    assert [t["status"] for t in s.details["tests"]] == ["passed", "passed", "wrong", "skipped"]


def test_function_style_and_exit_tricks() -> None:
    good = "```python\ndef f(x):\n    return 2 * x\n```"
    cheat = "```python\nimport os\ndef f(x):\n    return 0\nos._exit(0)\n```"
    tests = [{"code": "assert f(2) == 4"}, {"code": "assert f(0) == 0"}]
    assert code.check(good, {"language": "python", "tests": tests}).value == 1.0
    s = code.check(cheat, {"language": "python", "tests": tests})
    assert s.value == 0.0 and s.status is Status.FAILED


def test_statuses_from_the_first_failing_test() -> None:
    lim = {"timeout_s": 1, "max_output_bytes": 1000}
    cases = {
        "```python\nwhile True: pass\n```": Status.TIMEOUT,
        "```python\nx = bytearray(1 << 40)\n```": Status.MEMORY_LIMIT,
        "```python\nwhile True: print('x')\n```": Status.OUTPUT_LIMIT,
        "```python\nraise ValueError\n```": Status.FAILED,
        "```python\ndef f(:\n```": Status.COMPILE_ERROR,
        "just prose": Status.NO_CODE,
    }
    for completion, status in cases.items():
        s = code.check(completion, params(limits=lim))
        assert (s.status, s.value) == (status, 0.0), completion


def test_cpp_program() -> None:
    src = '```c++\n#include <cstdio>\nint main(){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);}\n```'
    s = code.check(src, params(language="cpp"))
    assert (s.value, s.status) == (1.0, Status.CORRECT)
    s = code.check("```cpp\nint main( {\n```", params(language="cpp"))
    assert s.status is Status.COMPILE_ERROR and "error" in s.details["message"]


def test_fences_of_every_language() -> None:
    text = "```c\nint c;\n```\n```js\nlet js;\n```\n```java\nclass J {}\n```\n```rust\nfn r() {}\n```\n"
    assert code.extract_program(text, "c") == "int c;"
    assert code.extract_program(text, "javascript") == "let js;"
    assert code.extract_program(text.replace("```js", "```javascript"), "javascript") == "let js;"
    assert code.extract_program(text, "java") == "class J {}"
    assert code.extract_program(text, "rust") == "fn r() {}"
    assert code.extract_program(text, "cpp") == "fn r() {}"  # no c++ block: the last one


def test_c_javascript_and_a_program_in_the_wrong_language() -> None:
    c = '```c\n#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);return 0;}\n```'
    assert code.check(c, params(language="c")).status is Status.CORRECT
    js = "```js\nconst [a, b] = require('fs').readFileSync(0, 'utf8').split(/\\s+/).map(Number);\nconsole.log(a + b);\n```"
    assert code.check(js, params(language="javascript")).status is Status.CORRECT
    # Python in a C fence: the C compiler's verdict, the completion's fault.
    s = code.check(PY_ADD.replace("```python", "```c"), params(language="c"))
    assert s.status is Status.COMPILE_ERROR and s.value == 0.0 and "error" in s.details["message"]


def test_checker_scores_and_its_bad_input() -> None:
    checker = {"code": "def check(i, e, o):\n    return int(o) == sum(map(int, i.split()))\n"}
    s = code.check(PY_ADD, params(tests=[{"input": "1 2", "output": "?"}], checker=checker))
    assert s.status is Status.CORRECT and s.details["tests"][0]["score"] == 1.0
    half = {"code": "def check(i, e, o):\n    return 0.5, 'half'\n"}
    s = code.check(PY_ADD, params(checker=half))
    assert (s.value, s.status) == (0.5, Status.WRONG)
    assert s.details["tests"][0] == {
        "status": "wrong",
        "time_ms": s.details["tests"][0]["time_ms"],
        "score": 0.5,
        "message": "half",
    }
    for bad, field in (
        ({**checker, "protocol": "spj"}, "checker.protocol"),
        ({**checker, "language": "cobol"}, "checker.language"),
        ({"code": "check = 1"}, "checker.code"),
        (
            {"code": "int main( {", "language": "cpp", "protocol": "testlib"},
            "checker does not compile",
        ),
        ({"code": "def check(i, e, o):\n    raise KeyError('x')\n"}, "KeyError"),
    ):
        s = code.check(PY_ADD, params(checker=bad))
        assert s.status is Status.INVALID and s.value is None, bad
        assert field in s.details["message"], s.details


def test_a_missing_toolchain_is_invalid_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = LocalBackend(pool_size=0)
    found = dict(backend.languages())
    found["rust"] = sandbox.languages.Toolchain(False, missing="rustc")
    monkeypatch.setattr(backend, "languages", lambda: found)
    sandbox.configure(backend)
    s = code.check("```rust\nfn main() {}\n```", params(language="rust"))
    assert s.status is Status.INVALID and "rust" in s.details["message"]
    assert "rustc" in s.details["message"]
    assert "rust" not in sandbox.health(refresh=True)["languages"]


def test_invalid_requests_have_null_scores() -> None:
    for p in (
        params(language="cobol"),
        params(language="cpp", tests=[{"code": "assert True"}]),
        params(tests=[]),
        params(tests=[{"input": "1"}]),
        params(compare={"mode": "fuzzy"}),
        params(tests=[{"code": "assert ("}]),
        params(limits={"timeout_s": -1}),
    ):
        s = code.check(PY_ADD, p)
        assert s.status is Status.INVALID and s.value is None, p
        assert s.details["message"]


def test_sandbox_that_cannot_start_is_an_error(caplog: pytest.LogCaptureFixture) -> None:
    sandbox.configure(LocalBackend(bwrap="/nonexistent/bwrap", pool_size=0))
    with caplog.at_level(logging.ERROR, logger="rewardkit.checkers.code"):
        s = code.check(PY_ADD, params())
    assert s.status is Status.ERROR and s.value is None
    assert "sandbox unavailable" in s.details["message"]
    assert any("sandbox unavailable" in r.getMessage() for r in caplog.records)


def test_dedup_key_ignores_the_reasoning() -> None:
    a = "I think...\n" + PY_ADD
    b = "Different words entirely.\n" + PY_ADD
    assert code.dedup_key(a, params()) == code.dedup_key(b, params())
    assert code.dedup_key(a, params()) != code.dedup_key(a, params(partial=False))


def test_deadline_grows_with_tests_and_limits() -> None:
    short = code.deadline_s(params(), 10.0)
    long = code.deadline_s(params(tests=STDIO * 10, limits={"timeout_s": 2}), 10.0)
    assert short < long


def test_api_end_to_end(api) -> None:
    item = {
        "completion": PY_ADD,
        "checks": {
            "code": {
                "language": "python",
                "tests": [*STDIO, {"input": "1 1", "output": "3"}],
                "compare": {"mode": "tokens"},
                "limits": {"timeout_s": 2},
            }
        },
    }
    bad = {"completion": PY_ADD, "checks": {"code": {"language": "haskell", "tests": STDIO}}}
    r = api.post("/v1/rewards", json={"items": [item, bad]})
    assert r.status_code == 200
    good, invalid = r.json()["results"]
    assert good["scores"]["code"] == pytest.approx(2 / 3)
    assert good["details"]["code"]["status"] == "wrong"
    assert [t["status"] for t in good["details"]["code"]["tests"]] == ["passed", "passed", "wrong"]
    assert invalid["reward"] is None and invalid["details"]["code"]["status"] == "invalid"
    r = api.post(
        "/v1/rewards",
        json={
            "items": [
                {
                    "completion": "x",
                    "checks": {
                        "code": {
                            "language": "python",
                            "tests": [{"input": "1", "output": "1", "code": "assert 1"}],
                        }
                    },
                }
            ]
        },
    )
    assert r.status_code == 422
    health = api.get("/healthz").json()
    assert health["sandbox"]["ok"] is True
    have = {n for n, tc in sandbox.get_backend().languages().items() if tc.ok}
    assert set(health["sandbox"]["languages"]) == have and "python" in have
    r = api.post(
        "/v1/rewards",
        json={"items": [{"completion": PY_ADD, "checks": {"code": {**params(), "checker": {}}}}]},
    )
    assert r.status_code == 422 and "checker" in str(r.json()["detail"])
