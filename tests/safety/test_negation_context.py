"""Story: the guard reads a little context, but only ever in the careful direction.

Clear negations and pure information questions do not defer; anything unclear does.
"""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "I have no chest pain.",
    "Patient denies shortness of breath.",
    "No fever, no chest pain, no shortness of breath, just a cough.",
    "Negative for chest pain.",
    "I don't have chest pain, only a sore throat.",
    "I do not have chest pain",
    "never had a seizure in my life",
    "Meningitis was ruled out at the hospital.",
    "She has been free of chest pain since the surgery.",
    "No history of chest pain or fainting.",
    "I am not having chest pain",
])
def test_clear_negations_do_not_defer(guard, text):
    decision = guard.check_input(text)
    assert decision.action != "defer", decision.to_dict()


def test_negated_matches_are_still_reported(guard):
    decision = guard.check_input("I have no chest pain")
    assert decision.action == "allow" and decision.category is None
    assert [(m.text, m.negated) for m in decision.matches] == [("chest pain", True)]


@pytest.mark.parametrize("text", [
    "No fever but crushing chest pain",
    "No fever. Crushing chest pain since an hour.",
    "No, I really can't breathe",
    "no one is answering and I can't breathe",
    "I have no idea why my chest hurts so much",
    "I can't walk without chest pain",
    "I don't know why I can't breathe",
    "I'm not sure but I think I'm having a heart attack",
    "No history of heart disease, but now I have crushing chest pain",
    "Without warning I got chest pain",
    "I never felt chest pain like this before",
    "not having a great day, my lips are turning blue",
])
def test_anything_short_of_a_clear_negation_still_defers(guard, text):
    assert guard.check_input(text).action == "defer", text


@pytest.mark.parametrize("text", [
    "this homework is killing me",
    "I'm dying to know how this ends",
    "my phone is dead again",
    "that joke killed me",
    "what a stroke of luck!",
    "I use a keystroke logger at work",
    "the painter used long strokes of a brush",
    "my heart skipped a beat when I saw the price",
    "I passed the exam!",
    "I could die of embarrassment",
    "I got choked up at the wedding",
])
def test_figurative_language_and_substrings_do_not_defer(guard, text):
    decision = guard.check_input(text)
    assert decision.action != "defer", decision.to_dict()


@pytest.mark.parametrize("text", [
    "my dad had a stroke",
    "I think she is having a stroke",
    "he is stroking out, what do I do",
    "I'm having a stroke",
])
def test_real_strokes_defer(guard, text):
    decision = guard.check_input(text)
    assert (decision.action, decision.category) == ("defer", "emergency"), text


@pytest.mark.parametrize("text", [
    "I'm suicidal", "I keep thinking about suicide", "I bled a lot and the bleeding won't stop",
    "he's been bleeding heavily", "I can't breathe", "she is struggling to breathe",
    "I'm so short of breath", "my grandma's breathing is laboured",
])
def test_word_forms_are_covered(guard, text):
    assert guard.check_input(text).action == "defer", text


@pytest.mark.parametrize("text", [
    "What is anaphylaxis?",
    "What are the warning signs of meningitis?",
    "Explain the difference between a heart attack and cardiac arrest",
    "How do I recognize an asthma attack?",
])
def test_information_questions_are_monitored_not_deferred(guard, text):
    decision = guard.check_input(text)
    assert decision.action == "monitor", decision.to_dict()
    assert {m.context for m in decision.matches} == {"informational"}
    assert decision.message is None


@pytest.mark.parametrize("text", [
    "What is anaphylaxis? My throat is closing",
    "What are the warning signs of meningitis? my son has a purple rash",
    "what is happening, I can't breathe",
    "what does it mean if my baby is floppy",
    "what is a heart attack, I think I'm having a heart attack right now",
])
def test_a_question_about_a_real_person_still_defers(guard, text):
    assert guard.check_input(text).action == "defer", text


def test_negation_can_be_switched_off(guard):
    from safety import SafetyGuard

    strict = SafetyGuard(guard.policy, negation=False)
    assert strict.check_input("I have no chest pain").action == "defer"
    assert strict.check_input("What is anaphylaxis?").action == "defer"


def test_self_harm_message_points_to_a_crisis_line(guard):
    decision = guard.check_input("I want to end my life")
    assert decision.category == "self_harm"
    assert "988" in decision.message and "emergency" in decision.message


def test_overdose_with_suicidal_intent_shows_the_crisis_message(guard):
    decision = guard.check_input("I took too many pills because I want to die")
    assert decision.category == "self_harm"
    assert {m.category for m in decision.matches} >= {"self_harm", "poisoning_overdose"}


def test_dosage_questions_are_monitored(guard):
    decision = guard.check_input("How much ibuprofen can I take in a day?")
    assert (decision.action, decision.category, decision.message) == ("monitor", "medication_dosage", None)
