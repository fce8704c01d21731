"""Cleaning pieces on their own: whitespace, turn order, system prompt modes, PII placeholders,
content filter, deferral language, duplicates and the hash split. No tokenizer needed."""

from __future__ import annotations

from collections import Counter

import pytest

from medtune.data.clean import ContentFilter, apply_system_prompt, clean_turns, dedup_key, normalize_text
from medtune.data.dedup import exact_duplicates, lsh_bands, near_duplicates
from medtune.data.pii import scrub
from medtune.data.records import RowError
from medtune.data.split import copies, eval_mask

U = {"role": "user", "content": "Q?"}
A = {"role": "assistant", "content": "A."}
S = {"role": "system", "content": "Old prompt."}


def test_normalize_text_tidies_whitespace_and_control_characters():
    assert normalize_text("  a  b\t c \r\n d \n\n\n\n e\x00  ") == "a b c\nd\n\ne"
    assert normalize_text("cafe\u0301\u00a0ok") == "caf\u00e9 ok"
    text = "Already clean.\nTwo lines."
    assert normalize_text(text) is text or normalize_text(text) == text


@pytest.mark.parametrize(
    "turns,reason",
    [
        ([], "missing_field"),
        ([U], "role_order"),
        ([A, U], "role_order"),
        ([U, U, A], "role_order"),
        ([U, A, S, U, A], "role_order"),
        ([S], "missing_field"),
        ([U, {"role": "assistant", "content": " \n "}], "empty_turn"),
    ],
)
def test_clean_turns_rejects_bad_structure(turns, reason):
    with pytest.raises(RowError) as exc:
        clean_turns(turns)
    assert exc.value.reason == reason


def test_clean_turns_merges_leading_system_messages():
    out, _ = clean_turns([S, {"role": "system", "content": "More."}, U, A])
    assert out == [{"role": "system", "content": "Old prompt.\n\nMore."}, U, A]


@pytest.mark.parametrize(
    "mode,messages,expected,action",
    [
        ("replace", [U, A], [{"role": "system", "content": "New."}, U, A], "inserted"),
        ("replace", [S, U, A], [{"role": "system", "content": "New."}, U, A], "replaced"),
        ("prepend", [S, U, A], [{"role": "system", "content": "New.\n\nOld prompt."}, U, A], "prepended"),
        ("keep", [S, U, A], [S, U, A], "kept"),
        ("keep", [U, A], [{"role": "system", "content": "New."}, U, A], "inserted"),
        ("replace", [{"role": "system", "content": "New."}, U, A], [{"role": "system", "content": "New."}, U, A], "unchanged"),
    ],
)
def test_system_prompt_modes(mode, messages, expected, action):
    assert apply_system_prompt(messages, "New.", mode) == (expected, action)


def test_empty_system_prompt_inserts_nothing():
    assert apply_system_prompt([U, A], "  ", "replace") == ([U, A], "unchanged")


PII_CASES = [
    ("Write to jane.doe+clinic@example.org today.", "Write to [EMAIL] today.", "EMAIL"),
    ("Call me on (555) 123-4567.", "Call me on [PHONE].", "PHONE"),
    ("My cell is 555.987.6543", "My cell is [PHONE]", "PHONE"),
    ("UK: +44 20 7946 0958.", "UK: [PHONE].", "PHONE"),
    ("SSN 123-45-6789 on file", "SSN [SSN] on file", "SSN"),
    ("social security number: 123456789", "social security number: [SSN]", "SSN"),
    ("DOB: 03/14/1975, allergic", "DOB: [DOB], allergic", "DOB"),
    ("she was born on March 3rd, 1980.", "she was born on [DOB].", "DOB"),
    ("MRN: A1234567 admitted", "MRN: [MRN] admitted", "MRN"),
    ("medical record number 99887766", "medical record number [MRN]", "MRN"),
    ("I live at 1234 Elm Street, Springfield, IL 62704.", "I live at [ADDRESS].", "ADDRESS"),
    ("Send it to PO Box 55.", "Send it to [ADDRESS].", "ADDRESS"),
]


@pytest.mark.parametrize("text,expected,kind", PII_CASES)
def test_pii_becomes_placeholders(text, expected, kind):
    counts = Counter()
    assert scrub(text, counts) == expected
    assert counts == Counter({kind: 1})


@pytest.mark.parametrize(
    "text",
    [
        "Call 911 now, or 988 for the crisis line.",
        "Poison control: 1-800-222-1222 (US). Also 1 (888) 346-3656.",
        "BP 120/80, 500 mg twice daily, ages 18-65, in 2019-2020, 3-4 times a day, 1,000-2,000 IU, ICD-10 E11.9.",
        "The patient was born in 1980 and has 2 cells per field.",
    ],
)
def test_pii_leaves_public_and_clinical_numbers_alone(text):
    counts = Counter()
    assert scrub(text, counts) == text
    assert not counts


def test_content_filter_is_whole_word_and_case_insensitive():
    flt = ContentFilter(["Crack", "meth lab"])
    assert flt.find([U, {"role": "assistant", "content": "A METH LAB is dangerous."}]) == "meth lab"
    assert flt.find([{"role": "user", "content": "My skin has a crack."}, A]) == "crack"
    assert flt.find([{"role": "user", "content": "Crackers and methane"}, A]) is None
    assert flt.find([{"role": "system", "content": "crack"}, U, A]) is None  # the system prompt is config
    assert ContentFilter([]).find([U, A]) is None


@pytest.mark.parametrize(
    "text,defers",
    [
        ("Call 911 or your local emergency number now.", True),
        ("Please see a doctor today.", True),
        ("Contact Poison Control right away.", True),
        ("Seek urgent medical attention.", True),
        ("Talk to your pharmacist about the dose.", True),
        ("Drink water and rest.", False),
        ("A doctor may order a blood test.", False),
    ],
)
def test_deferral_language(text, defers):
    from safety.answer import answer_defers

    assert answer_defers(text) is defers


def test_dedup_key_ignores_case_whitespace_and_system_prompt():
    a = [{"role": "system", "content": "X"}, {"role": "user", "content": "What  is\nIT?"}, A]
    b = [{"role": "user", "content": "what is it?"}, {"role": "assistant", "content": "a."}]
    assert dedup_key(a) == dedup_key(b)
    assert exact_duplicates([dedup_key(a), "other", dedup_key(b)]) == {2: 0}


ANSWER = (
    "Hand washing removes germs that cause diarrhoea and respiratory infections. Wet your hands with clean "
    "running water, apply soap and lather the backs of your hands, between your fingers and under your nails. "
    "Scrub for at least twenty seconds, rinse well under clean running water and dry them with a clean towel "
    "or let them air dry. Use an alcohol based sanitiser when soap and water are not available."
)


def _variant(text: str) -> str:
    return text.replace("twenty seconds", "20 seconds").replace("clean towel", "fresh towel")


def test_near_duplicates_across_splits_are_removed_from_train():
    texts = [
        "user: how do i wash my hands?\nassistant: " + ANSWER.lower(),
        "user: how should i wash my hands?\nassistant: " + _variant(ANSWER).lower(),  # near-twin
        "user: what is a fever?\nassistant: a body temperature of 38 degrees celsius or more, usually from an infection.",
        "user: how do i wash my hands properly?\nassistant: " + ANSWER.lower(),  # near-twin too
    ]
    res = near_duplicates(texts, [True, False, False, False], threshold=0.7, num_perm=64)
    assert {i: r[0] for i, r in res.dropped.items()} == {1: "eval_contamination", 3: "eval_contamination"}
    assert all(r[1] == 0 and r[2] >= 0.7 for r in res.dropped.values())
    res = near_duplicates(texts, [False] * 4, threshold=0.7, num_perm=64)
    assert {i: r[0] for i, r in res.dropped.items()} == {1: "near_duplicate", 3: "near_duplicate"}
    assert near_duplicates(texts, [False] * 4, threshold=0.99, num_perm=64).dropped == {}


def test_lsh_bands_fit_num_perm_and_catch_the_threshold():
    for threshold in (0.5, 0.85, 0.95):
        b, r = lsh_bands(threshold, 64)
        assert b * r <= 64
        assert 1 - (1 - threshold**r) ** b >= 0.95  # a pair right at the threshold is almost always proposed
        assert 1 - (1 - (threshold - 0.3) ** r) ** b < 0.95  # and looser bands would be pointless work


def test_split_is_stable_when_rows_are_appended():
    keys = [f"user: question {i}\nassistant: answer {i}" for i in range(500)]
    before = eval_mask(keys, 0.2, seed=7)
    after = eval_mask(keys + [f"new row {i}" for i in range(300)], 0.2, seed=7)
    assert after[:500] == before
    assert 60 < sum(before) < 140
    assert eval_mask(list(reversed(keys)), 0.2, seed=7) == list(reversed(before))  # order does not matter
    assert eval_mask(keys, 0.2, seed=8) != before  # the seed does


def test_split_by_count():
    keys = [f"row {i}" for i in range(50)]
    mask = eval_mask(keys, 5, seed=1)
    assert sum(mask) == 5
    grown = eval_mask(keys + [f"extra {i}" for i in range(50)], 5, seed=1)
    assert sum(grown) == 5
    assert eval_mask(keys, 0, seed=1) == [False] * 50


def test_weights_copy_deterministically_in_proportion():
    keys = [f"row {i}" for i in range(2000)]
    assert all(copies(2.0, 1, k) == 2 for k in keys[:50])
    assert sum(copies(2.5, 1, k) for k in keys) == pytest.approx(5000, rel=0.05)
    assert sum(copies(0.3, 1, k) for k in keys) == pytest.approx(600, rel=0.12)
    assert [copies(0.3, 1, k) for k in keys] == [copies(0.3, 1, k) for k in keys]
