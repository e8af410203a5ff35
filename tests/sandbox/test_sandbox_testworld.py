"""Function-style tests judge the program, not what the program did to them.

Each hazard is a program that would pass a test it should fail if the test saw the world the
program left: rebound builtins, patched modules, objects whose dunders answer for themselves,
frames of the test reached from the program's code. Each must fail, with its flag; honest
programs that merely look alike (namedtuples, classes, generators, logging) must still pass.
"""

from __future__ import annotations

import pytest

from sandbox import Limits, Test, TestStatus
from sandbox.local import LocalBackend
from tests.sandbox.helpers import FAST, run_py

WRONG_F = "def f(x):\n    return 5\n"


def outcome(backend: LocalBackend, program: str, *codes: str) -> list[tuple[str, tuple]]:
    verdict = run_py(backend, program, [Test(code=c) for c in codes], FAST)
    return [(t.status.value, t.flags) for t in verdict.tests]


# --- hazards: each passed before the tests got their own world ---------------------------------

HAZARDS = {
    "builtins.abs rebound": (
        "import builtins\nbuiltins.abs = lambda x: 0\n" + WRONG_F,
        "assert abs(f(1) - 2) < 1e-6",
        "patched_builtins",
    ),
    "builtin shadowed at top level": (
        "abs = lambda x: 0\n" + WRONG_F,
        "assert abs(f(1) - 2) < 1e-6",
        "shadowed_builtins",
    ),
    "always-equal object": (
        "class A:\n    def __eq__(self, o): return True\ndef f(a, b): return A()\n",
        "assert f(1, 2) == 3",
        "rigged_value",
    ),
    "always-true object": (
        "class T:\n    def __bool__(self): return True\ndef is_prime(n): return T()\n",
        "assert is_prime(8)",
        "rigged_value",
    ),
    "rigged len": (
        "class L:\n    def __len__(self): return 3\ndef f(): return L()\n",
        "assert len(f()) == 3",
        "rigged_value",
    ),
    "rigged hash for a set lookup": (
        "class H:\n    def __hash__(self): return hash(3)\n    def __eq__(s, o): return True\n"
        "def f(): return H()\n",
        "assert f() in {3}",
        "rigged_value",
    ),
    "rigged arithmetic": (
        "class Z:\n    def __sub__(self, o): return 0\ndef f(x): return Z()\n",
        "assert abs(f(1) - 2) < 1e-6",
        "rigged_value",
    ),
    "int subclass with rigged eq": (
        "class I(int):\n    def __eq__(self, o): return True\n    __hash__ = int.__hash__\n"
        "def f(): return I(0)\n",
        "assert f() == 3",
        "rigged_value",
    ),
    "rigged element in a list": (
        "class A:\n    def __eq__(self, o): return True\ndef f(): return [A(), A()]\n",
        "assert f() == [1, 2]",
        "rigged_value",
    ),
    "math.isclose patched": (
        "import math\nmath.isclose = lambda *a, **k: True\n" + WRONG_F,
        "import math\nassert math.isclose(f(1), 2)",
        "patched_modules",
    ),
    "sys.modules entry replaced": (
        "import sys, types\nm = types.ModuleType('math')\nm.isclose = lambda *a, **k: True\n"
        "sys.modules['math'] = m\n" + WRONG_F,
        "import math\nassert math.isclose(f(1), 2)",
        "patched_modules",
    ),
    "unittest assertion patched": (
        "import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\n" + WRONG_F,
        "import unittest\nunittest.TestCase().assertEqual(f(1), 2)",
        "patched_modules",
    ),
    "import hook planted": (
        "import sys, types\nclass F:\n    def find_spec(self, name, path=None, target=None):\n"
        "        return None\nsys.meta_path.insert(0, F())\n" + WRONG_F,
        "assert f(1) == 2",
        "patched_modules",
    ),
    "builtins patched while the test runs": (
        "import builtins\ndef f(x):\n    builtins.abs = lambda v: 0\n    return 5\n",
        "f(1)\nassert abs(f(1) - 2) < 1e-6",
        "patched_builtins",
    ),
    "test globals patched through a frame": (
        "import sys\ndef f(x):\n    sys._getframe(1).f_globals['expected'] = 5\n    return 5\n",
        "expected = 2\nassert f(1) == expected",
        "frame_access",
    ),
    "test frame reached through f_back": (
        "import sys\ndef f(x):\n    fr = sys._getframe(0).f_back\n"
        "    fr.f_globals['abs'] = lambda v: 0\n    return 5\n",
        "assert abs(f(1) - 2) < 1e-6",
        "frame_access",
    ),
    "test frame reached through a traceback": (
        "def f(x):\n    try:\n        raise ValueError\n    except ValueError as e:\n"
        "        e.__traceback__.tb_frame.f_back.f_globals['abs'] = lambda v: 0\n    return 5\n",
        "assert abs(f(1) - 2) < 1e-6",
        "frame_access",
    ),
    "inspect.stack": (
        "import inspect\ndef f(x):\n    inspect.stack()[1].frame.f_globals['abs'] = abs\n"
        "    return 5\n",
        "assert f(1) == 2",
        "frame_access",
    ),
    "gc finds the test's globals": (
        "import gc\ndef f(x):\n    for o in gc.get_objects():\n"
        "        if isinstance(o, dict) and 'expected' in o: o['expected'] = 5\n    return 5\n",
        "expected = 2\nassert f(1) == expected",
        "introspection",
    ),
    "a trace function set by the program": (
        "import sys\ndef tr(frame, event, arg):\n    frame.f_globals['expected'] = 5\n    return tr\n"
        "sys.settrace(tr)\n" + WRONG_F,
        "expected = 2\nassert f(1) == expected",
        "introspection",
    ),
    "ctypes": (
        "import ctypes\n" + WRONG_F,
        "assert f(1) == 2",
        "introspection",
    ),
}


@pytest.fixture(scope="module")
def entry_by_entry() -> LocalBackend:
    """A backend whose harness has no C world check: it compares the world entry by entry."""
    b = LocalBackend(pool_size=1, worldcheck=False)
    yield b
    b.close()


@pytest.fixture(params=["version_tags", "entry_by_entry"])
def world(request: pytest.FixtureRequest, backend: LocalBackend) -> LocalBackend:
    """Both ways the harness tells the world is unchanged must give the same verdicts."""
    if request.param == "version_tags":
        return backend
    return request.getfixturevalue("entry_by_entry")


def test_the_c_world_check_is_built_here(backend: LocalBackend) -> None:
    # gcc is on every host the suite runs on (the C and C++ languages need it).
    assert backend.health()["world_check"].startswith("version tags")


@pytest.mark.parametrize("name", sorted(HAZARDS))
def test_a_hack_on_the_tests_world_fails_with_its_flag(world: LocalBackend, name: str) -> None:
    program, code, flag = HAZARDS[name]
    [(status, flags)] = outcome(world, program, code)
    assert status != TestStatus.PASSED.value, name
    assert flag in flags, (name, flags)


def test_a_rigged_value_fails_even_when_the_test_catches_everything(
    backend: LocalBackend,
) -> None:
    program = "class A:\n    def __eq__(self, o): return True\ndef f(): return A()\n"
    code = "try:\n    assert f() == 3\nexcept BaseException:\n    pass\n"
    [(status, flags)] = outcome(backend, program, code)
    assert status == TestStatus.FAILED.value and "rigged_value" in flags


def test_exit_from_atexit_or_del_is_not_a_pass(backend: LocalBackend) -> None:
    atexit_exit = "import atexit, os\natexit.register(lambda: os._exit(0))\n" + WRONG_F
    del_exit = (
        "import os\nclass D:\n    def __del__(self): os._exit(0)\n"
        "def f(x):\n    D()\n    return 5\n"
    )
    assert outcome(backend, atexit_exit, "assert f(1) == 2")[0][0] != "passed"
    assert outcome(backend, del_exit, "assert f(1) == 2")[0][0] != "passed"


def test_nothing_of_a_patch_survives_into_the_next_test(backend: LocalBackend) -> None:
    program = (
        "import builtins, math\ndef f(x):\n    builtins.abs = lambda v: 0\n"
        "    math.isclose = lambda *a, **k: True\n    return x\n"
    )
    results = outcome(
        backend,
        program,
        "import math\nassert f(1) == 1",
        "import math, builtins\nassert abs(-3) == 3 and not math.isclose(1, 2)\n"
        "assert builtins.abs(-3) == 3",
    )
    # The first test saw its world patched while it ran; the second starts pristine.
    assert results[0] == ("failed", ("patched_builtins", "patched_modules"))
    assert results[1][0] == "passed"


# --- honest programs that look alike still pass ---------------------------------------------

HONEST = {
    "HumanEval check(candidate)": (
        "def has_close_elements(numbers, threshold):\n"
        "    return any(abs(a - b) < threshold for i, a in enumerate(numbers)\n"
        "               for j, b in enumerate(numbers) if i != j)\n",
        "def check(candidate):\n"
        "    assert candidate([1.0, 2.0, 3.9, 4.0], 0.3) == True\n"
        "    assert not candidate([1.0, 2.0, 3.0], 0.5)\n"
        "check(has_close_elements)\n",
    ),
    "float tolerance with math and abs": (
        "import math\ndef area(r): return math.pi * r * r\n",
        "import math\nassert abs(area(1) - 3.14159265) < 1e-6\n"
        "assert math.isclose(area(2), 4 * math.pi)\n",
    ),
    "unittest assertions": (
        "def add(a, b): return a + b\n",
        "import unittest\nclass T(unittest.TestCase):\n"
        "    def runTest(self):\n        self.assertEqual(add(1, 2), 3)\n"
        "        with self.assertRaises(TypeError):\n            add(1, 'a')\n"
        "T().runTest()\n",
    ),
    "namedtuple result": (
        "from collections import namedtuple\nP = namedtuple('P', 'x y')\ndef f(): return P(1, 2)\n",
        "assert f() == (1, 2) and f().x == 1",
    ),
    "class design (LeetCode style)": (
        "class MinStack:\n    def __init__(self): self.s = []\n"
        "    def push(self, x): self.s.append((x, min(x, self.s[-1][1]) if self.s else x))\n"
        "    def getMin(self): return self.s[-1][1]\n",
        "st = MinStack()\nst.push(3)\nst.push(1)\nassert st.getMin() == 1\nassert st\n",
    ),
    "linked list walked by the test": (
        "class ListNode:\n    def __init__(self, val=0, next=None):\n"
        "        self.val, self.next = val, next\n"
        "def reverse(head):\n    prev = None\n    while head:\n"
        "        head.next, prev, head = prev, head, head.next\n    return prev\n",
        "def build(xs):\n    head = None\n    for x in reversed(xs): head = ListNode(x, head)\n"
        "    return head\n"
        "def to_list(node):\n    out = []\n    while node:\n"
        "        out.append(node.val)\n        node = node.next\n    return out\n"
        "assert to_list(reverse(build([1, 2, 3]))) == [3, 2, 1]\n",
    ),
    "generator consumed by the test": (
        "def evens(n):\n    for i in range(n):\n        if i % 2 == 0: yield i\n",
        "assert list(evens(6)) == [0, 2, 4] and sum(evens(5)) == 6\n",
    ),
    "logging and namedtuple inside the program": (
        "import logging\nfrom collections import namedtuple\nlogging.getLogger().warning('x')\n"
        "def f(x):\n    logging.getLogger(__name__).info('called')\n"
        "    return namedtuple('R', 'v')(x).v\n",
        "assert f(4) == 4",
    ),
    "the test's own class with __eq__": (
        "def make(x): return x * 2\n",
        "class Box:\n    def __init__(self, v): self.v = v\n"
        "    def __eq__(self, o): return isinstance(o, Box) and o.v == self.v\n"
        "assert Box(make(2)) == Box(4)\n",
    ),
    "dict, set and fraction results": (
        "from fractions import Fraction\ndef f(): return {'a': [1, 2], 'b': {3}}, Fraction(1, 3)\n",
        "from fractions import Fraction\nd, q = f()\nassert d == {'a': [1, 2], 'b': {3}}\n"
        "assert q == Fraction(1, 3)\n",
    ),
    "the program's own frames while it runs": (
        "import sys, traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    traceback.print_exc()\nDEPTH = len(__import__('inspect').stack())\n"
        "def f(): return DEPTH > 0\n",
        "assert f() is True",
    ),
}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_programs_pass_without_flags(world: LocalBackend, name: str) -> None:
    program, code = HONEST[name]
    verdict = run_py(world, program, [Test(code=code)], Limits(timeout_s=5, memory_mb=256))
    [result] = verdict.tests
    assert result.status is TestStatus.PASSED, (name, result.message)
    assert result.flags == (), (name, result.flags)


def test_honest_programs_still_fail_honestly(backend: LocalBackend) -> None:
    [(status, flags)] = outcome(backend, WRONG_F, "assert f(1) == 2")
    assert (status, flags) == ("failed", ())
