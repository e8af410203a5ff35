"""The local backend shared by the sandbox suites."""

from __future__ import annotations

import pytest

import sandbox
from sandbox.local import LocalBackend


@pytest.fixture(scope="session")
def backend() -> LocalBackend:
    """The local backend the suite runs on (configured as the process-wide default too):
    warm sandboxes reused across programs, as the service runs them, so every hostile
    program of the suites runs in a sandbox an earlier test's program used."""
    b = LocalBackend(pool_size=2, reuse=64)
    sandbox.configure(b)
    return b
