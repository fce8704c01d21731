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

RULE_KEYS = ("id", "all", "any", "n", "unless", "weights", "threshold", "note", "lower")
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


def rule_names(rule: dict) -> list[str]:
    """Every finding name a rule mentions (alternatives split), for the lint."""
    entries = list(rule.get("all") or []) + list(rule.get("any") or []) + list(
        rule.get("unless") or []) + list((rule.get("weights") or {}).keys())
    return [name for entry in entries if isinstance(entry, str) for name in entry.split("|")]


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

    def __init__(self, vocabulary: dict[str, dict], rules: dict[str, list[dict]], *,
                 negation: bool = True, native: bool | None = None):
        self.extractor = FindingExtractor(vocabulary, negation=negation, native=native)
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


def lint_rules(rules: object, vocabulary: dict[str, dict], categories: set[str],
               at: str) -> list[tuple[str, str, str]]:
    """(level, path, message) for each problem: unknown names, impossible thresholds."""
    issues: list[tuple[str, str, str]] = []
    if not isinstance(rules, dict):
        return [("error", at, "must be a mapping of category to a list of rules")]
    seen: set[str] = set()
    for category, items in rules.items():
        where = f"{at}.{category}"
        if category not in categories:
            issues.append(("error", where, f"unknown category {category!r}"))
        if not isinstance(items, list):
            issues.append(("error", where, "must be a list of rules"))
            continue
        for i, rule in enumerate(items):
            issues += _lint_rule(rule, vocabulary, f"{where}[{i}]", seen)
    return issues


def _lint_rule(rule: object, vocabulary: dict[str, dict], at: str,
               seen: set[str]) -> list[tuple[str, str, str]]:
    if not isinstance(rule, dict):
        return [("error", at, "a rule must be a mapping")]
    issues = [("error", f"{at}.{key}", f"unknown rule key {key!r}; use {RULE_KEYS}")
              for key in rule if key not in RULE_KEYS]
    rule_id = rule.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        issues.append(("error", f"{at}.id", "a rule needs an id"))
    elif rule_id in seen:
        issues.append(("error", f"{at}.id", f"duplicate rule id {rule_id!r}"))
    else:
        seen.add(rule_id)
    if "lower" in rule and not isinstance(rule["lower"], bool):
        issues.append(("error", f"{at}.lower", "lower must be true or false"))
    for key in ("all", "any", "unless"):
        value = rule.get(key)
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            issues.append(("error", f"{at}.{key}", "must be a list of finding names"))
    weights = rule.get("weights")
    if weights is not None and not (isinstance(weights, dict) and all(
            isinstance(w, (int, float)) and not isinstance(w, bool) for w in weights.values())):
        issues.append(("error", f"{at}.weights", "must map finding names to numbers"))
        weights = None
    for name in rule_names(rule):
        if name not in vocabulary:
            issues.append(("error", at, f"unknown finding {name!r}"))
    if not (rule.get("all") or rule.get("any") or weights):
        issues.append(("error", at, "a rule needs 'all', 'any' or 'weights' (it would always fire)"))
    n = rule.get("n", 1)
    if "n" in rule and not rule.get("any"):
        issues.append(("error", f"{at}.n", "'n' needs an 'any' list"))
    elif isinstance(n, bool) or not isinstance(n, int) or n < 1:
        issues.append(("error", f"{at}.n", "n must be a whole number >= 1"))
    elif rule.get("any") and n > len(rule["any"]):
        issues.append(("error", f"{at}.n", f"any {n} of {len(rule['any'])} can never hold"))
    if "threshold" in rule and not weights:
        issues.append(("error", f"{at}.threshold", "'threshold' needs 'weights'"))
    elif weights:
        threshold = rule.get("threshold", 1)
        reach = sum(w for w in weights.values() if w > 0)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            issues.append(("error", f"{at}.threshold", "threshold must be a number"))
        elif threshold <= 0:
            issues.append(("error", f"{at}.threshold", "threshold must be above 0 (it would always hold)"))
        elif threshold > reach:
            issues.append(("error", f"{at}.threshold",
                           f"threshold {threshold} is above the most the weights can add ({reach})"))
    unless = set(rule.get("unless") or []) if isinstance(rule.get("unless"), list) else set()
    needed = set(rule.get("all") or []) if isinstance(rule.get("all"), list) else set()
    for name in unless & needed:
        issues.append(("error", f"{at}.unless", f"{name!r} is both required and excluded"))
    return issues
