"""Story: rambling messages give the context in one sentence and the red flag in
another, and people negate, joke and look back in their own words; the guard follows
them without giving up the careful direction."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard
from safety.variants import ANYWHERE, canonical, parse_phrase


@pytest.fixture(scope="module")
def linked() -> SafetyGuard:
    return SafetyGuard.from_config({"use_default_policy": False, "categories": {
        "preg": {"action": "defer", "priority": 5,
                 "phrases": ["pregnant ... bleeding|cramps"]}}})


def test_a_link_is_parsed_and_written_back():
    spec = parse_phrase("pregnant ... bleeding|cramps")
    assert spec.gaps == (ANYWHERE,) and spec.parts == (("pregnant",), ("bleeding", "cramps"))
    assert canonical("pregnant  ...  cramps|bleeding") == "pregnant ... bleeding|cramps"


@pytest.mark.parametrize("text", [
    "I'm pregnant. Since lunch I've been bleeding quite a lot.",
    "pregnant, I don't know what to do, I'm bleeding",
    "I'm pregnant. No bleeding yesterday. Today I'm bleeding heavily.",
])
def test_a_link_crosses_sentences(linked, text):
    assert linked.check_input(text).action == "defer", text


@pytest.mark.parametrize("text", [
    "I'm pregnant. No bleeding, just tired.",
    "I'm not pregnant. Bleeding gums when I floss.",
    "bleeding gums. I'm pregnant, is that normal?",  # order matters
])
def test_a_linked_part_can_still_be_negated_and_order_matters(linked, text):
    assert linked.check_input(text).action != "defer", text


def test_a_stream_holds_a_linked_first_part_only_briefly(linked):
    stream = StreamGuard(linked)
    assert stream.feed("I'm pregnant") == "I'm "
    assert stream.feed(" and so") == ""  # "bleeding" could still come in this sentence
    assert stream.feed(" happy about it. We painted") == "pregnant and so happy about it. We painted"
    stream = StreamGuard(linked)
    stream.feed("I'm pregnant. ")
    stream.feed("Now bleeding")
    assert stream.feed(" a lot.") == stream.decision.message and stream.deferred


@pytest.mark.parametrize(("text", "action"), [
    ("haven't passed out, just lightheaded when I stand up", "allow"),
    ("I don't want to hurt myself, I just feel lonely", "allow"),
    ("I do not want to die, I'm just scared of the operation", "allow"),
    ("I don't know why but I want to hurt myself", "defer"),  # too far to negate
    ("I do not know why I can't breathe", "defer"),
    ("he wasn't breathing when I found him", "defer"),  # the phrase is the negation
    ("I dont know, I want to die", "defer"),
])
def test_bare_contracted_negations_reach_only_the_next_words(guard, text, action):
    assert guard.check_input(text).action == action, guard.check_input(text).to_dict()


@pytest.mark.parametrize("text", [
    "I nearly had a heart attack when I saw the bill",
    "laughed so hard I couldn't breathe at that film",
    "my mum is having a fit about my grades",
])
def test_more_figures_of_speech_are_logged_not_deferred(guard, text):
    assert guard.check_input(text).action != "defer", guard.check_input(text).to_dict()


def test_being_well_now_does_not_make_an_old_crisis_current(guard):
    old = "Years ago I went through a suicidal period but I'm well now. Should I tell my GP?"
    assert guard.check_input(old).action == "monitor"
    assert guard.check_input("Years ago I was suicidal and now it's back").action == "defer"


@pytest.mark.parametrize("text", [
    "can stress cause chest pain?",
    "what should I do if someone is choking?",
    "how do you know if someone is having a stroke?",
    "I had a seizure once as a kid, can I still get a driving licence?",
])
def test_questions_about_causes_first_aid_and_the_future_are_answered(guard, text):
    assert guard.check_input(text).action == "monitor", guard.check_input(text).to_dict()


@pytest.mark.parametrize("text", [
    "my chest pain is crushing, could stress cause that?",  # a person, right now
    "what should I do, someone is choking right now",
    "I had a seizure years ago and I'm still fitting now",
])
def test_the_same_cues_with_a_person_or_the_present_still_defer(guard, text):
    assert guard.check_input(text).action == "defer", text


@pytest.mark.parametrize("text", [
    "I'm 28 weeks pregnant, what are the signs of pre-eclampsia to watch for?",
    "I'm scared of having a heart attack like my dad, what tests should I ask for?",
    "I'm terrified of having a seizure at work, my epilepsy is controlled",
])
def test_a_question_right_before_the_condition_is_about_the_condition(guard, text):
    assert guard.check_input(text).action == "monitor", guard.check_input(text).to_dict()


@pytest.mark.parametrize("text", [
    "my son has a purple rash, what are the signs of meningitis?",  # the rash is not asked
    "I think I'm having a heart attack right now, what are the signs of a heart attack?",
    "I'm scared of my chest pain, it's crushing",  # "my" is not skipped
    "what are the signs of a stroke? my dad is slurring now",
])
def test_the_condition_question_does_not_cover_what_is_happening(guard, text):
    assert guard.check_input(text).action == "defer", text
