"""The benchmark's code workloads are what they claim: HumanEval-format problems whose canonical
solutions pass their own tests (and wrong ones fail them), C++ contest programs that compile and
pass their stdio tests, deterministic for a seed, a distinct program per item."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.api.schemas import RewardsRequest
from app.checkers.code import extract_program
from loadtests import workloads
from loadtests.bench import cpp_plain_floor
from sandbox import languages
from tests.helpers.timing import HANG_S

PROBLEMS = workloads.HUMANEVAL

#: Plausible wrong solutions (off by one, wrong operator...) that the problems' tests must catch.
SUBTLE_WRONG = {
    "below_zero": "    balance = 0\n    for op in operations:\n        balance += op\n"
    "        if balance <= 0:\n            return True\n    return False\n",
    "truncate_number": "    return number // 1.0\n",
    "intersperse": "    result = []\n    for n in numbers:\n        result += [n, delimeter]\n"
    "    return result\n",
    "make_palindrome": "    return string + string[::-1]\n",
    "greatest_common_divisor": "    return min(a, b)\n",
    "how_many_times": "    return string.count(substring)\n",
    "longest": "    return max(strings, key=len) if strings else ''\n",
}


def run_python(source: str) -> subprocess.CompletedProcess[str]:
    """`source` in a plain `python -c` subprocess: no sandbox, no service."""
    return subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=HANG_S
    )


def test_humaneval_problems_are_in_the_dataset_format() -> None:
    assert 16 <= len(PROBLEMS) <= 20
    assert len({p["task_id"] for p in PROBLEMS}) == len(PROBLEMS)
    for p in PROBLEMS:
        assert set(p) == {"task_id", "prompt", "canonical_solution", "test", "entry_point"}
        assert f"def {p['entry_point']}(" in p["prompt"]
        assert p["prompt"].rstrip().endswith('"""')  # signature + docstring, no body
        assert "METADATA = {" in p["test"] and "def check(candidate):" in p["test"]
        assert "    assert " in p["test"] and "candidate(" in p["test"]


@pytest.mark.parametrize("problem", PROBLEMS, ids=[p["entry_point"] for p in PROBLEMS])
def test_canonical_solution_passes_its_test(problem: dict[str, str]) -> None:
    source = problem["prompt"] + problem["canonical_solution"] + workloads.humaneval_test(problem)
    proc = run_python(source)
    assert proc.returncode == 0, proc.stderr[-1000:]


@pytest.mark.parametrize("problem", PROBLEMS, ids=[p["entry_point"] for p in PROBLEMS])
def test_a_wrong_solution_fails_the_test(problem: dict[str, str]) -> None:
    wrong = [
        "    return None\n",
        *([SUBTLE_WRONG[problem["entry_point"]]] if problem["entry_point"] in SUBTLE_WRONG else []),
    ]
    for body in wrong:
        proc = run_python(problem["prompt"] + body + workloads.humaneval_test(problem))
        # It fails inside check(): an assert, or the test's arithmetic on a wrong value.
        assert proc.returncode != 0 and ", in check\n" in proc.stderr, (body, proc.stderr)


def test_every_subtle_wrong_solution_names_a_problem() -> None:
    assert set(SUBTLE_WRONG) <= {p["entry_point"] for p in PROBLEMS}


def test_humaneval_items_run_their_own_test() -> None:
    """The program each item's completion carries, with the item's one function test, passes in
    a fresh namespace (one plain subprocess for them all, a new globals dict per item)."""
    items = workloads.humaneval_items(48, seed=5)
    pairs = []
    for it in items:
        params = it["checks"]["code"]
        assert params["language"] == "python" and len(params["tests"]) == 1
        program = extract_program(it["completion"], "python")
        assert program is not None
        pairs.append((program, params["tests"][0]["code"]))
    runner = (
        "import sys, json\nfailed = []\n"
        "for i, (program, test) in enumerate(json.loads(sys.stdin.read())):\n"
        "    try:\n        exec(program + '\\n' + test, {'__name__': '__main__'})\n"
        "    except BaseException as exc:\n        failed.append((i, repr(exc)))\n"
        "print(json.dumps(failed))\n"
    )
    import json

    proc = subprocess.run(
        [sys.executable, "-c", runner],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        timeout=HANG_S,
    )
    assert proc.returncode == 0, proc.stderr[-1000:]
    assert json.loads(proc.stdout) == []
    # And the test is the problem's: the same test on a wrong body fails.
    program, test = pairs[0]
    entry = test.rsplit("check(", 1)[1].split(")")[0]
    broken = program + f"\n\ndef {entry}(*args, **kwargs):\n    return None\n"
    assert run_python(broken + "\n" + test).returncode != 0


def test_humaneval_items_are_grpo_groups_of_distinct_programs() -> None:
    items = workloads.humaneval_items(64, seed=0)
    assert [it["id"] for it in items] == [str(i) for i in range(64)]
    tests = [it["checks"]["code"]["tests"][0]["code"] for it in items]
    for g in range(0, 64, 8):
        assert len(set(tests[g : g + 8])) == 1  # one problem per group of 8
    assert len(set(tests)) > 1
    programs = [extract_program(it["completion"], "python") for it in items]
    assert len(set(programs)) == 64
    RewardsRequest.model_validate({"items": items})  # the service accepts them as they are


def test_workloads_are_deterministic_and_differ_by_seed() -> None:
    for gen in (workloads.humaneval_items, workloads.cpp_items):
        assert gen(24, 3) == gen(24, 3)
        a, b = gen(24, 3), gen(24, 4)
        assert {it["completion"] for it in a}.isdisjoint({it["completion"] for it in b})


def test_cpp_items_are_contest_programs_with_stdio_tests() -> None:
    items = workloads.cpp_items(40, seed=1)
    sources = [extract_program(it["completion"], "cpp") for it in items]
    assert len(set(sources)) == 40
    for source, it in zip(sources, items, strict=True):
        assert source is not None
        assert source.startswith("#include <bits/stdc++.h>\nusing namespace std;\n")
        params = it["checks"]["code"]
        assert params["language"] == "cpp" and 2 <= len(params["tests"]) <= 3
        assert all(set(t) == {"input", "output"} for t in params["tests"])
    problems = {it["checks"]["code"]["tests"][0]["input"] for it in items}
    assert len(problems) >= 5  # several distinct problems, not one
    RewardsRequest.model_validate({"items": items})


def _compile_and_run(source: str, tests: list[dict[str, str]]) -> list[str]:
    """Build with the sandbox's C++ flags, no sandbox; the outputs of each test."""
    flags = languages.get("cpp").flags
    with tempfile.TemporaryDirectory() as work:
        Path(work, "prog.cpp").write_text(source)
        build = subprocess.run(
            ["g++", *flags, "-o", f"{work}/prog", f"{work}/prog.cpp"],
            capture_output=True,
            text=True,
            timeout=HANG_S,
        )
        assert build.returncode == 0, build.stderr[-2000:]
        return [
            subprocess.run(
                [f"{work}/prog"], input=t["input"], capture_output=True, text=True, timeout=HANG_S
            ).stdout
            for t in tests
        ]


needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="no g++ on this host")


@needs_gxx
def test_cpp_programs_compile_and_pass_their_tests() -> None:
    """Three of the problems (a compile takes seconds): the ones with the most logic."""
    chosen = {"grid_bfs", "prefix_sums", "word_frequency"}
    jobs = [
        (workloads.cpp_program(body, f"test-{name}"), tests)
        for name, body, tests in workloads.CPP_PROBLEMS
        if name in chosen
    ]
    assert len(jobs) == 3
    with ThreadPoolExecutor(2) as pool:
        outputs = list(
            pool.map(
                lambda j: _compile_and_run(j[0], [{"input": i, "output": o} for i, o in j[1]]), jobs
            )
        )
    for (_, tests), got in zip(jobs, outputs, strict=True):
        assert got == [o for _, o in tests]


@needs_gxx
def test_cpp_plain_floor_checks_the_outputs() -> None:
    """The floor compiles and runs the items for real: a wrong expected output stops it."""
    item = workloads.cpp_items(1, seed=2)[0]
    item["checks"]["code"]["tests"][0]["output"] = "not the answer\n"
    with pytest.raises(RuntimeError, match="plain C\\+\\+ run gave"):
        cpp_plain_floor([item], 0.0, 1)
