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
        sandbox.run(Program("cobol", "DISPLAY 1."), [Test("", "")])
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
        ("float", "NaN", "nan", True),  # both NaN, spelled differently
        ("float", "nan", "0.0", False),
        ("float", "0.0", "nan", False),
        ("float", "-0.0 inf", "0 inf", True),
        ("float", "1e-7 2.5E+3", "0 2500", True),
        ("float", "1e-4", "0", False),
        ("float", "3.0\r\n", "3\n", True),
        ("tokens", "1 2\r\n3\r\n", "1 2\n3\n", True),
        ("lines", "1\r\n2\r\n", "1\n2", True),
        ("lines", "a b", "a b\n", True),  # no final newline (print(..., end=''))
        ("exact", "ab", "ab", True),
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
    monkeypatch.setattr(
        sandbox.local, "test_message", lambda t, timeout_s=None: {"input": 5, "code": None}
    )
    with pytest.raises(sandbox.SandboxUnavailable, match="AttributeError"):
        backend.run(Program("python", "print(1)"), [Test("", "1")], Limits(), Compare())


# --- what honest contest programs do ------------------------------------------------------


def test_thread_started_for_a_bigger_stack_and_never_joined(backend: LocalBackend) -> None:
    # The usual Python contest idiom for deep recursion: the main thread ends at once, the
    # interpreter waits for the worker at exit. The harness must wait too.
    src = (
        "import sys, threading\n"
        "sys.setrecursionlimit(1 << 25)\n"
        "threading.stack_size(1 << 27)\n"
        "def depth(n):\n    return 0 if n == 0 else depth(n - 1) + 1\n"
        "def main():\n    n = int(input())\n    print(depth(n))\n"
        "threading.Thread(target=main).start()\n"
    )
    v = run_py(backend, src, [Test("200000\n", "200000\n"), Test("5", "5")])
    assert statuses(v) == [P, P]


def test_python_interpreter_exit_behaviour(backend: LocalBackend) -> None:
    # atexit handlers run, non-daemon threads are waited for, even after sys.exit(0).
    src = (
        "import atexit, sys, threading, time\n"
        "atexit.register(print, 'bye')\n"
        "def late():\n    time.sleep(0.05)\n    print('late', flush=True)\n"
        "threading.Thread(target=late).start()\n"
        "print('hi', flush=True)\n"
        "if input() == 'exit':\n    sys.exit(0)\n"
    )
    v = run_py(backend, src, [Test("stay", "hi\nlate\nbye\n"), Test("exit", "hi\nlate\nbye\n")])
    assert statuses(v) == [P, P]


def test_python_deep_recursion_in_the_main_thread(backend: LocalBackend) -> None:
    src = (
        "import sys\nsys.setrecursionlimit(10 ** 7)\n"
        "def depth(n):\n    return 0 if n == 0 else depth(n - 1) + 1\n"
        "print(depth(int(input())))\n"
    )
    assert statuses(run_py(backend, src, [Test("1000000", "1000000")])) == [P]


@pytest.mark.parametrize(
    "src",
    [
        "a, b = map(int, input().split())\nprint(a + b, end='')",
        "import sys\nprint(sum(map(int, sys.stdin.read().split())))",
        "import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))",
        "print(sum(map(int, open(0).read().split())))",
        "s = 0\nwhile True:\n    try:\n        s += sum(map(int, input().split()))\n"
        "    except EOFError:\n        break\nprint(s)",
        "import sys\ns = 0\nfor line in sys.stdin:\n    s += sum(map(int, line.split()))\nprint(s)",
        "def main():\n    print(sum(map(int, input().split())))\n\n"
        "if __name__ == '__main__':\n    main()",
    ],
)
def test_python_ways_of_reading_input(backend: LocalBackend, src: str) -> None:
    v = run_py(backend, src, [Test("1 2\r\n", "3\n"), Test("40 2", "42")])
    assert statuses(v) == [P, P]


def test_python_script_globals(backend: LocalBackend) -> None:
    src = "import sys\nprint(__name__, __file__, sys.argv[0], 'héllo ✓')"
    assert statuses(run_py(backend, src, [Test("", "__main__ main.py main.py héllo ✓")])) == [P]


def test_cpp_threads_deep_recursion_and_fast_io(backend: LocalBackend) -> None:
    # One compile, three honest needs: std::thread (a finite RLIMIT_STACK would make each
    # thread reserve `memory_mb` of address space and fail), recursion 10^6 deep on the main
    # thread, and fast IO over a large input.
    src = r"""#include <bits/stdc++.h>
using namespace std;
vector<int> g[1000001]; int dep[1000001];
void dfs(int u) { for (int v : g[u]) { dep[v] = dep[u] + 1; dfs(v); } }
int main() {
    ios::sync_with_stdio(false); cin.tie(nullptr);
    string mode; cin >> mode;
    if (mode == "thread") {
        long long s = 0; vector<thread> ts;
        for (int i = 0; i < 4; i++) ts.emplace_back([&s, i] { static mutex m; lock_guard<mutex> l(m); s += i; });
        for (auto& t : ts) t.join();
        cout << s << '\n';
    } else if (mode == "deep") {
        int n = 1000000;
        for (int i = 1; i < n; i++) g[i - 1].push_back(i);
        dfs(0);
        cout << dep[n - 1] << '\n';
    } else {
        long long a, s = 0;
        while (cin >> a) s += a;
        cout << s << '\n';
    }
}
"""
    nums = " ".join(map(str, range(200_000)))
    tests = [
        Test("thread", "6"),
        Test("deep", "999999"),
        Test("sum " + nums, str(sum(range(200_000)))),
    ]
    v = run_cpp(backend, src, tests, Limits(timeout_s=5, memory_mb=256))
    assert statuses(v) == [P, P, P], v
