"""``medtune data``: run the pipeline without training and write the data report."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUT = "reports/data"


def summary(prepared) -> str:
    r = prepared.report
    rows = r["rows"]
    dropped = ", ".join(f"{k} {v}" for k, v in rows["dropped"].items() if v) or "none"
    pii = ", ".join(f"{k} {v}" for k, v in r["pii"]["replacements"].items()) or "none"
    hit = r.get("cache", {}).get("hit")
    lines = [
        f"data: {rows['input']} conversations in, {rows['kept']} kept "
        f"({r['split']['train']} train, {r['split']['eval']} eval; {r['split']['train_weighted']} train rows after weights)",
        f"  dropped: {dropped}",
        f"  PII replaced: {pii}",
        f"  deferral consistency: {r['deferral']['status']}; {r['deferral']['inconsistent']} inconsistent ({r['deferral']['policy']})",
        f"  tokens per conversation: p50 {r['token_lengths']['train'].get('p50', '-')}, p99 {r['token_lengths']['train'].get('p99', '-')}, "
        f"max {r['token_lengths']['train'].get('max', '-')}",
        f"  fingerprint {prepared.fingerprint[:16]} ({'cache hit' if hit else 'processed'})",
    ]
    return "\n".join(lines)


def data_command(args: argparse.Namespace) -> int:
    from medtune.cli import resolve
    from medtune.data.pipeline import prepare_data
    from medtune.model import load_tokenizer

    cfg = resolve(args).config
    out = Path(getattr(args, "out", None) or DEFAULT_OUT)
    tokenizer = load_tokenizer(cfg)
    prepared = prepare_data(cfg, tokenizer, report_dir=out)
    print(summary(prepared))
    print(f"  report: {out / 'data_report.md'} (also data_report.json, token_lengths.png, rejects.jsonl)")
    return 0
