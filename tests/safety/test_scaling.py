"""Story: a hostile, match-dense message cannot make the guard burn minutes of CPU.

The bound is loose on purpose (shared CI machines): the quadratic matcher this replaces
needed about a minute for 64 KB of "chest pain "; the linear one needs well under a
second. benchmarks/safety_scaling.py measures the time per KB properly.
"""
from __future__ import annotations

import time

import pytest


@pytest.mark.parametrize("unit", ["chest pain ", "thr0at sw3lling ", "no chest pain, "])
def test_64_kb_of_dense_matches_is_scanned_in_seconds_not_minutes(guard, unit):
    text = unit * (64 * 1024 // len(unit))
    start = time.process_time()
    matches = guard.scan(text)
    assert time.process_time() - start < 20
    assert len(matches) > 1000
