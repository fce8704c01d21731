"""Rendering conversations exactly as the model sees them, and deciding which tokens carry loss.

Loss goes on assistant turns only, including the `<|end|>` that closes each one (and the final
`<|endoftext|>`), or the model never learns to stop. Spans come from the tokenizer's own chat
template and the tokenizer's own offsets, so the masking stays right whatever the template or
the tokenizer's whitespace rules; TRL's `assistant_only_loss` would need `{% generation %}` tags
that Phi-4-mini's template does not have.
"""

from __future__ import annotations

import hashlib
import json

from medtune.errors import DataError

IGNORE_INDEX = -100
TRAIN_OPEN, TRAIN_CLOSE = "[[TRAIN:", "]]"


def render(tokenizer, messages: list[dict], add_generation_prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)


def assistant_spans(tokenizer, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character spans that carry loss."""
    full = render(tokenizer, messages)
    eos = tokenizer.eos_token or ""
    spans: list[tuple[int, int]] = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        start = len(render(tokenizer, messages[:i], add_generation_prompt=True))
        through = render(tokenizer, messages[: i + 1])
        end = len(through)
        if i == len(messages) - 1:
            end = len(full)  # the final eos is learned too
        elif eos and through.endswith(eos):
            end -= len(eos)
        if not full.startswith(through[:end]) or start > end:
            raise DataError("the chat template does not render conversations prefix by prefix; cannot mask turns")
        spans.append((start, end))
    return full, spans


def tokenize_conversation(tokenizer, messages: list[dict], max_length: int | None = None) -> dict:
    """input_ids, attention_mask and labels (prompt tokens masked with -100)."""
    text, spans = assistant_spans(tokenizer, messages)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    labels = []
    for tok_id, (s, e) in zip(enc["input_ids"], enc["offset_mapping"], strict=True):
        inside = any(a <= s < b or (s == e and a < s <= b) for a, b in spans)
        labels.append(tok_id if inside else IGNORE_INDEX)
    ids = list(enc["input_ids"])
    if max_length is not None and len(ids) > max_length:
        ids, labels = ids[:max_length], labels[:max_length]
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels}


def render_masked(tokenizer, input_ids: list[int], labels: list[int]) -> str:
    """The example as text, with the trained parts wrapped in [[TRAIN: ... ]]."""
    out: list[str] = []
    run: list[int] = []
    trained = None
    for tok, lab in zip(input_ids, labels, strict=True):
        t = lab != IGNORE_INDEX
        if trained is not None and t != trained:
            out.append(_piece(tokenizer, run, trained))
            run = []
        run.append(tok)
        trained = t
    if run:
        out.append(_piece(tokenizer, run, bool(trained)))
    return "".join(out)


def _piece(tokenizer, ids: list[int], trained: bool) -> str:
    text = tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)
    return f"{TRAIN_OPEN}{text}{TRAIN_CLOSE}" if trained else text


def check_labels(tokenizer, example: dict) -> None:
    """Fail before training when nothing is learned, or the end-of-turn token is never labelled."""
    labels = example["labels"]
    if all(lab == IGNORE_INDEX for lab in labels):
        raise DataError("pre-flight: every label is masked, so the model would learn nothing")
    end_id = tokenizer.convert_tokens_to_ids("<|end|>")
    if end_id is None or end_id not in labels:
        raise DataError(
            "pre-flight: no <|end|> token carries a label, so the model would never learn to stop; "
            "check the chat template and data.max_seq_length"
        )


def template_hash(tokenizer) -> str:
    """Identifies the prompt format: template text plus the ids of the special tokens it uses."""
    special = {t: tokenizer.convert_tokens_to_ids(t) for t in ("<|system|>", "<|user|>", "<|assistant|>", "<|end|>")}
    blob = json.dumps({"template": tokenizer.chat_template, "special": special, "eos": tokenizer.eos_token}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()
