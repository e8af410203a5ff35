"""What the precompiled C++ headers (sandbox/pch.py) save, in one run.

Per program (a `bits/stdc++.h` a + b, an `iostream` a + b): seconds per item, compile
included, through the local sandbox with the PCH and without it (two backends that differ only
in the C++ toolchain's PCH directory), runs alternated so both see the same load; and the bare
`g++` compile on the host, with and without `-I <PCH dir>`. Medians; the ratio is
without / with.

    .venv/bin/python loadtests/bench_pch.py [--runs 7]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox import Compare, Limits, Program, Test, VerdictStatus, languages, pch
from sandbox.languages.base import Toolchain
from sandbox.local import LocalBackend

PROGRAMS = {
    "bits/stdc++.h": "#include <bits/stdc++.h>\nusing namespace std;\n"
    "int main(){long long a,b;cin>>a>>b;cout<<a+b<<'\\n';}\n",
    "iostream": "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n",
}
TESTS = [Test("2 3\n", "5\n"), Test("-4 10\n", "6\n"), Test("0 0\n", "0\n")]


def backend_for(tc: Toolchain) -> LocalBackend:
    """A local backend whose C++ toolchain is `tc` (the toolchains are fixed at first use)."""
    real = languages.available
    languages.available = lambda: {**real(), "cpp": tc}  # type: ignore[assignment]
    try:
        b = LocalBackend(pool_size=0)
        b.languages()
    finally:
        languages.available = real  # type: ignore[assignment]
    return b


def sandboxed(b: LocalBackend, source: str) -> Callable[[], None]:
    def once() -> None:
        v = b.run(Program("cpp", source), TESTS, Limits(), Compare())
        assert v.status is VerdictStatus.OK and v.passed == len(TESTS), v

    return once


def host_compile(tc: Toolchain, source: str) -> Callable[[], None]:
    """The bare g++ of the sandbox's compile argv, paths mapped to the host's."""
    spec = languages.get("cpp").spec(tc, source, 256)

    def once() -> None:
        with tempfile.TemporaryDirectory() as work:
            Path(work, spec["source_name"]).write_text(source)
            argv = []
            for a in spec["compile"]:
                for real, inside in tc.homes:
                    a = a.replace(inside, real)
                argv.append(a.replace(languages.BUILD_DIR, work))
            subprocess.run(argv, check=True, capture_output=True)

    return once


def timed(fn: Callable[[], None]) -> float:
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7, help="items per program and mode")
    args = p.parse_args()

    with_pch = languages.toolchain("cpp")
    if not with_pch.ok or not with_pch.homes:
        sys.exit(f"no C++ PCH on this host: {with_pch}")
    without = dataclasses.replace(with_pch, homes=())
    boxes = {"with": backend_for(with_pch), "without": backend_for(without)}
    tcs = {"with": with_pch, "without": without}

    print(
        f"g++ {with_pch.version}, flags {' '.join(languages.get('cpp').flags)}; "
        f"PCH {with_pch.homes[0][0]} ({pch.size(with_pch.homes[0][0]) / 1e6:.0f} MB); "
        f"{args.runs} items per cell, medians; {os.cpu_count()} CPUs; {len(TESTS)} stdio tests"
    )
    print(f"{'program':<15} {'what':<22} {'with PCH s':>11} {'without s':>10} {'ratio':>7}")
    print("-" * 69)
    for name, source in PROGRAMS.items():
        for what, make in (("sandbox item", None), ("host g++ compile", host_compile)):
            fns = {
                mode: sandboxed(boxes[mode], source) if make is None else make(tcs[mode], source)
                for mode in boxes
            }
            for fn in fns.values():
                fn()  # warm up (page cache, first spawn)
            times: dict[str, list[float]] = {mode: [] for mode in fns}
            for _ in range(args.runs):  # alternated: both modes see the same load
                for mode, fn in fns.items():
                    times[mode].append(timed(fn))
            w, wo = (statistics.median(times[m]) for m in ("with", "without"))
            print(f"{name:<15} {what:<22} {w:>11.3f} {wo:>10.3f} {wo / w:>6.2f}x")
    for b in boxes.values():
        b.close()


if __name__ == "__main__":
    main()
