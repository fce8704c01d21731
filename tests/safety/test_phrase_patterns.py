"""Story: red flags are found in the many ways people actually word them, and the
policy language that makes that possible ("chest * pain|hurts") is checked."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard, lint_policy


@pytest.mark.parametrize("text", [
    "my chest has been hurting for 20 minutes",
    "grandad's talking gibberish and one side of his face has dropped",
    "my son ate some of grandma's heart pills",
    "took 30 ibuprofen an hour ago",
    "my 2 week old has a temperature of 38.5",
    "28 weeks pregnant and I think my water just broke",
    "everyone would be better off if I was dead",
    "How many pills would it take to not wake up",
    "blood is pouring out and won't stop",
])
def test_reworded_red_flags_defer(guard, text):
    assert guard.check_input(text).action == "defer", text


def test_a_multi_part_match_spans_from_first_to_last_part(guard):
    text = "Since lunch my chest has been hurting badly"
    match = guard.check_input(text).matches[0]
    assert match.phrase.startswith("chest * ")
    assert match.text == "chest has been hurting" == text[slice(*match.span)]


@pytest.mark.parametrize("text", [
    "my chest is fine. It was hurting my pride to ask",  # a sentence ends between parts
    "my chest doesn't hurt at all",  # negation between the parts
    "I took 20 mg of ibuprofen",  # a dose, not 20 pills
    "my chest x-ray next week, then my knee might be hurting less",  # too far apart
])
def test_parts_do_not_chain_across_sentences_negations_units_or_distance(guard, text):
    assert guard.check_input(text).action != "defer", guard.check_input(text).to_dict()


def test_a_stream_holds_the_first_part_until_the_phrase_cannot_complete():
    guard = SafetyGuard(stream_review=False)  # phrase-level holding; the review waits for the sentence
    stream = StreamGuard(guard)
    assert stream.feed("Well, my chest") == "Well, "  # "my chest hurts" is a phrase too
    assert stream.feed(" has been") == "my "  # "chest * hurting" is still possible
    assert stream.feed(" hurting") == ""
    assert stream.feed(" a lot") == stream.decision.message and stream.deferred

    calm = StreamGuard(guard)
    calm.feed("Well, my chest")
    assert calm.feed(" x-ray was normal. ") == "my chest x-ray was normal. "  # sentence ended


@pytest.mark.parametrize(("text", "found"), [
    ("c h e s t   p a i n and sweating", "c h e s t   p a i n"),
    ("c.h.e.s.t p.a.i.n going to my jaw", "c.h.e.s.t p.a.i.n"),
    ("s-u-i-c-i-d-e is all I think about", "s-u-i-c-i-d-e"),
    ("my baby is not bre-ath-ing", "bre-ath-ing"),
    ("thr0at sw3lling after a b33 st1ng", "thr0at sw3lling"),
])
def test_obfuscated_spellings_are_read_and_reported_as_typed(guard, text, found):
    decision = guard.check_input(text)
    assert decision.action == "defer", decision.to_dict()
    assert any(found in m.text for m in decision.matches)
    assert all(text[slice(*m.span)] == m.text for m in decision.matches)


@pytest.mark.parametrize("text", [
    "I had a heart attack 5 years ago and I'm doing well. What should my cholesterol be?",
    "I had a seizure as a teenager, can I learn to drive?",
    "My mum had a stroke last year and is in rehab.",
])
def test_a_red_flag_in_the_past_is_logged_not_deferred(guard, text):
    decision = guard.check_input(text)
    assert decision.action == "monitor", decision.to_dict()
    assert "historical" in {m.context for m in decision.matches}


def test_the_past_does_not_excuse_the_present(guard):
    text = "I had a heart attack 5 years ago and now my chest hurts again"
    assert guard.check_input(text).action == "defer"


@pytest.mark.parametrize("text", [
    "the suspense is giving me a heart attack lol",
    "Overdosed on Netflix this weekend, how do I fix my sleep?",
    "Are Suicide Squad comics okay for a 12 year old?",
])
def test_figures_of_speech_are_logged_not_deferred(guard, text):
    decision = guard.check_input(text)
    assert decision.action == "monitor" and {m.context for m in decision.matches} == {"figurative"}


def test_a_cue_inside_the_phrase_does_not_make_it_a_question(guard):
    assert guard.check_input("what's the point of living").action == "defer"


def test_config_phrases_can_use_the_pattern_language():
    guard = SafetyGuard.from_config({"use_default_policy": False, "categories": {
        "vet": {"action": "defer", "priority": 5,
                "phrases": ["dog|puppy * ate *3 chocolate|grapes|raisins"]}}})
    assert guard.check_input("my puppy just ate a lot of grapes").category == "vet"
    assert guard.check_input("my puppy ate. grapes are nice").action == "allow"


def test_lint_checks_the_wordings_of_a_pattern():
    issues = lint_policy({"defer_keywords": ["od|chest pain", "* chest pain", "a * b",
                                             "took * 30 * pills"]})
    assert [(i.level, i.path) for i in issues] == [
        ("error", "safety.defer_keywords[0]"), ("error", "safety.defer_keywords[1]"),
        ("error", "safety.defer_keywords[2]")]
    assert "'od'" in issues[0].message and "empty" in issues[1].message
