"""Tokenizing many conversations at once, with exactly the ids and labels that
``chat_template.tokenize_conversation`` gives each one.

``tokenize_conversation`` renders the chat template three times per assistant turn and
tokenizes the whole text with offsets: right for one conversation, slow for tens of thousands.
Chat templates (Phi-4-mini's included) put each message's content in verbatim between fixed
pieces of markup, and special tokens split tokenization, so here:

1. for each sequence of roles, a probe conversation with placeholder contents is rendered once
   through ``tokenize_conversation``'s own span logic: that gives the markup between contents,
   its tokens and labels, and which contents are trained;
2. every distinct content (the system prompt is one, however many rows share it) is tokenized
   once, in batches, by the tokenizer's fast backend;
3. each conversation is the concatenation of markup and content tokens; an assistant turn
   marked ``"train": False`` (formats.py) keeps its tokens but none of its labels.

The result is then checked against ``tokenize_conversation`` on a sample of rows (the first of
each role sequence and an even spread of the rest); if any differs, or a template does not put
contents in verbatim, those rows fall back to ``tokenize_conversation`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medtune.chat_template import IGNORE_INDEX, assistant_spans, tokenize_conversation

CHUNK = 2048  # contents per backend batch: bounds the memory the Encoding objects take
VERIFY_SPREAD = 16


@dataclass
class _Layout:
    glue_ids: list[np.ndarray]  # markup before content 0, between contents, after the last
    glue_labels: list[np.ndarray]
    trained: list[bool]  # per content


def _inside(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a <= s < b or (s == e and a < s <= b) for a, b in spans)  # tokenize_conversation's rule


def _layout(tokenizer, roles: tuple[str, ...]) -> _Layout | None:
    marks = [f"\ue000{i}\ue001" for i in range(len(roles))]
    text, spans = assistant_spans(tokenizer, [{"role": r, "content": m} for r, m in zip(roles, marks, strict=True)])
    bounds, pos = [], 0
    for m in marks:
        at = text.find(m, pos)
        if at < 0 or text.count(m) != 1:
            return None  # the template changes or repeats the content
        bounds.append((at, at + len(m)))
        pos = at + len(m)
    trained = []
    for a, b in bounds:
        inside = [any(x <= c < y for x, y in spans) for c in range(a, b)]
        if len(set(inside)) != 1:
            return None
        trained.append(inside[0])
    glue_ids, glue_labels = [], []
    starts = [0] + [b for _, b in bounds]
    ends = [a for a, _ in bounds] + [len(text)]
    for g0, g1 in zip(starts, ends, strict=True):
        enc = tokenizer(text[g0:g1], add_special_tokens=False, return_offsets_mapping=True)
        ids = list(enc["input_ids"])
        labels = [t if _inside(spans, g0 + s, g0 + e) else IGNORE_INDEX for t, (s, e) in zip(ids, enc["offset_mapping"], strict=True)]
        glue_ids.append(np.asarray(ids, dtype=np.int32))
        glue_labels.append(np.asarray(labels, dtype=np.int32))
    return _Layout(glue_ids, glue_labels, trained)


def _ignored(n: int) -> np.ndarray:
    return np.full(n, IGNORE_INDEX, dtype=np.int32)


def _encode_many(tokenizer, texts: list[str], progress) -> list[np.ndarray]:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    out: list[np.ndarray] = []
    for i in progress(range(0, len(texts), CHUNK), "tokenizing", total=-(-len(texts) // CHUNK)):
        chunk = texts[i : i + CHUNK]
        if backend is not None:
            encode = getattr(backend, "encode_batch_fast", backend.encode_batch)
            out += [np.asarray(e.ids, dtype=np.int32) for e in encode(chunk, add_special_tokens=False)]
        else:
            out += [np.asarray(x, dtype=np.int32) for x in tokenizer(chunk, add_special_tokens=False)["input_ids"]]
    return out


def _slow(tokenizer, messages: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """``tokenize_conversation``, with the assistant turns marked ``"train": False`` unlabelled."""
    if all(m.get("train", True) for m in messages):
        enc = tokenize_conversation(tokenizer, messages)
        return np.asarray(enc["input_ids"], dtype=np.int32), np.asarray(enc["labels"], dtype=np.int32)
    text, spans = assistant_spans(tokenizer, messages)
    turns = [m for m in messages if m["role"] == "assistant"]
    spans = [span for span, m in zip(spans, turns, strict=True) if m.get("train", True)]
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    labels = [t if _inside(spans, s, e) else IGNORE_INDEX for t, (s, e) in zip(enc["input_ids"], enc["offset_mapping"], strict=True)]
    return np.asarray(enc["input_ids"], dtype=np.int32), np.asarray(labels, dtype=np.int32)


def tokenize_many(tokenizer, conversations: list[list[dict]], progress=None) -> tuple[list[np.ndarray], list[np.ndarray], dict]:
    """Untruncated ``(input_ids, labels)`` per conversation, and how they were made.
    ``progress(iterable, desc, total=)`` wraps the long loops (a progress bar)."""
    progress = progress or (lambda items, desc, total=None: items)
    layouts: dict[tuple[str, ...], _Layout | None] = {}
    patterns = []
    for msgs in conversations:
        roles = tuple(m["role"] for m in msgs)
        if roles not in layouts:
            layouts[roles] = _layout(tokenizer, roles)
        patterns.append(roles)

    index: dict[str, int] = {}
    for msgs, roles in zip(conversations, patterns, strict=True):
        if layouts[roles] is not None:
            for m in msgs:
                index.setdefault(m["content"], len(index))
    encoded = _encode_many(tokenizer, list(index), progress)

    ids_out: list[np.ndarray] = []
    labels_out: list[np.ndarray] = []
    slow_rows = 0
    for msgs, roles in zip(conversations, patterns, strict=True):
        lay = layouts[roles]
        if lay is None:
            ids, labels = _slow(tokenizer, msgs)
            slow_rows += 1
        else:
            id_parts, lab_parts = [lay.glue_ids[0]], [lay.glue_labels[0]]
            for k, m in enumerate(msgs):
                c = encoded[index[m["content"]]]
                id_parts += [c, lay.glue_ids[k + 1]]
                if m.get("train", True):  # an untrained turn loses its content and its closing markup
                    lab_parts += [c if lay.trained[k] else _ignored(len(c)), lay.glue_labels[k + 1]]
                else:
                    lab_parts += [_ignored(len(c)), _ignored(len(lay.glue_labels[k + 1]))]
            ids, labels = np.concatenate(id_parts), np.concatenate(lab_parts)
        ids_out.append(ids)
        labels_out.append(labels)

    info = {"fast_path": slow_rows < len(conversations), "slow_rows": slow_rows, "verified_rows": 0}
    bad = _first_mismatch(tokenizer, conversations, patterns, ids_out, labels_out, info)
    if bad is not None:
        info.update(fast_path=False, slow_rows=len(conversations), note=f"fast path differed from tokenize_conversation on row {bad}")
        pairs = [_slow(tokenizer, m) for m in conversations]
        ids_out, labels_out = [p[0] for p in pairs], [p[1] for p in pairs]
    return ids_out, labels_out, info


def _first_mismatch(tokenizer, conversations, patterns, ids_out, labels_out, info) -> int | None:
    n = len(conversations)
    sample = set(range(0, n, max(1, n // VERIFY_SPREAD)))
    seen: set = set()
    for i, roles in enumerate(patterns):
        shape = (roles, tuple(m.get("train", True) for m in conversations[i]))
        if shape not in seen:  # the first of each role sequence and of each set of training flags
            seen.add(shape)
            sample.add(i)
    for i in sorted(sample):
        ids, labels = _slow(tokenizer, conversations[i])
        info["verified_rows"] += 1
        if not (np.array_equal(ids, ids_out[i]) and np.array_equal(labels, labels_out[i])):
            return i
    return None
