"""Overlap metrics between a generated answer and the reference answer, computed locally.

``evaluate.load("rouge")`` and ``evaluate.load("bleu")`` fetch their code from the Hub, which an
offline machine cannot do, so both metrics live here:

* ROUGE-L (and ROUGE-1/2) through Google's ``rouge-score`` package, the implementation behind
  ``evaluate``'s rouge: its default tokenizer (lower-cased, alphanumeric runs), Porter stemming,
  F-measure per pair, averaged over pairs.
* Corpus BLEU (Papineni et al., 2002) implemented below: clipped n-gram precisions up to 4-grams
  pooled over the corpus, geometric mean, brevity penalty ``exp(1 - r/c)`` when the candidate
  corpus is shorter than the reference corpus (``r`` sums each candidate's closest reference
  length). Text is split with sacreBLEU's ``13a`` tokenizer, as ``evaluate``'s bleu does; with a
  single reference per answer the score equals ``evaluate.load("bleu")``'s.
  Smoothing: none by default (the standard score; any order with zero matches gives 0). With
  ``smooth=True`` every order's precision becomes ``(matches + 1) / (candidates + 1)`` (Lin and
  Och, 2004, "add-one"; ``evaluate``'s ``smooth=True``), useful for short or early-training answers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

_13A_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),  # punctuation and symbols
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period and comma unless preceded by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # ... or followed by one
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),  # dash after a digit
]


def tokenize_13a(text: str) -> list[str]:
    """sacreBLEU's default ``13a`` tokenizer (mteval-v13a.pl), case preserved."""
    text = text.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in text:
        text = text.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = f" {text} "
    for pattern, repl in _13A_RULES:
        text = pattern.sub(repl, text)
    return text.split()


def _ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(
    predictions: Sequence[str],
    references: Sequence[str | Sequence[str]],
    max_order: int = 4,
    smooth: bool = False,
    tokenize: Callable[[str], list[str]] = tokenize_13a,
) -> dict:
    """Corpus BLEU in [0, 1] with its parts: ``bleu``, ``precisions`` (per order),
    ``brevity_penalty``, ``length_ratio``, ``translation_length``, ``reference_length``.

    ``references[i]`` is one reference string or a list of them for ``predictions[i]``.
    """
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    matches = [0] * max_order
    possible = [0] * max_order
    cand_len = ref_len = 0
    for pred, refs in zip(predictions, references, strict=True):
        refs = [refs] if isinstance(refs, str) else list(refs)
        cand = tokenize(pred)
        ref_toks = [tokenize(r) for r in refs]
        cand_len += len(cand)
        # The reference length closest to the candidate's; ties go to the shorter one.
        ref_len += min((abs(len(r) - len(cand)), len(r)) for r in ref_toks)[1] if ref_toks else 0
        for n in range(1, max_order + 1):
            counts = _ngrams(cand, n)
            max_ref: Counter = Counter()
            for r in ref_toks:
                max_ref |= _ngrams(r, n)  # union keeps the maximum count per n-gram
            matches[n - 1] += sum(min(c, max_ref[g]) for g, c in counts.items())
            possible[n - 1] += max(len(cand) - n + 1, 0)

    if smooth:
        precisions = [(m + 1) / (p + 1) for m, p in zip(matches, possible, strict=True)]
    else:
        precisions = [m / p if p else 0.0 for m, p in zip(matches, possible, strict=True)]
    geo_mean = math.exp(sum(math.log(p) for p in precisions) / max_order) if min(precisions) > 0 else 0.0
    ratio = cand_len / ref_len if ref_len else 0.0
    if cand_len == 0:
        bp = 0.0
    elif ratio >= 1.0:
        bp = 1.0
    else:
        bp = math.exp(1 - 1 / ratio)
    return {
        "bleu": geo_mean * bp,
        "precisions": precisions,
        "brevity_penalty": bp,
        "length_ratio": ratio,
        "translation_length": cand_len,
        "reference_length": ref_len,
    }


def rouge(predictions: Sequence[str], references: Sequence[str], use_stemmer: bool = True) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures over (prediction, reference) pairs."""
    from rouge_score import rouge_scorer

    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    types = ["rouge1", "rouge2", "rougeL"]
    if not predictions:
        return {t: 0.0 for t in types}
    scorer = rouge_scorer.RougeScorer(types, use_stemmer=use_stemmer)
    totals = dict.fromkeys(types, 0.0)
    for pred, ref in zip(predictions, references, strict=True):
        scores = scorer.score(ref, pred)  # rouge-score takes (target, prediction)
        for t in types:
            totals[t] += scores[t].fmeasure
    return {t: v / len(predictions) for t, v in totals.items()}
