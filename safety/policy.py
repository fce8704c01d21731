"""Policy: which phrases lead to which action, built from the config's `safety` section.

The medtune config layer owns the config file; this module only knows the keys that
shape the policy, and ignores the rest. `lint_policy` is what `medtune validate` runs,
and `Policy.from_section` refuses a section that lint reports errors for, so a broken
safety config fails at start-up instead of silently matching nothing.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from .default_policy import DEFAULT_POLICY
from .variants import canonical, phrase_problems

ACTIONS = ("defer", "monitor")
MIN_PHRASE_CHARS = 3
MONITOR_KEYWORDS = "monitor_keywords"  # category for the flat `safety_keywords` list
DEFER_KEYWORDS = "defer_keywords"  # category for the flat `defer_keywords` list
_FLAT_LISTS = (
    ("safety_keywords", MONITOR_KEYWORDS, "monitor", 10),
    ("defer_keywords", DEFER_KEYWORDS, "defer", 50),
)
_NEW_CATEGORY_DEFAULTS = {"action": "defer", "priority": 50, "message": None}


class PolicyError(ValueError):
    """The safety section has lint errors; `issues` lists them."""

    def __init__(self, issues: list[LintIssue]):
        self.issues = issues
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in issues))


@dataclass(frozen=True)
class Category:
    name: str
    action: str
    priority: int
    phrases: tuple[str, ...]
    message: str | None = None
    triage: tuple[dict, ...] = ()  # combination rules over findings (safety/triage.py)


@dataclass(frozen=True)
class Policy:
    categories: dict[str, Category]
    default_message: str = DEFAULT_POLICY["default_message"]
    triage_findings: dict = field(default_factory=lambda: DEFAULT_POLICY["triage_findings"])

    @property
    def triage_rules(self) -> dict[str, list[dict]]:
        """Each category's triage rules, in priority order (the first that fires is reported)."""
        ordered = sorted(self.categories.values(), key=lambda c: -c.priority)
        return {c.name: list(c.triage) for c in ordered if c.triage}

    @classmethod
    def default(cls) -> Policy:
        return cls.from_section({})

    @classmethod
    def from_section(cls, section: dict | None) -> Policy:
        """Build from a `safety` section (or a whole config holding one)."""
        section = safety_section(section)
        errors = [i for i in lint_policy(section) if i.level == "error"]
        if errors:
            raise PolicyError(errors)
        merged = _merged_categories(section)
        categories = {
            name: Category(
                name=name,
                action=spec["action"],
                priority=int(spec["priority"]),
                phrases=tuple(spec["phrases"]),
                message=spec.get("message"),
                triage=tuple(spec.get("triage") or ()),
            )
            for name, spec in merged.items()
        }
        default_message = section.get("default_message") or DEFAULT_POLICY["default_message"]
        return cls(categories, default_message)

    def message_for(self, category: str) -> str:
        return self.categories[category].message or self.default_message

    def to_dict(self) -> dict:
        return {
            "default_message": self.default_message,
            "categories": {
                c.name: {
                    "action": c.action,
                    "priority": c.priority,
                    "message": c.message,
                    "phrases": list(c.phrases),
                    **({"triage": list(c.triage)} if c.triage else {}),
                }
                for c in self.categories.values()
            },
        }

    @cached_property
    def hash(self) -> str:
        """sha256 of the normalized policy: same phrases in any spelling, same hash."""
        data = self.to_dict()
        for spec in data["categories"].values():
            spec["phrases"] = sorted({canonical(p) for p in spec["phrases"]})
        blob = json.dumps(data, sort_keys=True, ensure_ascii=True).encode()
        return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class LintIssue:
    level: str  # "error" | "warning"
    path: str  # e.g. "safety.categories.emergency.phrases[3]"
    message: str


def safety_section(source: dict | None) -> dict:
    """Accept either a whole medtune config (with a `safety` key) or the section."""
    if not source:
        return {}
    if isinstance(source.get("safety"), dict):
        return source["safety"]
    return source


def _user_categories(section: dict) -> dict[str, tuple[str, dict]]:
    """Categories the user wrote, by name, with the config path they came from."""
    found: dict[str, tuple[str, dict]] = {}
    categories = section.get("categories") or {}
    if isinstance(categories, dict):
        for name, spec in categories.items():
            found[str(name)] = (f"safety.categories.{name}", spec if isinstance(spec, dict) else {})
    for key, name, action, priority in _FLAT_LISTS:
        if section.get(key):
            spec = {"action": action, "priority": priority, "phrases": section[key]}
            found.setdefault(name, (f"safety.{key}", spec))
    return found


def _merged_categories(section: dict) -> dict[str, dict]:
    """Defaults (if wanted) with user categories merged on top: phrases appended."""
    use_default = section.get("use_default_policy", True)
    merged = copy.deepcopy(DEFAULT_POLICY["categories"]) if use_default else {}
    for name, (_path, spec) in _user_categories(section).items():
        base = merged.get(name) or dict(_NEW_CATEGORY_DEFAULTS, phrases=[])
        target = dict(base)
        for key, value in spec.items():
            if key == "phrases":
                extra = [p for p in (value or []) if p not in base["phrases"]]
                target["phrases"] = list(base["phrases"]) + extra
            elif value is not None:  # None means "keep the default" (e.g. message: null)
                target[key] = value
        merged[name] = target
    return merged


def lint_policy(section: dict | None) -> list[LintIssue]:
    """Problems in a `safety` section, each with the config path it points at."""
    section = safety_section(section)
    issues: list[LintIssue] = []
    if not isinstance(section, dict):
        return [LintIssue("error", "safety", "must be a mapping")]
    if "categories" in section and not isinstance(section["categories"], (dict, type(None))):
        issues.append(LintIssue("error", "safety.categories", "must be a mapping of categories"))
    for key, *_ in _FLAT_LISTS:
        if key in section and not isinstance(section[key], (list, type(None))):
            issues.append(LintIssue("error", f"safety.{key}", "must be a list of phrases"))
    user = _user_categories(section)
    merged = _merged_categories(section) if not issues else {}
    for name, spec in merged.items():
        path, user_spec = user.get(name, (f"safety.categories.{name}", {}))
        issues += _lint_category(name, spec, path, user_spec)
    issues += _lint_conflicts(merged, user)
    issues += _lint_triage(merged, user)
    return issues


def _lint_triage(merged: dict[str, dict], user: dict[str, tuple[str, dict]]) -> list[LintIssue]:
    """Triage rules naming findings the vocabulary lacks, or thresholds that cannot hold."""
    from .triage_lint import lint_rules

    rules = {name: spec["triage"] for name, spec in merged.items() if spec.get("triage")}
    issues = []
    for name, items in rules.items():
        path = user.get(name, (f"safety.categories.{name}", {}))[0]
        for level, where, message in lint_rules({name: items}, DEFAULT_POLICY["triage_findings"],
                                                set(merged), path):
            issues.append(LintIssue(level, where.replace(f"{path}.{name}", f"{path}.triage", 1),
                                    message))
    return issues


def _lint_category(name: str, spec: dict, path: str, user_spec: dict) -> list[LintIssue]:
    issues: list[LintIssue] = []
    at = path
    in_categories = path.startswith("safety.categories.")
    if spec.get("action") not in ACTIONS:
        issues.append(LintIssue("error", f"{at}.action" if in_categories else at,
                                f"unknown action {spec.get('action')!r}; use one of {ACTIONS}"))
    priority = spec.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int):
        issues.append(LintIssue("error", f"{at}.priority", "priority must be an integer"))
    message = spec.get("message")
    if message is not None and not isinstance(message, str):
        issues.append(LintIssue("error", f"{at}.message", "message must be a string"))
    phrases = spec.get("phrases")
    phrases_at = f"{at}.phrases" if in_categories else at
    if not isinstance(phrases, list):
        return issues + [LintIssue("error", phrases_at, "phrases must be a list of strings")]
    if not phrases:
        issues.append(LintIssue("error", phrases_at, f"category {name!r} has no phrases"))
    user_phrases = user_spec.get("phrases") if isinstance(user_spec.get("phrases"), list) else []
    for i, phrase in enumerate(user_phrases):
        where = f"{phrases_at}[{i}]"
        if not isinstance(phrase, str):
            issues.append(LintIssue("error", where, "phrase must be a string"))
        else:
            issues += [LintIssue("error", where, f"phrase {problem}")
                       for problem in phrase_problems(phrase, MIN_PHRASE_CHARS)]
    return issues


def _lint_conflicts(merged: dict[str, dict], user: dict[str, tuple[str, dict]]) -> list[LintIssue]:
    """The same normalized phrase under both actions: defer wins, but say so."""
    seen: dict[str, tuple[str, str]] = {}  # canonical phrase -> (action, category)
    issues: list[LintIssue] = []
    for name, spec in merged.items():
        action = spec.get("action")
        if action not in ACTIONS or not isinstance(spec.get("phrases"), list):
            continue
        for phrase in spec["phrases"]:
            if not isinstance(phrase, str):
                continue
            key = canonical(phrase)
            other = seen.get(key)
            if other is None:
                seen[key] = (action, name)
            elif other[0] != action:
                issues.append(LintIssue("warning", _phrase_path(name, phrase, user),
                                        f"phrase {phrase!r} is also under {other[1]!r} "
                                        f"with action {other[0]!r}; defer wins"))
    return issues


def _phrase_path(name: str, phrase: str, user: dict[str, tuple[str, dict]]) -> str:
    path, spec = user.get(name, (f"safety.categories.{name}", {}))
    phrases = spec.get("phrases") or []
    base = f"{path}.phrases" if path.startswith("safety.categories.") else path
    return f"{base}[{phrases.index(phrase)}]" if phrase in phrases else base
