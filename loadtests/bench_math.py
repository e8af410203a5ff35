"""rewardkit's math checker against Math-Verify 0.9.0 on the same cases, in one run.

Both score the same completions (`...\\boxed{answer}`, plus the whole completions of
`COMPLETIONS` and the correct/wrong ones of `HELD_OUT` from tests/checkers/math_cases.py, and
the real-output style completions of tests/checkers/math_real_cases.py) against the same golds
(Math-Verify gets the gold as `$gold$`, as its README advises), one process, one item at a
time. First pass only: every parse cache of both is cleared before its timed
pass, and rewardkit runs first so sympy's shared internal cache can only favour Math-Verify.
Math-Verify keeps its default signal-based 5 s timeouts (this runs on the main thread).

Prints accuracy, false accepts (wrong answers scored correct), false rejects, items/s,
p50/p99 latency per item, the ratios, and accuracy per category; then, on the real-output
style completions, agreement with their labels for rewardkit's default (`extract: final`,
exact), rewardkit's lenient evaluation (`extract: last`, `rel_tol: 1e-3`) and Math-Verify's
default, with false accepts.

Usage: python -m loadtests.bench_math [--repeat 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_cases(name: str = "math_cases"):  # tests/ is not a package: load tables by path
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "checkers" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Run:
    name: str
    verdicts: list[bool] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def rewardkit_judge(**options: object) -> tuple[Callable[[str, str], bool], Callable[[], None]]:
    from app.checkers.base import Status
    from app.checkers.math import check
    from app.checkers.math.decide import prepare_gold
    from app.checkers.math.symbolic import to_sympy

    def judge(completion: str, gold: str) -> bool:
        return check(completion, {"gold": gold, **options}).status is Status.CORRECT

    def clear() -> None:
        prepare_gold.cache_clear()
        to_sympy.cache_clear()

    return judge, clear


def math_verify_judge() -> tuple[Callable[[str, str], bool], Callable[[], None]]:
    from math_verify import parse, verify
    from math_verify import parser as mv_parser

    logging.getLogger("math_verify").setLevel(logging.CRITICAL)

    def judge(completion: str, gold: str) -> bool:
        try:
            return bool(verify(parse(f"${gold}$"), parse(completion)))
        except Exception:
            return False

    def clear() -> None:
        for name in dir(mv_parser):
            fn = getattr(mv_parser, name)
            if hasattr(fn, "cache_clear"):
                fn.cache_clear()

    return judge, clear


def run(name: str, judge: Callable[[str, str], bool], items: list[tuple[str, str]]) -> Run:
    out = Run(name)
    for completion, gold in items:
        t0 = time.perf_counter()
        verdict = judge(completion, gold)
        out.seconds.append(time.perf_counter() - t0)
        out.verdicts.append(verdict)
    return out


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="timed passes per verifier (best kept)")
    args = ap.parse_args()
    cases = _load_cases()
    # Boxed answers from the case table, then whole completions (extraction in play) as is.
    # The held-out style completions join as whole completions (their correct/wrong cases;
    # invalid golds, timeouts and no-answers have no true/false verdict to compare).
    held = [(c, g, e == "correct") for _, c, g, e in cases.HELD_OUT if e in ("correct", "wrong")]
    real = _load_cases("math_real_cases").REAL
    rows = cases.ALL + [("whole completions", c) for c in cases.COMPLETIONS]
    rows += [("held-out style", c) for c in held]
    # Real-output style: the verdict the default options must give (approximations and
    # answers only `extract: last` finds are not right under the default).
    rows += [("real-output style", (c, g, lab and need == "final")) for _, c, g, lab, need in real]
    items = [(cases.completion_for(a), g) for _, (a, g, _) in cases.ALL]
    items += [(c, g) for c, g, _ in cases.COMPLETIONS]
    items += [(c, g) for c, g, _ in held]
    items += [(c, g) for _, c, g, _, _ in real]
    expected = [e for _, (_, _, e) in rows]

    rk, rk_clear = rewardkit_judge()
    mv, mv_clear = math_verify_judge()
    warm = [(cases.completion_for("\\frac{7}{9}"), "7/9"), (cases.completion_for("y=3z"), "3z")]
    run("warm", rk, warm)  # imports and first-call set-up of both, outside the timing
    run("warm", mv, warm)

    results: list[Run] = []
    for name, judge, clear in (("rewardkit", rk, rk_clear), ("Math-Verify 0.9.0", mv, mv_clear)):
        best: Run | None = None
        for _ in range(args.repeat):
            clear()
            r = run(name, judge, items)
            if best is None or sum(r.seconds) < sum(best.seconds):
                best = r
        assert best is not None
        results.append(best)

    n = len(items)
    wrong_cases = sum(1 for e in expected if not e)
    print(
        f"\nmath equivalence: {n} cases ({n - wrong_cases} correct answers, {wrong_cases} wrong),"
        " one process, first pass\n"
    )
    head = f"{'verifier':<20}{'accuracy':>10}{'false acc':>11}{'false rej':>11}{'items/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(head)
    print("-" * len(head))
    stats = {}
    for r in results:
        acc = sum(v == e for v, e in zip(r.verdicts, expected, strict=True)) / n
        fa = sum(v and not e for v, e in zip(r.verdicts, expected, strict=True))
        fr = sum(e and not v for v, e in zip(r.verdicts, expected, strict=True))
        ips = n / sum(r.seconds)
        p50, p99 = pct(r.seconds, 0.5) * 1e3, pct(r.seconds, 0.99) * 1e3
        stats[r.name] = (acc, ips, p50, p99)
        print(
            f"{r.name:<20}{acc:>10.1%}{fa:>11}{fr:>11}{ips:>10.1f}{p50:>9.2f}{p99:>9.1f}{max(r.seconds) * 1e3:>9.1f}"
        )
    (ra, ri, r50, r99), (ma, mi, m50, m99) = stats["rewardkit"], stats["Math-Verify 0.9.0"]
    print(
        f"{'ratio rk/MV':<20}{ra / ma:>9.2f}x{'':>22}{ri / mi:>9.2f}x{r50 / m50:>8.2f}x{r99 / m99:>8.2f}x"
    )

    print(f"\n{'category':<22}{'cases':>6}{'rewardkit':>11}{'Math-Verify':>13}")
    for cat in [*cases.CATEGORIES, "whole completions", "held-out style", "real-output style"]:
        idx = [i for i, (c, _) in enumerate(rows) if c == cat]
        accs = [sum(r.verdicts[i] == expected[i] for i in idx) / len(idx) for r in results]
        print(f"{cat:<22}{len(idx):>6}{accs[0]:>11.1%}{accs[1]:>13.1%}")

    # Agreement with the labels of the real-output style completions, per configuration.
    labels = [lab for _, _, _, lab, _ in real]
    pairs = [(c, g) for _, c, g, _, _ in real]
    lenient, lenient_clear = rewardkit_judge(extract="last", rel_tol=1e-3)
    print(f"\nreal-output style: {len(real)} completions, {sum(labels)} labelled right")
    head = f"{'verifier':<34}{'agreement':>10}{'false acc':>11}{'false rej':>11}{'items/s':>10}"
    print(head)
    print("-" * len(head))
    for name, judge, clear in (
        ("rewardkit final, exact (default)", rk, rk_clear),
        ("rewardkit last, rel_tol 1e-3", lenient, lenient_clear),
        ("Math-Verify 0.9.0 default", mv, mv_clear),
    ):
        clear()
        r = run(name, judge, pairs)
        agree = sum(v == e for v, e in zip(r.verdicts, labels, strict=True)) / len(labels)
        fa = sum(v and not e for v, e in zip(r.verdicts, labels, strict=True))
        fr = sum(e and not v for v, e in zip(r.verdicts, labels, strict=True))
        print(f"{name:<34}{agree:>10.1%}{fa:>11}{fr:>11}{len(pairs) / sum(r.seconds):>10.1f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
