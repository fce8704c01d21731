"""Story: after an emergency, follow-ups keep deferring, but the conversation is not dead."""
from __future__ import annotations

import pytest

from safety.conversation import REMINDER, check_turn

EMERGENCY = [
    {"role": "user", "content": "I have crushing chest pain and my left arm is numb"},
    {"role": "assistant", "content": "Please call 911 now."},
]


def turn(text):
    return EMERGENCY + [{"role": "user", "content": text}]


@pytest.mark.parametrize("text", [
    "it is getting worse", "should I take an aspirin while I wait?",
    "is it normal that my jaw hurts too?", "ok", "what should I tell the paramedics?",
])
def test_a_follow_up_about_the_same_emergency_keeps_deferring(guard, text):
    decision = check_turn(guard, turn(text))
    assert decision.deferred and decision.category == "emergency"
    assert "follows up" in decision.reason and "message 0" in decision.reason


def test_a_message_about_something_else_is_answered_with_the_reminder(guard):
    decision = check_turn(guard, turn("what is a healthy resting heart rate?"))
    assert decision.action == "monitor" and decision.category == "after_emergency"
    assert decision.message is None and decision.notice == REMINDER
    assert "something other" in decision.reason


def test_strict_keeps_deferring_everything(guard):
    decision = check_turn(guard, turn("what is a healthy resting heart rate?"), after_emergency="strict")
    assert decision.deferred and "strict" in decision.reason


def test_a_new_emergency_defers_on_its_own(guard):
    decision = check_turn(guard, turn("now my wife can't breathe either"))
    assert decision.deferred


def test_no_earlier_emergency_means_an_ordinary_decision(guard):
    decision = check_turn(guard, [{"role": "user", "content": "what foods are high in iron?"}])
    assert decision.action == "allow" and decision.notice is None


def test_an_unknown_mode_is_refused(guard):
    with pytest.raises(ValueError, match="after_emergency"):
        check_turn(guard, turn("hi"), after_emergency="lenient")
