"""Checkers: pure functions `(completion, params) -> Score` behind one registry."""

from app.checkers.base import UNJUDGED, Score, Status
from app.checkers.registry import REGISTRY, Checker, get_checker

__all__ = ["REGISTRY", "UNJUDGED", "Checker", "Score", "Status", "get_checker"]
