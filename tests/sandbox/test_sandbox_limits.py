"""Limits hold for the whole run: hard rlimits, memory and processes counted per run (cgroup),
the item's total time, and an all-or-nothing run that stops at its first failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.checkers import code as code_check
from app.checkers.base import Status
from sandbox import Compare, Limits, Program, Test, TestStatus
from sandbox.local import LocalBackend
from tests.helpers.timing import wait_until
from tests.sandbox.helpers import FAST, run_py

CONTAINED = Test(input="", output="contained\n")


@pytest.fixture(scope="module")
def rlimit_backend() -> LocalBackend:
    """The fallback: no cgroups, per-process rlimits only."""
    return LocalBackend(pool_size=0, cgroup_mode="off")


def statuses(verdict) -> list[TestStatus]:
    return [t.status for t in verdict.tests]


# --- hard rlimits ---------------------------------------------------------------------------

RAISE_NOFILE = (
    "import resource\n"
    "try:\n"
    "    resource.setrlimit(resource.RLIMIT_NOFILE, (100000, 100000))\n"
    "except (ValueError, OSError):\n"
    "    pass\n"
    "files = []\n"
    "try:\n"
    "    for _ in range(5000): files.append(open('/dev/null'))\n"
    "except OSError:\n"
    "    pass\n"
    "print('contained' if len(files) < 300 else len(files))\n"
)


@pytest.mark.parametrize("which", ["cgroup", "rlimit"])
def test_open_files_cannot_be_raised(
    backend: LocalBackend, rlimit_backend: LocalBackend, which: str
) -> None:
    b = backend if which == "cgroup" else rlimit_backend
    limits = Limits(timeout_s=2, memory_mb=256, max_open_files=256)
    assert statuses(run_py(b, RAISE_NOFILE, [CONTAINED], limits)) == [TestStatus.PASSED]


def test_every_rlimit_is_hard(backend: LocalBackend) -> None:
    src = (
        "import resource as r\n"
        "loose = [n for n in dir(r) if n.startswith('RLIMIT_')\n"
        "         if r.getrlimit(getattr(r, n))[0] != r.getrlimit(getattr(r, n))[1]]\n"
        "print('contained' if not loose else loose)\n"
    )
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]


# --- memory and processes for the whole run ---------------------------------------------------

FORKED_MEMORY = (
    "import os\n"
    "kids = []\n"
    "for i in range(8):\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        b = bytearray(400 << 20)\n"
    "        for j in range(0, len(b), 4096): b[j] = 1\n"
    "        os._exit(0)\n"
    "    kids.append(pid)\n"
    "ok = all(os.waitpid(p, 0)[1] == 0 for p in kids)\n"
    "print('all children got their memory' if ok else 'contained')\n"
)


def test_memory_is_counted_for_all_the_runs_processes(backend: LocalBackend) -> None:
    if backend.accounting().startswith("rlimits"):
        pytest.skip(f"no cgroup accounting on this host: {backend.accounting()}")
    limits = Limits(timeout_s=20, memory_mb=512, max_processes=16)
    v = run_py(backend, FORKED_MEMORY, [CONTAINED], limits)
    # Either a child was killed for memory during the test (the program saw it and printed
    # `contained`, or died itself): never eight times 400 MB.
    assert statuses(v) in ([TestStatus.PASSED], [TestStatus.MEMORY_LIMIT]), v


def test_one_process_over_the_run_memory_is_memory_limit(backend: LocalBackend) -> None:
    src = "b = bytearray(600 << 20)\nfor j in range(0, len(b), 4096): b[j] = 1\nprint('x')\n"
    v = run_py(backend, src, [CONTAINED], Limits(timeout_s=20, memory_mb=256))
    assert statuses(v) == [TestStatus.MEMORY_LIMIT]


def test_processes_are_counted_for_the_run(backend: LocalBackend) -> None:
    src = (
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    for _ in range(200):\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(3600)\n"
        "        n += 1\n"
        "except OSError:\n"
        "    pass\n"
        "print('contained' if n < 20 else n)\n"
    )
    v = run_py(backend, src, [CONTAINED], Limits(timeout_s=10, memory_mb=256, max_processes=16))
    assert statuses(v) == [TestStatus.PASSED]


@pytest.mark.parametrize("pool_size", [0, 1], ids=["fresh_sandbox", "warm_pool"])
def test_no_cgroup_outlives_its_sandbox(backend: LocalBackend, pool_size: int) -> None:
    if backend.accounting().startswith("rlimits"):
        pytest.skip(f"no cgroup accounting on this host: {backend.accounting()}")
    own = LocalBackend(pool_size=pool_size)
    h = own._cgroup_hierarchy()
    assert h is not None
    bases = {h.memory_base, h.pids_base}

    def groups() -> set[Path]:
        return {p for base in bases for p in Path(base).iterdir() if p.is_dir()}

    try:
        run_py(own, "import os, time\nif os.fork() == 0: time.sleep(3600)\nprint('contained')")
        # A warm sandbox keeps its group (one per hierarchy) while it waits for a program;
        # a group whose last processes are still being reaped is removed a moment later.
        assert wait_until(lambda: len(groups()) <= pool_size * len(bases)), groups()
    finally:
        own.close()
    assert wait_until(lambda: not groups()), groups()


def test_health_says_which_accounting_is_in_force(
    backend: LocalBackend, rlimit_backend: LocalBackend
) -> None:
    assert backend.health()["accounting"] == backend.accounting()
    off = rlimit_backend.health()
    assert off["ok"] and off["accounting"].startswith("rlimits per process")


# --- the item's time, and all-or-nothing runs -------------------------------------------------

SLEEPY = "import time\ntime.sleep(0.6)\nprint('contained')\n"


def test_total_timeout_cuts_the_run_and_skips_the_rest(backend: LocalBackend) -> None:
    limits = Limits(timeout_s=5, memory_mb=256, total_timeout_s=1.5)
    v = run_py(backend, SLEEPY, [CONTAINED] * 6, limits)
    got = statuses(v)
    # About two tests fit in 1.5 s; the one running at the end is cut there, the rest skipped.
    assert got[0] is TestStatus.PASSED
    assert got[-1] is TestStatus.SKIPPED
    assert set(got) <= {TestStatus.PASSED, TestStatus.TIMEOUT, TestStatus.SKIPPED}
    assert "total time" in v.tests[-1].message


def test_stop_on_failure_skips_the_tests_after_the_first_failure(backend: LocalBackend) -> None:
    src = "import sys\nprint(int(sys.stdin.read()) * 2)\n"
    tests = [Test("1", "2"), Test("2", "5"), Test("3", "6")]
    v = backend.run(Program("python", src), tests, FAST, Compare(), stop_on_failure=True)
    assert statuses(v) == [TestStatus.PASSED, TestStatus.WRONG, TestStatus.SKIPPED]


def test_partial_false_stops_a_slow_item_at_its_first_failure(backend: LocalBackend) -> None:
    # The judge-package case: many tests, a program too slow for them. With partial: false the
    # first timeout decides the item; the other tests never run to their timeouts.
    completion = "```python\nwhile True: pass\n```"
    params = {
        "language": "python",
        "tests": [{"input": "", "output": "1"}] * 20,
        "limits": {"timeout_s": 0.5, "total_timeout_s": 600},
        "partial": False,
    }
    score = code_check.check(completion, params)
    assert score.status is Status.TIMEOUT and score.value == 0.0
    assert [t["status"] for t in score.details["tests"]] == ["timeout"] + ["skipped"] * 19


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"max_open_files": 3}, "limits.max_open_files"),
        ({"total_timeout_s": 0}, "limits.total_timeout_s"),
        ({"memory_mb": 10**9}, "limits.memory_mb"),
        ({"timeout_s": "soon"}, "limits.timeout_s"),
    ],
)
def test_limits_out_of_range_are_invalid_naming_the_field(limits: dict, field: str) -> None:
    params = {"language": "python", "tests": [{"input": "", "output": ""}], "limits": limits}
    score = code_check.check("```python\nprint()\n```", params)
    assert score.status is Status.INVALID and field in score.details["message"]


def test_limits_out_of_range_are_422_naming_the_field(api) -> None:
    item = {
        "completion": "```python\nprint()\n```",
        "checks": {
            "code": {
                "language": "python",
                "tests": [{"input": "", "output": ""}],
                "limits": {"max_open_files": 100000},
            }
        },
    }
    r = api.post("/v1/rewards", json={"items": [item]})
    assert r.status_code == 422
    locs = [d["loc"] for d in r.json()["detail"]]
    assert ["body", "items", 0, "checks", "code", "limits", "max_open_files"] in locs
