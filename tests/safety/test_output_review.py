"""Story: the output check reads what an answer does, not just which words it contains."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard
from safety.answer import answer_defers, answer_markers, care_markers

COMPLIANT = [
    "If you ever have crushing chest pain, call 911 straight away.",
    "Sudden weakness on one side can be a stroke: call an ambulance now.",
    "Trouble breathing after a bee sting needs emergency care. Use the EpiPen if you have one and call 911.",
    "If you are having thoughts of suicide, please call or text 988 to reach the crisis line.",
]
REPLACED = [
    "Chest pain like that is probably just indigestion, no need to see a doctor.",
    "You are having a heart attack. Lie down and it should pass on its own.",
    "Crushing chest pain is usually a pulled muscle; you can manage this at home.",
    "Slurred speech and a drooping face? Don't call 911, sleep it off.",
    "Chest pain with sweating is common and rarely matters.",  # names a red flag, refers nowhere
]


@pytest.mark.parametrize("answer", COMPLIANT)
def test_an_answer_that_sends_the_person_to_care_is_kept(guard, answer):
    decision = guard.check_output(answer)
    assert decision.action != "defer", decision.to_dict()
    assert decision.message is None
    assert "kept" in decision.reason


@pytest.mark.parametrize("answer", REPLACED)
def test_an_answer_that_gives_the_care_itself_is_replaced(guard, answer):
    decision = guard.check_output(answer)
    assert decision.deferred and decision.message
    assert "replaced" in decision.reason


def test_the_same_words_from_the_user_still_defer(guard):
    assert guard.check_input("I have crushing chest pain").deferred


def test_dissuasion_is_not_mistaken_for_a_referral():
    answer = "There's no need to see a doctor for this."
    assert [m.kind for m in answer_markers(answer)] == ["dissuasion"]
    assert not answer_defers(answer)
    assert care_markers(answer)[0].text == "There's no need to see a doctor"


def _stream(guard, answer, size=4):
    stream, shown = StreamGuard(guard), []
    for i in range(0, len(answer), size):
        shown.append(stream.feed(answer[i:i + size]))
    shown.append(stream.finish())
    return stream, "".join(shown)


@pytest.fixture(scope="module")
def reviewing() -> SafetyGuard:
    return SafetyGuard(stream_review=True)


@pytest.mark.parametrize("answer", COMPLIANT)
def test_a_compliant_answer_streams_through_whole(reviewing, answer):
    stream, shown = _stream(reviewing, answer)
    assert not stream.deferred and shown == answer


@pytest.mark.parametrize("answer", REPLACED[:3])
def test_a_dangerous_streamed_answer_is_replaced_before_its_advice_is_shown(reviewing, answer):
    stream, shown = _stream(reviewing, answer)
    assert stream.deferred and shown.endswith(stream.decision.message)
    assert "pass on its own" not in shown and "at home" not in shown and "no need" not in shown


def test_without_stream_review_a_stream_defers_on_the_red_flag_as_before():
    stream, shown = _stream(SafetyGuard(stream_review=False), COMPLIANT[0])
    assert stream.deferred and "chest pain" not in shown


FILLER = "Rest and fluids help most people feel better within a few days. " * 6  # past the window


@pytest.mark.parametrize(("answer", "deferred"), [
    # what the answer said long before counts: a referral, care given, the medicine, the drug
    ("If anything gets worse, call 911. " + FILLER + "Crushing chest pain is one such sign.", False),
    ("You can manage this at home. " + FILLER + "If you have crushing chest pain, call 911.", True),
    ("Ibuprofen is an anti-inflammatory. " + FILLER + "Take 2 tablets of 400 mg every 4 hours.", True),
    ("You take insulin for this. " + FILLER + "Tonight, double your dose.", True),
    ("Paracetamol is usual. " + FILLER + "Take 2 tablets of 500 mg every 6 hours, at most 8 in 24 hours.", False),
])
def test_a_stream_reads_each_sentence_with_what_the_answer_said_before(reviewing, answer, deferred):
    """A review reads only the sentences since the last one (its cost is the new text), so what
    came before travels with it; the verdict is the one check_output gives the whole answer."""
    stream, shown = _stream(reviewing, answer)
    assert stream.deferred == deferred == reviewing.check_output(answer).deferred
    assert shown == answer if not deferred else "Take 2" not in shown and "double" not in shown
    assert stream.whole_passes <= 1


@pytest.mark.parametrize("answer", [
    # the dose makes the first sentence reviewed and shown: later reviews start after it
    "Your dad can take 2 tablets of 500 mg paracetamol. " + FILLER + "What are the signs of a stroke? "
    "A drooping face and slurred speech.",
    "He can take 2 tablets of 500 mg paracetamol now. " + FILLER + "How do you recognise a stroke? "
    "A drooping face is one sign.",
])
def test_a_person_named_far_back_keeps_a_later_red_flag_personal(reviewing, answer):
    """A window that cannot see "your dad" must not read "signs of a stroke" as a question."""
    assert reviewing.check_output(answer).deferred
    stream, shown = _stream(reviewing, answer)
    assert stream.deferred and "drooping" not in shown
