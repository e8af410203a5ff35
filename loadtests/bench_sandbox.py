"""Runs per second of the `code` check against the process-spawn floor, in one run.

Rows (each for `--seconds`, with `--concurrency` threads):
- `subprocess python -c pass`: an unsandboxed interpreter spawn;
- `bwrap python -c pass`: the same inside the backend's exact bwrap command line: the floor
  any sandbox that spawns once per run pays;
- `unsandboxed checker`: the sample's tests, one plain subprocess each (what a naive checker
  does: no isolation at all);
- `code check`: `app.checkers.code.check` on the sample, full isolation (one sandbox per run,
  one fork per test);
- `code check + warm pool`: the same with sandboxes started ahead of time;
- `code check, rlimits only`: the same without cgroup accounting (the cost of a cgroup per run
  is this row against `code check`);
- `code check, function tests`: a HumanEval-style program with `--tests` function tests, which
  run in the tests' guarded world (pristine modules, plain-data checks, the audit hook).
The sample is a Python program with `--tests` stdio tests. Ratios are against the bwrap floor.

    .venv/bin/python loadtests/bench_sandbox.py [--seconds 5] [--concurrency 1] [--tests 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sandbox
from app.checkers import code
from sandbox.local import LocalBackend

PROGRAM = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"


def rate(fn: Callable[[], object], seconds: float, concurrency: int) -> float:
    """Calls of `fn` per second over `seconds`, from `concurrency` threads."""
    fn()  # warm up (imports, first spawn)
    count = [0] * concurrency
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        while time.monotonic() < stop:
            fn()
            count[i] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(count) / (time.monotonic() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--tests", type=int, default=3, help="stdio tests per sample")
    ap.add_argument("--pool", type=int, default=2, help="warm sandboxes for the pool row")
    args = ap.parse_args()

    local = LocalBackend(pool_size=0)
    run_as = {"user": local.run_as, "group": local.run_as} if local.run_as is not None else {}
    tests = [{"input": f"{i} {i + 1}\n", "output": f"{2 * i + 1}\n"} for i in range(args.tests)]
    params = {"language": "python", "tests": tests}
    completion = f"Here is my solution.\n```python\n{PROGRAM}```\n"
    floor_argv = local.argv([local.python, "-I", "-S", "-c", "pass"])

    def bare_spawn() -> None:
        subprocess.run([local.python, "-I", "-S", "-c", "pass"], check=True)

    def bwrap_spawn() -> None:
        subprocess.run(floor_argv, check=True, env={}, **run_as)

    def unsandboxed() -> None:
        for t in tests:
            out = subprocess.run(
                [local.python, "-I", "-c", PROGRAM],
                input=t["input"].encode(),
                capture_output=True,
                timeout=5,
            ).stdout
            assert out.decode() == t["output"]

    def check() -> None:
        score = code.check(completion, params)
        assert score.value == 1.0, score

    fn_params = {
        "language": "python",
        "tests": [
            {
                "code": f"import math\nassert add({i}, {i + 1}) == {2 * i + 1}\n"
                f"assert math.isclose(add({i}.5, 1), {i + 1}.5)"
            }
            for i in range(args.tests)
        ],
    }
    fn_completion = "```python\ndef add(a, b):\n    return a + b\n```"

    def function_check() -> None:
        score = code.check(fn_completion, fn_params)
        assert score.value == 1.0, score

    sandbox.configure(local)
    rows: list[tuple[str, float]] = []
    rows.append(("subprocess python -c pass", rate(bare_spawn, args.seconds, args.concurrency)))
    floor = rate(bwrap_spawn, args.seconds, args.concurrency)
    rows.append(("bwrap python -c pass (floor)", floor))
    rows.append(("unsandboxed checker", rate(unsandboxed, args.seconds, args.concurrency)))
    rows.append(("code check", rate(check, args.seconds, args.concurrency)))
    rows.append(
        ("code check, function tests", rate(function_check, args.seconds, args.concurrency))
    )
    sandbox.configure(LocalBackend(pool_size=0, cgroup_mode="off"))
    rows.append(("code check, rlimits only", rate(check, args.seconds, args.concurrency)))
    sandbox.configure(local)
    pooled = LocalBackend(pool_size=args.pool)
    sandbox.configure(pooled)
    time.sleep(1.0)  # let the pool fill
    rows.append((f"code check + warm pool ({args.pool})", rate(check, args.seconds, 1)))
    sandbox.configure("local")

    print(
        f"\nsample: python, {args.tests} stdio tests; {args.seconds:g}s per row; "
        f"concurrency {args.concurrency} (pool row: 1); {os.cpu_count()} CPUs; "
        f"python {local.python}; accounting: {local.accounting()}"
    )
    print(f"{'what':<34} {'runs/s':>8} {'vs floor':>9}")
    print("-" * 53)
    for name, r in rows:
        print(f"{name:<34} {r:>8.1f} {r / floor:>8.2f}x")


if __name__ == "__main__":
    main()
