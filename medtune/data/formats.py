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
skipped, and counted: every row of an OpenAssistant file ends as one of ``ROW_FATES``.

Also read: per-turn and per-part training flags (``train``, ``weight``), content parts spelled
``text`` or ``value``, and tool calls in Phi-4-mini's own rendering (``_tool_turn``). Refused:
preference data for the whole file (``preference_kind``), images and media parts per row.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator

from medtune.data.records import RowError
from medtune.errors import DataError

FORMATS = ("messages", "alpaca", "sharegpt", "oasst", "prompt_completion", "custom")

ROLES = {
    "user": "user", "human": "user", "prompter": "user",
    "assistant": "assistant", "gpt": "assistant", "bot": "assistant", "model": "assistant",
    "chatgpt": "assistant", "bard": "assistant", "bing": "assistant",
    "system": "system", "tool": "tool",
}  # fmt: skip
QA_FIELDS = {"user": "question", "assistant": "answer"}


def detect_format(row: dict, fields: dict | None) -> tuple[str, dict | None]:
    """The format of ``row`` (and the field mapping to read it with)."""
    keys = set(row)
    if fields and {"user", "assistant"} & set(fields):
        return "custom", fields
    kind = preference_kind(row)
    if kind:
        raise DataError(kind)
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
    fmt: str, rows: Iterable[tuple[int, dict | RowError, str]], fields: dict | None, name: str = "",
    row_fates: Counter | None = None,
) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    """``(line, raw, messages or RowError)`` for each conversation in ``rows``.

    Messages have known roles and text content; an assistant turn the row marks untrained
    (``"train": false`` or ``"weight": 0``, on the turn or on all its content parts) carries
    ``"train": False``. Order and emptiness are checked later (clean.py). Preference data is a
    ``DataError`` for the whole file: read as conversations it would train rejected answers.
    For OpenAssistant files, where a row is a tree or one message of one, ``row_fates`` counts
    what became of each row (``ROW_FATES``).
    """
    if fmt == "oasst":
        yield from _oasst(rows, (fields or {}).get("replies", "best"), Counter() if row_fates is None else row_fates)
        return
    explicit = fmt == "custom" and bool(fields)
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
        kind = preference_kind(row, explicit)
        if kind:
            raise DataError(f"{name or 'data'}:{line}: {kind}")
        try:
            turns = convert(row)
            _check_text_only(row, turns)
            yield line, raw, turns
        except RowError as exc:
            yield line, raw, exc


# -- what medtune does not train: preference data, images, tool calls ------------------------------

_SFT_ONLY = (
    "medtune trains supervised fine-tuning only (every answer in the file is learned as a good one)"
)


def preference_kind(row: dict, explicit_fields: bool = False) -> str | None:
    """Why ``row`` is preference data rather than conversations to imitate, with what to do;
    None when it is not. With explicit ``fields`` (format custom) chosen/rejected columns are
    the user's choice, but a KTO ``label`` still is not."""
    keys = set(row)
    if {"chosen", "rejected"} <= keys and not explicit_fields:
        return (
            "this is preference data (DPO/ORPO style: a chosen and a rejected answer per prompt); "
            f"{_SFT_ONLY}. To train on the chosen answers only, use format: custom with fields "
            "{user: prompt, assistant: chosen}, or convert the file to prompt/completion rows"
        )
    label = row.get("label")
    if "label" in keys and (isinstance(label, bool) or (isinstance(label, str) and label.strip().lower() in ("true", "false"))):
        if keys & {"completion", "output", "response", "answer", "messages", "conversations", "chosen"}:
            return (
                "this is KTO-style preference data (a label true/false per answer; false marks an "
                f"undesirable answer); {_SFT_ONLY}, so label: false rows would be trained as good. Keep only "
                "the rows with label true and remove the label column"
            )
    score = next((k for k in ("score", "scores", "rating", "reward") if k in keys), None)
    if score and keys & {"completion", "completions", "response", "responses", "chosen"}:
        return (
            f"this is rated answer data (a {score!r} per answer, as for reward models); {_SFT_ONLY}, "
            f"so low-{score} answers would be trained as good. Keep only the answers you want the model to give "
            f"and remove the {score!r} column"
        )
    return None


MEDIA_KEYS = ("images", "image", "videos", "video", "audios", "audio")
PLACEHOLDERS = ("<image>", "<video>", "<audio>")


def _check_text_only(row: dict, turns: list[dict]) -> None:
    for key in MEDIA_KEYS:
        if row.get(key) not in (None, "", []):
            raise RowError("multimodal", f"the row has {key!r}: medtune trains a text model; drop the column or the row")
    for i, t in enumerate(turns):
        for ph in PLACEHOLDERS:
            if ph in t["content"]:
                raise RowError("multimodal", f"turn {i + 1} has a {ph} placeholder: medtune trains a text model, "
                                             "it would learn the literal text")  # fmt: skip


# -- turns ------------------------------------------------------------------------------------


MEDIA_PARTS = ("image", "image_url", "input_image", "video", "video_url", "audio", "input_audio")


def _text(value, what: str) -> str:
    return _content(value, what)[0]


def _content(value, what: str) -> tuple[str, bool | None]:
    """The text, and the training flag its content parts carry (None when they carry none)."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, list):  # content parts: {"type": "text", "text" or "value": ...}
        parts, flags = [], set()
        for j, part in enumerate(value):
            kind = part.get("type", "text") if isinstance(part, dict) else None
            if kind in MEDIA_PARTS:
                raise RowError("multimodal", f"{what}[{j}] is an {kind} part: medtune trains a text model")
            text = part.get("text", part.get("value")) if kind == "text" else None
            if not isinstance(text, str):
                raise RowError("not_text", f"{what}[{j}] is not a text part ({{'type': 'text', 'text': ...}})")
            parts.append(text)
            flags.add(_flag(part, f"{what}[{j}]"))
        if False in flags and flags != {False}:  # a part without a flag is trained
            raise RowError("train_flag", f"{what}: some parts are trained and some not; medtune trains a turn "
                                         "whole or not at all: split it into two turns")  # fmt: skip
        return "\n".join(parts), (False if False in flags else (True if True in flags else None))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise RowError("missing_field", f"{what} is missing")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value), None
    raise RowError("not_text", f"{what} is a {type(value).__name__}, not text")


def _flag(obj: dict, where: str) -> bool | None:
    """``train`` (true/false) or ``weight`` (1/0) of a turn or part; None when it has neither."""
    train, weight = obj.get("train"), obj.get("weight")
    if train is not None and not isinstance(train, bool):
        raise RowError("train_flag", f"{where}.train is {train!r}; use true or false")
    if weight is not None and (isinstance(weight, bool) or weight not in (0, 1)):
        raise RowError("train_flag", f"{where}.weight is {weight!r}; medtune trains a turn or not: use 1 or 0")
    if train is not None and weight is not None and train != bool(weight):
        raise RowError("train_flag", f"{where}: train {train} and weight {weight} disagree")
    return train if train is not None else (None if weight is None else bool(weight))


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
        tool = _tool_turn(m, role_key, content_key, f"{key}[{i}]")
        if tool is not None:
            out.append(tool)
            continue
        role = _role(m[role_key], f"{key}[{i}]")
        text, part_flag = _content(m.get(content_key), f"{key}[{i}].{content_key}")
        flag = _flag(m, f"{key}[{i}]")
        if flag is not None and part_flag is not None and flag != part_flag:
            raise RowError("train_flag", f"{key}[{i}]: the turn's flag and its parts' flags disagree")
        flag = part_flag if flag is None else flag
        if flag is not None and role != "assistant" and flag:
            raise RowError("train_flag", f"{key}[{i}] is a {role} turn marked trained; medtune trains assistant turns only")
        turn = {"role": role, "content": text}
        if flag is False and role == "assistant":
            turn["train"] = False
        out.append(turn)
    return out


TOOL_RESULT_ROLES = ("tool", "function", "ipython", "observation", "tool_response")
TOOL_CALL_ROLES = ("function_call", "tool_call")
TOOL_OPEN, TOOL_CLOSE, CALL_OPEN, CALL_CLOSE = "<|tool|>", "<|/tool|>", "<|tool_call|>", "<|/tool_call|>"


def _tool_turn(m: dict, role_key: str, content_key: str, where: str) -> dict | None:
    """A tool-calling turn in Phi-4-mini's own rendering, or None for an ordinary turn.

    An assistant's calls (``tool_calls``, ``function_call``, or a ShareGPT ``function_call``
    turn) become its content ``<|tool_call|>[{"name", "arguments"}]<|/tool_call|>`` (trained);
    a result (role ``tool``, ``function``, ``observation``...) becomes a ``tool`` turn, which the
    chat template renders ``<|tool|>...<|end|>`` and which is never trained."""
    role = str(m.get(role_key)).strip().lower()
    calls = m.get("tool_calls") or m.get("function_call")
    if role in TOOL_CALL_ROLES or calls:
        if calls:
            calls = [calls] if isinstance(calls, dict) else calls
            if not isinstance(calls, list):
                raise RowError("tool_call", f"{where}.tool_calls is not a list of calls")
            body = json.dumps([_call(c, f"{where}.tool_calls[{j}]") for j, c in enumerate(calls)], ensure_ascii=False)
            text = m.get(content_key)
            prefix = f"{text}\n" if isinstance(text, str) and text.strip() else ""
        else:
            body, prefix = _json_text(m.get(content_key), f"{where}.{content_key}"), ""
        return {"role": "assistant", "content": f"{prefix}{CALL_OPEN}{body}{CALL_CLOSE}"}
    if role in TOOL_RESULT_ROLES:
        return {"role": "tool", "content": _json_text(m.get(content_key), f"{where}.{content_key}")}
    return None


def _call(call, where: str) -> dict:
    """``{"name", "arguments"}`` from an OpenAI-style call (``{"function": {...}}``, arguments
    as a JSON string or an object) or a bare ``{"name", "arguments"}``."""
    fn = call.get("function", call) if isinstance(call, dict) else None
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
        raise RowError("tool_call", f"{where} has no function name")
    args = fn.get("arguments", {})
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            raise RowError("tool_call", f"{where}.arguments is not JSON") from None
    return {"name": fn["name"], "arguments": args}


def _json_text(value, what: str) -> str:
    """Text as is; a JSON value (a tool result or a list of tools given as objects) as JSON."""
    if isinstance(value, (dict, list)) and not (isinstance(value, list) and value and isinstance(value[0], dict) and "type" in value[0]):
        return json.dumps(value, ensure_ascii=False)
    return _text(value, what)


def _with_tools(row: dict, turns: list[dict]) -> list[dict]:
    """A ``tools`` column goes where Phi-4-mini's template puts it: ``<|tool|>[...]<|/tool|>``
    after the system message's text (a system turn is added when there is none)."""
    tools = row.get("tools")
    if tools in (None, "", []):
        return turns
    text = _json_text(tools, "tools")
    if turns and turns[0]["role"] == "system":
        return [dict(turns[0], content=f"{turns[0]['content']}{TOOL_OPEN}{text}{TOOL_CLOSE}")] + turns[1:]
    return [{"role": "system", "content": f"{TOOL_OPEN}{text}{TOOL_CLOSE}"}] + turns


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
    return _with_tools(row, _turns(_get(row, "messages"), "messages"))


def _sharegpt(row: dict) -> list[dict]:
    turns = _turns(_get(row, "conversations"), "conversations")
    system = row.get("system")
    if isinstance(system, str) and system.strip() and not any(t["role"] == "system" for t in turns):
        turns.insert(0, {"role": "system", "content": system})
    return _with_tools(row, turns)


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

# What became of each row of an OpenAssistant file (``conversations(..., row_fates=Counter())``):
# they add up to the rows read, so a message that trains nothing is still counted, with why.
ROW_FATES = ("conversation", "invalid", "deleted", "review_failed", "lower_ranked", "unanswered",
             "below_skipped", "repeated_id")  # fmt: skip


def _oasst(rows, replies: str, fates: Counter) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    """Nested trees (a row is a tree: counted ``conversation`` when it gives one, else
    ``invalid``) and flat rows linked by ``parent_id`` (a row is a message: see ``_flat_trees``)."""
    flat: list[tuple[int, dict, str]] = []
    for line, row, raw in rows:
        if isinstance(row, RowError):
            fates["invalid"] += 1
            yield line, raw, row
        elif "parent_id" in row and "replies" not in row:
            flat.append((line, row, raw))  # oasst1-style rows, linked by parent_id
        else:
            tree = row["prompt"] if isinstance(row.get("prompt"), dict) else row
            items = list(_tree_paths(line, raw, tree, replies, {}, set()))
            fates["invalid" if isinstance(items[0][2], RowError) else "conversation"] += 1
            yield from items
    if flat:
        yield from _flat_trees(flat, replies, fates)


def _usable(node) -> bool:
    return isinstance(node, dict) and not node.get("deleted") and node.get("review_result") is not False


def _skipped(node) -> str:
    return "deleted" if isinstance(node, dict) and node.get("deleted") else "review_failed"


def _rank(node: dict) -> float:
    rank = node.get("rank")
    return rank if isinstance(rank, (int, float)) and not isinstance(rank, bool) else math.inf


def _tree_paths(
    line: int, raw: str, root: dict, replies: str, fate: dict[int, str], used: set[int]
) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    """One conversation per path; ``fate`` gets why each message not on a path was left out and
    ``used`` the messages on one (both keyed by ``id(node)``)."""
    paths: list[tuple[list[dict], list[dict]]] = []
    try:
        _walk(root, [], [], paths, replies, fate)
    except RowError as exc:
        yield line, raw, exc
        return
    except RecursionError:
        yield line, raw, RowError("invalid_json", "the message tree is nested too deeply to read")
        return
    if not paths:
        yield line, raw, RowError("missing_field", "the message tree has no assistant reply")
    for turns, nodes in paths:
        used.update(id(n) for n in nodes)
        yield line, raw, turns


def _walk(node: dict, path: list[dict], nodes: list[dict], out: list, replies: str, fate: dict[int, str]) -> None:
    if not _usable(node):
        fate[id(node)] = _skipped(node)
        return
    turn = {"role": _role(node.get("role"), f"message {node.get('message_id')}"), "content": _text(node.get("text"), "text")}
    path, nodes = path + [turn], nodes + [node]
    children = []
    for c in node.get("replies") or []:
        if _usable(c):
            children.append(c)
        else:
            fate[id(c)] = _skipped(c)
    if turn["role"] == "user" and replies != "all" and children:
        best = min(children, key=_rank)  # stable: the first of equally ranked replies
        for c in children:
            if c is not best:
                fate[id(c)] = "lower_ranked"
        children = [best]
    if not children:
        keep = len(path)
        while keep and path[keep - 1]["role"] != "assistant":
            keep -= 1  # a trailing question nobody answered teaches nothing
        for n in nodes[keep:]:
            fate.setdefault(id(n), "unanswered")
        if keep:
            out.append((path[:keep], nodes[:keep]))
        return
    for child in children:
        _walk(child, path, nodes, out, replies, fate)


def _flat_trees(rows: list[tuple[int, dict, str]], replies: str, fates: Counter) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    """Flat rows, one message each, joined into trees by ``parent_id``. Each row is counted once:
    on a conversation, ``invalid`` (its parent is not in the file, or its tree has no reply),
    or left out as ``deleted``, ``review_failed``, ``lower_ranked`` (a reply not followed),
    ``unanswered``, ``below_skipped`` (under a message left out) or ``repeated_id``."""
    nodes: dict = {}
    first: list[tuple[int, dict, str, dict]] = []
    for line, row, raw in rows:
        mid = row.get("message_id")
        if mid in nodes:
            fates["repeated_id"] += 1
            continue
        nodes[mid] = dict(row, replies=[])
        first.append((line, row, raw, nodes[mid]))
    roots, invalid = [], set()
    for line, row, raw, node in first:
        parent = row.get("parent_id")
        if parent is None:
            roots.append((line, raw, node))
        elif parent in nodes:
            nodes[parent]["replies"].append(node)
        else:
            invalid.add(id(node))
            yield line, raw, RowError("missing_field", f"parent message {parent!r} is not in the file")
    fate: dict[int, str] = {}
    used: set[int] = set()
    for line, raw, node in roots:
        for item in _tree_paths(line, raw, node, replies, fate, used):
            if isinstance(item[2], RowError):
                invalid.add(id(node))
            yield item
    for *_, node in first:
        key = id(node)
        fates["conversation" if key in used else "invalid" if key in invalid else fate.get(key, "below_skipped")] += 1
