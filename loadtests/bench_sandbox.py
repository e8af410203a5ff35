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

Then, per language (python, cpp, c, javascript, java, rust: those this host has), the same
a + b program: `code check + warm pool` items/s against a plain compile-and-run loop of the
same program with the same compiler and runtime flags, no sandbox (`plain`), in the same run;
the ratio is sandboxed / plain. `--languages` picks them, `--lang-seconds` sets each row's time.

Then the workloads of `loadtests/bench.py`, through `app.checkers.code.check` directly (no
HTTP), on the backend the service uses by default (`sandbox.configure("local")`), with
`--concurrency` threads, items/s and p50/p99 ms per item:
- `humaneval`: HumanEval-format canonical solutions, one `check(candidate)` function test each
  (loadtests.workloads.humaneval_items), against the bwrap floor above;
- `cpp`: `bits/stdc++.h` contest programs with 2-3 stdio tests (loadtests.workloads.cpp_items)
  against a plain `g++` (the sandbox's flags) compile + run of the same programs, no sandbox,
  as many at once as the sandboxed row.
`--humaneval-seconds` and `--cpp-seconds` set their time (0 leaves the row out).

    .venv/bin/python loadtests/bench_sandbox.py [--seconds 5] [--concurrency 1] [--tests 3]
        [--languages c,java] [--lang-seconds 5] [--humaneval-seconds 5] [--cpp-seconds 10]
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

import tempfile

import sandbox
from app.checkers import code
from loadtests import workloads
from loadtests.bench import cpp_plain_floor, pct
from sandbox import languages
from sandbox.local import LocalBackend

PROGRAM = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"
#: a + b in every language (the per-language rows).
ADD = {
    "python": PROGRAM,
    "cpp": "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n",
    "c": '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);}\n',
    "javascript": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/)"
    ".map(Number);\nconsole.log(a + b);\n",
    "java": "import java.util.*;\npublic class Main { public static void main(String[] x) {\n"
    "  Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n",
    "rust": "use std::io::Read;\nfn main() { let mut s = String::new();\n"
    "  std::io::stdin().read_to_string(&mut s).unwrap();\n"
    "  let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();\n"
    '  println!("{}", v[0] + v[1]); }\n',
}


def plain_runner(name: str, tests: list[dict[str, str]]) -> Callable[[], None]:
    """One compile-and-run of `ADD[name]` on the host, no sandbox: the language's own build
    and run commands (paths mapped back from the sandbox's view), in a fresh directory."""
    lang, tc = languages.get(name), languages.toolchain(name)
    source = ADD[name]

    def host(argv: list[str], work: str) -> list[str]:
        out = []
        for a in argv:
            for real, inside in tc.homes:
                a = a.replace(inside, real)
            a = a.replace(languages.BUILD_DIR, work).replace("{python}", sys.executable)
            out.append(a.replace("{dir}", work))
        return out

    def once() -> None:
        with tempfile.TemporaryDirectory() as work:
            spec = lang.spec(tc, source, 512)
            Path(work, spec["source_name"]).write_text(source)
            if spec["compile"]:
                subprocess.run(host(spec["compile"], work), check=True, capture_output=True)
            run = [f"{work}/prog"] if isinstance(spec["keep"], str) else host(spec["run"], work)
            if name == "python":
                run = [sys.executable, "-I", f"{work}/main.py"]
            for t in tests:
                out = subprocess.run(run, input=t["input"].encode(), capture_output=True).stdout
                assert out.decode() == t["output"], (name, out)

    return once


def in_threads(loop: Callable[[int], None], concurrency: int) -> float:
    """Run `loop(i)` in `concurrency` threads (i = 0, 1, ...) until all end; the seconds."""
    t0 = time.monotonic()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0


def rate(fn: Callable[[], object], seconds: float, concurrency: int) -> float:
    """Calls of `fn` per second over `seconds`, from `concurrency` threads."""
    fn()  # warm up (imports, first spawn)
    count = [0] * concurrency
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        while time.monotonic() < stop:
            fn()
            count[i] += 1

    seconds_taken = in_threads(loop, concurrency)  # before counting: they count meanwhile
    return sum(count) / seconds_taken


def item_rate(
    items: list[dict], seconds: float, concurrency: int
) -> tuple[float, float, float, list[str]]:
    """`code.check` on `items` round-robin from `concurrency` threads for `seconds` (at least
    one item each): (items/s, p50 ms, p99 ms per item, statuses that were not `correct`)."""
    code.check(items[-1]["completion"], items[-1]["checks"]["code"])  # warm up
    latencies: list[float] = []
    bad: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        k = i
        while k == i or time.monotonic() < stop:
            it = items[k % len(items)]
            t0 = time.perf_counter()
            score = code.check(it["completion"], it["checks"]["code"])
            with lock:
                latencies.append(time.perf_counter() - t0)
                if score.value != 1.0:
                    bad.append(score.status.value)
            k += concurrency

    seconds_taken = in_threads(loop, concurrency)
    ips = len(latencies) / seconds_taken
    return ips, pct(latencies, 50), pct(latencies, 99), bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--tests", type=int, default=3, help="stdio tests per sample")
    ap.add_argument("--pool", type=int, default=2, help="warm sandboxes for the pool row")
    ap.add_argument("--languages", default=",".join(ADD), help="per-language rows (comma list)")
    ap.add_argument("--lang-seconds", type=float, default=5.0)
    ap.add_argument("--humaneval-seconds", type=float, default=5.0)
    ap.add_argument("--cpp-seconds", type=float, default=10.0)
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
    lang_rows: list[tuple[str, float, float]] = []
    for name in [n for n in args.languages.split(",") if n]:
        if not languages.toolchain(name).ok:
            print(f"{name}: skipped, no toolchain ({languages.toolchain(name).missing})")
            continue
        fence = f"```{name}\n{ADD[name]}```\n"
        lparams = {"language": name, "tests": tests}

        def lcheck(fence: str = fence, lparams: dict = lparams) -> None:
            score = code.check(fence, lparams)
            assert score.value == 1.0, score

        sandboxed = rate(lcheck, args.lang_seconds, 1)
        plain = rate(plain_runner(name, tests), args.lang_seconds, 1)
        lang_rows.append((name, sandboxed, plain))
    sandbox.configure("local")
    # (row, items/s, p50 ms, p99 ms, floor name, floor items/s, not-correct statuses)
    work_rows: list[tuple[str, float, float, float, str, float, list[str]]] = []
    if args.humaneval_seconds > 0:
        items = workloads.humaneval_items(64, seed=0)
        ips, p50, p99, bad = item_rate(items, args.humaneval_seconds, args.concurrency)
        work_rows.append(("humaneval", ips, p50, p99, "bwrap python -c pass", floor, bad))
    if args.cpp_seconds > 0 and languages.toolchain("cpp").ok:
        items = workloads.cpp_items(16, seed=0)
        ips, p50, p99, bad = item_rate(items, args.cpp_seconds, args.concurrency)
        plain = cpp_plain_floor(items, args.cpp_seconds, args.concurrency)
        work_rows.append(("cpp", ips, p50, p99, "plain g++ + run", plain, bad))
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
    if lang_rows:
        print(
            f"\nper language: a + b, {args.tests} stdio tests, compile included; "
            f"{args.lang_seconds:g}s per row; sandboxed = code check + warm pool ({args.pool})"
        )
        print(f"{'language':<12} {'sandboxed items/s':>18} {'plain items/s':>14} {'ratio':>7}")
        print("-" * 54)
        for name, boxed, plain in lang_rows:
            print(f"{name:<12} {boxed:>18.2f} {plain:>14.2f} {boxed / plain:>6.2f}x")
    if work_rows:
        print(
            f"\nworkloads (loadtests/workloads.py) through code.check, default local backend, "
            f"concurrency {args.concurrency}; p50/p99 per item"
        )
        print(
            f"{'workload':<10} {'items/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'floor':<22} {'floor/s':>8} {'ratio':>7}"
        )
        print("-" * 78)
        for name, ips, p50, p99, floor_name, fl, bad in work_rows:
            print(
                f"{name:<10} {ips:>8.2f} {p50:>8.1f} {p99:>8.1f} {floor_name:<22} "
                f"{fl:>8.2f} {ips / fl:>6.2f}x"
            )
            if bad:
                statuses = {b: bad.count(b) for b in sorted(set(bad))}
                print(f"  warning: {len(bad)} {name} items did not score 1.0: {statuses}")


if __name__ == "__main__":
    main()
