"""Findings: what a message says about a person, as named facts with their spans.

The phrase policy asks "does any red-flag phrase occur?". Many emergencies are told with
no such phrase: "cast on yesterday, fingers going numb, pain getting worse" is three
ordinary findings (a cast, numbness, worsening pain) whose combination is the red flag.
This module turns text into those findings; safety/triage.py combines them.

A finding vocabulary (safety/triage_policy.py) is compiled like a phrase policy, one
category per finding, so findings get the same normalization, word forms, negation
("no swelling") and context ("what are the signs of ...") as red-flag phrases.
"""
from __future__ import annotations

from dataclasses import dataclass

from .policy import Category, Policy

KINDS = ("symptom", "severity", "onset", "course", "who", "risk", "reassure")
# Kinds that describe the person or their history rather than a symptom now: a question
# ("what are the signs of a clot after surgery") still means that person had surgery.
_CONTEXT_FREE_KINDS = ("who", "risk")


@dataclass(frozen=True)
class Finding:
    name: str  # a name of the vocabulary, e.g. "saddle_numbness"
    kind: str  # one of KINDS
    span: tuple[int, int]  # [start, end) in the original text
    text: str
    negated: bool = False
    context: str | None = None  # "informational"/"historical"/"figurative" from the matcher
    message_index: int | None = None

    @property
    def present(self) -> bool:
        """Counts for triage: not negated, and (for symptoms) about a real person now."""
        if self.negated:
            return False
        return self.context is None or self.kind in _CONTEXT_FREE_KINDS

    def to_dict(self) -> dict:
        data = {"name": self.name, "kind": self.kind, "span": list(self.span), "text": self.text}
        if self.negated:
            data["negated"] = True
        if self.context:
            data["context"] = self.context
        if self.message_index is not None:
            data["message_index"] = self.message_index
        return data


def vocabulary_policy(vocabulary: dict[str, dict]) -> Policy:
    """The finding vocabulary as a Policy (one monitor category per finding) for the Matcher."""
    return Policy({name: Category(name, "monitor", 0, tuple(spec["phrases"]))
                   for name, spec in vocabulary.items()})


class FindingExtractor:
    """Compiled vocabulary; `extract(text)` lists the findings. Build once, share."""

    def __init__(self, vocabulary: dict[str, dict], *, scanner: type, negation: bool = True,
                 native: bool | None = None):
        """``scanner`` is the SafetyGuard class (passed in: the guard builds triage, which
        builds this), so findings get the same normalization, negation and context."""
        self.kinds = {name: spec["kind"] for name, spec in vocabulary.items()}
        self._guard = scanner(vocabulary_policy(vocabulary), negation=negation,
                                  native=native, dose_check=False, language_detection=False,
                                  triage=False)

    def extract(self, text: str, message_index: int | None = None) -> list[Finding]:
        return [Finding(m.category, self.kinds[m.category], m.span, m.text, m.negated,
                        m.context, message_index)
                for m in self._guard.scan(text, message_index=message_index)]
