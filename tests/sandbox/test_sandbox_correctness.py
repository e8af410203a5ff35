"""Honest programs get the right verdicts: stdio and function-style tests, every comparison
mode, compile errors, C++ and Python, several tests sharing one sandbox."""

from __future__ import annotations

import pytest

import sandbox
from sandbox import Compare, Limits, Program, Test, TestStatus, VerdictStatus
from sandbox.compare import outputs_match
from sandbox.local import LocalBackend
from tests.sandbox.helpers import run_cpp, run_py

P = TestStatus.PASSED
ADD = "a, b = map(int, input().split())\nprint(a + b)\n"


def statuses(v) -> list[TestStatus]:
    return [t.status for t in v.tests]


def test_python_stdio(backend: LocalBackend) -> None:
    tests = [Test("1 2\n", "3\n"), Test("10 -4", "6"), Test("2 2", "5"), Test("x", "1")]
    v = run_py(backend, ADD, tests)
    assert v.status is VerdictStatus.OK
    assert statuses(v) == [P, P, TestStatus.WRONG, TestStatus.FAILED]
    assert all(t.time_ms > 0 for t in v.tests)


def test_python_function_style(backend: LocalBackend) -> None:
    src = "def sq(x):\n    return x * x\n\nif __name__ == '__main__':\n    print('demo')\n"
    tests = [Test(code="assert sq(3) == 9"), Test(code="assert sq(3) == 10"), Test(code="sq(")]
    with pytest.raises(ValueError, match="test 2"):
        sandbox.run(Program("python", src), tests)
    v = run_py(backend, src, tests[:2])
    assert statuses(v) == [P, TestStatus.FAILED]
    assert "AssertionError" in v.tests[1].message


def test_stdio_program_may_call_sys_exit_zero(backend: LocalBackend) -> None:
    v = run_py(backend, "import sys\nprint(7)\nsys.exit(0)", [Test("", "7")])
    assert statuses(v) == [P]
    v = run_py(backend, "import sys\nprint(7)\nsys.exit(3)", [Test("", "7")])
    assert statuses(v) == [TestStatus.FAILED]


def test_tests_do_not_share_state(backend: LocalBackend) -> None:
    src = (
        "import os\n"
        "seen = os.path.exists('mark')\n"
        "open('mark', 'w').write('1')\n"
        "print('fresh' if not seen else 'stale')\n"
    )
    v = run_py(backend, src, [Test("", "fresh"), Test("", "fresh"), Test("", "fresh")])
    assert statuses(v) == [P, P, P]


def test_python_syntax_error_is_a_compile_error(backend: LocalBackend) -> None:
    v = run_py(backend, "def f(:\n  pass", [Test("", "")])
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert "SyntaxError" in v.message
    assert statuses(v) == [TestStatus.SKIPPED]


def test_cpp_stdio_and_compile_error(backend: LocalBackend) -> None:
    src = "#include <iostream>\nint main(){ long a, b; std::cin >> a >> b; std::cout << a*b << '\\n'; }"
    v = run_cpp(backend, src, [Test("6 7", "42"), Test("2 2", "5")])
    assert statuses(v) == [P, TestStatus.WRONG]
    v = run_cpp(backend, "int main() { return x; }", [Test("", "")])
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert "x" in v.message and "error" in v.message


def test_cpp_runtime_error_and_exit_code(backend: LocalBackend) -> None:
    src = '#include <cstdlib>\nint main(){ int* p = nullptr; if (std::getenv("HOME")) return 3; return *p; }'
    v = run_cpp(backend, src, [Test("", "")])
    assert statuses(v) == [TestStatus.FAILED]
    assert "SIGSEGV" in v.tests[0].message


def test_cpp_code_tests_are_refused() -> None:
    with pytest.raises(ValueError, match="python"):
        sandbox.run(Program("cpp", "int main(){}"), [Test(code="assert True")])


def test_unknown_language_and_mode_are_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        sandbox.run(Program("rust", "fn main(){}"), [Test("", "")])
    with pytest.raises(ValueError, match="compare mode"):
        sandbox.run(Program("python", "print(1)"), [Test("", "1")], compare=Compare("fuzzy"))


@pytest.mark.parametrize(
    ("mode", "got", "want", "ok"),
    [
        ("lines", "1 2\n3\n\n\n", "1 2\n3", True),
        ("lines", "1 2  \n3\t\n", "1 2\n3\n", True),
        ("lines", "1  2\n3\n", "1 2\n3\n", False),
        ("lines", "1\r\n2\r\n", "1\n2\n", True),
        ("lines", "\n1\n", "1\n", False),
        ("tokens", "1  2\n\n3", "1 2 3", True),
        ("tokens", "1 2", "1 2 3", False),
        ("float", "0.3333333 2", "0.33333333333 2", True),
        ("float", "0.334 2", "0.333 2", False),
        ("float", "1e9 abc", "1000000000.0000001 abc", True),
        ("float", "nan", "nan", True),  # identical tokens
        ("float", "1.0 x", "1.0 y", False),
        ("float", "1.0", "1.0 2.0", False),
        ("exact", "1\n", "1\n", True),
        ("exact", "1\n", "1", False),
        ("exact", "1 \n", "1\n", False),
    ],
)
def test_compare_modes(mode: str, got: str, want: str, ok: bool) -> None:
    assert outputs_match(got, want, Compare(mode)) is ok


def test_float_tolerances() -> None:
    assert outputs_match("1.05", "1.0", Compare("float", abs_tol=0.1, rel_tol=0.0))
    assert not outputs_match("1.05", "1.0", Compare("float", abs_tol=0.01, rel_tol=0.0))
    assert outputs_match("105", "100", Compare("float", abs_tol=0.0, rel_tol=0.05))


def test_compare_modes_end_to_end(backend: LocalBackend) -> None:
    src = "print('%.9f' % (1/3))\nprint()\n"
    want = [Test("", "0.333333333333")]
    assert statuses(run_py(backend, src, want, compare=Compare("float"))) == [P]
    assert statuses(run_py(backend, src, want, compare=Compare("tokens"))) == [TestStatus.WRONG]
    assert statuses(
        run_py(backend, src, [Test("", "0.333333333\n\n")], compare=Compare("exact"))
    ) == [P]


def test_large_input_and_output(backend: LocalBackend) -> None:
    n = 200_000
    data = "\n".join(str(i) for i in range(n)) + "\n"
    src = "import sys\nfor line in sys.stdin: sys.stdout.write(line)\n"
    limits = Limits(max_output_bytes=2_000_000)
    assert statuses(run_py(backend, src, [Test(data, data)], limits=limits)) == [P]


def test_limits_from_mapping() -> None:
    lim = Limits.from_mapping({"timeout_s": "2", "memory_mb": 128.0, "unknown": 1})
    assert lim.timeout_s == 2.0 and lim.memory_mb == 128 and lim.max_processes == 64
    with pytest.raises(ValueError):
        Limits.from_mapping({"timeout_s": 0})


def test_unavailable_sandbox_raises() -> None:
    broken = LocalBackend(bwrap="/nonexistent/bwrap", pool_size=0)
    with pytest.raises(sandbox.SandboxUnavailable):
        broken.run(Program("python", "print(1)"), [Test("", "1")], Limits(), Compare())
    h = broken.health()
    assert h["ok"] is False and "bwrap" in h["error"]


def test_health_is_cached(backend: LocalBackend) -> None:
    first = backend.health()
    assert first["ok"] is True
    spawn = backend._spawn
    backend._spawn = None  # type: ignore[assignment]  # a second probe would crash
    try:
        assert backend.health() == first
    finally:
        backend._spawn = spawn  # type: ignore[method-assign]


def test_warm_pool_runs_and_refills() -> None:
    pooled = LocalBackend(pool_size=2)
    try:
        for _ in range(4):
            v = pooled.run(Program("python", ADD), [Test("1 1", "2")], Limits(), Compare())
            assert statuses(v) == [P]
    finally:
        pooled.close()


def test_harness_failure_is_reported_not_scored(
    backend: LocalBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sandbox.local

    # A frame the harness cannot handle makes run_test raise inside the sandbox.
    monkeypatch.setattr(sandbox.local, "test_message", lambda t: {"input": 5, "code": None})
    with pytest.raises(sandbox.SandboxUnavailable, match="AttributeError"):
        backend.run(Program("python", "print(1)"), [Test("", "1")], Limits(), Compare())
