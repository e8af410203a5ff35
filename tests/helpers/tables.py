"""Load the checkers' case tables (tests/checkers/*_cases.py) by path: tests/ is not a package,
and the benchmarks in loadtests/ read the same tables."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_CHECKERS = Path(__file__).resolve().parent.parent / "checkers"


def load_table(name: str) -> ModuleType:
    """The module tests/checkers/<name>.py (loaded once per process)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _CHECKERS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
