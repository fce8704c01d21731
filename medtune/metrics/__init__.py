"""Metrics that run offline: text overlap (ROUGE, BLEU) and model likelihood (loss, perplexity,
multiple choice). ``medtune.evaluate`` puts them together into ``medtune evaluate``."""

from medtune.metrics.likelihood import (
    LossResult,
    MCQItem,
    MCQResult,
    example_nll,
    load_mcq,
    masked_loss,
    perplexity,
    score_mcq,
)
from medtune.metrics.text import corpus_bleu, rouge, tokenize_13a

__all__ = [
    "LossResult",
    "MCQItem",
    "MCQResult",
    "corpus_bleu",
    "example_nll",
    "load_mcq",
    "masked_loss",
    "perplexity",
    "rouge",
    "score_mcq",
    "tokenize_13a",
]
