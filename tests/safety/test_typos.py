"""Emergencies are typed in a hurry: two letters swapped or one dropped must not hide them."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "my 2 year old swallowed a button batetry",
    "29 weeks pregnant and beleding bright red",
    "our newobrn is feverish and not interested in feeds",
    "sudden agony in his tseticle and he has been sick",
    "my husbnad's face is drooping and his speech is slurred",
    "my dad colapsed and isnt breahting",
    "the whole famly has hedaches and feel sick at home, better when we're out",
    "she took a whole bottle of pils and is very drowsy",
])
def test_a_slip_of_the_keyboard_still_defers(guard, text):
    assert guard.check_input(text).deferred


@pytest.mark.parametrize("text", [
    "what is a good diary to track my migraines",
    "can I eat dairy while taking antibiotics",
    "how do I treat a mild sore throat at home",
    "is it normal to feel tired after a cold",
])
def test_ordinary_messages_are_not_misread_as_typos(guard, text):
    assert not guard.check_input(text).deferred


def test_the_match_points_at_what_the_user_typed(guard):
    text = "swallowed a button batetry"
    match = next(m for m in guard.check_input(text).matches if not m.negated)
    assert "batetry" in match.text


def test_a_temperature_typed_without_its_point_is_a_fever_in_a_young_baby(guard):
    assert guard.check_input("8 week old baby temp 380 and sleepy").deferred
    assert guard.check_input("my daughter is 4 weeks old and her temperature is 384").deferred
    assert not guard.check_input("my 8 week old had her jabs, temp 370 and feeding well").deferred


def test_a_triage_deferral_survives_a_message_misread_as_another_language(guard):
    """Typos can make a short English message look German; the findings still defer it."""
    decision = guard.check_input("headaches, all of us. boiler. fine outisde")
    assert decision.deferred and decision.category == "emergency"
