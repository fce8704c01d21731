"""Story: spelling tricks neither hide a phrase nor shift where it is reported."""
from __future__ import annotations

import pytest

from safety.normalize import normal_form, normalize

CHEST_PAIN_SPELLINGS = [
    "chest pain", "Chest-Pain", "chest  pain", "ch\u200best pain", "\u0441hest pain",
    "CHEST PAIN!!", "ch\u00e9st p\u00e1in", "chest...pain", "chest_pain", "chest\tpain",
    "\uff43\uff48\uff45\uff53\uff54 \uff50\uff41\uff49\uff4e",  # fullwidth
    "che\u0301st pain", "c\u00adhest\u2060 pain\ufeff", "\u202echest pain\u202c",
    "CH\u0395ST PAIN",  # Greek capital epsilon
]


@pytest.mark.parametrize("text", CHEST_PAIN_SPELLINGS)
def test_spellings_normalize_to_the_same_words(text):
    assert normal_form(text) == "chest pain"


@pytest.mark.parametrize("text", CHEST_PAIN_SPELLINGS)
def test_spellings_match_and_report_the_original_characters(guard, text):
    message = f"Since this morning: {text} and sweating"
    decision = guard.check_input(message)
    assert decision.action == "defer"
    match = decision.matches[0]
    start, end = match.span
    assert message[start:end] == match.text
    # "chest pain and sweating" is one red flag too; it starts where the user typed "chest"
    assert normal_form(match.text).startswith("chest pain")
    invisible_prefix = len(text) - len(text.lstrip("\u202e\u00ad"))  # not part of the match
    assert start == len("Since this morning: ") + invisible_prefix


def test_apostrophes_fold_so_cant_and_cannot_are_the_same(guard):
    for text in ["I can't breathe", "I can\u2019t breathe", "I cant breathe", "I cannot breathe",
                 "I can not breathe", "i CAN'T BREATHE"]:
        assert guard.check_input(text).action == "defer", text


def test_ligatures_and_sharp_s_do_not_break_offsets():
    text = "\ufb01ve Stra\u00dfe chest pain"
    norm = normalize(text)
    assert norm.tokens == ["five", "strasse", "chest", "pain"]
    assert [text[slice(*norm.span(k))] for k in range(4)] == ["\ufb01ve", "Stra\u00dfe", "chest", "pain"]


def test_spans_ascii_and_unicode_agree_on_token_boundaries():
    ascii_text = "it's -- a can't'' test"
    unicode_text = ascii_text + "\u200b"
    a, u = normalize(ascii_text), normalize(unicode_text)
    assert a.tokens == u.tokens == ["its", "a", "cant", "test"]
    assert [a.span(k) for k in range(4)] == [u.span(k) for k in range(4)]
    assert [ascii_text[slice(*a.span(k))] for k in range(4)] == ["it's", "a", "can't", "test"]
