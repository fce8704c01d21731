"""NegEx-style negation: "I have no chest pain" is reported, not deferred.

Negation can only *weaken* a match, so it is deliberately narrow: a wrongly negated
emergency is far worse than a needless deferral. Only clear triggers count ("no",
"denies", "without", "never had", ...), within a few words, never across a sentence end
or a "but". A bare "not" reaches only two words ("not really suicidal"), and a bare
"never" none, since "I do not know why my chest hurts" is no negation.
"""
from __future__ import annotations

from .normalize import Normalized
from .variants import contract, expand

WINDOW = 5  # most words allowed between a pre-negation trigger and the phrase
POST_WINDOW = 3  # most words allowed between the phrase and a post-negation trigger

PRE_TRIGGERS = (
    "no", "denies", "denied", "deny", "denying", "without", "never had", "never have had",
    "never experienced", "negative for", "free of", "no sign of", "no signs of",
    "no history of", "no evidence of", "no episodes of", "ruled out", "rules out",
    "absence of", "not having", "not experiencing", "not had", "not any", "don't have",
    "doesn't have", "didn't have", "haven't had", "hasn't had", "hasn't got",
    "haven't got", "no more", "nor", "neither",
    "none of", "not", "don't", "doesn't", "didn't", "haven't", "hasn't", "isn't",
    "wasn't", "aren't", "weren't", "zero", "nil",
)
# Triggers whose scope is shorter than WINDOW. A bare contracted negation only negates
# the words right after it ("I haven't passed out", "I don't want to hurt myself"), not
# a clause further on ("I don't know why I can't breathe"). Phrases that *mean* an
# absence start with the negation themselves ("isn't breathing", "hasn't woken up"), so
# a trigger never negates them. "can't" and "won't" are never triggers.
SHORT_REACH = {"not": 2, **{t: 1 for t in (
    "dont", "doesnt", "didnt", "havent", "hasnt", "isnt", "wasnt", "arent", "werent")}}
POST_TRIGGERS = (
    "ruled out", "was negative", "is negative", "were negative", "came back negative",
    "tested negative", "has resolved", "have resolved", "resolved",
)
# Trigger followed by these words is not a negation ("no one is helping me").
PSEUDO_AFTER = {
    "no": ("one", "idea", "matter", "doubt", "way", "better", "relief", "improvement",
           "change", "help", "clue", "end", "sooner", "time", "longer", "wonder"),
    "without": ("warning", "any warning", "stopping", "relief", "help"),
    "not any": ("better",),
    "not": ("sure", "only", "just", "certain", "even", "better", "improving", "getting",
            "go away", "going away", "stopping", "know", "able", "helping", "working"),
    **{t: ("know", "think", "care", "understand", "stop", "stopped", "go away", "gone away",
           "helped", "help", "helping", "work", "working", "worked", "improve", "improved",
           "get better", "got better", "getting better", "settle", "settled", "ease",
           "eased", "easing", "fade", "faded", "blanch", "only", "just", "even", "sure")
       for t in ("dont", "doesnt", "didnt", "havent", "hasnt", "isnt", "wasnt", "arent",
                 "werent")},
}
# "without" after these words is a double negative ("can't walk without chest pain").
_DOUBLE_NEGATIVE = {"cant", "cannot", "couldnt", "not", "unable", "never"}
# Words that close a negation's scope, as NegEx terminators do; conjunctions and
# subjects start another clause, so "no energy and chest pain", "no signal so I'm having
# chest pain" are not negations of the red flag ("no fever or chest pain" still is).
TERMINATOR_WORDS = {
    "but", "however", "although", "though", "except", "yet", "still", "until",
    "whereas", "suddenly", "now", "today", "then",
    "and", "with", "plus", "also", "while", "because", "cause", "since", "after", "when",
    "so", "as", "if", "who", "which", "that", "where", "i", "im", "ive", "he", "hes",
    "she", "shes", "it", "its", "they", "theyre", "we", "you", "just", "only",
}
TERMINATOR_CHARS = frozenset(".;!?\n\r\u2026\u3002\uff01\uff1f\uff1b\u061f")
# A negation does not reach across these either: "My dad, no longer responsive, isn't
# breathing", "no energy, crushing chest pain". (A chain's parts may: they are one phrase.)
SCOPE_CHARS = TERMINATOR_CHARS | frozenset(",:()[]{}\u2013\u2014")
# A negation word right before a trigger cancels it: "haven't ruled out", "has not
# resolved", "wasn't negative for".
NEGATED_TRIGGER = frozenset(
    "not never cant cannot couldnt havent hasnt hadnt didnt dont doesnt isnt wasnt "
    "arent werent wont wouldnt".split())
# After "never had" (or any negation) these say the finding is new and here now: "I've
# never had chest pain like this before", "... and it started 10 minutes ago".
NOVELTY = tuple(tuple(p.split()) for p in (
    "before", "like this", "like that", "this bad", "so bad", "this severe", "this intense",
    "this strong", "this painful", "this much", "ever", "until", "till", "started",
    "starting", "began", "begun", "ago", "came on", "suddenly", "right now", "first time",
    "again", "just had", "just happened", "had one", "having one", "happening"))
NOVELTY_REACH = 12  # words after the match, in the same sentence
_INTERJECTION_CHARS = frozenset(",:-\u2013\u2014")  # "No, I can't breathe"

def _index(phrases: tuple[str, ...], key_at: int) -> dict[str, list[tuple[str, ...]]]:
    """Token tuples of every spelling, indexed by the token at `key_at` (0 or -1)."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        for variant in expand(phrase):
            if "no longer" in variant:  # "he is no longer breathing" negates nothing
                continue
            toks = tuple(variant.split())
            index.setdefault(toks[key_at], []).append(toks)
    return index


_PRE_BY_LAST = _index(PRE_TRIGGERS, -1)
_POST_BY_FIRST = _index(POST_TRIGGERS, 0)
# Every trigger spelling contains one of these, so most matches skip the walk entirely.
_PRE_WORDS = frozenset(
    "no not denies denied deny denying denyin without never negative free ruled rules absence "
    "dont doesnt didnt havent hasnt isnt wasnt arent werent aint nor neither none t zero nil"
    .split())
_POST_WORDS = frozenset(("ruled", "negative", "resolved"))
_PRE_LONGEST = max(len(t) for ts in _PRE_BY_LAST.values() for t in ts)
_missing = [t for ts in _PRE_BY_LAST.values() for t in ts if not _PRE_WORDS.intersection(t)]
assert not _missing, _missing
assert all(_POST_WORDS.intersection(t) for ts in _POST_BY_FIRST.values() for t in ts)
_PSEUDO = {tuple(k.split()): [tuple(v.split()) for v in vs] for k, vs in PSEUDO_AFTER.items()}
# Spelled-out triggers share the rules of their contraction: "do not" acts as "dont".
_KEY = {t: " ".join(contract(list(t))) for ts in _PRE_BY_LAST.values() for t in ts}
_PSEUDO.update({t: _PSEUDO[(k,)] for t, k in _KEY.items() if len(t) > 1 and (k,) in _PSEUDO})


def _breaks(norm: Normalized, left: int) -> bool:
    return not SCOPE_CHARS.isdisjoint(norm.gap(left))


def _cancelled(norm: Normalized, start: int) -> bool:
    """A negation word right before a trigger, in the same clause: "haven't (yet) ruled
    out" (but not "no fever, no chest pain")."""
    toks = norm.tokens
    k = start - 1
    if k >= 1 and toks[k] == "yet" and not _breaks(norm, k - 1):
        k -= 1
    return k >= 0 and toks[k] in NEGATED_TRIGGER and not _breaks(norm, k)


def _announces_new(norm: Normalized, last: int) -> bool:
    """The rest of the sentence says the finding is new ("like this before", "started")."""
    toks = norm.tokens
    end = min(len(toks), last + 1 + NOVELTY_REACH)
    for j in range(last + 1, end):
        if not TERMINATOR_CHARS.isdisjoint(norm.gap(j - 1)):
            return False
        for cue in NOVELTY:
            if tuple(toks[j : j + len(cue)]) == cue:
                return True
    return False


def _is_pseudo(norm: Normalized, trigger: tuple[str, ...], start: int) -> bool:
    toks = norm.tokens
    end = start + len(trigger)
    for follow in _PSEUDO.get(trigger, ()):
        if tuple(toks[end : end + len(follow)]) == follow:
            return True
    if trigger == ("without",) and _DOUBLE_NEGATIVE.intersection(toks[max(0, start - 3) : start]):
        return True
    if len(trigger) == 1 and end < len(toks) and not _INTERJECTION_CHARS.isdisjoint(norm.gap(end - 1)):
        return True  # "No, ..." / "No - ..." is an answer, not a negation
    return False


def is_negated(norm: Normalized, first: int, last: int) -> bool:
    """True if tokens [first, last] are in the scope of a clear negation."""
    toks = norm.tokens
    before = toks[max(0, first - WINDOW - _PRE_LONGEST) : first]
    if not _PRE_WORDS.isdisjoint(before):  # cheap test before walking
        # A multi-word trigger may end on the phrase's first word: "never had" + "had a
        # seizure". A one-word trigger may not: "no pulse" does not negate itself.
        j = first
        while j >= 0 and first - 1 - j <= WINDOW:
            if j < first and (_breaks(norm, j) or toks[j] in TERMINATOR_WORDS):
                break
            for trigger in _PRE_BY_LAST.get(toks[j], ()):
                start = j - len(trigger) + 1
                if 0 <= start < first and tuple(toks[start : j + 1]) == trigger:
                    reach = SHORT_REACH.get(_KEY[trigger], WINDOW)
                    if (first - 1 - j <= reach and not _is_pseudo(norm, trigger, start)
                            and not _cancelled(norm, start)
                            and not _announces_new(norm, last)):
                        return True
            j -= 1
    after = toks[last + 1 : last + POST_WINDOW + 2]
    if not _POST_WORDS.isdisjoint(after):
        j = last + 1
        while j < len(toks) and j - last - 1 <= POST_WINDOW:
            if _breaks(norm, j - 1) or toks[j] in TERMINATOR_WORDS:
                break
            for trigger in _POST_BY_FIRST.get(toks[j], ()):
                if tuple(toks[j : j + len(trigger)]) == trigger and not _cancelled(norm, j):
                    return True
            j += 1
    return False
