"""Whole-message context that turns a red-flag match into something to log, not defer.

Two narrow cases, each a cue plus the *absence* of anything that points at a real
person's situation right now:

- informational: "What are the warning signs of meningitis?" (but not "... my son has
  a purple rash": a person is involved);
- historical: "I had a heart attack 5 years ago, what should my cholesterol be?" (but
  not "... and now my chest hurts again": something is happening now).

Cue words themselves never disqualify ("how do I recognize" contains "I").

A third, per-match case is figurative: a match that starts or ends inside a known figure
of speech ("the suspense is giving me a heart attack", "Suicide Squad", "I feel like I'm
dying of boredom") is logged, not deferred.
"""
from __future__ import annotations

from functools import lru_cache

from .matcher import compile_keys
from .normalize import Normalized
from .variants import expand

INFORMATIONAL = "informational"
HISTORICAL = "historical"
FIGURATIVE = "figurative"

INFO_CUES = (
    "signs of", "sign of", "symptoms of", "symptom of", "warning signs", "what is",
    "what are", "what does", "whats", "how do i recognize", "how do you recognize",
    "how to recognize", "how to recognise", "how to tell if", "how can you tell if",
    "difference between", "what causes", "definition of", "define", "explain",
    "tell me about", "learn about", "first aid for", "for an essay", "for a class",
    "how does", "how is", "how are", "how do they", "how long does", "what happens",
    "is it true", "how common is", "risk factors for", "treatment for", "treated",
    "diagnosed", "prevent", "prevention of", "how do you know if", "how do i know if",
    "how would i know if", "how would you know if", "how can i tell if", "how do you tell if",
    "how do i tell if", "how do you treat", "how do they treat", "how to treat",
    "what to do if someone", "what do you do if someone", "what should you do if",
    "what should i do if someone", "cause", "causes", "caused by",
)
PERSONAL_WORDS = frozenset(
    "i im ive id me my mine myself we us our ours he hes him his himself she shes her "
    "hers herself theyre now currently today tonight suddenly just help please urgent "
    "hurry mom mum mother dad father son daughter husband wife boyfriend girlfriend "
    "partner brother sister grandma grandpa grandmother grandfather friend kid kids "
    "child children baby newborn infant toddler aunt uncle roommate neighbor neighbour "
    "coworker".split())

PAST_CUES = (
    "years ago", "year ago", "months ago", "decades ago", "last year", "as a child",
    "as a kid", "as a teenager", "as a teen", "when i was", "first pregnancy",
    "previous pregnancy", "last pregnancy", "in recovery", "years back", "in the past",
    "used to", "history of", "back in",
)
PRESENT_WORDS = frozenset(
    "now currently today tonight yesterday suddenly still again just started starting "
    "since hours hour minutes minute happening keeps keep urgent hurry right".split())

CONTEXTS = ((INFORMATIONAL, INFO_CUES, PERSONAL_WORDS), (HISTORICAL, PAST_CUES, PRESENT_WORDS))

# A question about the condition itself, right in front of the match: "I'm 28 weeks,
# what are the signs of pre-eclampsia?", "I'm scared of having a heart attack". The
# writer may talk about themselves; only a word pointing at the present (PRESENT_WORDS)
# makes it current. The match must start right after the cue ("a", "having" may sit in
# between), so "what are the signs of ... my son has a purple rash" still defers.
ADJACENT = "adjacent"
ADJACENT_CUES = (
    "what are the signs of", "what are the symptoms of", "what are the warning signs of",
    "signs and symptoms of", "risk of", "risk of having", "risks of", "chance of",
    "chances of", "odds of", "scared of", "afraid of", "terrified of", "prevent",
    "preventing", "prevention of", "to avoid",
)
ARTICLES = frozenset("a an the having getting another".split())  # may sit in between

FIGURES_OF_SPEECH = tuple(
    [f"{verb} me a heart attack" for verb in ("giving", "give", "gave", "gonna give")]
    + [f"overdosed on {thing}" for thing in (
        "netflix", "tv", "youtube", "tiktok", "chocolate", "candy", "sugar", "cake",
        "sunshine", "christmas", "reality tv", "anime", "video games")]
    + [f"suicide {thing}" for thing in (
        "squad", "mission", "doors", "sprints", "sprint", "run", "runs", "king", "blonde")]
    + [f"is choking {whom}" for whom in ("our", "the team", "my team", "the economy")]
    + [f"{how} had a heart attack" for how in ("nearly", "almost", "practically")]
    + [f"{how} gave me a heart attack" for how in ("nearly", "almost", "practically")]
    + [f"dying {what}" for what in (
        "of boredom", "of embarrassment", "of laughter", "of cringe", "of curiosity",
        "of shame", "laughing", "to know", "to see", "to try", "to meet", "to hear",
        "to find out", "to go", "to watch", "for a", "for some")]
    + ["died laughing", "die laughing", "die of embarrassment", "died of embarrassment",
       "scared to death", "bored to death", "worried to death", "sick to death"]
    + [f"{laugh} so {much} i {cant} breathe" for laugh in ("laughing", "laughed")
       for much in ("hard", "much") for cant in ("cant", "couldnt")]
    + ["cant breathe from laughing", "couldnt breathe from laughing"]
    + [f"{verb} a fit {about}" for verb in ("having", "had", "have", "has")
       for about in ("about", "over", "when", "if", "because")]
    + [f"{verb} a fit" for verb in ("throw", "threw", "throwing", "throws", "pitch",
                                    "pitched", "pitching")]
    + [f"drowning in {what}" for what in (
        "paperwork", "work", "debt", "emails", "homework", "assignments", "bills",
        "deadlines", "laundry")]
    + ["bleeding money", "bleeding me dry", "bleeding us dry", "bleeding cash"]
    # names with a symptom word in them that are not the symptom: "hay fever" is no fever
    + ["hay fever", "hayfever", "cabin fever", "spring fever", "world cup fever", "football fever"]
)
# "I'm well now" says the past is over; that "now" is not a sign of something happening.
SETTLED = frozenset("well fine ok okay better good stable recovered great".split())
# "can I still drive?" asks about the future; that "still" is not the present either.
MODALS = frozenset("can could should will would may might".split())
SUBJECTS = frozenset("i he she we they you".split())


@lru_cache(maxsize=1)
def _cue_automaton():
    keys: dict[str, str] = {}
    for name, cues, _ in CONTEXTS + ((FIGURATIVE, FIGURES_OF_SPEECH, None),
                                     (ADJACENT, ADJACENT_CUES, None)):
        for cue in cues:
            for variant in expand(cue):
                keys.setdefault(f" {variant} ", name)
    return compile_keys(keys)


def context_of(norm: Normalized) -> tuple[list[tuple[str, set[int]]], frozenset[int],
                                         frozenset[int]]:
    """Contexts that hold for the whole text, each with the tokens of its cues, the
    tokens inside figures of speech, and the tokens a match may start at to be a
    question about the condition (ADJACENT_CUES). A match only takes a context from a cue
    outside itself ("what's the point of living" is no information question). Only
    called for texts that matched, so this second pass is rare and cheap."""
    cue_tokens: dict[str, set[int]] = {}
    figures: set[int] = set()  # every token inside a figure of speech
    toks = norm.tokens
    asked: set[int] = set()
    for end, (length, count, name) in _cue_automaton().iter(norm.padded):
        first = norm.token_index(end - length + 1)
        if name == FIGURATIVE:
            figures.update(range(first, first + count))
        elif name == ADJACENT:
            after = first + count
            asked.add(after)
            while after < len(toks) and toks[after] in ARTICLES:
                after += 1
                asked.add(after)
        else:
            cue_tokens.setdefault(name, set()).update(range(first, first + count))
    if asked and not PRESENT_WORDS.isdisjoint(toks):
        asked = set()
    holding = []
    for name, _, disqualifiers in CONTEXTS:
        inside = cue_tokens.get(name)
        if not inside:
            continue
        bad = disqualifiers.intersection(toks)
        if bad and not bad - {toks[i] for i in inside} - {"now", "still"}:  # look closer
            ignored = inside
            if name == HISTORICAL:
                ignored = inside | {i for i, tok in enumerate(toks) if i and (
                    (tok == "now" and toks[i - 1] in SETTLED)
                    or (tok == "still" and i > 1 and toks[i - 1] in SUBJECTS
                        and toks[i - 2] in MODALS))}
            bad = any(tok in disqualifiers for i, tok in enumerate(toks) if i not in ignored)
        if not bad:
            holding.append((name, inside))
    return holding, frozenset(figures), frozenset(asked)


def context_for(first: int, last: int, holding: list[tuple[str, set[int]]],
                figures: frozenset[int], asked: frozenset[int] = frozenset()) -> str | None:
    """The context of the match on tokens [first, last], if any. A figure of speech
    counts when it holds the match's first or last word ("feel like I'm dying of
    boredom"); one in the middle of a longer match does not. A match right after a
    question about the condition ("what are the signs of") is informational."""
    if first in figures or last in figures:
        return FIGURATIVE
    if first in asked:
        return INFORMATIONAL
    for name, cues in holding:
        if any(i < first or i > last for i in cues):
            return name
    return None
