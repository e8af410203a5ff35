"""Majority vote (self-consistency) and best-of-N over groups of completions. No HTTP here.

Per group of N completions of one prompt:
1. Each completion's final answer is extracted (the math checker's cheap `extract_answer`);
   completions without one go to `no_answer`.
2. Answers are clustered by mathematical equivalence. Identical answers (up to white space)
   share a cluster for free; each remaining distinct answer is compared only against cluster
   representatives, never against every other answer. The comparisons are the math check itself
   (answer judged against the representative as gold), so they run where math checks run (the
   killable process pool, with its per-item deadline) and never on the event loop.
3. The majority is the largest cluster (ties: the cluster whose first member comes first).
4. With a gold answer or checks, every completion is also scored (math against the gold plus
   the group's checks) for best-of-N, per-cluster correctness, maj@N and pass@N.

A group with `kind="choice"` votes on multiple-choice letters instead: the answer is the
completion's final choice (the `choice` check's extraction, hedges counting as no answer),
letters are one cluster each (no comparisons needed), and correctness is the `choice` check
against the gold letter.

Clustering runs in rounds shared by all groups: in each round every group still clustering
opens a cluster with its first unplaced answer and compares all its other unplaced answers
against it, in one batch. An answer thus joins the first cluster (in order of appearance) whose
representative it is equivalent to: the same result as comparing one answer at a time, in as
many batches as the largest group has clusters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.jobs import Item, ItemResult, Job

#: `extract(completion) -> answer | None`: cheap, linear-time.
Extract = Callable[[str], str | None]
#: `compare([(answer, representative), ...]) -> [equivalent?, ...]`, in order.
Compare = Callable[[Sequence[tuple[str, str]]], Awaitable[list[bool]]]
#: Runs a job of items and answers their results in order (a broker's `run`).
RunJob = Callable[[Job], Awaitable[list[ItemResult]]]
#: `extract_choice(completion, letters) -> letter | None`: cheap, linear-time.
ExtractChoice = Callable[[str, str], str | None]

MATH = "math"
CHOICE = "choice"
KINDS = (MATH, CHOICE)


@dataclass(slots=True)
class Group:
    """N completions of one prompt, with an optional gold answer and extra checks."""

    id: str
    completions: list[str]
    gold: str | None = None
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    #: How answers are read and compared: `math` (equivalence) or `choice` (letters).
    kind: str = MATH
    #: The option letters of a `choice` group (None: the check's default, A-J).
    letters: str | None = None

    def gold_check(self, gold: str) -> dict[str, dict[str, Any]]:
        """The check that judges an answer against `gold` for this group's kind."""
        if self.kind == CHOICE:
            params: dict[str, Any] = {"gold": gold}
            if self.letters:
                params["letters"] = self.letters
            return {CHOICE: params}
        return {MATH: {"gold": gold}}

    def as_completion(self, answer: str) -> str:
        """A completion whose extracted answer is `answer`, for this group's kind."""
        return f"The answer is ({answer})." if self.kind == CHOICE else as_completion(answer)

    @property
    def scored(self) -> bool:
        """Whether completions get a reward (best-of-N needs something to rank by)."""
        return self.gold is not None or bool(self.checks)


@dataclass(slots=True)
class Cluster:
    """Equivalent answers: `answer` is the representative's (its first member's) text."""

    answer: str
    members: list[int]
    correct: bool | None = None

    def to_json(self, with_correct: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"answer": self.answer, "members": self.members}
        if with_correct:
            out["correct"] = self.correct
        return out


@dataclass(slots=True)
class Selection:
    """What /v1/select answers for one group."""

    id: str
    n: int
    clusters: list[Cluster]
    no_answer: list[int]
    gold_given: bool = False
    rewards: list[float | None] | None = None
    pass_at_n: bool | None = None
    message: str | None = None

    @property
    def majority(self) -> Cluster | None:
        """The largest cluster; on a tie the one whose first member comes first."""
        best: Cluster | None = None
        for c in self.clusters:  # clusters are in order of their first member
            if best is None or len(c.members) > len(best.members):
                best = c
        return best

    @property
    def best_of_n(self) -> tuple[int | None, float | None]:
        """Index and value of the highest reward (first index on ties; None when none)."""
        if not self.rewards:
            return None, None
        best: int | None = None
        for i, r in enumerate(self.rewards):
            if r is not None and (best is None or r > self.rewards[best]):  # type: ignore[operator]
                best = i
        return best, None if best is None else self.rewards[best]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "clusters": [c.to_json(self.gold_given) for c in self.clusters],
        }
        major = self.majority
        if major is None:
            out["majority"] = None
        else:
            out["majority"] = {
                "answer": major.answer,
                "share": round(len(major.members) / self.n, 3),
                "members": major.members,
            }
            if self.gold_given:
                out["majority"]["correct"] = major.correct
        out["no_answer"] = self.no_answer
        if self.rewards is not None:
            index, reward = self.best_of_n
            out["best_of_n"] = {"index": index, "reward": reward}
        if self.gold_given:
            out["pass_at_n"] = self.pass_at_n
        if self.message is not None:
            out["message"] = self.message
        return out


def answer_key(answer: str) -> str:
    """The free equality: answers equal up to white-space runs are one answer."""
    return " ".join(answer.split())


# --- clustering ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Clustering:
    """One group's clustering in progress, over its distinct answers (indexes into `texts`)."""

    texts: list[str] = field(default_factory=list)  # first spelling of each distinct answer
    members: list[list[int]] = field(default_factory=list)  # completions per distinct answer
    clusters: list[list[int]] = field(default_factory=list)  # distinct answers per cluster
    pending: list[int] = field(default_factory=list)  # distinct answers not yet placed


def _distinct(answers: Sequence[str | None]) -> tuple[_Clustering, list[int]]:
    state, missing, index = _Clustering(), [], {}
    for i, answer in enumerate(answers):
        if answer is None:
            missing.append(i)
            continue
        key = answer_key(answer)
        if key not in index:
            index[key] = len(state.texts)
            state.texts.append(answer.strip())
            state.members.append([])
        state.members[index[key]].append(i)
    state.pending = list(range(len(state.texts)))
    return state, missing


async def cluster_answers(
    groups: Sequence[Sequence[str | None]], compare: Compare
) -> list[tuple[list[Cluster], list[int]]]:
    """Cluster each group's answers (None = no answer) by `compare`; per group the clusters
    (in order of their first member, members ascending) and the indexes without an answer."""
    prepared = [_distinct(answers) for answers in groups]
    states = [state for state, _ in prepared]
    while any(state.pending for state in states):
        pairs: list[tuple[str, str]] = []
        owners: list[tuple[_Clustering, int]] = []
        for state in states:
            if not state.pending:
                continue
            rep = state.pending.pop(0)
            state.clusters.append([rep])
            for d in state.pending:
                pairs.append((state.texts[d], state.texts[rep]))
                owners.append((state, d))
        if not pairs:
            continue
        joined: dict[int, set[int]] = {}
        for (state, d), same in zip(owners, await compare(pairs), strict=True):
            if same:
                state.clusters[-1].append(d)
                joined.setdefault(id(state), set()).add(d)
        for state in states:
            if id(state) in joined:
                state.pending = [d for d in state.pending if d not in joined[id(state)]]

    out: list[tuple[list[Cluster], list[int]]] = []
    for state, missing in prepared:
        # A cluster's first distinct answer opened it, so its first occurrence is the
        # cluster's first member and its spelling is the cluster's answer.
        clusters = [
            Cluster(state.texts[ds[0]], sorted(i for d in ds for i in state.members[d]))
            for ds in state.clusters
        ]
        out.append((clusters, missing))
    return out


# --- the whole selection -------------------------------------------------------------------


def _balanced(text: str) -> bool:
    """Whether every unescaped brace of `text` is matched (so it can sit inside a box)."""
    depth, i = 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1 : i + 2] in ("{", "}"):
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def as_completion(answer: str) -> str:
    """A completion whose extracted answer is `answer`: boxed, or (for an answer that came
    from a final-answer phrase with unbalanced braces, which a box would cut short) stated
    in the same phrase it was extracted from."""
    return f"\\boxed{{{answer}}}" if _balanced(answer) else f"The answer is {answer}"


def math_compare(run: RunJob) -> Compare:
    """Comparisons as math checks: the answer judged against the representative as gold.
    They run wherever math checks run (pool, deadlines, dedup of repeated pairs); a
    comparison that is not `correct` (wrong, timeout, unparseable) keeps the answers apart."""

    async def compare(pairs: Sequence[tuple[str, str]]) -> list[bool]:
        items = [
            Item(f"eq:{i}", as_completion(answer), {MATH: {"gold": rep}})
            for i, (answer, rep) in enumerate(pairs)
        ]
        results = await run(Job(items))
        return [r.details.get(MATH, {}).get("status") == "correct" for r in results]

    return compare


def _score_items(groups: Sequence[Group]) -> tuple[list[Item], list[tuple[int, int]]]:
    items: list[Item] = []
    where: list[tuple[int, int]] = []
    for g, group in enumerate(groups):
        if not group.scored:
            continue
        checks = dict(group.checks)
        if group.gold is not None:
            checks.update(group.gold_check(group.gold))
        weights = {k: v for k, v in group.weights.items() if k in checks}
        for j, completion in enumerate(group.completions):
            items.append(Item(f"{group.id}:{j}", completion, checks, weights))
            where.append((g, j))
    return items, where


def _math_verdict(detail: dict[str, Any]) -> bool | None:
    """correct → True; wrong, no answer, timeout → False; invalid or error → None (unknown)."""
    status = detail.get("status")
    return None if status in ("invalid", "error") else status == "correct"


def _unjudged_message(results: Sequence[ItemResult]) -> str | None:
    """Why some reward is null: the first check that could not be judged, and its message."""
    for result in results:
        for name, detail in result.details.items():
            if detail.get("status") in ("invalid", "error"):
                return f"{name} check {detail['status']}: {detail.get('message', '')}"
    return None


async def _judge(
    groups: Sequence[Group],
    selections: Sequence[Selection],
    per_group: Sequence[Sequence[ItemResult]],
    run: RunJob,
) -> None:
    """maj@N and pass@N against the gold.

    pass@N: some completion's math score is `correct` (so a hedged completion, which the
    math check scores wrong, passes nothing). A cluster is correct when its answer is
    equivalent to the gold; that is one more math check per cluster, sent in one job for all
    groups (the representative's own score would be wrong for a hedged representative).
    """
    items: list[Item] = []
    owners: list[tuple[Cluster, str]] = []
    for group, sel, results in zip(groups, selections, per_group, strict=True):
        if group.gold is None:
            continue
        details = [r.details.get(group.kind, {}) for r in results]
        verdicts = [_math_verdict(d) for d in details]
        if True in verdicts:
            sel.pass_at_n = True
        else:
            sel.pass_at_n = None if None in verdicts else False
        for cluster in sel.clusters:
            items.append(
                Item(
                    f"gold:{len(items)}",
                    group.as_completion(cluster.answer),
                    group.gold_check(group.gold),
                )
            )
            owners.append((cluster, group.kind))
    if items:
        for (cluster, kind), result in zip(owners, await run(Job(items)), strict=True):
            cluster.correct = _math_verdict(result.details.get(kind, {}))


async def _no_comparisons(pairs: Sequence[tuple[str, str]]) -> list[bool]:
    """Letters are equal only when identical (and identical answers are merged for free)."""
    return [False] * len(pairs)


async def select(
    groups: Sequence[Group],
    *,
    extract: Extract,
    run: RunJob,
    extract_choice: ExtractChoice | None = None,
) -> list[Selection]:
    """Majority vote and best-of-N for every group, in order.

    `extract` pulls a completion's final answer (cheap: run in a thread, off the event loop),
    `extract_choice` a `choice` group's letter (needed only when there is such a group);
    `run` scores a job (a broker's `run`): it carries the equivalence comparisons, the
    best-of-N scoring and the clusters' correctness, so all CPU-heavy work happens in checker
    processes under deadlines.
    """

    if extract_choice is None and any(g.kind == CHOICE for g in groups):
        raise ValueError("choice groups need extract_choice")

    def extract_all() -> list[list[str | None]]:
        out: list[list[str | None]] = []
        for g in groups:
            if g.kind == CHOICE:
                letters = g.letters or ""
                out.append([extract_choice(c, letters) for c in g.completions])  # type: ignore[misc]
            else:
                out.append([extract(c) for c in g.completions])
        return out

    answers = await asyncio.to_thread(extract_all)
    items, where = _score_items(groups)

    async def score() -> list[ItemResult]:
        return await run(Job(items)) if items else []

    math_at = [i for i, g in enumerate(groups) if g.kind != CHOICE]
    choice_at = [i for i, g in enumerate(groups) if g.kind == CHOICE]
    math_clusters, choice_clusters, results = await asyncio.gather(
        cluster_answers([answers[i] for i in math_at], math_compare(run)),
        cluster_answers([answers[i] for i in choice_at], _no_comparisons),
        score(),
    )
    clustered: list[tuple[list[Cluster], list[int]]] = [([], [])] * len(groups)
    for at, found in ((math_at, math_clusters), (choice_at, choice_clusters)):
        for i, c in zip(at, found, strict=True):
            clustered[i] = c
    selections = [
        Selection(g.id, len(g.completions), clusters, missing, gold_given=g.gold is not None)
        for g, (clusters, missing) in zip(groups, clustered, strict=True)
    ]
    per_group: list[list[ItemResult]] = [[] for _ in groups]
    for (g, _), result in zip(where, results, strict=True):
        per_group[g].append(result)
    for group, selection, group_results in zip(groups, selections, per_group, strict=True):
        if group.scored:
            selection.rewards = [r.reward for r in group_results]
            selection.message = _unjudged_message(group_results)
    await _judge(groups, selections, per_group, run)
    return selections
