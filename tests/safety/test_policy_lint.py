"""Story: `medtune validate` points at the exact config line that is wrong."""
from __future__ import annotations

from safety import lint_policy
from safety.default_policy import DEFAULT_POLICY


def issues(section):
    return {(i.level, i.path): i.message for i in lint_policy(section)}


def test_the_built_in_policy_is_clean():
    assert lint_policy({}) == []
    assert lint_policy(None) == []
    as_user_phrases = {"use_default_policy": False, "categories": DEFAULT_POLICY["categories"]}
    assert lint_policy(as_user_phrases) == []


def test_short_phrases_are_errors():
    found = issues({"categories": {"emergency": {"phrases": ["turning grey", "od", "!!!"]}}})
    assert ("error", "safety.categories.emergency.phrases[1]") in found
    assert ("error", "safety.categories.emergency.phrases[2]") in found
    assert ("error", "safety.categories.emergency.phrases[0]") not in found


def test_empty_categories_and_unknown_actions_are_errors():
    found = issues({"categories": {"empty": {"action": "defer", "phrases": []},
                                   "odd": {"action": "block", "phrases": ["something"]},
                                   "bad_priority": {"priority": "high", "phrases": ["xyz abc"]}}})
    assert ("error", "safety.categories.empty.phrases") in found
    assert ("error", "safety.categories.odd.action") in found
    assert ("error", "safety.categories.bad_priority.priority") in found


def test_a_phrase_under_both_actions_is_a_warning_and_defer_wins():
    found = issues({"safety": {"safety_keywords": ["aspirin", "Chest-Pain"]}})
    assert list(found) == [("warning", "safety.safety_keywords[1]")]
    assert "defer wins" in found[("warning", "safety.safety_keywords[1]")]


def test_flat_keyword_lists_are_checked_too():
    found = issues({"defer_keywords": ["ok phrase", "x"], "safety_keywords": "not a list"})
    assert ("error", "safety.safety_keywords") in found
    lint = issues({"defer_keywords": ["ok phrase", "x"]})
    assert ("error", "safety.defer_keywords[1]") in lint


def test_overriding_a_default_category_without_phrases_is_fine():
    assert lint_policy({"categories": {"emergency": {"message": "Call 112."}}}) == []
