"""Story: however a person types a red flag, the assistant steps aside.

Every deferral phrase of the built-in policy is tried the way people (or evasive
inputs) actually type it, and streamed split at every position.
"""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard
from safety.answer import answer_defers
from safety.default_policy import DEFAULT_POLICY
from safety.variants import example_text


def defer_phrases() -> list[tuple[str, str, str]]:
    """(rule id, category, example text) for every phrase of a defer category in the
    default policy; multi-part phrases ("chest * pain|hurts") give their first wording."""
    return [(f"{name}.{i}", name, example_text(phrase))
            for name, spec in DEFAULT_POLICY["categories"].items() if spec["action"] == "defer"
            for i, phrase in enumerate(spec["phrases"])]


PHRASES = defer_phrases()


@pytest.fixture(scope="module")
def phrase_guard() -> SafetyGuard:
    return SafetyGuard(stream_review=False)
_HOMOGLYPHS = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "i": "і",
                             "x": "х", "y": "у"})  # Cyrillic look-alikes
_ACCENTS = str.maketrans({"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "n": "ñ"})


def typed_variants(phrase: str) -> dict[str, str]:
    words = phrase.split()
    return {
        "upper": phrase.upper(),
        "title_shouting": phrase.title() + "!!!",
        "accents": phrase.translate(_ACCENTS),
        "zero_width": phrase[:1] + "\u200b" + phrase[1:],
        "zero_width_everywhere": "\u200b\u00ad".join(phrase),
        "homoglyphs": phrase.translate(_HOMOGLYPHS),
        "extra_spaces": "   ".join(words),
        "hyphens": "-".join(words),
        "punctuation": "... ".join(words) + "?!",
        "curly_apostrophe": phrase.replace("'", "\u2019"),
        "in_a_sentence": f"Help, {phrase}. What do I do?",
    }


@pytest.mark.parametrize(("rule_id", "category", "phrase"), PHRASES, ids=[r for r, _, _ in PHRASES])
def test_every_red_flag_defers_however_it_is_typed(guard, rule_id, category, phrase):
    for how, text in typed_variants(phrase).items():
        decision = guard.check_input(text)
        assert decision.action == "defer", f"{how}: {text!r} -> {decision.to_dict()}"
        assert decision.message, how
        assert any(m.category == category for m in decision.matches), (how, text)


@pytest.mark.parametrize(("rule_id", "category", "phrase"), PHRASES, ids=[r for r, _, _ in PHRASES])
@pytest.mark.parametrize("review", [False, True], ids=["phrases", "reviewed"])
def test_every_red_flag_is_caught_in_a_stream_before_any_of_it_is_shown(guard, phrase_guard, rule_id,
                                                                          category, phrase, review):
    # What a stream shows depends only on the text received so far, so feeding one
    # character at a time checks the split at every position at once.
    # With the answer review (the default), a referral such as "call 911" in an answer is
    # compliant and streams through whole; every other red flag defers before it shows.
    if not review:
        guard = phrase_guard
    kept = review and answer_defers(phrase)
    text = f"Note: {phrase} now."
    start = text.index(phrase)
    middle = len(text) // 2
    splits = [list(text), [text[:middle], text[middle:]]]
    splits.append(list(f"Note: {'  '.join(phrase.split())}\u200b now."))
    for chunks in splits:
        stream = StreamGuard(guard)
        shown = ""
        for chunk in chunks:
            out = stream.feed(chunk)
            if stream.deferred:
                assert out == stream.decision.message
                break
            shown += out
        else:
            shown += stream.finish()
        if kept:
            assert not stream.deferred and shown == "".join(chunks), (chunks, shown)
            continue
        assert stream.deferred, (chunks, shown)
        assert len(shown) <= start and "".join(chunks).startswith(shown), (chunks, shown)
