"""Every measure of one model on the run's eval split: masked loss and perplexity, generation
quality (ROUGE, BLEU, answer length, ``<|end|>``), and multiple choice. The metric arithmetic
itself lives in :mod:`medtune.metrics`; this module decides what each model is measured on."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from medtune.config import Config
from medtune.errors import DataError
from medtune.evaluate.loading import LABELS
from medtune.metrics import corpus_bleu, masked_loss, rouge, score_mcq
from medtune.stats import wilson_interval


@dataclass
class Generation:
    text: str
    reference: str
    tokens: int  # generated tokens before the stop token
    ended: bool  # emitted <|end|> within max_new_tokens


@dataclass
class EvalInputs:
    """What every model is measured on."""

    loss_examples: list[dict]
    conversations: list[list[dict]]  # the generation sample
    mcq: list  # MCQItem


def eval_inputs(dataset, sample: Sequence[int], mcq: list) -> EvalInputs:
    return EvalInputs([{"input_ids": r["input_ids"], "labels": r["labels"]} for r in dataset],
                      [dataset[i]["messages"] for i in sample], mcq)


def split_for_generation(messages: Sequence[dict]) -> tuple[list[dict], str]:
    """The conversation up to its last assistant turn, and that turn's text (the reference)."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=None)
    if last is None:
        raise DataError("an eval conversation has no assistant turn")
    return list(messages[:last]), messages[last]["content"]


def sample_indices(n: int, k: int, seed: int) -> list[int]:
    """``k`` of ``range(n)``, seeded and in order, so base and fine-tuned answer the same prompts."""
    if k >= n:
        return list(range(n))
    return sorted(random.Random(seed).sample(range(n), k))


def generate_answers(
    model, tokenizer, conversations: Sequence[Sequence[dict]], max_new_tokens: int, batch_size: int = 4, desc: str | None = None
) -> list[Generation]:
    """Greedy answers to each conversation's last user turn (prompt rendered with the chat
    template and the generation prompt), stopping on ``<|end|>`` or ``<|endoftext|>``."""
    from medtune.embedded import END
    from medtune.model import generate_greedy

    end_id = tokenizer.convert_tokens_to_ids(END)
    pairs = [split_for_generation(c) for c in conversations]
    replies = generate_greedy(model, tokenizer, [p for p, _ in pairs], max_new_tokens, batch_size, desc)
    return [Generation(r.text, ref, r.tokens, r.stop_id == end_id) for r, (_, ref) in zip(replies, pairs, strict=True)]


def generation_metrics(gens: Sequence[Generation]) -> dict:
    preds, refs = [g.text for g in gens], [g.reference for g in gens]
    n = len(gens)
    bleu = corpus_bleu(preds, refs)
    return {
        **rouge(preds, refs),
        "bleu": bleu["bleu"],
        "bleu_smoothed": corpus_bleu(preds, refs, smooth=True)["bleu"],
        "bleu_precisions": bleu["precisions"],
        "brevity_penalty": bleu["brevity_penalty"],
        "mean_answer_tokens": sum(g.tokens for g in gens) / n if n else 0.0,
        "mean_answer_words": sum(len(g.text.split()) for g in gens) / n if n else 0.0,
        "mean_reference_words": sum(len(g.reference.split()) for g in gens) / n if n else 0.0,
        "ended_share": sum(g.ended for g in gens) / n if n else 0.0,
        "samples": n,
    }


def measure_model(model, tokenizer, cfg: Config, inputs: EvalInputs, label: str) -> tuple[dict, list[Generation], list[int]]:
    """Metrics for one model, its generations, and its multiple-choice picks."""
    ev = cfg.evaluation
    batch = cfg.training.per_device_eval_batch_size
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    name = LABELS.get(label, label)
    result: dict = {"loss": masked_loss(model, inputs.loss_examples, batch, pad_id, f"{name}: eval loss").as_dict()}
    gens: list[Generation] = []
    if inputs.conversations:
        gens = generate_answers(model, tokenizer, inputs.conversations, ev.max_new_tokens, ev.batch_size, f"{name}: generating")
        result["generation"] = generation_metrics(gens)
    picks: list[int] = []
    if inputs.mcq:
        mcq = score_mcq(
            model, tokenizer, inputs.mcq, cfg.safety.system_prompt, batch, cfg.data.max_seq_length, f"{name}: multiple choice"
        )
        lo, hi = wilson_interval(mcq.correct, mcq.total)
        result["mcq"] = {
            "accuracy": mcq.accuracy,
            "ci95": [lo, hi],
            "correct": mcq.correct,
            "total": mcq.total,
            "accuracy_norm": mcq.correct_norm / mcq.total,
            "chance": sum(1 / len(q.options) for q in inputs.mcq) / len(inputs.mcq),
        }
        picks = mcq.predictions
    return result, gens, picks
