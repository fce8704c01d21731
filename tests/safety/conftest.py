"""Shared fixtures: the default guard is compiled once for the whole test session."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard
from safety.default_policy import DEFAULT_POLICY


@pytest.fixture(scope="session")
def guard() -> SafetyGuard:
    return SafetyGuard()


@pytest.fixture()
def stream(guard: SafetyGuard) -> StreamGuard:
    return StreamGuard(guard)


def defer_phrases() -> list[tuple[str, str]]:
    """(category, phrase) for every phrase of a defer category in the default policy."""
    return [(name, phrase) for name, spec in DEFAULT_POLICY["categories"].items()
            if spec["action"] == "defer" for phrase in spec["phrases"]]
