"""Scoring text under a model with the training masking: loss, perplexity, multiple choice.

Everything here goes through one function, :func:`example_nll`: for each tokenized example
(``input_ids`` and ``labels`` from :func:`medtune.chat_template.tokenize_conversation`, prompt
tokens at -100) the summed negative log-likelihood of its labelled tokens and how many there are.
Eval loss is the token-weighted mean over a whole split (not the Trainer's mean of batch means),
perplexity its exponential, and a multiple-choice option's score is the log-likelihood of the
option as the assistant's answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medtune.chat_template import IGNORE_INDEX, tokenize_conversation
from medtune.errors import DataError

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def perplexity(loss: float) -> float:
    """exp(loss), or inf where that overflows a float."""
    try:
        return math.exp(loss)
    except OverflowError:
        return math.inf


def model_device(model):
    """Where inputs go: the device of the input embeddings (also right under a device map)."""
    return model.get_input_embeddings().weight.device


def example_nll(model, examples: Sequence[dict], batch_size: int = 8, pad_id: int = 0, desc: str | None = None):
    """Per example: (summed NLL over labelled tokens, number of labelled tokens).

    Examples are batched by length (longest first, so an out-of-memory error shows at once) and
    right-padded; padding carries no label and no attention, so batching does not change a score.
    Logits are cast to float32 only at labelled positions, which keeps Phi-4-mini's 200k-entry
    vocabulary affordable.
    """
    import torch
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    order = sorted(range(len(examples)), key=lambda i: -len(examples[i]["input_ids"]))
    nll = [0.0] * len(examples)
    counts = [0] * len(examples)
    device = model_device(model)
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    for batch in tqdm(batches, desc=desc, disable=desc is None, leave=False):
        width = max(len(examples[i]["input_ids"]) for i in batch)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
        for row, i in enumerate(batch):
            n = len(examples[i]["input_ids"])
            ids[row, :n] = torch.tensor(examples[i]["input_ids"])
            mask[row, :n] = 1
            labels[row, :n] = torch.tensor(examples[i]["labels"])
        with torch.no_grad():
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
        targets = labels[:, 1:].to(logits.device)
        for row, i in enumerate(batch):
            keep = targets[row] != IGNORE_INDEX
            if keep.any():
                nll[i] = F.cross_entropy(logits[row, :-1][keep].float(), targets[row][keep], reduction="sum").item()
                counts[i] = int(keep.sum())
    return nll, counts


@dataclass
class LossResult:
    loss: float
    perplexity: float
    tokens: int
    examples: int

    def as_dict(self) -> dict:
        return {"eval_loss": self.loss, "perplexity": self.perplexity, "tokens": self.tokens, "examples": self.examples}


def masked_loss(model, examples: Sequence[dict], batch_size: int = 8, pad_id: int = 0, desc: str | None = None) -> LossResult:
    """Mean token-level NLL over every labelled token of ``examples``, and its perplexity."""
    nll, counts = example_nll(model, examples, batch_size, pad_id, desc)
    tokens = sum(counts)
    if tokens == 0:
        raise DataError("no labelled tokens to score: every assistant turn is masked or truncated away")
    loss = sum(nll) / tokens
    return LossResult(loss, perplexity(loss), tokens, len(examples))


# --------------------------------------------------------------------------------------------
# Multiple choice
# --------------------------------------------------------------------------------------------


@dataclass
class MCQItem:
    question: str
    options: list[tuple[str, str]]  # (letter, text)
    answer: int  # index into options
    source: str = ""


def _answer_index(raw, options: list[tuple[str, str]], where: str) -> int:
    letters = [letter for letter, _ in options]
    if isinstance(raw, bool):
        raise DataError(f"{where}: answer must be a letter or a 0-based index, got {raw!r}")
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        i = int(raw)
        if not 0 <= i < len(options):
            raise DataError(f"{where}: answer index {i} is outside 0..{len(options) - 1} (indices are 0-based)")
        return i
    if isinstance(raw, str):
        key = raw.strip().rstrip(".):").strip().upper()
        if key in letters:
            return letters.index(key)
        texts = [t.strip() for _, t in options]
        if raw.strip() in texts:
            return texts.index(raw.strip())
    raise DataError(f"{where}: answer {raw!r} is neither one of the option letters {letters} nor an index")


def load_mcq(path: str | Path) -> list[MCQItem]:
    """MedQA/MedMCQA-style JSONL: ``question``, ``options`` ({"A": text, ...} or a list) and
    ``answer`` (a letter, a 0-based index, or the option's text; ``answer_idx`` is read first
    when present, as MedQA stores the letter there and the text in ``answer``)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"evaluation.mcq_path: {path} does not exist")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise DataError(f"{where}: not JSON: {exc}") from None
        if not isinstance(row, dict) or "question" not in row or "options" not in row:
            raise DataError(f"{where}: needs question and options")
        opts = row["options"]
        if isinstance(opts, dict):
            options = [(str(k).strip().upper(), str(v)) for k, v in opts.items()]
        elif isinstance(opts, list):
            options = [(LETTERS[i], str(v)) for i, v in enumerate(opts)]
        else:
            raise DataError(f"{where}: options must be a mapping of letters to text or a list")
        if len(options) < 2:
            raise DataError(f"{where}: a multiple-choice question needs at least two options")
        raw = row.get("answer_idx", row.get("answer"))
        if raw is None:
            raise DataError(f"{where}: no answer")
        items.append(MCQItem(str(row["question"]), options, _answer_index(raw, options, where), where))
    if not items:
        raise DataError(f"{path}: no questions")
    return items


def mcq_prompt(item: MCQItem) -> str:
    listed = "\n".join(f"{letter}. {text}" for letter, text in item.options)
    return f"{item.question}\n\nOptions:\n{listed}\n\nAnswer with the correct option."


def mcq_conversation(item: MCQItem, option: int, system_prompt: str | None) -> list[dict]:
    """The question as the user's turn and one option's text as the assistant's answer."""
    system = [{"role": "system", "content": system_prompt}] if system_prompt and system_prompt.strip() else []
    return system + [
        {"role": "user", "content": mcq_prompt(item)},
        {"role": "assistant", "content": item.options[option][1]},
    ]


@dataclass
class MCQResult:
    correct: int
    total: int
    correct_norm: int
    predictions: list[int] = field(default_factory=list)  # chosen option per question (summed log-likelihood)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def score_mcq(
    model,
    tokenizer,
    items: Sequence[MCQItem],
    system_prompt: str | None = None,
    batch_size: int = 8,
    max_length: int | None = None,
    desc: str | None = None,
) -> MCQResult:
    """Pick, per question, the option with the highest log-likelihood as the assistant's answer.

    Scored tokens are the option's assistant turn under the training masking (its text, ``<|end|>``
    and the final ``<|endoftext|>``). The choice uses the summed log-likelihood; ``correct_norm``
    counts choices made by the per-token mean instead, which does not favour short options.
    """
    examples, owner = [], []
    for q, item in enumerate(items):
        for o in range(len(item.options)):
            examples.append(tokenize_conversation(tokenizer, mcq_conversation(item, o, system_prompt), max_length))
            owner.append((q, o))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    nll, counts = example_nll(model, examples, batch_size, pad, desc)
    best: dict[int, tuple[float, int]] = {}
    best_norm: dict[int, tuple[float, int]] = {}
    for (q, o), s, c in zip(owner, nll, counts, strict=True):
        total, mean = -s, (-s / c if c else -math.inf)
        if q not in best or total > best[q][0]:
            best[q] = (total, o)
        if q not in best_norm or mean > best_norm[q][0]:
            best_norm[q] = (mean, o)
    predictions = [best[q][1] for q in range(len(items))]
    correct = sum(p == item.answer for p, item in zip(predictions, items, strict=True))
    correct_norm = sum(best_norm[q][1] == item.answer for q, item in enumerate(items))
    return MCQResult(correct, len(items), correct_norm, predictions)
