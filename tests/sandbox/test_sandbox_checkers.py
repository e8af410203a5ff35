"""Checker programs for problems with many right outputs, in the three protocols.

Three problems, each with one validity rule written once and wrapped per protocol:
- derangement: print a permutation of 1..n with p[i] != i (many are right);
- shortest path: print the distance, then any shortest path from 1 to n (the answer file holds
  only the distance, as judge packages often do);
- float: print pi / n with relative error below 1e-4.
"""

from __future__ import annotations

import pytest

from sandbox import Checker, CheckerError, Compare, Limits, Program, Test, TestStatus
from sandbox.local import LocalBackend

S = TestStatus
LIMITS = Limits(timeout_s=2.0, memory_mb=256, max_output_bytes=100_000, max_processes=16)

#: valid(input, answer, output) -> (ok, message), shared by every Python checker below.
RULES = {
    "derangement": """
def valid(inp, ans, out):
    n = int(inp.split()[0])
    try:
        p = [int(x) for x in out.split()]
    except ValueError:
        return False, "not numbers"
    if sorted(p) != list(range(1, n + 1)):
        return False, "not a permutation"
    if any(v == i + 1 for i, v in enumerate(p)):
        return False, "fixed point"
    return True, "ok"
""",
    "path": """
def valid(inp, ans, out):
    nums = list(map(int, inp.split()))
    n, m = nums[0], nums[1]
    edges = {frozenset(nums[2 + 2 * i: 4 + 2 * i]) for i in range(m)}
    toks = out.split()
    if not toks or int(toks[0]) != int(ans.split()[0]):
        return False, "wrong distance"
    path = [int(t) for t in toks[1:]]
    if len(path) != int(toks[0]) + 1 or path[0] != 1 or path[-1] != n:
        return False, "no path of that length from 1 to n"
    if any(frozenset(e) not in edges for e in zip(path, path[1:])):
        return False, "not an edge"
    return True, "ok"
""",
    "float": """
def valid(inp, ans, out):
    try:
        got, want = float(out.split()[0]), float(ans.split()[0])
    except (ValueError, IndexError):
        return False, "no number"
    ok = abs(got - want) <= 1e-4 * abs(want)
    return ok, "relative error %.2g" % (abs(got - want) / abs(want))
""",
}

WRAP = {
    "function": "def check(input, expected, output):\n    return valid(input, expected, output)\n",
    "testlib": (
        "import sys\n"
        "r = [open(p).read() for p in sys.argv[1:4]]\n"
        "ok, why = valid(r[0], r[2], r[1])\n"
        "print(('ok ' if ok else 'wrong answer ') + why, file=sys.stderr)\n"
        "sys.exit(0 if ok else 1)\n"
    ),
    "kattis": (
        "import sys\n"
        "inp, ans = open(sys.argv[1]).read(), open(sys.argv[2]).read()\n"
        "ok, why = valid(inp, ans, sys.stdin.read())\n"
        "open(sys.argv[3] + 'judgemessage.txt', 'w').write(why)\n"
        "sys.exit(42 if ok else 43)\n"
    ),
}

#: problem -> (a right program, a wrong program, tests whose `output` is one right answer).
PROBLEMS = {
    "derangement": (
        "n = int(input())\nprint(*[(i % n) + 1 for i in range(1, n + 1)])\n",
        "n = int(input())\nprint(*range(1, n + 1))\n",
        [Test("4\n", "2 1 4 3\n"), Test("5\n", "2 1 4 5 3\n")],
    ),
    "path": (
        # BFS; visits neighbours in decreasing order, so it finds another shortest path.
        "import collections\n"
        "n, m, *e = map(int, open(0).read().split())\n"
        "g = collections.defaultdict(list)\n"
        "for a, b in zip(e[::2], e[1::2]):\n"
        "    g[a].append(b); g[b].append(a)\n"
        "prev = {1: 0}; q = collections.deque([1])\n"
        "while q:\n"
        "    u = q.popleft()\n"
        "    for v in sorted(g[u], reverse=True):\n"
        "        if v not in prev:\n"
        "            prev[v] = u; q.append(v)\n"
        "path = [n]\n"
        "while path[-1] != 1:\n"
        "    path.append(prev[path[-1]])\n"
        "print(len(path) - 1)\nprint(*path[::-1])\n",
        "print(2)\nprint(1, 4)\n",
        [Test("4 4\n1 2\n2 4\n1 3\n3 4\n", "2\n"), Test("3 2\n1 2\n2 3\n", "2\n")],
    ),
    "float": (
        "import math\nn = int(input())\nprint('%.7f' % (math.pi / n))\n",
        "n = int(input())\nprint(3.2 / n)\n",
        [Test("1\n", "3.14159265358979\n"), Test("3\n", "1.0471975511966\n")],
    ),
}


def run(backend: LocalBackend, source: str, tests: list[Test], checker: Checker | None):
    return backend.run(Program("python", source), tests, LIMITS, Compare(), checker=checker)


@pytest.mark.parametrize("protocol", ["function", "testlib", "kattis"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_many_right_answers(backend: LocalBackend, problem: str, protocol: str) -> None:
    right, wrong, tests = PROBLEMS[problem]
    checker = Checker(RULES[problem] + WRAP[protocol], "python", protocol)
    v = run(backend, right, tests, checker)
    assert [t.status for t in v.tests] == [S.PASSED, S.PASSED], v
    assert [t.value for t in v.tests] == [1.0, 1.0]
    v = run(backend, wrong, tests, checker)
    assert [t.status for t in v.tests] == [S.WRONG, S.WRONG], v
    if protocol != "function":  # the checker's own words come back
        assert all(t.message for t in v.tests), v
    # Without the checker, the right program's other answers are not the reference ones.
    assert S.WRONG in [t.status for t in run(backend, right, tests, None).tests]


def test_rigged_output_fools_lines_but_not_the_checker(backend: LocalBackend) -> None:
    """The answer file holds only the distance: printing just that matches it line for line,
    but proves no path: the checker wants one."""
    _, _, tests = PROBLEMS["path"]
    rigged = "print(2)\n"
    assert [t.status for t in run(backend, rigged, tests, None).tests] == [S.PASSED, S.PASSED]
    for protocol in ("function", "testlib", "kattis"):
        checker = Checker(RULES["path"] + WRAP[protocol], "python", protocol)
        v = run(backend, rigged, tests, checker)
        assert [t.status for t in v.tests] == [S.WRONG, S.WRONG], (protocol, v)


TESTLIB_CPP = r"""
#include <cmath>
#include <cstdio>
// testlib's protocol without testlib.h: checker INPUT OUTPUT ANSWER; 0 accepts, 1 rejects,
// 7 gives points on stderr.
int main(int argc, char** argv) {
    FILE* out = fopen(argv[2], "r"); FILE* ans = fopen(argv[3], "r");
    double got, want;
    if (fscanf(ans, "%lf", &want) != 1) { fprintf(stderr, "bad answer file"); return 3; }
    if (fscanf(out, "%lf", &got) != 1) { fprintf(stderr, "wrong answer: no number"); return 1; }
    double rel = std::fabs(got - want) / std::fabs(want);
    if (rel <= 1e-4) { fprintf(stderr, "ok"); return 0; }
    if (rel <= 1e-1) { fprintf(stderr, "points 0.5 close"); return 7; }
    fprintf(stderr, "wrong answer: relative error %g", rel);
    return 1;
}
"""

KATTIS_C = r"""
#include <stdio.h>
#include <string.h>
// validator INPUT ANSWER FEEDBACK_DIR < OUTPUT; 42 accepts, 43 rejects.
int main(int argc, char** argv) {
    int n, seen[1001] = {0}, v, count = 0;
    FILE* in = fopen(argv[1], "r");
    fscanf(in, "%d", &n);
    char path[4096];
    snprintf(path, sizeof path, "%sjudgemessage.txt", argv[3]);
    FILE* msg = fopen(path, "w");
    while (scanf("%d", &v) == 1) {
        count++;
        if (v < 1 || v > n || seen[v] || v == count) { fprintf(msg, "bad value %d", v); return 43; }
        seen[v] = 1;
    }
    if (count != n) { fprintf(msg, "%d values, want %d", count, n); return 43; }
    return 42;
}
"""


def test_compiled_checkers(backend: LocalBackend) -> None:
    """A C++ testlib-style checker (float, with partial points) and a C Kattis validator
    (derangement), each built once in the sandbox."""
    _, _, tests = PROBLEMS["float"]
    checker = Checker(TESTLIB_CPP, "cpp", "testlib")
    src = "n = int(input())\nprint({1: 3.14159, 3: 1.1}[n])\n"  # right, then 5% off
    v = run(backend, src, tests, checker)
    assert [(t.status, t.value) for t in v.tests] == [(S.PASSED, 1.0), (S.WRONG, 0.5)], v
    right, wrong, tests = PROBLEMS["derangement"]
    checker = Checker(KATTIS_C, "c", "kattis")
    assert [t.status for t in run(backend, right, tests, checker).tests] == [S.PASSED] * 2
    v = run(backend, wrong, tests, checker)
    assert [t.status for t in v.tests] == [S.WRONG] * 2
    assert v.tests[0].message == "bad value 1"


@pytest.mark.parametrize(
    ("code", "protocol", "words"),
    [
        ("def check(i, e, o):\n    return 1 / 0\n", "function", "ZeroDivisionError"),
        ("def check(i, e, o):\n    while True: pass\n", "function", "timed out"),
        ("def check(i, e, o):\n    return 'yes'\n", "function", "want a bool"),
        ("def check(i, e, o):\n    return 1.5\n", "function", "[0, 1]"),
        ("import sys\nsys.exit(3)\n", "testlib", "_fail"),
        ("import sys\nsys.exit(0)\n", "kattis", "exited 0"),
        ("int main( { return 0; }", "testlib", "does not compile"),
    ],
)
def test_a_checker_that_cannot_judge_is_the_requests_fault(
    backend: LocalBackend, code: str, protocol: str, words: str
) -> None:
    language = "cpp" if "int main" in code else "python"
    with pytest.raises(CheckerError, match=words.replace("[", r"\[").replace("]", r"\]")):
        run(backend, "print(1)", [Test("", "1")], Checker(code, language, protocol))


def test_checker_skips_outputs_that_did_not_end_normally(backend: LocalBackend) -> None:
    checker = Checker("def check(i, e, o):\n    return True\n", "python", "function")
    src = "import sys\nn = int(input())\nif n == 1: sys.exit(4)\nif n == 2: 1 / 0\nprint(n)\n"
    v = run(backend, src, [Test("1", ""), Test("2", ""), Test("3", "")], checker)
    assert [t.status for t in v.tests] == [S.FAILED, S.FAILED, S.PASSED], v


def test_partial_scores_and_messages(backend: LocalBackend) -> None:
    code = "def check(i, e, o):\n    print('noise')\n    return len(o.split()) / 4, 'saw %d' % len(o.split())\n"
    v = run(backend, "print(input())", [Test("a b", "")], Checker(code))
    assert (v.tests[0].status, v.tests[0].value, v.tests[0].message) == (S.WRONG, 0.5, "saw 2")
    kattis = "import sys\nopen(sys.argv[3] + 'score.txt', 'w').write('0.25')\nsys.exit(42)\n"
    v = run(backend, "print(1)", [Test("", "")], Checker(kattis, "python", "kattis"))
    assert (v.tests[0].status, v.tests[0].value) == (S.WRONG, 0.25)


def test_the_program_never_sees_the_answer_nor_plants_the_checkers_files(
    backend: LocalBackend,
) -> None:
    """The answer enters the sandbox after the program's processes are dead, in a directory
    made then: a program that searches for it finds nothing, and one that plants that
    directory (a symlink, a fake answer) and leaves a process behind changes nothing."""
    src = (
        "import os, glob\n"
        "found = []\n"
        "for p in glob.glob('/tmp/**', recursive=True) + glob.glob('/dev/shm/*'):\n"
        "    try:\n"
        "        if os.path.isfile(p) and 'SECRET' in open(p).read(): found.append(p)\n"
        "    except OSError: pass\n"
        "os.makedirs('/tmp/.rk-check', exist_ok=True)\n"
        "open('/tmp/.rk-check/answer', 'w').write('planted')\n"
        "if os.fork() == 0:\n"
        "    import time\n"
        "    os.setsid()\n"
        "    for _ in range(400):\n"
        "        try: open('/tmp/.rk-check/answer', 'w').write('planted')\n"
        "        except OSError: pass\n"
        "        time.sleep(0.005)\n"
        "    os._exit(0)\n"
        "print('found' if found else 'nothing')\n"
    )
    code = "def check(i, e, o):\n    return o.strip() == 'nothing' and e == 'SECRET'\n"
    tests = [Test("", "SECRET"), Test("", "SECRET")]
    v = run(backend, src, tests, Checker(code))
    assert [t.status for t in v.tests] == [S.PASSED, S.PASSED], v
