"""Triage: combine findings with readable rules, for emergencies no single phrase names.

A rule is plain data (safety/triage_policy.py), kept per policy category:

    {"id": "cauda_equina",
     "all": ["back_pain"],                      # every entry present ("a|b": either)
     "any": ["saddle_numbness", "bladder_change", "bowel_change", "legs_weak"],
     "n": 1,                                    # at least n of "any" (default 1)
     "unless": ["resolved"],                    # none of these present
     "weights": {"fever": 2, "infant_young": 3}, "threshold": 4,   # weighted sum >= threshold
     "note": "back pain with saddle numbness or a new bladder problem"}

Every condition a rule states must hold. A finding counts when it is not negated and,
for symptoms, not informational/historical/figurative (safety/findings.py). Rules only
add deferrals to the phrase policy's decision. A rule marked `"lower": true` does the
opposite for one narrow case: a deferral resting on a single phrase of its own category
("felt faint") whose findings say it was benign and is over ("during my blood test, fine
since") becomes `monitor`. Self-harm and poisoning are never lowered.
"""
from __future__ import annotations

from dataclasses import dataclass

from .findings import Finding, FindingExtractor
from .triage_lint import RULE_KEYS, lint_rules, rule_names  # noqa: F401  (the rule language's lint)

# Never lowered by a rule: a crisis or an overdose is answered by a person, always.
NEVER_LOWER = ("self_harm", "poisoning_overdose")


@dataclass(frozen=True)
class Fired:
    """A rule that fired, with the findings that made it fire."""

    category: str
    rule: str
    note: str
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return {"category": self.category, "rule": self.rule, "note": self.note,
                "findings": [f.to_dict() for f in self.findings]}


def evaluate(rule: dict, present: dict[str, list[Finding]]) -> tuple[Finding, ...] | None:
    """The findings that fire `rule`, or None when it does not fire."""
    used: list[Finding] = []
    for entry in rule.get("all") or ():
        hit = _first(entry, present)
        if hit is None:
            return None
        used.append(hit)
    if rule.get("any"):
        hits = [h for h in (_first(entry, present) for entry in rule["any"]) if h is not None]
        if len(hits) < int(rule.get("n", 1)):
            return None
        used += hits
    for entry in rule.get("unless") or ():
        if _first(entry, present) is not None:
            return None
    if rule.get("weights"):
        total, hits = 0.0, []
        for name, weight in rule["weights"].items():
            hit = _first(name, present)
            if hit is not None:
                total += weight
                hits.append(hit)
        if total < rule.get("threshold", 1):
            return None
        used += hits
    unique = {(f.name, f.span, f.message_index): f for f in used}
    return tuple(sorted(unique.values(), key=lambda f: (f.message_index or 0, f.span)))


def _first(entry: str, present: dict[str, list[Finding]]) -> Finding | None:
    for name in entry.split("|"):
        found = present.get(name)
        if found:
            return found[0]
    return None


class Triage:
    """The finding vocabulary and the rules of every category, compiled once."""

    def __init__(self, vocabulary: dict[str, dict], rules: dict[str, list[dict]], *, scanner: type,
                 negation: bool = True, native: bool | None = None):
        self.extractor = FindingExtractor(vocabulary, scanner=scanner, negation=negation, native=native)
        self.rules = [(category, rule) for category, items in rules.items() for rule in items
                      if not rule.get("lower")]
        self.lowering = [(category, rule) for category, items in rules.items()
                         for rule in items if rule.get("lower") and category not in NEVER_LOWER]

    def findings(self, texts: list[tuple[str, int | None]]) -> list[Finding]:
        found: list[Finding] = []
        for text, index in texts:
            if text:
                found += self.extractor.extract(text, index)
        return found

    def assess(self, findings: list[Finding], *, lower: str | None = None) -> Fired | None:
        """The first rule (in policy order) that the findings fire; with `lower`, the first
        lowering rule of that category instead."""
        present: dict[str, list[Finding]] = {}
        for f in findings:
            if f.present:
                present.setdefault(f.name, []).append(f)
        if not present:
            return None
        rules = self.rules if lower is None else [
            (category, rule) for category, rule in self.lowering if category == lower]
        for category, rule in rules:
            used = evaluate(rule, present)
            if used is not None:
                return Fired(category, rule["id"], rule.get("note", ""), used)
        return None
