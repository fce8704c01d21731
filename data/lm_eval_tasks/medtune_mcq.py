"""The loader of the ``medtune_mcq`` lm-eval task: a local JSONL of multiple-choice questions,
read without the Hugging Face hub.

Each line is ``{"question": ..., "options": {"A": ..., "B": ...} or [...], "answer": "B" or 1}``
(the layout of data/mcq_sample.jsonl and of MedQA/MedMCQA exports). lm-eval imports this file by
path (``!function medtune_mcq.load`` in the YAML beside it), so it depends on nothing of medtune.
"""

from __future__ import annotations

import json
import string
from pathlib import Path


def _row(item: dict, where: str) -> dict:
    options = item["options"]
    if isinstance(options, dict):
        letters, choices = [str(k).upper() for k in options], [str(v) for v in options.values()]
    else:
        letters, choices = list(string.ascii_uppercase[: len(options)]), [str(v) for v in options]
    answer = item["answer"]
    if isinstance(answer, int) and not isinstance(answer, bool):
        label = answer
    elif str(answer).strip().upper() in letters:
        label = letters.index(str(answer).strip().upper())
    elif str(answer) in choices:
        label = choices.index(str(answer))
    else:
        raise ValueError(f"{where}: answer {answer!r} is not one of the options {letters}")
    if not 0 <= label < len(choices):
        raise ValueError(f"{where}: answer index {label} out of range (0-based, {len(choices)} options)")
    return {"question": str(item["question"]), "letters": letters, "choices": choices, "label": label}


def load(path: str = "../mcq_sample.jsonl", **_metadata) -> dict:
    """``{"test": Dataset}`` from ``path`` (relative to this folder, or absolute)."""
    import datasets

    file = Path(path) if Path(path).is_absolute() else Path(__file__).resolve().parent / path
    rows = []
    with open(file, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                rows.append(_row(json.loads(line), f"{file}:{n}"))
    return {"test": datasets.Dataset.from_list(rows)}
