"""The data report: what came in, what was kept and dropped and why, and what the model will see.

``write(out_dir, report, rejects)`` writes ``data_report.json``, ``data_report.md``,
``token_lengths.png`` and ``rejects.jsonl``. The report holds counts, file:line references and
the three rendered examples (already PII-scrubbed): never raw rows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from medtune.data.records import DROP_REASONS, INVALID_REASONS

PERCENTILES = (50, 90, 95, 99)
BINS = 40


def length_stats(lengths) -> dict:
    arr = np.asarray(lengths)
    if arr.size == 0:
        return {"count": 0}
    out = {"count": int(arr.size), "mean": round(float(arr.mean()), 1), "min": int(arr.min())}
    out.update({f"p{p}": int(np.percentile(arr, p)) for p in PERCENTILES})
    out["max"] = int(arr.max())
    return out


def histogram(train_lengths, eval_lengths) -> dict:
    both = np.concatenate([np.asarray(train_lengths, dtype=np.int64), np.asarray(eval_lengths, dtype=np.int64)])
    top = int(both.max()) if both.size else 1
    edges = np.linspace(0, max(top, 1), BINS + 1)
    return {
        "edges": [round(float(e), 1) for e in edges],
        "train": np.histogram(train_lengths, edges)[0].tolist(),
        "eval": np.histogram(eval_lengths, edges)[0].tolist(),
    }


def write(out_dir: Path, report: dict, rejects: Path | None) -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "data_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "data_report.md").write_text(markdown(report), encoding="utf-8")
    plot(report, out_dir / "token_lengths.png")
    if rejects is not None and rejects.is_file() and rejects.resolve() != (out_dir / "rejects.jsonl").resolve():
        shutil.copyfile(rejects, out_dir / "rejects.jsonl")


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    hist = report["token_lengths"]["histogram"]
    edges = np.asarray(hist["edges"])
    widths = np.diff(edges)
    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    ax.bar(edges[:-1], hist["train"], width=widths, align="edge", alpha=0.7, label="train")
    ax.bar(edges[:-1], hist["eval"], width=widths, align="edge", alpha=0.7, label="eval")
    limit = report["config"]["max_length"]
    ax.axvline(limit, color="black", linestyle="--", linewidth=1, label=f"max_length {limit}")
    ax.set_xlabel("tokens per conversation (rendered, system prompt included)")
    ax.set_ylabel("conversations")
    ax.set_title("Token lengths")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def markdown(r: dict) -> str:
    rows = r["rows"]
    lines = [
        "# Data report",
        "",
        f"Fingerprint `{r['fingerprint'][:16]}`; {rows['input']} conversations in, **{rows['kept']} kept** "
        f"({r['split']['train']} train, {r['split']['eval']} eval; {r['split']['train_weighted']} train rows after weights), "
        f"{sum(rows['dropped'].values())} dropped.",
        "",
        "## Sources",
        "",
    ]
    lines += _table(
        ["dataset", "format", "files", "rows read", "conversations", "invalid", "kept", "train", "eval", "weight", "train after weight", "licence"],
        [
            [s["name"], s["format"], s["files"], s["rows_read"], s["conversations"], s["invalid"], s["kept"], s["train"], s["eval"],
             s["weight"], s["train_weighted"], s["license"] or "-"]
            for s in r["sources"]
        ],
    )  # fmt: skip
    for s in r["sources"]:
        if s.get("row_fates"):  # OpenAssistant: rows are trees or messages, not conversations
            fates = ", ".join(f"{k} {v}" for k, v in s["row_fates"].items())
            lines += ["", f"Rows of {s['name']} (OpenAssistant trees or messages), {s['rows_read']} read: {fates}."]
    lines += ["", "## Kept and dropped", ""]
    dropped = [[reason, n, "malformed" if reason in INVALID_REASONS else ""] for reason, n in rows["dropped"].items() if n]
    lines += _table(["reason", "rows", "kind"], [["kept", rows["kept"], ""]] + dropped + [["**input**", rows["input"], ""]])
    if ef := r.get("eval_files"):
        lines += ["", f"Eval rows come from the eval files ({', '.join(f'`{p}`' for p in ef['paths'])}), not a hash split: {_eval_line(ef)}."]
    inv = r["rows"]["invalid"]
    lines += ["", f"Malformed: {inv} ({rows['invalid_fraction']:.2%}; limit data.max_invalid_fraction = {r['config']['max_invalid_fraction']:.0%})."]
    if r["rejects"]["count"]:
        lines += ["Every dropped row is listed in `rejects.jsonl` (file, line, reason, sha256 of the raw row). First ones:", ""]
        lines += [f"- `{w}`" for w in r["rejects"]["first"]]
    sp = r["system_prompt"]
    lines += [
        "",
        "## Cleaning",
        "",
        f"- System prompt (mode `{sp['mode']}`): inserted in {sp['inserted']}, replaced in {sp['replaced']}, "
        f"prepended to {sp['prepended']}, existing one kept in {sp['kept']}, already the configured one in {sp['unchanged']}.",
        f"- Whitespace or Unicode normalized in {r['normalized_rows']} conversations.",
    ]
    pii = r["pii"]
    kinds = ", ".join(f"{k} {v}" for k, v in pii["replacements"].items()) or "none"
    lines.append(f"- PII scrubbing ({'on' if pii['enabled'] else 'off'}): {pii['rows']} conversations changed; replacements: {kinds}.")
    cf = r["content_filter"]
    lines.append(f"- Content filter ({cf['action']}, {cf['terms']} terms): {cf['matched']} conversations matched.")
    d = r["deferral"]
    by_cat = ", ".join(f"{k} {v}" for k, v in d["by_category"].items()) or "none"
    lines.append(f"- Deferral consistency ({d['status']}; policy `{d['policy']}`): {d['inconsistent']} conversations whose answer "
                 f"does not defer where the user turn would be deferred ({by_cat}); rewritten {d['rewritten']}, dropped {d['dropped']}.")  # fmt: skip
    dup = r["duplicates"]
    lines.append(f"- Duplicates: {dup['exact']} exact, {dup['near']} near (Jaccard >= {dup['threshold']}), "
                 f"{dup['eval_contamination']} train rows near-identical to an eval row removed from train.")  # fmt: skip
    ln = r["length"]
    lines.append(f"- Length ({r['config']['min_length']} to {r['config']['max_length']} tokens, `{r['config']['truncation']}`): "
                 f"{ln['too_short']} too short, {ln['too_long']} too long dropped, {ln['truncated']} truncated.")  # fmt: skip
    lines += ["", "## Token lengths", ""]
    stats = r["token_lengths"]
    keys = ["count", "mean", "min"] + [f"p{p}" for p in PERCENTILES] + ["max"]
    lines += _table(["split"] + keys, [[name] + [stats[name].get(k, "-") for k in keys] for name in ("train", "eval")])
    lines += ["", "![token lengths](token_lengths.png)", ""]
    lines += ["## Examples, exactly as the model sees them", "", "Text inside `[[TRAIN: ...]]` carries loss; the rest is context.", ""]
    for ex in r["examples"]:
        lines += [f"From `{ex['source']}`:", "", "```text", ex["text"], "```", ""]
    tk = r["tokenization"]
    cpu = r.get("cpu_timings", {})
    lines += ["## Timings", "", ", ".join(f"{k} {v:.2f}s" + (f" ({cpu[k]:.2f}s CPU)" if k in cpu else "") for k, v in r["timings"].items()), ""]
    lines.append(f"Tokenization: fast path {'on' if tk['fast_path'] else 'off'}, checked against tokenize_conversation on {tk['verified_rows']} rows.")
    return "\n".join(lines) + "\n"


def _eval_line(ef: dict) -> str:
    dropped = ", ".join(f"{k} {v}" for k, v in ef["dropped"].items()) or "none"
    return f"{ef['input']} conversations in, {ef['kept']} kept, dropped: {dropped}"


def drop_counts(counter) -> dict:
    return {reason: int(counter.get(reason, 0)) for reason in DROP_REASONS}


def console_summary(report: dict, fingerprint: str) -> str:
    """The few lines `medtune data` prints: rows kept and dropped, PII, deferral, token lengths."""
    rows = report["rows"]
    dropped = ", ".join(f"{k} {v}" for k, v in rows["dropped"].items() if v) or "none"
    pii = ", ".join(f"{k} {v}" for k, v in report["pii"]["replacements"].items()) or "none"
    hit = report.get("cache", {}).get("hit")
    split, deferral, train_tokens = report["split"], report["deferral"], report["token_lengths"]["train"]
    lines = [
        f"data: {rows['input']} conversations in, {rows['kept']} kept "
        f"({split['train']} train, {split['eval']} eval; {split['train_weighted']} train rows after weights)",
        f"  dropped: {dropped}",
        *([f"  eval files: {_eval_line(report['eval_files'])}"] if report.get("eval_files") else []),
        f"  PII replaced: {pii}",
        f"  deferral consistency: {deferral['status']}; {deferral['inconsistent']} inconsistent ({deferral['policy']})",
        f"  tokens per conversation: p50 {train_tokens.get('p50', '-')}, p99 {train_tokens.get('p99', '-')}, "
        f"max {train_tokens.get('max', '-')}",
        f"  fingerprint {fingerprint[:16]} ({'cache hit' if hit else 'processed'})",
    ]
    return "\n".join(lines)
