"""What to do with the messages that come after an emergency in the same conversation.

`SafetyGuard.check_conversation` defers every later turn once any turn was a red flag:
safe, but the assistant is then useless for the rest of the conversation, with no way out
and no explanation. `check_turn` decides the newest user message with the earlier turns in
view, by the config's ``safety.conversation.after_emergency``:

- ``strict``: every later message defers, with the earlier emergency's message.
- ``remind`` (default): a follow-up about the same emergency ("it's getting worse", "should
  I still go?", "is it normal that my arm is numb too?") keeps deferring; a later message
  that is clearly about something else ("what is a healthy resting heart rate?") is answered,
  with ``notice`` holding a reminder of the earlier emergency to keep visible, and action
  ``monitor`` (category ``after_emergency``) so it is logged.

"Clearly about something else" is deliberately narrow: at least three words, no word that
points back (it, this, still, worse, again, he, she, now, ...), and no content word shared
with the emergency turn. Anything else counts as a follow-up. `Decision.reason` says which
earlier turn and why.

Usage::

    from safety.conversation import check_turn
    decision = check_turn(guard, messages, after_emergency="remind")
    decision.action, decision.message, decision.notice, decision.reason

Stdlib only; the newest message is checked (and audited) with `guard.check_input`, earlier
turns are re-read with every check (`guard.assess_input`: language, Spanish policy, doses,
requests) but without auditing.
"""
from __future__ import annotations

import re

from .guard import Decision, SafetyGuard, _content_text

MODES = ("strict", "remind")
REMINDER = (
    "Earlier in this conversation you described something that may be an emergency. If it is "
    "still happening or getting worse, please call your local emergency number now (911 in the "
    "US, 112 in the EU, 999 in the UK) or the service named above."
)
_POINTS_BACK = frozenset(
    "it its it's this that these those still worse better again now he she him her his hers "
    "they them their same also too more getting got wait waiting ambulance 911 999 112 "
    "hospital er paramedics help hurry symptoms symptom pain yes no ok okay "
    # Spanish: the same kinds of words ("¿y ahora qué hago?", "sigue igual", "está peor")
    "esto eso ese esa sigue sigo todavía todavia aún aun peor mejor ahora ya otra vez él ella "
    "lo la le mismo misma también tambien más mas ambulancia urgencias hospital ayuda dolor "
    "síntomas sintomas sí si vale bueno espero esperar".split())
_STOP = frozenset(
    "i me my you your a an the is are was were be been am do does did can could should would will "
    "what how why when where which who whom of to in on at for with and or but if so as by from "
    "about into than then there here have has had not any some all very really just much many "
    "normal healthy good bad".split())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _words(text: str) -> list[str]:
    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(text)]


def is_follow_up(message: str, emergency_turn: str) -> bool:
    """True unless ``message`` is clearly about something other than ``emergency_turn``."""
    words = _words(message)
    if len(words) < 3 or _POINTS_BACK.intersection(words):
        return True
    content = {w for w in words if w not in _STOP and len(w) > 2}
    before = {w for w in _words(emergency_turn) if w not in _STOP and len(w) > 2}
    return bool(content & before) or any(w[:5] == b[:5] for w in content for b in before if len(w) > 4)


def _earlier_emergency(guard: SafetyGuard, users: list[tuple[int, str]]) -> tuple[int | None, str, Decision] | None:
    """(message index, text, decision) of the latest earlier user turn that deferred, or
    (None, "", decision) when only the newest message makes the turns an emergency together.

    Earlier turns get every check the newest one gets (a Spanish emergency, an overdose
    already taken), unaudited: each was recorded when it was the newest.
    """
    for index, text in reversed(users[:-1]):
        if (decision := guard.assess_input(text)).deferred:
            for m in decision.matches:
                m.message_index = index
            return index, text, decision
    # Findings spread over turns ("my baby is 5 weeks old" ... "she's 38.2 now") are an
    # emergency only together.
    phrases = [guard.scan(text, message_index=index) for index, text in users]
    whole = guard.together([m for found in phrases for m in found], users)
    if not whole.deferred:
        return None
    before = guard.together([m for found in phrases[:-1] for m in found], users[:-1])
    if not before.deferred:
        whole.reason = "this message, with what was said earlier, makes an emergency"
        return None, "", whole
    return users[0][0], "\n".join(text for _, text in users[:-1]), before


def check_turn(guard: SafetyGuard, messages: list[dict], *, after_emergency: str = "remind") -> Decision:
    """The decision for the newest user message in ``messages``, earlier emergencies considered."""
    if after_emergency not in MODES:
        raise ValueError(f"after_emergency must be one of {MODES}, got {after_emergency!r}")
    users = [(i, _content_text(m.get("content"))) for i, m in enumerate(messages) if m.get("role") == "user"]
    if not users:
        return Decision("allow")
    index, latest = users[-1]
    now = guard.check_input(latest)
    if now.deferred or not guard.enabled:
        return now
    found = _earlier_emergency(guard, users) if len(users) > 1 else None
    if found is None:
        return now
    if found[0] is None:  # the newest message completes an emergency spread over the turns
        found[2].language = now.language
        found[2].redacted, found[2].redactions = now.redacted, now.redactions
        return found[2]
    earlier_index, text, earlier = found
    where = f"message {earlier_index} ({earlier.category})"
    if after_emergency == "strict" or is_follow_up(latest, text):
        why = ("after_emergency is strict: every message after an emergency defers" if after_emergency == "strict"
               else "this message follows up on the emergency in " + where)
        decision = Decision("defer", earlier.category, earlier.message, earlier.matches + now.matches)
        decision.reason = why if not now.reason else f"{why}; {now.reason}"
        decision.language = now.language
        decision.redacted, decision.redactions = now.redacted, now.redactions
        return decision
    now.notice = REMINDER if not now.notice else f"{now.notice}\n\n{REMINDER}"
    if now.action == "allow":
        now.action, now.category = "monitor", "after_emergency"
    reason = f"answered: clearly about something other than the emergency in {where}; the reminder stays visible"
    now.reason = reason if not now.reason else f"{now.reason}; {reason}"
    return now
