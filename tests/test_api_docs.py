"""docs/api.md is the user's copy of the contract: its checks, their parameters, the IFEval ids
and the routes must be the code's. The test fails when they drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.checkers.ifeval import INSTRUCTIONS
from app.checkers.registry import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "api.md").read_text()


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def documented_checks() -> dict[str, list[str]]:
    """`{check: [parameter, ...]}` from the `### \\`name\\`` sections of "## Checks"; the
    parameters are the first cells of the section's first table."""
    checks: dict[str, list[str]] = {}
    parts = re.split(r"\n### `([a-z_]+)`\n", _section(DOC, "Checks"))
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        checks[name] = _first_table_names(body)
    return checks


def _first_table_names(body: str, header: str = "") -> list[str]:
    """The back-quoted first cells of the first table in `body` (of the first table whose
    header row starts with `header`, when given)."""
    names: list[str] = []
    inside = False
    for line in body.splitlines():
        if line.startswith("|"):
            if not inside and header and not line.startswith(header):
                continue
            inside = True
            m = re.match(r"\| `([a-z_]+)` \|", line)
            if m:
                names.append(m.group(1))
        elif inside:
            break
    return names


def test_every_code_limit_is_documented() -> None:
    """The code check's limits table names every field of the API's `limits` object."""
    from app.api.schemas import CodeLimits

    body = re.split(r"\n### `code`\n", _section(DOC, "Checks"))[1].split("\n### ")[0]
    assert sorted(_first_table_names(body, "| limit |")) == sorted(CodeLimits.model_fields)


def _openapi_params(spec: dict) -> dict[str, list[str]]:
    comps = spec["components"]["schemas"]
    out = {}
    for name, prop in comps["Checks"]["properties"].items():
        refs = [prop.get("$ref")] + [a.get("$ref") for a in prop.get("anyOf", [])]
        ref = next(r for r in refs if r).rsplit("/", 1)[-1]
        out[name] = list(comps[ref].get("properties", {}))
    return out


def test_every_check_is_documented_with_its_parameters(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    schema_params = _openapi_params(spec)
    docs = documented_checks()
    assert sorted(docs) == sorted(REGISTRY) == sorted(schema_params)
    for name, params in schema_params.items():
        assert sorted(docs[name]) == sorted(params), name


def test_every_ifeval_id_is_documented_with_its_kwargs() -> None:
    table = _section(DOC, "Checks").split("### `ifeval`")[1].split("\n### ")[0]
    rows = dict(re.findall(r"^\| `([a-z_]+:[a-z_]+)` \| (.*) \|$", table, re.M))
    assert sorted(rows) == sorted(INSTRUCTIONS)
    for iid, instruction in INSTRUCTIONS.items():
        named = re.findall(r"`([a-z_]+)`", rows[iid])
        assert sorted(named) == sorted(instruction.kwargs), iid


def test_every_route_is_documented(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    routes = _section(DOC, "Routes")
    for path, methods in spec["paths"].items():
        for method in methods:
            assert f"`{method.upper()} {path}" in routes, (method, path)


@pytest.mark.parametrize(
    "doc",
    ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md"))],
)
def test_docs_link_only_files_in_the_repo(doc: str) -> None:
    text = (ROOT / doc).read_text()
    assert "/work/" not in text and "../shared" not in text, doc
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        assert (ROOT / doc).parent.joinpath(target).resolve().exists(), (doc, target)
