"""Lint for triage rules (``medtune validate`` and ``SafetyGuard.from_config`` report these):
unknown finding names, unknown keys, impossible thresholds. Plain data checks: importing it
compiles nothing, so the policy module can use it without importing the triage engine."""
from __future__ import annotations

RULE_KEYS = ("id", "all", "any", "n", "unless", "weights", "threshold", "note", "lower")


def rule_names(rule: dict) -> list[str]:
    """Every finding name a rule mentions (alternatives split), for the lint."""
    entries = list(rule.get("all") or []) + list(rule.get("any") or []) + list(
        rule.get("unless") or []) + list((rule.get("weights") or {}).keys())
    return [name for entry in entries if isinstance(entry, str) for name in entry.split("|")]


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
