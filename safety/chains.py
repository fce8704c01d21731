"""Multi-part phrases: "chest * pain|hurts" found as parts, then chained in order.

People describe the same red flag in many word orders and with words in between ("my
chest has been hurting", "one side of his face has dropped"). A part is an ordinary
automaton key, so the single pass still finds everything; chaining only looks at the
few part hits of one text. Parts never chain across a sentence end, and a negation
inside the chain ("my chest doesn't hurt") marks it negated.

A "..." link ("pregnant ... bleeding") may cross sentences: the later part can be
anywhere after the earlier one in the same message. Its gap is usually long and full of
unrelated words, so instead of any negation word in the gap, the later part itself must
be negated ("...  No bleeding."), as a one-part phrase would be; the first hit that is
not negated is used. A stream holds such a first part only as long as an ordinary "*"
link would (HOLD_REACH words in the same sentence), not until the message ends.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .matcher import Rule
from .negation import ENGLISH, TERMINATOR_CHARS, Cues, is_negated
from .normalize import Normalized
from .variants import ANYWHERE, DEFAULT_GAP

# A chain with one of these words between its parts is negated: "chest doesn't hurt".
GAP_NEGATIONS = frozenset(
    "no not never dont doesnt didnt isnt wasnt arent werent hasnt havent hadnt without "
    "nothing none neither nor cant cannot".split())
# ... unless it negates the end of the pain, not the pain: "my chest doesn't stop hurting".
GAP_CONTINUES = frozenset(
    "stop stopped stopping quit ease eased easing let go settle settled improve improved "
    "get got getting help helped helping fade faded subside subsided".split())
_ELLIPSIS = re.compile(r"\.{2,}|\u2026")
# Units between parts break a chain: "took 20 mg of ibuprofen" is a dose, not 20 pills.
GAP_STOPS = frozenset("mg mcg ml milligram milligrams microgram micrograms iu".split())
HOLD_REACH = 2 * DEFAULT_GAP  # how far a stream waits for the rest of a "..." link


@dataclass(frozen=True)
class Chain:
    rule: Rule
    first: int  # first token of part 0
    last: int  # last token of the last part
    negated: bool  # a negation word sits between two parts


def _sentence_break(norm: Normalized, left: int, right: int) -> bool:
    """True if a sentence ends between token `left` and token `right` (an ellipsis is a
    pause, not an end: "my chest... it hurts")."""
    between = norm.original[norm.span(left)[1] : norm.span(right)[0]]
    return not TERMINATOR_CHARS.isdisjoint(_ELLIPSIS.sub(" ", between))


def find_chains(norm: Normalized, found: dict[Rule, list[tuple[int, int, int]]],
                growing: bool = False,
                pending: int | None = None, cues: Cues = ENGLISH) -> tuple[list[Chain], int | None]:
    """Complete chains, and (if the text may still grow) the first token of the earliest
    incomplete chain that later text could still complete, so a stream can hold it.

    `found` maps each rule to its part hits as (part index, first token, last token);
    `pending` is the first token of the text's tail that could still become a phrase
    spelling (the stream's own hold), if any.
    """
    chains: list[Chain] = []
    hold: int | None = None
    count = len(norm.tokens)
    for rule, hits in found.items():
        present = {part for part, _, _ in hits}
        if 0 not in present or (not growing and len(present) < rule.parts):
            continue  # cannot complete, and nothing to hold
        by_part: list[list[tuple[int, int]]] = [[] for _ in range(rule.parts)]
        for part, first, last in hits:
            by_part[part].append((first, last))
        for part_hits in by_part:
            part_hits.sort()
        firsts = [[h[0] for h in part_hits] for part_hits in by_part]
        usable: dict[int, list[int]] = {}  # per "..." part: index of the next hit not negated
        for start, end in by_part[0]:
            last, negated = end, False
            for index in range(1, rule.parts):
                gap = rule.gaps[index - 1]
                hits_here = by_part[index]
                after = bisect_right(firsts[index], last)  # hits are sorted: no full scan
                if gap == ANYWHERE:
                    if index not in usable:
                        usable[index] = _next_usable(norm, hits_here, cues)
                    nxt, far_negated = _far_part(hits_here, usable[index], after)
                else:
                    nxt = None
                    for k in range(after, len(hits_here)):  # no slice: that copies the rest
                        h = hits_here[k]
                        if h[0] > last + gap + 1:
                            break
                        if (GAP_STOPS.isdisjoint(norm.tokens[last + 1 : h[0]])
                                and not _sentence_break(norm, last, h[0])):
                            nxt = h
                            break
                    far_negated = False
                if nxt is None:
                    # Hold while the next part can still start in reach, or has started
                    # there and is still arriving: the tail from `pending` is a prefix of
                    # some phrase ("should i go to" ... "a and").
                    rest = norm.original[norm.span(last)[1] :]
                    reach = min(gap, HOLD_REACH)
                    if (growing and TERMINATOR_CHARS.isdisjoint(rest)
                            and (count - 1 - last <= reach
                                 or _arriving(norm, rule, index, last, reach, pending))):
                        hold = start if hold is None else min(hold, start)
                    break
                negated = negated or far_negated or (
                    gap != ANYWHERE and _gap_negated(norm.tokens, last + 1, nxt[0]))
                last = nxt[1]
            else:
                chains.append(Chain(rule, start, last, negated))
    return chains, hold


def _gap_negated(toks: list[str], start: int, end: int) -> bool:
    """A negation word among toks[start:end] that does not negate a stop ("doesn't stop")."""
    return any(toks[k] in GAP_NEGATIONS and not (k + 1 < len(toks) and toks[k + 1] in GAP_CONTINUES)
               for k in range(start, end))


def _next_usable(norm: Normalized, hits: list[tuple[int, int]], cues: Cues) -> list[int]:
    """For each hit, the index of the first hit from there on that is not negated
    (len(hits) if none): each hit's negation is computed once, not once per earlier part."""
    usable = [len(hits)] * (len(hits) + 1)
    for i in range(len(hits) - 1, -1, -1):
        usable[i] = i if not is_negated(norm, *hits[i], cues) else usable[i + 1]
    return usable


def _far_part(hits: list[tuple[int, int]], usable: list[int],
              after: int) -> tuple[tuple[int, int] | None, bool]:
    """The hit a "..." link goes to among hits[after:]: the first one that is not negated,
    else the first one (negated), else None."""
    if after >= len(hits):
        return None, False
    if usable[after] < len(hits):
        return hits[usable[after]], False
    return hits[after], True


def _arriving(norm: Normalized, rule: Rule, index: int, last: int, reach: int,
              pending: int | None) -> bool:
    """True if part `index` of `rule` may have started in reach after token `last` and
    still be arriving: the text from some start in reach to its end begins a spelling."""
    if pending is None or not rule.spellings:
        return False
    toks = norm.tokens
    for start in range(max(pending, last + 1), min(last + reach + 1, len(toks) - 1) + 1):
        tail = " ".join(toks[start:])
        if any(s.startswith(tail) for s in rule.spellings[index]):
            return True
    return False
