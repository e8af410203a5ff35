"""The languages the sandbox runs, one module each (how to build, how to run, which limits
need flags), and the toolchains found on this host.

`get(name)` gives the `Language`; `toolchain(name)` the host's toolchain for it (looked up
once per process); `available()` which languages this host has.
"""

from __future__ import annotations

import functools
from typing import Any

from sandbox.languages.base import BUILD_DIR, Language, Toolchain
from sandbox.languages.java import Java
from sandbox.languages.javascript import JavaScript
from sandbox.languages.native import C, Cpp
from sandbox.languages.python import Python
from sandbox.languages.rust import Rust

__all__ = [
    "BUILD_DIR",
    "LANGUAGES",
    "Language",
    "Toolchain",
    "available",
    "get",
    "report",
    "toolchain",
]

_ALL: dict[str, Language] = {
    lang.name: lang for lang in (Python(), Cpp(), C(), JavaScript(), Java(), Rust())
}
#: Every language the sandbox knows (whether this host has its toolchain or not).
LANGUAGES = tuple(_ALL)


def get(name: str) -> Language:
    """The language called `name`; KeyError for an unknown one."""
    return _ALL[name]


@functools.cache
def toolchain(name: str) -> Toolchain:
    """This host's toolchain for `name` (looked up once: it runs version commands)."""
    return _ALL[name].toolchain()


def available() -> dict[str, Toolchain]:
    """Every known language's toolchain on this host, found or not."""
    return {name: toolchain(name) for name in _ALL}


def report(toolchains: dict[str, Toolchain]) -> dict[str, Any]:
    """`languages` (name -> version) a backend has and, if any, the `missing` ones with what
    they lack: what /healthz shows."""
    report: dict[str, Any] = {
        "languages": {n: tc.version or "yes" for n, tc in toolchains.items() if tc.ok}
    }
    missing = {n: tc.missing for n, tc in toolchains.items() if not tc.ok}
    if missing:
        report["missing_languages"] = missing
    return report
