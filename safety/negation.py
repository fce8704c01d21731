"""NegEx-style negation: "I have no chest pain" is reported, not deferred.

Negation can only *weaken* a match, so it is deliberately narrow: a wrongly negated
emergency is far worse than a needless deferral. Only clear triggers count ("no",
"denies", "without", "never had", ...), within a few words, never across a sentence end
or a "but". A bare "not" reaches only two words ("not really suicidal"), and a bare
"never" none, since "I do not know why my chest hurts" is no negation.

One algorithm for every language, parametrized by a language's `Cues` (its triggers,
their reach, pseudo-negations, clause-ending words, novelty cues): `ENGLISH` here, the
Spanish cues in safety/policy_es.py.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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
NOVELTY = (
    "before", "like this", "like that", "this bad", "so bad", "this severe", "this intense",
    "this strong", "this painful", "this much", "ever", "until", "till", "started",
    "starting", "began", "begun", "ago", "came on", "suddenly", "right now", "first time",
    "again", "just had", "just happened", "had one", "having one", "happening")
NOVELTY_REACH = 12  # words after the match, in the same sentence
_INTERJECTION_CHARS = frozenset(",:-\u2013\u2014")  # "No, I can't breathe"

def _index(phrases: tuple[str, ...], key_at: int, spell) -> dict[str, list[tuple[str, ...]]]:
    """Token tuples of every spelling, indexed by the token at `key_at` (0 or -1)."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        for variant in spell(phrase):
            if "no longer" in variant:  # "he is no longer breathing" negates nothing
                continue
            toks = tuple(variant.split())
            index.setdefault(toks[key_at], []).append(toks)
    return index


def _plain_spelling(phrase: str) -> list[str]:
    return [" ".join(phrase.split())]


@dataclass(frozen=True)
class Cues:
    """One language's negation rules: the same algorithm (`is_negated`), its words.

    ``spell`` gives every normalized spelling of a trigger (English: the word-form and
    contraction table; other languages: as written, accents folded). ``gate``/``post_gate``
    are words every trigger spelling contains, a cheap test before the walk (default: the
    first and last word of each spelling). ``double_negative``: words before a trigger that
    make it no negation ("can't walk without chest pain"). ``cancel_skip``: a word allowed
    between a cancelling negation and its trigger ("haven't yet ruled out").
    """

    language: str
    pre_triggers: tuple[str, ...]
    post_triggers: tuple[str, ...] = ()
    short_reach: Mapping[str, int] = field(default_factory=dict)
    pseudo_after: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    double_negative: Mapping[str, frozenset[str]] = field(default_factory=dict)
    terminator_words: frozenset[str] = frozenset()
    negated_trigger: frozenset[str] = frozenset()
    cancel_skip: frozenset[str] = frozenset()
    novelty: tuple[str, ...] = ()
    spell: Callable[[str], list[str]] = _plain_spelling
    key: Callable[[tuple[str, ...]], str] = " ".join
    gate: frozenset[str] | None = None
    post_gate: frozenset[str] | None = None
    window: int = WINDOW
    post_window: int = POST_WINDOW

    def __post_init__(self) -> None:
        pre = _index(self.pre_triggers, -1, self.spell)
        post = _index(self.post_triggers, 0, self.spell)
        spellings = [t for ts in pre.values() for t in ts]
        derived = {"_pre_by_last": pre, "_post_by_first": post,
                   "_pre_longest": max(len(t) for t in spellings),
                   "_key": {t: self.key(t) for t in spellings},
                   "_novelty": tuple(tuple(c.split()) for c in self.novelty)}
        gate = self.gate if self.gate is not None else frozenset(w for t in spellings for w in (t[0], t[-1]))
        post_spellings = [t for ts in post.values() for t in ts]
        post_gate = self.post_gate if self.post_gate is not None else frozenset(t[0] for t in post_spellings)
        missing = [t for t in spellings if not gate.intersection(t)]
        missing += [t for t in post_spellings if not post_gate.intersection(t)]
        assert not missing, (self.language, missing)
        pseudo = {tuple(k.split()): [tuple(v.split()) for v in vs] for k, vs in self.pseudo_after.items()}
        # Spelled-out triggers share the rules of their key: "do not" acts as "dont".
        pseudo.update({t: pseudo[(k,)] for t, k in derived["_key"].items()
                       if len(t) > 1 and (k,) in pseudo})
        derived.update(_gate=gate, _post_gate=post_gate, _pseudo=pseudo)
        for name, value in derived.items():
            object.__setattr__(self, name, value)


ENGLISH = Cues(
    "en", PRE_TRIGGERS, POST_TRIGGERS, SHORT_REACH, PSEUDO_AFTER,
    double_negative={"without": frozenset(_DOUBLE_NEGATIVE)},
    terminator_words=frozenset(TERMINATOR_WORDS), negated_trigger=NEGATED_TRIGGER,
    cancel_skip=frozenset({"yet"}), novelty=NOVELTY,
    spell=expand, key=lambda t: " ".join(contract(list(t))),
    # Every trigger spelling contains one of these, so most matches skip the walk entirely.
    gate=frozenset(
        "no not denies denied deny denying denyin without never negative free ruled rules absence "
        "dont doesnt didnt havent hasnt isnt wasnt arent werent aint nor neither none t zero nil"
        .split()),
    post_gate=frozenset(("ruled", "negative", "resolved")),
)


def _breaks(norm: Normalized, left: int) -> bool:
    return not SCOPE_CHARS.isdisjoint(norm.gap(left))


def _cancelled(norm: Normalized, start: int, cues: Cues) -> bool:
    """A negation word right before a trigger, in the same clause: "haven't (yet) ruled
    out" (but not "no fever, no chest pain")."""
    toks = norm.tokens
    k = start - 1
    if k >= 1 and toks[k] in cues.cancel_skip and not _breaks(norm, k - 1):
        k -= 1
    return k >= 0 and toks[k] in cues.negated_trigger and not _breaks(norm, k)


def _announces_new(norm: Normalized, last: int, cues: Cues) -> bool:
    """The rest of the sentence says the finding is new ("like this before", "started")."""
    toks = norm.tokens
    end = min(len(toks), last + 1 + NOVELTY_REACH)
    for j in range(last + 1, end):
        if not TERMINATOR_CHARS.isdisjoint(norm.gap(j - 1)):
            return False
        for cue in cues._novelty:
            if tuple(toks[j : j + len(cue)]) == cue:
                return True
    return False


def _is_pseudo(norm: Normalized, trigger: tuple[str, ...], start: int, cues: Cues) -> bool:
    toks = norm.tokens
    end = start + len(trigger)
    for follow in cues._pseudo.get(trigger, ()):
        if tuple(toks[end : end + len(follow)]) == follow:
            return True
    before = cues.double_negative.get(" ".join(trigger))
    if before and before.intersection(toks[max(0, start - 3) : start]):
        return True
    if len(trigger) == 1 and end < len(toks) and not _INTERJECTION_CHARS.isdisjoint(norm.gap(end - 1)):
        return True  # "No, ..." / "No - ..." is an answer, not a negation
    return False


def is_negated(norm: Normalized, first: int, last: int, cues: Cues = ENGLISH) -> bool:
    """True if tokens [first, last] are in the scope of a clear negation, by ``cues``."""
    toks = norm.tokens
    before = toks[max(0, first - cues.window - cues._pre_longest) : first]
    if not cues._gate.isdisjoint(before):  # cheap test before walking
        # A multi-word trigger may end on the phrase's first word: "never had" + "had a
        # seizure". A one-word trigger may not: "no pulse" does not negate itself.
        j = first
        while j >= 0 and first - 1 - j <= cues.window:
            if j < first and (_breaks(norm, j) or toks[j] in cues.terminator_words):
                break
            for trigger in cues._pre_by_last.get(toks[j], ()):
                start = j - len(trigger) + 1
                if 0 <= start < first and tuple(toks[start : j + 1]) == trigger:
                    reach = cues.short_reach.get(cues._key[trigger], cues.window)
                    if (first - 1 - j <= reach and not _is_pseudo(norm, trigger, start, cues)
                            and not _cancelled(norm, start, cues)
                            and not _announces_new(norm, last, cues)):
                        return True
            j -= 1
    after = toks[last + 1 : last + cues.post_window + 2]
    if not cues._post_gate.isdisjoint(after):
        j = last + 1
        while j < len(toks) and j - last - 1 <= cues.post_window:
            if _breaks(norm, j - 1) or toks[j] in cues.terminator_words:
                break
            for trigger in cues._post_by_first.get(toks[j], ()):
                if tuple(toks[j : j + len(trigger)]) == trigger and not _cancelled(norm, j, cues):
                    return True
            j += 1
    return False
