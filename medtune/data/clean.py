"""Cleaning one conversation: tidy whitespace, check the turn structure, put the configured
system prompt in, and apply the content filter.

A valid conversation is: optional system message first, then user and assistant turns
alternating, starting with the user and ending with the assistant, none of them empty.
"""

from __future__ import annotations

import re
import unicodedata

from medtune.data.records import RowError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
# Only what needs changing matches (a run of 2+ spaces, any other space character, a space at a line
# edge): a pattern that matched every single space would rebuild every string.
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_LINE_EDGES = re.compile(r" \n ?|\n ")
_BLANK_LINES = re.compile(r"\n{3,}")
_WS = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def normalize_text(text: str) -> str:
    """NFC, no control characters, single spaces, no spaces at line ends, at most one blank line."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n\n", _LINE_EDGES.sub("\n", text))
    return text.strip()


def clean_turns(messages: list[dict]) -> tuple[list[dict], bool]:
    """Normalized, structurally valid turns (raises ``RowError``) and whether any text changed."""
    if not messages:
        raise RowError("missing_field", "no turns")
    changed = False
    out: list[dict] = []
    for i, m in enumerate(messages):
        content = normalize_text(m["content"])
        if not content.isascii() and (bad := _SURROGATE.search(content)):
            # JSON can spell one ("\ud800"); it is not a character and cannot be encoded or hashed
            raise RowError("not_text", f"turn {i + 1} ({m['role']}) holds a lone surrogate U+{ord(bad.group()):04X} (invalid Unicode)")
        changed |= content != m["content"]
        if not content:
            raise RowError("empty_turn", f"turn {i + 1} ({m['role']}) is empty")
        out.append({"role": m["role"], "content": content, **({"train": False} if m.get("train") is False else {})})
    systems = 0
    while systems < len(out) and out[systems]["role"] == "system":
        systems += 1
    if systems > 1:  # several leading system messages read as one
        out = [{"role": "system", "content": "\n\n".join(m["content"] for m in out[:systems])}] + out[systems:]
        systems = 1
    roles = [m["role"] for m in out[systems:]]
    if not roles:
        raise RowError("missing_field", "no user or assistant turn")
    prev = None
    for i, role in enumerate(roles):
        allowed = _NEXT[prev]
        if role not in allowed:
            where = "a system message after the first turn" if role == "system" else f"turn {i + 1 + systems} is {role}, expected {' or '.join(allowed)}"
            raise RowError("role_order", where)
        prev = role
    if roles[-1] != "assistant":
        raise RowError("role_order", "the last turn is not the assistant's")
    return out, changed


# Which role may follow which: tool results follow the assistant turn that called the tool.
_NEXT = {None: ("user",), "user": ("assistant",), "assistant": ("user", "tool"), "tool": ("tool", "assistant")}
TOOLS_OPEN = "<|tool|>"  # Phi-4-mini's template puts the tools after the system text (formats.py)


def apply_system_prompt(messages: list[dict], prompt: str, mode: str) -> tuple[list[dict], str]:
    """Put the configured system prompt in; returns the messages and what was done:
    ``inserted`` (there was none), ``replaced``, ``prepended``, ``kept`` or ``unchanged``."""
    prompt = prompt.strip()
    has = messages[0]["role"] == "system"
    rest = messages[1:] if has else messages
    if not has:
        return ([{"role": "system", "content": prompt}] + rest if prompt else rest), ("inserted" if prompt else "unchanged")
    existing = messages[0]["content"]
    if TOOLS_OPEN in existing:  # the tools stay whatever happens to the prompt before them
        text, tools = existing.split(TOOLS_OPEN, 1)
        out, action = apply_system_prompt([{"role": "system", "content": text}] + rest if text else rest, prompt, mode)
        head = out[0]["content"] if out[0]["role"] == "system" else ""
        return [{"role": "system", "content": f"{head}{TOOLS_OPEN}{tools}"}] + (out[1:] if out[0]["role"] == "system" else out), action
    if mode == "keep" or existing == prompt:
        return messages, "kept" if existing != prompt else "unchanged"
    if mode == "prepend" and prompt:
        return [{"role": "system", "content": f"{prompt}\n\n{existing}"}] + rest, "prepended"
    return ([{"role": "system", "content": prompt}] if prompt else []) + rest, "replaced"


def dedup_key(messages: list[dict]) -> str:
    """The conversation's content, case and whitespace normalized, without the system prompt."""
    return "\n".join(f"{m['role']}: {_WS.sub(' ', m['content']).strip().casefold()}" for m in messages if m["role"] != "system")


class ContentFilter:
    """Whole-word, case-insensitive blocked terms (``safety.content_filter``)."""

    def __init__(self, terms: list[str]):
        terms = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE) if terms else None
        )

    def find(self, messages: list[dict]) -> str | None:
        if self.pattern is None:
            return None
        for m in messages:
            if m["role"] != "system":
                hit = self.pattern.search(m["content"])
                if hit:
                    return hit.group(0).lower()
        return None
