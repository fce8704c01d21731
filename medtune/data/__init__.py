"""The data pipeline: files in, clean tokenized conversations out, and a report of what happened.

This is the seam the trainer builds on. The full pipeline (formats, PII scrubbing, dedup, report)
grows behind the same ``prepare_data`` signature.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medtune.chat_template import tokenize_conversation
from medtune.config import Config
from medtune.errors import DataError


@dataclass
class PreparedData:
    """Tokenized train/eval splits (``datasets.Dataset`` with input_ids, attention_mask, labels,
    messages) plus what the run metadata and the data report need."""

    train: Any
    eval: Any | None
    fingerprint: str
    provenance: list[dict]
    report: dict = field(default_factory=dict)

    def write_report(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "data_report.json").write_text(json.dumps(self.report, indent=2), encoding="utf-8")


def _with_system_prompt(messages: list[dict], prompt: str) -> list[dict]:
    rest = [m for m in messages if m["role"] != "system"]
    return ([{"role": "system", "content": prompt}] if prompt.strip() else []) + rest


def prepare_data(cfg: Config, tokenizer, report_dir: Path | None = None) -> PreparedData:
    """Load, clean, split and tokenize the configured training data."""
    from datasets import Dataset

    path = cfg.resolve_path(cfg.data.dataset_path)
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                messages = json.loads(line)["messages"]
            except (ValueError, KeyError) as exc:
                raise DataError(f"{path}:{n}: {exc}") from None
            rows.append({"messages": _with_system_prompt(messages, cfg.safety.system_prompt)})
    size = cfg.data.eval_dataset_size
    n_eval = int(size) if size >= 1 else int(round(len(rows) * size))
    train_rows, eval_rows = rows[n_eval:], rows[:n_eval]

    def encode(batch_rows):
        return [dict(r, **tokenize_conversation(tokenizer, r["messages"], cfg.data.max_seq_length)) for r in batch_rows]

    train = Dataset.from_list(encode(train_rows))
    evals = Dataset.from_list(encode(eval_rows)) if eval_rows else None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    prov = [{"path": str(path), "sha256": digest, "rows": len(rows), "license": cfg.data.license}]
    prepared = PreparedData(train, evals, digest, prov, {"rows": len(rows), "train": len(train_rows), "eval": len(eval_rows)})
    if report_dir is not None:
        prepared.write_report(report_dir)
    return prepared


def data_command(args) -> int:
    raise DataError("`medtune data` is not implemented yet")
