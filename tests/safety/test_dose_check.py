"""Story: doses in answers and messages are read and compared with adult OTC limits."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard
from safety.dose import check_doses
from safety.dose_limits import LIMITS

SAFE_ANSWERS = [
    "Take 2 tablets of 500 mg every 6 hours, max 8 in 24 hours.",
    "Adults can take 1,000 mg of paracetamol up to 4 times in 24 hours.",
    "Take 200 to 400 mg of ibuprofen every 6 hours, no more than 1,200 mg a day.",
    "Take one 10 mg cetirizine tablet once a day.",
    "Take 4 mg of loperamide, then 2 mg after each loose stool, up to 8 mg a day.",
    "Never take more than 4,000 mg of acetaminophen in 24 hours.",  # a warning, not an instruction
    "Eat 25 to 35 grams of fiber each day.",
]
OVER_ANSWERS = [
    ("Take 8 tablets of 500 mg paracetamol at once.", "over_single", 4000),
    ("You can take 800 mg ibuprofen every 4 hours.", "over_single", 800),
    ("Take 1 g of paracetamol every 4 hours.", "over_daily", 6000),
    ("Take three 200 mg Advil tablets.", "over_single", 600),
    ("Take 50 mg of Benadryl every 2 hours.", "over_daily", 600),
    ("Take cetirizine 10 mg twice a day.", "over_daily", 20),
    ("Take 6 Imodium 2 mg capsules.", "over_single", 12),
]


def test_every_limit_names_its_source_and_is_consistent():
    for name, spec in LIMITS.items():
        assert spec["source"] and spec["names"], name
        assert 0 < spec["single_mg"] <= spec["daily_mg"], name


@pytest.mark.parametrize("answer", SAFE_ANSWERS)
def test_a_dose_within_the_label_is_answered(guard, answer):
    assert check_doses(answer) == []
    assert not guard.check_output(answer).deferred


@pytest.mark.parametrize(("answer", "kind", "mg"), OVER_ANSWERS)
def test_a_dose_over_the_adult_limit_replaces_the_answer(guard, answer, kind, mg):
    [finding] = check_doses(answer)
    assert finding.kind == kind
    assert (finding.per_dose_mg if kind == "over_single" else finding.per_day_mg) == mg
    decision = guard.check_output(answer)
    assert decision.deferred and decision.category == "dose_limit"
    assert "pharmacist" in decision.message


def test_a_message_saying_it_was_already_taken_is_a_possible_overdose(guard):
    decision = guard.check_input("I took 12 of the 500 mg")
    assert decision.deferred and decision.category == "poisoning_overdose"
    assert "Poison Control" in decision.message
    assert "6000 mg" in decision.reason


def test_asking_about_a_dose_over_the_limit_defers_to_a_pharmacist(guard):
    decision = guard.check_input("can I take 1500 mg of ibuprofen at once for my back?")
    assert decision.deferred and decision.category == "dose_limit"


def test_an_ordinary_dose_question_is_still_answered(guard):
    assert not guard.check_input("I took 2 paracetamol 500mg an hour ago, can I take ibuprofen too?").deferred


@pytest.mark.parametrize("answer", [
    "For a 4 year old, give 5 ml of children's paracetamol.",
    "Your toddler can have 100 mg of ibuprofen syrup every 8 hours.",
])
def test_the_assistant_never_gives_a_childs_dose(guard, answer):
    decision = guard.check_output(answer)
    assert decision.deferred and decision.category == "child_dose"
    assert "pharmacist" in decision.message


def test_asking_for_a_childs_dose_goes_to_a_pharmacist(guard):
    decision = guard.check_input("how much tylenol can I give my 3 year old?")
    assert decision.category == "child_dose" and decision.deferred


@pytest.mark.parametrize(("text", "kind"), [
    ("Double your insulin tonight.", "output"),
    ("You can stop taking your warfarin now.", "output"),
    ("should I double my insulin tonight?", "input"),
    ("can I stop my antidepressants?", "input"),
])
def test_changes_to_prescription_doses_go_to_the_prescriber(guard, text, kind):
    decision = guard.check_output(text) if kind == "output" else guard.check_input(text)
    assert decision.deferred
    assert any(m.rule_id.startswith("dose:prescription_change") for m in decision.matches)


@pytest.mark.parametrize("answer", [
    "Don't stop taking your warfarin without talking to your doctor.",
    "Losing weight can reduce insulin resistance.",
])
def test_advice_to_ask_the_prescriber_is_not_a_change(guard, answer):
    assert check_doses(answer) == []


def test_a_streamed_overdose_instruction_is_never_shown():
    stream = StreamGuard(SafetyGuard(stream_review=True))
    answer = "For the pain, take 8 tablets of 500 mg paracetamol at once. Then rest."
    shown = "".join(stream.feed(answer[i:i + 3]) for i in range(0, len(answer), 3)) + stream.finish()
    assert stream.deferred and "8 tablets" not in shown


def test_a_dose_question_gets_the_prescriber_not_poison_control(guard):
    assert guard.check_input("should I double my insulin tonight?").category == "prescription_change"
    assert guard.check_output("Double your insulin tonight.").category == "prescription_change"


def test_a_prescription_dose_already_doubled_is_a_possible_overdose(guard):
    decision = guard.check_input("I doubled my insulin by mistake and feel shaky")
    assert decision.deferred and decision.category == "poisoning_overdose"
