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


REFERRAL_AND_DOSE = ("If you ever have crushing chest pain, call 911 straight away. Take 2 tablets of 500 mg "
                     "paracetamol every 6 hours, no more than 8 tablets in 24 hours. ")


def test_a_long_answer_dense_with_referrals_and_doses_streams_whole_without_rereading_it():
    """Held text (a red flag or a dose waiting for its sentence to end) is reviewed once its
    sentence ends, not on every chunk while it waits, and a review reads the new sentences
    with what the answer said before them, not the whole answer again."""
    from safety import SafetyGuard, StreamGuard

    answer = (REFERRAL_AND_DOSE * 60)[:8000]
    stream = StreamGuard(SafetyGuard(), kind="output")
    shown = "".join(stream.feed(answer[i:i + 4]) for i in range(0, len(answer), 4)) + stream.finish()
    assert not stream.deferred and shown == answer
    sentences = answer.count(". ")
    assert stream.full_inspections <= 3 * sentences, (stream.full_inspections, sentences)
    assert stream.whole_passes == 1  # finish()


def test_a_long_answer_is_read_for_referrals_in_linear_time():
    from safety.answer import answer_markers

    answer = "Call 911 now.  If it \u200bgets   worse, see a doctor.\n" * 4000  # 200 KB
    start = time.process_time()
    markers = answer_markers(answer)
    assert time.process_time() - start < 5
    assert len(markers) == 8000 and markers[1].text == "see a doctor"
    assert answer[markers[1].span[0]:markers[1].span[1]] == "see a doctor"
