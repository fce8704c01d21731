"""StreamGuard: check a model answer while it streams, before any red flag is shown.

Text is released as soon as no phrase could still be completed using it. The hold-back
is measured in the normalized text, not in characters: it is exactly the tail that is
still a prefix of some phrase spelling (from the start of the token where that prefix
begins), so "chest", "ch\\u200best" or "chest   " are held while " pain" may follow,
however many invisible or extra characters they contain. The first part of a multi-part
phrase ("chest * hurting") is also held while its next part can still arrive in the same
sentence. Nothing else is held.
"""
from __future__ import annotations

import time

from .guard import Decision, SafetyGuard


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
        return self._advance(final=False)

    def finish(self) -> str:
        """End of stream: release the held tail, or the deferral message."""
        if self._finished:
            return ""
        self._finished = True
        if self._deferred:
            return ""
        out = self._advance(final=True)
        if not self._deferred:
            self._record()
        return out

    def _advance(self, final: bool) -> str:
        matches, safe = self.guard.inspect(self._text, final=final, holdback=not final)
        self.decision, hold = self.guard.review_stream(self._text, matches, final=final)
        safe = min(safe, hold)  # with stream_review: a red flag waits for its sentence, a dose too
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
