"""Shared fixtures: the default guard is compiled once for the whole test session."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard
from safety.default_policy import DEFAULT_POLICY
from safety.variants import example_text


@pytest.fixture(scope="session")
def guard() -> SafetyGuard:
    return SafetyGuard()


@pytest.fixture()
def stream(guard: SafetyGuard) -> StreamGuard:
    return StreamGuard(guard)


def defer_phrases() -> list[tuple[str, str, str]]:
    """(rule id, category, example text) for every phrase of a defer category in the
    default policy; multi-part phrases ("chest * pain|hurts") give their first wording."""
    return [(f"{name}.{i}", name, example_text(phrase))
            for name, spec in DEFAULT_POLICY["categories"].items() if spec["action"] == "defer"
            for i, phrase in enumerate(spec["phrases"])]
