"""maj@N and pass@N on a JSONL file of sampled completions, through a rewardkit server.

Each line is one prompt's group, as POST /v1/select takes it:

    {"id": "q1", "gold": "1/2", "completions": ["... \\\\boxed{0.5}", "..."]}

(`checks` may be added, e.g. {"format": {}}, to rank best-of-N by more than correctness.)
Answers are clustered by mathematical equivalence on the server; this script only batches the
groups, sends them (`rewardkit.integrations.select`), and sums up. It needs only the client
package (httpx):

    python examples/majority_vote.py examples/data/majority.jsonl --url http://127.0.0.1:8000

It prints one line per group and a summary table; `--out FILE` writes the server's answer per
group as JSONL. The URL defaults to `REWARDKIT_URL`, the token to `REWARDKIT_API_TOKEN`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from rewardkit.integrations.select import SelectError, select_sync, summarise


def read_groups(path: Path) -> list[dict[str, Any]]:
    """The groups of a JSONL file (blank lines skipped)."""
    groups = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    groups.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    sys.exit(f"{path}:{n}: not JSON: {exc}")
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="JSONL: one group of completions per line")
    parser.add_argument("--url", default=os.environ.get("REWARDKIT_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("REWARDKIT_API_TOKEN"))
    parser.add_argument("--out", type=Path, help="write the server's answer per group here")
    parser.add_argument("--batch", type=int, default=1024, help="completions per request")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    args = parser.parse_args(argv)

    groups = read_groups(args.file)
    try:
        answers = select_sync(
            groups, url=args.url, token=args.token, timeout=args.timeout, max_completions=args.batch
        )
    except SelectError as exc:
        sys.exit(str(exc))

    if not args.quiet:
        for a in answers:
            major = a["majority"]
            vote = f"{major['answer']!r} ({major['share']:.0%})" if major else "none"
            verdict = ""
            if "pass_at_n" in a:
                ok = bool(major and major["correct"])
                verdict = f"  maj {'ok' if ok else 'x'}  pass {'ok' if a['pass_at_n'] else 'x'}"
            print(f"{a['id']:>12}  majority {vote:<24} clusters {len(a['clusters'])}{verdict}")
    if args.out:
        with args.out.open("w", encoding="utf-8") as fh:
            for a in answers:
                fh.write(json.dumps(a) + "\n")

    summary = summarise(groups, answers)
    width = max(len(k) for k in summary)
    print()
    for key, value in summary.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
