"""The scorer: duplicate work runs once, checks run where they belong, results combine."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.checkers.registry import REGISTRY, Checker
from app.jobs import Item
from app.worker.pool import CheckerPool
from app.worker.scorer import Scorer
from tests.helpers import checkers as h


def registry(**extra: Checker) -> dict[str, Checker]:
    return {**REGISTRY, **extra}


def test_duplicates_run_once(tmp_path: Path) -> None:
    log = tmp_path / "calls.txt"
    reg = registry(count=Checker("count", h.count_calls, where="inline"))
    scorer = Scorer(None, registry=reg)
    items = [
        Item(str(i), "same" if i % 2 else f"u{i}", {"count": {"log": str(log)}}) for i in range(10)
    ]
    results = asyncio.run(scorer.score(items))
    assert [r.reward for r in results] == [0.5] * 10
    assert sorted(log.read_text().split()) == ["same", "u0", "u2", "u4", "u6", "u8"]


def test_hanging_check_is_cut_off_and_batch_answers() -> None:
    pool = CheckerPool(2)
    pool.start()
    try:
        reg = registry(hang=Checker("hang", h.hang, where="pool"))
        scorer = Scorer(pool, item_timeout_s=0.5, registry=reg)
        items = [
            Item("a", "hang", {"hang": {}, "format": {}}),
            Item("b", "<think>r</think> x", {"hang": {}, "format": {}}, {"format": 2.0}),
        ]
        a, b = asyncio.run(scorer.score(items))
    finally:
        pool.close()
    assert a.details["hang"]["status"] == "timeout"
    assert a.scores == {"hang": 0.0, "format": 0.0}
    assert a.reward == 0.0
    assert b.reward == 3.0  # 1 × hang + 2 × format


def test_crashing_inline_checker_is_error_for_its_items_only() -> None:
    reg = registry(boom=Checker("boom", h.boom, where="inline"))
    scorer = Scorer(None, registry=reg)
    a, b = asyncio.run(
        scorer.score(
            [Item("a", "x", {"boom": {}}), Item("b", "<think>r</think> y", {"format": {}})]
        )
    )
    assert a.reward is None and a.details["boom"]["status"] == "error"
    assert b.reward == 1.0


@pytest.mark.parametrize("where", ["inline", "io"])
def test_where_is_honoured(where: str) -> None:
    reg = registry(echo=Checker("echo", h.echo, where=where))  # type: ignore[arg-type]
    scorer = Scorer(None, registry=reg)
    (r,) = asyncio.run(scorer.score([Item("a", "x", {"echo": {"want": "x"}})]))
    assert r.reward == 1.0


def test_dependent_check_sees_earlier_scores() -> None:
    seen: dict = {}

    def reads(completion, params):
        seen.update(params["_deps"])
        return h.echo(completion, {"want": completion})

    reg = registry(
        echo=Checker("echo", h.echo, where="inline"),
        reads=Checker("reads", reads, where="inline", depends_on=("echo",)),
    )
    (r,) = asyncio.run(
        Scorer(None, registry=reg).score([Item("a", "x", {"echo": {"want": "x"}, "reads": {}})])
    )
    assert seen["echo"]["value"] == 1.0
    assert r.reward == 2.0


@pytest.mark.parametrize(
    ("backend", "cls"), [("docker", "DockerBackend"), ("local", "LocalBackend")]
)
def test_build_scorer_configures_the_sandbox_backend(backend: str, cls: str) -> None:
    # Every worker kind (embedded, Redis worker, `rewardkit score`) builds its scorer here, so
    # REWARDKIT_SANDBOX_BACKEND reaches code checks whichever way they are run.
    import sandbox
    from app.config import Settings
    from app.worker.scorer import build_scorer

    try:
        scorer = build_scorer(
            Settings.load(env={"REWARDKIT_SANDBOX_BACKEND": backend}), pool_size=1
        )
        assert type(sandbox.get_backend()).__name__ == cls
        assert scorer.pool is not None and scorer.pool.size == 1
    finally:
        sandbox.configure("local")


def test_build_scorer_sizes_the_local_sandbox_pool() -> None:
    import sandbox
    from app.config import Settings
    from app.worker.scorer import build_scorer

    env = {"REWARDKIT_SANDBOX_POOL": "1", "REWARDKIT_SANDBOX_REUSE": "5"}
    try:
        scorer = build_scorer(Settings.load(env=env), pool_size=1)
        backend = sandbox.get_backend()
        assert backend.stats()["size"] == 1 and backend.reuse == 5
        scorer.pool.close()
    finally:
        sandbox.configure("local")
