"""Suites: labelled cases, one JSON object a line, ``expected`` defer | allow. Every bad line is
reported at once, as ``file:line: what is wrong``, so an author fixes a file in one pass.

A case may carry ``split``: ``dev`` (written while the policy was developed, so optimistic) or
``heldout`` (written without looking at the policy: the honest estimate). The report shows both
parts side by side."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medtune.errors import MedtuneError

EXPECTED = ("defer", "allow")
URGENCY = ("emergency", "urgent", "non_urgent", "self_care")
SPLITS = ("dev", "heldout")
ROLES = ("system", "user", "assistant")
CASE_FIELDS = {"id", "text", "messages", "expected", "category", "urgency", "note", "split", "source", "kind", "answer"}  # source: the case a variant was made from
NONE_GROUP = "(none)"
SPLIT_NOTES = {
    "dev": "written while the policy was being developed; the policy may be tuned to these, so they are optimistic",
    "heldout": "written without looking at the policy; the honest estimate for messages the layer has never seen",
}


class SuiteError(MedtuneError):
    """A suite file cannot be used; lists every bad line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = [f"invalid safety suite ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass
class Case:
    id: str
    expected: str
    source: str  # file:line
    text: str | None = None
    messages: list[dict] | None = None
    category: str | None = None
    urgency: str | None = None
    split: str | None = None
    note: str | None = None
    answer: str | None = None  # kind "output": a model answer the output check must keep or replace

    @property
    def kind(self) -> str:
        return "output" if self.answer is not None else "input"

    def conversation(self) -> list[dict]:
        return self.messages if self.messages is not None else [{"role": "user", "content": self.text}]

    def shown_text(self) -> str:
        """The case as one line for a report: the message, or the user turns of a conversation."""
        if self.text is not None:
            return self.text
        turns = [m["content"] for m in self.messages if m["role"] == "user"]
        return " / ".join(turns) + (f"  [{len(self.messages)} turns]" if len(self.messages) > 1 else "")


@dataclass
class Suite:
    path: Path
    sha256: str
    cases: list[Case] = field(default_factory=list)

    def summary(self) -> dict:
        splits: dict[str, int] = {}
        for c in self.cases:
            splits[c.split or NONE_GROUP] = splits.get(c.split or NONE_GROUP, 0) + 1
        expected = {e: sum(c.expected == e for c in self.cases) for e in EXPECTED}
        return {"path": str(self.path), "sha256": self.sha256, "cases": len(self.cases), "splits": splits, "expected": expected}


def _case_problems(obj: Any) -> list[str]:
    """What is wrong with one decoded line (empty when it is a valid case)."""
    if not isinstance(obj, dict):
        return [f"expected a JSON object, got {type(obj).__name__}"]
    problems = []
    if obj.get("expected") not in EXPECTED:
        got = "missing" if "expected" not in obj else repr(obj["expected"])
        problems.append(f"expected must be 'defer' or 'allow', got {got}")
    has_text, has_messages = obj.get("text") is not None, obj.get("messages") is not None
    if has_text == has_messages:
        problems.append("give exactly one of 'text' or 'messages'")
    elif has_text and (not isinstance(obj["text"], str) or not obj["text"].strip()):
        problems.append("text must be a non-empty string")
    elif has_messages:
        problems += _messages_problems(obj["messages"])
    if obj.get("kind", "input") not in ("input", "output"):
        problems.append(f"kind must be 'input' or 'output', got {obj['kind']!r}")
    elif obj.get("kind") == "output" and (not isinstance(obj.get("answer"), str) or not obj["answer"].strip()):
        problems.append("an output case needs 'answer': the model answer to check")
    if obj.get("urgency") is not None and obj["urgency"] not in URGENCY:
        problems.append(f"urgency must be one of {', '.join(URGENCY)}, got {obj['urgency']!r}")
    if obj.get("split") is not None and obj["split"] not in SPLITS:
        problems.append(f"split must be one of {', '.join(SPLITS)}, got {obj['split']!r}")
    for key in ("category", "note"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            problems.append(f"{key} must be a string")
    if obj.get("id") is not None and (not isinstance(obj["id"], str | int) or isinstance(obj["id"], bool) or str(obj["id"]) == ""):
        problems.append("id must be a non-empty string or an integer")
    return problems


def _messages_problems(messages: Any) -> list[str]:
    if not isinstance(messages, list) or not messages:
        return ["messages must be a non-empty list of {role, content}"]
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            return [f"messages[{i}] must be {{role: system|user|assistant, content: string}}"]
    if messages[-1]["role"] != "user":
        return ["the last message must be the user's (the model answers it)"]
    return []


def load_suite(path: Path, problems: list[str], warnings: list[str]) -> Suite | None:
    """One suite; its problems are appended to ``problems`` (so all files are checked at once)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot read the suite: {exc.strerror or exc}")
        return None
    suite = Suite(path, hashlib.sha256(raw).hexdigest())
    for lineno, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        bad = _case_problems(obj)
        if bad:
            problems += [f"{where}: {b}" for b in bad]
            continue
        unknown = sorted(set(obj) - CASE_FIELDS)
        if unknown:
            warnings.append(f"{where}: unknown field(s) {', '.join(unknown)} ignored")
        suite.cases.append(
            Case(
                id=str(obj["id"]) if obj.get("id") is not None else f"{path.name}:{lineno}",
                expected=obj["expected"],
                source=where,
                text=obj.get("text"),
                messages=obj.get("messages"),
                category=obj.get("category"),
                urgency=obj.get("urgency"),
                split=obj.get("split"),
                note=obj.get("note"),
                answer=obj.get("answer") if obj.get("kind") == "output" else None,
            )
        )
    if not suite.cases and not any(p.startswith(f"{path}:") for p in problems):
        problems.append(f"{path}: no cases")
    return suite


def load_suites(paths: Sequence[Path]) -> tuple[list[Suite], list[str]]:
    """All suites, validated together; raises :class:`SuiteError` listing every bad line.

    Returns the suites and non-fatal warnings (unknown fields).
    """
    problems: list[str] = []
    warnings: list[str] = []
    suites = [s for s in (load_suite(Path(p), problems, warnings) for p in paths) if s is not None]
    seen: dict[str, str] = {}
    for case in (c for s in suites for c in s.cases):
        if case.id in seen:
            problems.append(f"{case.source}: id {case.id!r} already used at {seen[case.id]} (ids must be unique for --baseline)")
        else:
            seen[case.id] = case.source
    if problems:
        raise SuiteError(problems)
    return suites, warnings

