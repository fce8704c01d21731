"""Story: a negation only reaches the finding it belongs to.

"No chest pain, no shortness of breath, just a cough" is answered; "My dad, no longer
responsive, isn't breathing" is an emergency. A negation never reaches across a comma or
into another clause, "never had ... like this before" announces something new, "no
longer" means something stopped, and a negated negation ("haven't ruled out") is none.
When in doubt the guard defers: a missed emergency is far worse than an extra deferral.
"""
from __future__ import annotations

import pytest

# Emergencies written with a negation word nearby that does not negate them.
STILL_EMERGENCIES = [
    # the issue's own cases
    "My dad, no longer responsive, isn't breathing",
    "I've never had crushing chest pain like this before and it started 10 minutes ago",
    # a comma closes the negation's reach
    "no energy, crushing chest pain",
    "Not sleeping, chest pain since midnight",
    "no fever, but chest pain",
    "I'm not drunk, my speech is slurred",
    "no idea what's going on, I can't breathe",
    "Doesn't matter, she's having a seizure",
    "Never mind the cough, I have chest pain",
    "no appetite, vomiting blood",
    "Not a joke, I want to kill myself",
    "No, he is unconscious",
    "without my glasses, I saw that she was unconscious",
    "she has no pulse",
    # "no longer" means something stopped
    "he is no longer breathing",
    "my baby is no longer responsive",
    "she was no longer breathing",
    "he is no longer responding",
    "my husband is no longer waking up",
    # "never had ... before" announces something new
    "I've never had chest pain like this before",
    "never had a seizure before and I just had one",
    "I have never had chest pain this bad",
    "I haven't had chest pain like this ever",
    "never experienced chest pain until today",
    "I have never had crushing chest pain, it started an hour ago",
    "I've never had shortness of breath like this before",
    "She's never had a seizure before, it started 5 minutes ago",
    "I never had chest pain before today",
    "I didn't have chest pain like this before the surgery",
    "I haven't had crushing chest pain this severe in my life",
    # a negation word that belongs to another phrase or clause
    "no energy and crushing chest pain",
    "I have no energy and chest pain",
    "There's no one here and he is unconscious",
    "zero sleep and chest pain all night",
    "I don't know what to do and I can't breathe",
    "I didn't take my inhaler and I can't breathe",
    "no phone signal so I'm having chest pain and can't call",
    "not eating because I want to kill myself",
    "never felt so low, I want to kill myself",
    "no help is coming and she is unconscious",
    "nothing is working, I want to end my life",
    "without any warning she had a seizure",
    "no wonder, I took an overdose",
    # negated negations
    "they haven't ruled out a heart attack",
    "the doctors haven't ruled out meningitis",
    "chest pain that hasn't resolved",
    "my chest pain has not resolved",
    "my chest doesn't stop hurting",
    "my chest hasn't stopped hurting",
    "my chest won't stop hurting",
    "Meningitis was not ruled out",
    "his chest pain isn't resolved yet",
    # another item of a list, or the finding back again
    "no fever just crushing chest pain",
    "no cough, only crushing chest pain",
    "I haven't had a seizure in years but I just had one",
    "I haven't had chest pain in months and now it's back again",
]

# Findings that really are absent: still answered, not deferred.
STILL_NEGATED = [
    "No chest pain, no shortness of breath, just a cough",
    "I have no chest pain",
    "no chest pain today",
    "I don't have chest pain",
    "Patient denies chest pain.",
    "Negative for chest pain.",
    "never had a seizure in my life",
    "I have never had a seizure",
    "No history of chest pain or fainting.",
    "no shortness of breath",
    "I'm not having chest pain",
    "I do not have chest pain",
    "Meningitis was ruled out at the hospital.",
    "no chest pain or shortness of breath",
    "I haven't passed out",
    "She has been free of chest pain since the surgery.",
    "I'm not suicidal",
    "no fever, no chest pain",
    "My chest doesn't hurt",
    "no chest pain at all",
    "without chest pain",
    "i dont have shortness of breath",
    "he has no chest pain now",
]


@pytest.mark.parametrize("text", STILL_EMERGENCIES)
def test_a_negation_word_that_is_not_about_the_red_flag_does_not_hide_it(guard, text):
    decision = guard.check_input(text)
    assert decision.action == "defer", decision.to_dict()


@pytest.mark.parametrize("text", STILL_NEGATED)
def test_a_finding_that_is_really_absent_is_still_answered(guard, text):
    decision = guard.check_input(text)
    assert decision.action != "defer", decision.to_dict()
    red_flags = [m for m in decision.matches if m.category in guard.policy.categories
                 and guard.policy.categories[m.category].action == "defer"]
    assert red_flags and all(m.negated for m in red_flags)


def test_there_are_many_phrasings_in_both_directions():
    assert len(STILL_EMERGENCIES) + len(STILL_NEGATED) >= 60
