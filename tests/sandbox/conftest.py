"""The local backend shared by the sandbox suites."""

from __future__ import annotations

import pytest

import sandbox
from sandbox.local import LocalBackend


@pytest.fixture(scope="session")
def backend() -> LocalBackend:
    """The local backend the suite runs on (configured as the process-wide default too)."""
    b = LocalBackend(pool_size=0)
    sandbox.configure(b)
    return b
