"""Helpers for the sandbox suites: run a program with small limits, list host processes."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox import Compare, Limits, Program, Test, Verdict
from sandbox.local import LocalBackend

#: Small limits keep hostile tests quick.
FAST = Limits(timeout_s=1.0, memory_mb=256, max_output_bytes=100_000, max_processes=16)


def run_py(
    backend: LocalBackend,
    source: str,
    tests: list[Test] | None = None,
    limits: Limits = FAST,
    compare: Compare | None = None,
) -> Verdict:
    """Run Python `source`; by default one stdio test expecting the line `contained`."""
    tests = tests or [Test(input="", output="contained\n")]
    return backend.run(Program("python", source), tests, limits, compare or Compare())


def run_cpp(
    backend: LocalBackend, source: str, tests: list[Test], limits: Limits = FAST
) -> Verdict:
    return backend.run(Program("cpp", source), tests, limits, Compare())


def host_processes(needle: bytes) -> list[int]:
    """PIDs of host processes whose command line contains `needle`."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            if needle in (d / "cmdline").read_bytes():
                pids.append(int(d.name))
        except OSError:
            continue
    return pids
