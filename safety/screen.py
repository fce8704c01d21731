"""The checks that run after the phrase policy, and how their findings join its decision.

- input: the message's language (Spanish policy; `unscreened_language` for others), doses
  the person took or asks about (safety/dose.py), manipulation attempts and prescription
  requests (safety/manipulation.py), and, with `redact_input`, identifiers (safety/redact.py).
- output: what the answer does (safety/answer.py). A red flag named in an answer that sends
  the person to emergency or professional care, and gives no diagnosis, dissuasion or home
  care, is compliant: its matches are marked `referral` and the answer is kept. Doses above
  the adult limit, a child's dose or a change to a prescription dose replace the answer.

Findings become `Match`es of the categories in EXTRA_CATEGORIES, so the audit log records
their rule ids and spans like any phrase. The rule stays the guard's: any defer wins, and
among the winning action the highest priority picks category and message.
"""
from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass, field, replace

from .answer import CARE_KINDS, answer_markers
from .context import PERSONAL_WORDS, PRESENT_WORDS
from .dose import DoseContext, check_doses, took_amount
from .manipulation import PRESCRIPTION_MESSAGE, find_requests

DOSE_LIMIT_MESSAGE = (
    "That is more than the maximum safe adult dose, so I won't give or confirm it. Please check "
    "the dose with a pharmacist or doctor, and follow the label. If someone has already taken "
    "too much, call Poison Control (1-800-222-1222 in the US) or your local emergency number now."
)
CHILD_DOSE_MESSAGE = (
    "I don't give medicine doses for children: the right dose depends on the child's weight, age "
    "and the exact product. Please ask a pharmacist or your child's doctor, or follow the dosing "
    "table on the children's product. If a child has taken too much of any medicine, call "
    "Poison Control (1-800-222-1222 in the US) or your local emergency number now."
)
PRESCRIBER_MESSAGE = (
    "Only the person who prescribed this medicine should change its dose. Please contact your "
    "prescriber, diabetes team or pharmacist before changing, doubling, skipping or stopping it. "
    "If you feel very unwell (for example very high or low blood sugar), call your local "
    "emergency number now."
)


@dataclass(frozen=True)
class ExtraCategory:
    action: str
    priority: int
    message: str | None = None


EXTRA_CATEGORIES = {
    "dose_limit": ExtraCategory("defer", 75, DOSE_LIMIT_MESSAGE),
    "child_dose": ExtraCategory("defer", 70, CHILD_DOSE_MESSAGE),
    "prescription_change": ExtraCategory("defer", 65, PRESCRIBER_MESSAGE),
    "prescription_request": ExtraCategory("defer", 60, PRESCRIPTION_MESSAGE),
    "manipulation": ExtraCategory("monitor", 30),
    "unscreened_language": ExtraCategory("monitor", 5),
    "after_emergency": ExtraCategory("monitor", 15),  # safety/conversation.py, remind mode
}
_DOSE_CATEGORY = {"over_single": "dose_limit", "over_daily": "dose_limit", "child_dose": "child_dose",
                  "prescription_change": "prescription_change"}


@dataclass
class Reviewed:
    """What the reviewed start of a streamed answer (``answer[:end]``: whole sentences, shown)
    says that a review of the text after it needs, so each review reads only what is new:
    whether it referred to care or gave care itself, its dose context, its language, and
    whether it pointed at a person or the present (which no window may forget: a "my dad"
    far back makes a later "signs of a stroke" personal)."""

    end: int = 0
    refers: bool = False
    care: bool = False
    said: tuple[str, ...] = ()  # referral markers' texts, for the reason
    dose: DoseContext = field(default_factory=DoseContext)
    language: object = None  # safety.language.Language of the answer's start
    personal: bool = False
    present: bool = False

    def settle(self, piece: str) -> None:
        """``piece`` (the whole sentences after ``end``) was reviewed, kept and shown."""
        from .normalize import tokens

        markers = answer_markers(piece)
        new = [m.text for m in markers if m.kind in ("deferral", "emergency")]
        self.refers = self.refers or bool(new)
        self.care = self.care or any(m.kind in CARE_KINDS for m in markers)
        self.said = (self.said + tuple(new))[:3]
        check_doses(piece, role="answer", context=self.dose)
        words = tokens(piece)
        self.personal = self.personal or not PERSONAL_WORDS.isdisjoint(words)
        self.present = self.present or not PRESENT_WORDS.isdisjoint(words)
        self.end += len(piece)


def dose_matches(text: str, role: str, match_cls, policy, context: DoseContext | None = None) -> list:
    """Dose findings as matches. A message saying the amount was already taken is a possible
    overdose (the policy's `poisoning_overdose`), not a dosing question."""
    found = []
    overdose = role == "message" and took_amount(text) and "poisoning_overdose" in policy.categories
    for f in check_doses(text, role=role, context=copy(context) if context else None):
        category = _DOSE_CATEGORY[f.kind]
        if overdose and f.kind in ("over_single", "over_daily", "prescription_change"):  # "I doubled my insulin"
            category = "poisoning_overdose"
        found.append(match_cls(f.describe(), category, f"dose:{f.kind}:{f.medicine or 'unnamed'}",
                               f.span, text[f.span[0]:f.span[1]]))
    return found


def request_matches(text: str, match_cls) -> list:
    return [match_cls(f.rule.replace("_", " "), f.category, f"{f.category}:{f.rule}", f.span, f.text)
            for f in find_requests(text)]


def answer_refers(text: str) -> tuple[bool, list]:
    """(the answer sends the person to care and gives none itself, its markers)."""
    markers = answer_markers(text)
    refers = any(m.kind in ("deferral", "emergency") for m in markers)
    return refers and not any(m.kind in CARE_KINDS for m in markers), markers


def screen(guard, text: str, kind: str, decision, reviewed: Reviewed | None = None):
    """``decision`` (the phrase policy's) joined with the checks above; returns the final one.
    ``reviewed``: ``text`` is the rest of a streamed answer after what ``reviewed`` sums up."""
    Match = guard.match_type  # the guard's own Match class (guard imports this module, not back)

    extra: list = []
    notes: list[str] = []
    notice = None
    language = None
    if guard.language_detection:
        from . import language as lang

        language = reviewed.language if reviewed is not None and reviewed.language else lang.detect(text)
        if reviewed is not None:
            reviewed.language = language
        if language.code == "es":
            extra += guard.spanish().scan_spanish(text)
        elif not language.screened:
            notice = lang.notice(language.code)
            extra.append(Match("unscreened language", "unscreened_language", f"language:{language.code}",
                               (0, len(text)), text[:40]))
    if kind == "output":
        refers, markers = answer_refers(text)
        if reviewed is not None:  # what the answer said before ``text`` counts as well
            refers = (reviewed.refers or any(m.kind in ("deferral", "emergency") for m in markers)) and not (
                reviewed.care or any(m.kind in CARE_KINDS for m in markers))
        flagged = decision.deferred or any(guard._effective_action(m) == "defer" for m in extra if not m.negated)
        if refers and flagged:
            for m in decision.matches + extra:  # English and Spanish red flags alike
                if not m.negated and m.context is None:
                    m.context = "referral"
            said = ", ".join(repr(t) for t in [m.text for m in markers if m.kind in ("deferral", "emergency")]
                             or (reviewed.said if reviewed else ()))
            notes.append(f"the answer names a red flag but sends the person to care ({said}): kept")
        elif flagged:
            care = [m for m in markers if m.kind in CARE_KINDS]
            if care:
                notes.append("the answer gives the care itself (" + ", ".join(f"{m.kind} {m.text!r}" for m in care)
                             + "): replaced")
            else:
                notes.append("the answer names a red flag and sends the person nowhere: replaced")
        if guard.dose_check:
            extra += dose_matches(text, "answer", Match, guard.policy, reviewed.dose if reviewed else None)
    elif kind == "input":
        if guard.dose_check:
            extra += dose_matches(text, "message", Match, guard.policy)
        extra += request_matches(text, Match)
    final = guard.decide(decision.matches + extra) if extra or notes else decision
    if decision.triage is not None and decision.deferred and not final.deferred:
        # a triage deferral rests on findings, not matches: an extra match (a language
        # notice, a dose question) must not re-decide it away
        final = replace(final, action="defer", category=decision.category, message=decision.message,
                        triage=decision.triage)
    doses = [m for m in extra if m.rule_id.startswith("dose:") and m.category in EXTRA_CATEGORIES]
    if doses and final.category == "poisoning_overdose" and (kind == "output" or not took_amount(text)):
        # "double my insulin" also reads as an overdose phrase; a question or an answer about a
        # dose not yet taken needs the dose's message (the prescriber, the pharmacist)
        top = max(doses, key=lambda m: EXTRA_CATEGORIES[m.category].priority)
        final.category, final.message = top.category, EXTRA_CATEGORIES[top.category].message
    if language is not None and language.code == "es" and final.deferred and any(
            m.category == final.category and m.rule_id.startswith("es:") and not m.negated for m in extra):
        final.message = guard.spanish()._category(final.category).message  # answer in Spanish
    final.notice = notice
    final.language = None if language is None else language.code
    for m in extra:
        if m.category == "manipulation":
            notes.append(f"an attempt to change the assistant's instructions or role ({m.text!r}) is recorded; "
                         "the guard does not read instructions from text")
        elif m.category == "unscreened_language":
            notes.append(f"the message looks like {language.code!r}, which has no policy: only English phrases "
                         "were checked, and the notice lists emergency numbers")
        elif m.rule_id.startswith("dose:"):
            notes.append(m.phrase)
    if notes:
        final.reason = "; ".join(dict.fromkeys(notes))
    if kind == "input" and guard.redact_input:
        from .redact import redact

        result = redact(text)
        if result.changed:
            final.redacted = result.text
            final.redactions = [item.to_dict() for item in result.items]
    return final


_SENTENCE_END = re.compile(r"[.!?\n](?:\s|$)")
MAY_BE_DOSE = re.compile(r"\d|\b(?:double|triple|increase|raise|halve|cut|stop|skip|tablets?|pills?|capsules?|"
                          r"doses?|mg|ml|teaspoons?)\b", re.IGNORECASE)


def review_stream(guard, text: str, matches: list, final: bool, reviewed: Reviewed | None = None):
    """(decision, hold): the output check for an answer that is still arriving.

    Only with the guard's ``stream_review`` (on by default); without it the stream defers on
    any red flag, as before, and the answer review applies to check_output only.

    A red flag in a growing answer is held, not deferred, until its sentence ends: "If you ever
    have crushing chest pain, call 911" is only known to be compliant then. A finished sentence
    that names a red flag without sending the person to care (in it or before it) defers at
    once, as before; one that does is shown, and the whole answer is reviewed again at the end.
    Doses are read per complete sentence, and a sentence still arriving that may hold one is
    held. With ``reviewed``, ``text`` and ``matches`` are what follows the reviewed start of
    the answer, which ``reviewed`` sums up (safety/stream.py): each review costs the new text.
    """
    decision = guard.decide(matches)
    if not guard.enabled or not text or not guard.stream_review:
        return decision, len(text)
    if final:
        return screen(guard, text, "output", decision, reviewed), len(text)
    hold = len(text)
    if decision.deferred:
        flags = [m for m in matches if not m.negated and guard._effective_action(m) == "defer"]
        ends = [_sentence_end(text, m.span[1]) for m in flags]
        if None in ends:  # a red flag's sentence is still arriving: it may yet say "call 911"
            hold = min(m.span[0] for m in flags)
            decision = _held(guard, matches, "the answer names a red flag: held until its sentence ends")
        else:
            review = screen(guard, text[:max(ends)], "output", decision, reviewed)
            if review.deferred:
                return review, 0
            decision = review
    if guard.dose_check:
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        done = ends[-1] if ends else 0
        if MAY_BE_DOSE.search(text, done):
            hold = min(hold, done)
        if done:
            early = [m for m in matches if m.span[1] <= done]
            context = copy(reviewed.dose) if reviewed is not None else None
            if check_doses(text[:done], role="answer", context=context):
                return screen(guard, text[:done], "output", guard.decide(early), reviewed), done
    return decision, hold


def _sentence_end(text: str, start: int) -> int | None:
    m = _SENTENCE_END.search(text, start)
    return m.end() if m else None


def _held(guard, matches: list, reason: str):
    """A monitor decision that keeps the matches (a held stream is logged, not yet deferred)."""
    decision = guard.decide([])
    decision.action, decision.matches, decision.reason = "monitor", list(matches), reason
    return decision
