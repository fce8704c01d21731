"""Every supported input format, read into one shape: a list of ``{"role", "content"}`` turns.

| format | a row looks like |
| --- | --- |
| messages | ``{"messages": [{"role": "user", "content": "..."}, ...]}`` (content may be text parts) |
| sharegpt | ``{"conversations": [{"from": "human" | "gpt" | "system", "value": "..."}, ...]}`` |
| alpaca | ``{"instruction": ..., "input": ..., "output": ...}`` (optional ``system``, ``history``) |
| prompt_completion | ``{"prompt": ..., "completion": ...}``, each text or a list of turns |
| oasst | an OpenAssistant message tree (``{"message_id", "role", "text", "replies": [...]}``, or the
  tree under ``"prompt"``), or flat oasst rows linked by ``parent_id`` |
| custom | any flat row, read through ``fields``: ``{user: question, assistant: answer[, system: ...]}`` |

``auto`` picks the format from the keys of a file's first row. OpenAssistant trees give one
conversation per path; at each assistant turn only the best-ranked reply is followed (lowest
``rank``), unless ``fields: {replies: all}``. Deleted replies and replies that failed review are
skipped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from medtune.data.records import RowError
from medtune.errors import DataError

FORMATS = ("messages", "alpaca", "sharegpt", "oasst", "prompt_completion", "custom")

ROLES = {
    "user": "user", "human": "user", "prompter": "user",
    "assistant": "assistant", "gpt": "assistant", "bot": "assistant", "model": "assistant",
    "chatgpt": "assistant", "bard": "assistant", "bing": "assistant",
    "system": "system",
}  # fmt: skip
QA_FIELDS = {"user": "question", "assistant": "answer"}


def detect_format(row: dict, fields: dict | None) -> tuple[str, dict | None]:
    """The format of ``row`` (and the field mapping to read it with)."""
    keys = set(row)
    if fields and {"user", "assistant"} & set(fields):
        return "custom", fields
    if "messages" in keys:
        return "messages", None
    if "conversations" in keys:
        return "sharegpt", None
    if {"instruction", "output"} <= keys:
        return "alpaca", None
    if {"prompt", "completion"} <= keys:
        return "prompt_completion", None
    if "message_id" in keys or "message_tree_id" in keys:
        return "oasst", None
    if set(QA_FIELDS.values()) <= keys:
        return "custom", dict(QA_FIELDS)
    raise DataError(
        f"format auto: cannot tell the format from the first row's keys {sorted(keys)}; set the format, "
        "or format: custom with fields, e.g. {user: question, assistant: answer}"
    )


def check_fields(fields: dict | None) -> None:
    if not fields or not {"user", "assistant"} <= set(fields):
        raise DataError(
            f"data fields: format custom needs the keys user and assistant (got {sorted(fields or {})}), "
            "e.g. {user: question, assistant: answer}"
        )
    unknown = set(fields) - {"user", "assistant", "system"}
    if unknown:
        raise DataError(f"data fields: unknown keys {sorted(unknown)}; use user, assistant and optionally system")


def conversations(
    fmt: str, rows: Iterable[tuple[int, dict | RowError, str]], fields: dict | None
) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    """``(line, raw, messages or RowError)`` for each conversation in ``rows``.

    Messages have known roles and text content; order and emptiness are checked later (clean.py).
    """
    if fmt == "oasst":
        yield from _oasst(rows, (fields or {}).get("replies", "best"))
        return
    convert = {
        "messages": _messages,
        "sharegpt": _sharegpt,
        "alpaca": _alpaca,
        "prompt_completion": _prompt_completion,
        "custom": lambda row: _custom(row, fields or {}),
    }[fmt]
    for line, row, raw in rows:
        if isinstance(row, RowError):
            yield line, raw, row
            continue
        try:
            yield line, raw, convert(row)
        except RowError as exc:
            yield line, raw, exc


# -- turns ------------------------------------------------------------------------------------


def _text(value, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # OpenAI-style content parts
        parts = []
        for part in value:
            if isinstance(part, dict) and part.get("type", "text") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                raise RowError("not_text", f"{what} has a non-text part")
        return "\n".join(parts)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise RowError("missing_field", f"{what} is missing")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise RowError("not_text", f"{what} is a {type(value).__name__}, not text")


def _role(name, where: str) -> str:
    role = ROLES.get(str(name).strip().lower()) if name is not None else None
    if role is None:
        raise RowError("unknown_role", f"{where}: role {str(name)[:24]!r}")  # short: a role is no place for text
    return role


def _turns(items, key: str) -> list[dict]:
    if not isinstance(items, list):
        raise RowError("missing_field", f"{key} is not a list of turns")
    out = []
    for i, m in enumerate(items):
        if not isinstance(m, dict):
            raise RowError("not_an_object", f"{key}[{i}] is not an object")
        role_key = "role" if "role" in m else "from"
        content_key = "content" if "content" in m else "value"
        if role_key not in m:
            raise RowError("missing_field", f"{key}[{i}] has no role")
        out.append({"role": _role(m[role_key], f"{key}[{i}]"), "content": _text(m.get(content_key), f"{key}[{i}].{content_key}")})
    return out


def _get(row: dict, name: str):
    """``row[name]``; dotted names reach into nested objects."""
    value = row
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            raise RowError("missing_field", f"no field {name!r}")
        value = value[part]
    return value


# -- formats ------------------------------------------------------------------------------------


def _messages(row: dict) -> list[dict]:
    return _turns(_get(row, "messages"), "messages")


def _sharegpt(row: dict) -> list[dict]:
    turns = _turns(_get(row, "conversations"), "conversations")
    system = row.get("system")
    if isinstance(system, str) and system.strip() and not any(t["role"] == "system" for t in turns):
        turns.insert(0, {"role": "system", "content": system})
    return turns


def _alpaca(row: dict) -> list[dict]:
    instruction = _text(_get(row, "instruction"), "instruction")
    extra = row.get("input")
    user = f"{instruction}\n\n{extra}" if isinstance(extra, str) and extra.strip() else instruction
    turns = []
    if isinstance(row.get("system"), str) and row["system"].strip():
        turns.append({"role": "system", "content": row["system"]})
    for i, pair in enumerate(row.get("history") or []):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise RowError("missing_field", f"history[{i}] is not a [user, assistant] pair")
        turns += [{"role": "user", "content": _text(pair[0], f"history[{i}][0]")},
                  {"role": "assistant", "content": _text(pair[1], f"history[{i}][1]")}]  # fmt: skip
    return turns + [{"role": "user", "content": user}, {"role": "assistant", "content": _text(_get(row, "output"), "output")}]


def _prompt_completion(row: dict) -> list[dict]:
    prompt, completion = _get(row, "prompt"), _get(row, "completion")
    head = _turns(prompt, "prompt") if isinstance(prompt, list) else [{"role": "user", "content": _text(prompt, "prompt")}]
    tail = (
        _turns(completion, "completion")
        if isinstance(completion, list)
        else [{"role": "assistant", "content": _text(completion, "completion")}]
    )
    return head + tail


def _custom(row: dict, fields: dict) -> list[dict]:
    turns = []
    if fields.get("system"):
        try:
            system = _get(row, fields["system"])
        except RowError:
            system = None
        if isinstance(system, str) and system.strip():
            turns.append({"role": "system", "content": system})
    turns.append({"role": "user", "content": _text(_get(row, fields["user"]), fields["user"])})
    turns.append({"role": "assistant", "content": _text(_get(row, fields["assistant"]), fields["assistant"])})
    return turns


# -- OpenAssistant trees --------------------------------------------------------------------------


def _oasst(rows, replies: str) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    flat: list[tuple[int, dict, str]] = []
    for line, row, raw in rows:
        if isinstance(row, RowError):
            yield line, raw, row
        elif "parent_id" in row and "replies" not in row:
            flat.append((line, row, raw))  # oasst1-style rows, linked by parent_id
        else:
            tree = row["prompt"] if isinstance(row.get("prompt"), dict) else row
            yield from _tree_paths(line, raw, tree, replies)
    if flat:
        yield from _flat_trees(flat, replies)


def _usable(node) -> bool:
    return isinstance(node, dict) and not node.get("deleted") and node.get("review_result") is not False


def _rank(node: dict) -> float:
    rank = node.get("rank")
    return rank if isinstance(rank, (int, float)) and not isinstance(rank, bool) else math.inf


def _tree_paths(line: int, raw: str, root: dict, replies: str) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    paths: list[list[dict]] = []
    try:
        _walk(root, [], paths, replies)
    except RowError as exc:
        yield line, raw, exc
        return
    except RecursionError:
        yield line, raw, RowError("invalid_json", "the message tree is nested too deeply to read")
        return
    if not paths:
        yield line, raw, RowError("missing_field", "the message tree has no assistant reply")
    for path in paths:
        yield line, raw, path


def _walk(node: dict, path: list[dict], out: list[list[dict]], replies: str) -> None:
    if not _usable(node):
        return
    turn = {"role": _role(node.get("role"), f"message {node.get('message_id')}"), "content": _text(node.get("text"), "text")}
    path = path + [turn]
    children = [c for c in node.get("replies") or [] if _usable(c)]
    if turn["role"] == "user" and replies != "all" and children:
        children = [min(children, key=_rank)]  # stable: the first of equally ranked replies
    if not children:
        while path and path[-1]["role"] != "assistant":
            path = path[:-1]  # a trailing question nobody answered teaches nothing
        if path:
            out.append(path)
        return
    for child in children:
        _walk(child, path, out, replies)


def _flat_trees(rows: list[tuple[int, dict, str]], replies: str) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    nodes: dict = {}
    for _line, row, _raw in rows:
        nodes[row.get("message_id")] = dict(row, replies=[])
    roots = []
    for line, row, raw in rows:
        node = nodes[row.get("message_id")]
        parent = row.get("parent_id")
        if parent is None:
            roots.append((line, raw, node))
        elif parent in nodes:
            nodes[parent]["replies"].append(node)
        else:
            yield line, raw, RowError("missing_field", f"parent message {parent!r} is not in the file")
    for line, raw, node in roots:
        yield from _tree_paths(line, raw, node, replies)
