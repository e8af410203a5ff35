"""Test-only checkers that misbehave on purpose: the pool must contain them.

They live in an importable module because pool children receive checker functions by name.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from app.checkers.base import Score, Status


def echo(completion: str, params: Mapping[str, Any]) -> Score:
    """Scores 1.0 when the completion equals params["want"], and reports its process id."""
    return Score(float(completion == params.get("want")), Status.OK, {"pid": os.getpid()})


def hang(completion: str, params: Mapping[str, Any]) -> Score:
    """Hangs when the completion says so (a checker stuck in a pathological input)."""
    if completion == "hang":
        while True:
            time.sleep(0.05)
    return Score(1.0, Status.OK)


def crash(completion: str, params: Mapping[str, Any]) -> Score:
    """Kills its own process when asked to (a segfault in C code looks the same)."""
    if completion == "crash":
        os._exit(13)
    return Score(1.0, Status.OK)


def boom(completion: str, params: Mapping[str, Any]) -> Score:
    """Raises: a checker bug."""
    raise ZeroDivisionError("checker bug")


def count_calls(completion: str, params: Mapping[str, Any]) -> Score:
    """Appends to a file per call, so a test can count how often work really ran."""
    with open(params["log"], "a") as fh:
        fh.write(completion + "\n")
    return Score(0.5, Status.OK)
