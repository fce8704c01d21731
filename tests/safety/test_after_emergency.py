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


def talk(*users):
    messages = []
    for text in users:
        messages += [{"role": "user", "content": text}, {"role": "assistant", "content": "..."}]
    return messages[:-1]


SPANISH = "tengo un dolor muy fuerte en el pecho y me cuesta respirar"


def test_an_earlier_spanish_emergency_counts_and_its_follow_up_defers_in_spanish(guard):
    decision = check_turn(guard, talk(SPANISH, "y ahora qué hago, sigue igual"))
    assert decision.deferred and decision.category == "emergency"
    assert decision.message.startswith("Esto podría ser una emergencia")
    assert all(m.message_index in (0, 2) for m in decision.matches)
    unrelated = check_turn(guard, talk(SPANISH, "what foods are high in iron?"))
    assert unrelated.category == "after_emergency" and unrelated.notice == REMINDER


def test_an_earlier_overdose_read_by_the_dose_check_counts(guard):
    """'I took 12 of the 500 mg' defers only through the dose check: the later turns see it too."""
    decision = check_turn(guard, talk("I took 12 of the 500 mg paracetamol", "should I still go in?"))
    assert decision.deferred and decision.category == "poisoning_overdose"
    later = check_turn(guard, talk("I took 12 of the 500 mg paracetamol", "what should I eat for dinner tonight?"))
    assert later.action == "monitor" and later.notice == REMINDER


def test_every_path_redacts_and_audits_without_identifiers(tmp_path):
    from safety import SafetyGuard

    log = tmp_path / "audit.jsonl"
    guard = SafetyGuard.from_config({"redact_input": True, "audit": {
        "enabled": True, "store_text": True, "path": str(log)}})
    completes = check_turn(guard, talk("my baby is 5 weeks old", "mail me at jane.doe@example.com, she is 38.2 now"))
    assert completes.deferred and "with what was said earlier" in completes.reason
    assert completes.redacted == "mail me at [EMAIL], she is 38.2 now"
    guard.check_conversation(talk("SSN 123-45-6789 here", "I can't breathe"))
    text = log.read_text()
    assert "jane.doe@example.com" not in text and "123-45-6789" not in text and "[SSN]" in text


def test_a_conversation_gets_the_checks_a_message_gets(guard):
    """check_conversation (datasets, `python -m safety scan`) reads Spanish and doses in any turn."""
    assert guard.check_conversation(talk("hola", SPANISH)).category == "emergency"
    overdose = guard.check_conversation(talk("hi", "I took 12 of the 500 mg paracetamol"))
    assert overdose.category == "poisoning_overdose" and overdose.matches[0].message_index == 2
