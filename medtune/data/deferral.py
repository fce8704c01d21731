"""Deferral consistency: a conversation whose user turn the safety guard would defer should have
an answer that defers too, or training teaches the model to answer what it must not.

The guard decides on each user turn; the assistant turn after it "defers" when the guard would
defer the answer itself or when it uses deferral language (call the emergency number, see a
doctor, ...). ``safety.training_policy`` then says what to do with the rest: ``flag`` (count
and list them), ``drop`` them, or ``rewrite`` the answer to the category's deferral message.

The guard comes from the ``safety`` package; without it (or with ``safety.enabled: false``)
the check is skipped and the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from medtune.config import Config

CHUNK = 1024  # conversations per task when data.num_proc > 1
_FORKED: tuple | None = None  # (check, conversations), inherited by forked workers, never pickled


@dataclass
class Inconsistency:
    turn: int  # index of the assistant turn that fails to defer
    category: str | None
    message: str | None  # the category's deferral message


class DeferralCheck:
    def __init__(self, guard):
        self.guard = guard

    @classmethod
    def from_config(cls, cfg: Config) -> tuple[DeferralCheck | None, str]:
        """The check, or None and why it is skipped."""
        if not cfg.safety.enabled:
            return None, "skipped: safety.enabled is false"
        from medtune.guard import build_guard

        # Training text is not traffic: it must never land in the audit log.
        return cls(build_guard(cfg, audit=False)), "checked with the safety package's guard"

    def answer_defers(self, answer: str) -> bool:
        from safety.answer import answer_defers

        return answer_defers(answer) or self.guard.check_output(answer).action == "defer"

    def find(self, messages: list[dict]) -> list[Inconsistency]:
        out = []
        for i in range(len(messages) - 1):
            if messages[i]["role"] != "user" or messages[i + 1]["role"] != "assistant":
                continue
            decision = self.guard.check_input(messages[i]["content"])
            if decision.action == "defer" and not self.answer_defers(messages[i + 1]["content"]):
                out.append(Inconsistency(i + 1, decision.category, decision.message))
        return out


def find_all(check: DeferralCheck, conversations: list[list[dict]], num_proc: int = 1, progress=None) -> list[list[Inconsistency]]:
    """``check.find`` of every conversation, in order. It is the slowest stage (the guard reads
    every user turn), so with ``data.num_proc`` > 1 forked workers share it: they inherit the
    guard and the conversations, and only the (mostly empty) findings travel back."""
    progress = progress or (lambda items, desc, total=None, unit="rows": items)
    if num_proc <= 1 or len(conversations) < 2 * CHUNK:
        return [check.find(m) for m in progress(conversations, "deferral check")]
    import multiprocessing as mp

    global _FORKED
    _FORKED = (check, conversations)
    chunks = [(s, min(s + CHUNK, len(conversations))) for s in range(0, len(conversations), CHUNK)]
    try:
        with mp.get_context("fork").Pool(num_proc) as pool:
            parts = list(progress(pool.imap(_find_chunk, chunks), "deferral check", total=len(chunks), unit="chunks"))
    finally:
        _FORKED = None
    return [found for part in parts for found in part]


def _find_chunk(bounds: tuple[int, int]) -> list[list[Inconsistency]]:
    check, conversations = _FORKED
    return [check.find(conversations[i]) for i in range(*bounds)]
