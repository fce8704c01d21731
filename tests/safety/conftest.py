"""Shared fixtures: the default guard is compiled once for the whole test session."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard


@pytest.fixture(scope="session")
def guard() -> SafetyGuard:
    return SafetyGuard()


@pytest.fixture()
def stream(guard: SafetyGuard) -> StreamGuard:
    return StreamGuard(guard)
