"""StreamGuard: check a model answer while it streams, before any red flag is shown.

Text is released as soon as no phrase could still be completed using it. The hold-back
is measured in the normalized text, not in characters: it is exactly the tail that is
still a prefix of some phrase spelling (from the start of the token where that prefix
begins), so "chest", "ch\\u200best" or "chest   " are held while " pain" may follow,
however many invisible or extra characters they contain. The first part of a multi-part
phrase ("chest * hurting") is also held while its next part can still arrive in the same
sentence. Nothing else is held.

The work per chunk does not grow with the answer: each feed inspects only a window, the
held tail plus WINDOW_LOOKBACK characters before it (enough for a negation, a chain's
earlier part or a question cue in front of a phrase), and the whole answer is inspected
only when the window shows something that the whole text could decide differently: an
effective or context-weakened red flag, the later part of a "..." link whose first part
came earlier, or a word that ends an earlier red flag's informational/historical context
("my", "now"). A deferral is always decided on the whole text, so the window can only
cost time, never let a red flag through. finish() inspects the whole answer once.

With the guard's ``stream_review`` (the output review, safety/screen.py), held text is
reviewed when its sentence ends, and a review reads the sentences since the last reviewed
one with what the reviewed start said (screen.Reviewed), so a dense answer costs linear
time too; "..." links and context that may change still get a whole pass.
"""
from __future__ import annotations

import time

from .context import HISTORICAL, INFORMATIONAL, PERSONAL_WORDS, PRESENT_WORDS
from .guard import Decision, SafetyGuard
from .normalize import tokens
from .screen import _SENTENCE_END, MAY_BE_DOSE, Reviewed
from .variants import ANYWHERE

WINDOW_LOOKBACK = 200  # characters inspected before the held tail and the new chunk
_CONTEXT_ENDERS = PERSONAL_WORDS | PRESENT_WORDS


class StreamGuard:
    """feed() chunks, emit what it returns, then emit finish()."""

    def __init__(self, guard: SafetyGuard | None = None, kind: str = "stream"):
        self.guard = guard or SafetyGuard()
        self.kind = kind
        self.decision = Decision("allow")
        self._text = ""
        self._emitted = 0  # original characters already released
        self._deferred = False
        self._finished = False
        self._start_ns = time.perf_counter_ns()
        self._linked: dict = {}  # rules with a "..." link -> the parts seen so far
        self._weakened = False  # a red flag was downgraded by whole-message context
        self._anywhere = frozenset(r for r in self.guard.matcher.rules if ANYWHERE in r.gaps)
        self.full_inspections = 0  # how often the answer was inspected past the window (benchmark)
        self.whole_passes = 0  # ... of which over the whole answer
        self._judged = 0  # length of the text at the last whole inspection
        # stream_review: the reviewed, shown start of the answer, summed up, so that a review
        # reads only the sentences after it (a whole pass only for "..." links and context)
        self._reviewed = Reviewed()
        self._whole_due = False
        self._held_at: int | None = None  # stream_review: text from here waits for its sentence to end

    @property
    def text(self) -> str:
        """Everything fed so far."""
        return self._text

    @property
    def deferred(self) -> bool:
        return self._deferred

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the text that is safe to show now ('' once deferred)."""
        if self._deferred or self._finished or not chunk:
            return ""
        self._text += chunk
        self._chunk_len = len(chunk)
        return self._advance(final=False)

    def finish(self) -> str:
        """End of stream: release the held tail, or the deferral message."""
        if self._finished:
            return ""
        self._finished = True
        if self._deferred:
            return ""
        self._chunk_len = 0
        out = self._advance(final=True)
        if not self._deferred:
            self._record()
        return out

    def _advance(self, final: bool) -> str:
        if final:
            return self._release(*self._inspect_all(final))
        start = max(0, min(self._emitted, len(self._text) - self._chunk_len) - WINDOW_LOOKBACK)
        window = self._text[start:]
        matches, safe = self.guard.inspect(window, final=False, holdback=True)
        fresh = [m for m in matches if m.span[1] > min(WINDOW_LOOKBACK, len(window))
                 or start == 0]
        if self._held_at is not None:
            # Held for review (a red flag or a dose waiting for its sentence to end): what the
            # last whole inspection judged is not re-inspected whole on every chunk; nothing
            # from the hold on is shown before the review at the sentence end judges it again.
            fresh = [m for m in fresh if start + m.span[1] >= self._judged]
        if self._needs_all(window, fresh) or self._review_due(window):
            decision, safe = self._inspect_all(False)
            if self.guard.stream_review:
                self._held_at = safe if safe < len(self._text) else None
            return self._release(decision, safe)
        self.decision = self.guard.decide(fresh)
        safe = start + safe
        if self._held_at is not None:  # a held red flag or dose: nothing past it until reviewed
            safe = min(safe, self._held_at)
        return self._release(self.decision, safe)

    def _review_due(self, window: str) -> bool:
        """With stream_review, the whole answer is reviewed only when it can change the verdict:
        a held sentence has just ended, or the window may hold a dose. Otherwise the window
        suffices, so a long answer costs linear time."""
        if not self.guard.stream_review:
            return False
        chunk = self._text[-self._chunk_len:]
        if self._held_at is not None:
            return any(c in chunk for c in ".!?\n")
        return MAY_BE_DOSE.search(self._text[-(self._chunk_len + 12):]) is not None

    def _needs_all(self, window: str, fresh: list) -> bool:
        """True if the whole answer might decide differently from the window."""
        guard = self.guard
        for m in fresh:
            if guard.policy.categories.get(m.category) is None or m.negated:
                continue
            if guard.policy.categories[m.category].action == "defer":
                return True  # effective, or weakened by context that may not hold overall
        new_words = tokens(self._text[-self._chunk_len - 1 :])
        if self._weakened and not _CONTEXT_ENDERS.isdisjoint(new_words):
            self._whole_due = True  # an earlier, shown red flag may no longer be weakened
            return True
        if self._anywhere:
            found = False
            norm_tail = " " + " ".join(tokens(window)) + " "
            old = len(" ".join(tokens(window[: len(window) - self._chunk_len])))
            for end, (_, _, (_, by_rule, _)) in guard.matcher.raw_hits(norm_tail):
                for rule, indexes in by_rule.items():
                    if rule in self._anywhere:
                        seen = self._linked.setdefault(rule, set())
                        seen.update(indexes)
                        if end > old and len(seen) == rule.parts:  # every part has come
                            found = True
            self._whole_due = self._whole_due or found  # its first part may be long shown
            return found
        return False

    def _inspect_all(self, final: bool) -> tuple[Decision, int]:
        self.full_inspections += 1
        self._judged = len(self._text)
        if final or not self.guard.stream_review or self._whole_due:
            self._whole_due = False
            self.whole_passes += 1
            matches, safe = self.guard.inspect(self._text, final=final, holdback=not final)
            decision, hold = self.guard.review_stream(self._text, matches, final=final)
        else:
            matches, decision, safe, hold = self._review_new()
        self._weakened = any(m.context in ("informational", "historical") and not m.negated
                             for m in matches)
        return decision, min(safe, hold)  # with stream_review: a red flag waits for its sentence

    def _review_new(self) -> tuple[list, Decision, int, int]:
        """The output review of the text after the reviewed start of the answer, read with
        WINDOW_LOOKBACK characters before it (negation, cues) and what the start said
        (`screen.Reviewed`): its cost is the new text, not the answer. What it may lose
        from far back only makes it stricter: a context it cannot see does not weaken."""
        reviewed, text = self._reviewed, self._text
        end = reviewed.end
        base = max(0, end - WINDOW_LOOKBACK)
        found, safe = self.guard.inspect(text[base:], final=False, holdback=True)
        matches = []
        for m in found:
            if m.span[0] < end - base:
                continue  # judged with the reviewed start
            if (m.context == INFORMATIONAL and (reviewed.personal or reviewed.present)
                    or m.context == HISTORICAL and reviewed.present):
                m.context = None  # the start pointed at a person or the present
            m.span = (m.span[0] + base - end, m.span[1] + base - end)
            matches.append(m)
        decision, hold = self.guard.review_stream(text[end:], matches, final=False, reviewed=reviewed)
        shifted = set()
        for m in decision.matches:  # spans into the whole answer again
            if id(m) not in shifted:
                shifted.add(id(m))
                m.span = (m.span[0] + end, m.span[1] + end)
        safe, hold = base + safe, end + hold
        if not decision.deferred:
            stop = min(safe, hold)
            last = None
            for m in _SENTENCE_END.finditer(text, end, stop):
                last = m.end()
            if last is not None:
                reviewed.settle(text[end:last])
        return matches, decision, safe, hold

    def _release(self, decision: Decision, safe: int) -> str:
        self.decision = decision
        if self.decision.deferred:
            self._deferred = True
            self._record()
            return self.decision.message or ""
        out = self._text[self._emitted : safe]
        self._emitted = max(self._emitted, safe)
        return out

    def _record(self) -> None:
        if self.guard.audit:
            self.guard._record(self.decision, self._text, self.kind, self._start_ns)
