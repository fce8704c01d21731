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
