"""deploy/grafana/rewardkit.json: every query names metrics the service really exports, with
labels those metrics really have (read from a live /metrics, not from a list kept by hand)."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from fastapi.testclient import TestClient

from tests.conftest import ROOT

DASHBOARD = json.loads((ROOT / "deploy" / "grafana" / "rewardkit.json").read_text())
METRIC = re.compile(r"\b(rewardkit_[a-z0-9_]+)\b(\{[^}]*\})?")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")
LEGEND_LABEL = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def exposed(api: TestClient) -> dict[str, set[str]]:
    """Sample names the service exposes, with the label names seen on each."""
    api.post("/v1/rewards", json={"items": [{"completion": "x", "checks": {"format": {}}}]})
    out: dict[str, set[str]] = defaultdict(set)
    for line in api.get("/metrics").text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition("{")
        name = name.split()[0]
        out[name] |= set(MATCHER.findall(rest.partition("}")[0])) if rest else set()
    return out


def targets() -> list[dict]:
    return [t for p in DASHBOARD["panels"] for t in p["targets"]]


def test_every_query_names_exported_metrics_and_their_labels(api: TestClient) -> None:
    metrics = exposed(api)
    assert targets()
    for target in targets():
        expr = target["expr"]
        used = METRIC.findall(expr)
        assert used, f"no rewardkit metric in {expr!r}"
        labels: set[str] = set()
        for name, matchers in used:
            assert name in metrics, f"{name} (in {expr!r}) is not exported"
            labels |= metrics[name]
            for label in MATCHER.findall(matchers.strip("{}")):
                assert label in metrics[name], f"{name} has no label {label!r}"
        for group in GROUPING.findall(expr):
            for label in (g.strip() for g in group.split(",") if g.strip()):
                assert label in labels | {"le"}, f"{label!r} grouped in {expr!r} is no label"
        for label in LEGEND_LABEL.findall(target.get("legendFormat", "")):
            assert label in labels, f"legend {label!r} of {expr!r} is no label"


def test_the_check_is_not_vacuous(api: TestClient) -> None:
    metrics = exposed(api)
    assert "rewardkit_items_total" in metrics and "rewardkit_items" not in metrics
    assert "status" in metrics["rewardkit_items_total"]
    assert "rewardkit_no_such_metric" not in metrics


def test_dashboard_shows_the_load_an_operator_needs() -> None:
    exprs = " ".join(t["expr"] for t in targets())
    for name in (
        "rewardkit_items_waiting",
        "rewardkit_oldest_waiting_seconds",
        "rewardkit_worker_busy_ratio",
        "rewardkit_sandboxes",
        "rewardkit_workers",
    ):
        assert name in exprs, name
    ids = [p["id"] for p in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
