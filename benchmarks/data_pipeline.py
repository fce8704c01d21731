"""Benchmark: the full MedQuAD export through the data pipeline, cold and cached.

    python benchmarks/data_pipeline.py [--path ../shared/data/medquad.jsonl] [--max-length N]

Reads the real file (relative to the repository root by default) with the ``custom`` mapping
``{user: question, assistant: answer}`` and the embedded tiny Phi-4-mini tokenizer (same chat
template), runs load, normalize, filter, PII scrub, dedupe, split and tokenize into a fresh
cache directory, then runs again to measure a cache hit. Prints one JSON object; with no
MedQuAD file it prints ``{"skipped": reason}`` and exits 0. Targets: 30 s cold, 3 s cached.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PATH = REPO.parent / "shared" / "data" / "medquad.jsonl"
TARGET_COLD_S, TARGET_CACHED_S = 30.0, 3.0


def _cpu() -> float:
    """Seconds of CPU this process (all its threads) has used: wall time lies on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def medquad_config(path: Path, cache_dir: Path, max_length: int):
    from medtune.config import load_config

    overrides = [
        "data.format=custom",
        "data.fields={user: question, assistant: answer}",
        f"data.dataset_path={path}",
        f"data.cache_dir={cache_dir}",
        "data.license=CC BY 4.0 (MedQuAD)",
        f"data.max_seq_length={max_length}",
    ]
    return load_config(REPO / "config.yaml", env="dev", overrides=overrides, dotenv=False, environ={}).config


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--path", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--max-length", type=int, default=2048, help="tokens (the base config's data.max_seq_length)")
    ap.add_argument("--report", type=Path, help="also write the data report (Markdown, JSON, PNG, rejects) here")
    ap.add_argument("--tracemalloc", action="store_true", help="also measure peak Python allocations (a separate, slower run)")
    args = ap.parse_args(argv)
    if not args.path.is_file():
        print(json.dumps({"skipped": f"{args.path} not found (the shared MedQuAD export is not on this machine)"}))
        return 0

    from medtune.data import prepare_data
    from medtune.model import load_tokenizer

    with tempfile.TemporaryDirectory(prefix="medtune-bench-") as tmp:
        cfg = medquad_config(args.path.resolve(), Path(tmp) / "cache", args.max_length)
        tokenizer = load_tokenizer(cfg)

        baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # imports and tokenizer
        cpu0 = _cpu()
        t0 = time.perf_counter()
        cold = prepare_data(cfg, tokenizer)
        cold_s = time.perf_counter() - t0
        cold_cpu = _cpu() - cpu0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        t0 = time.perf_counter()
        cached = prepare_data(cfg, tokenizer)
        cached_s = time.perf_counter() - t0
        note = None
        if not cached.report["cache"]["hit"]:  # the fingerprint covers the code: someone edited it meanwhile
            note = "second run missed the cache (its fingerprint changed: code or input edited during the run); timed a third"
            t0 = time.perf_counter()
            cached = prepare_data(cfg, tokenizer)
            cached_s = time.perf_counter() - t0
        if args.report:
            cold.write_report(args.report)

        peak_traced = None
        if args.tracemalloc:  # a third, separate run: tracing slows Python code down several times
            shutil.rmtree(Path(tmp) / "cache")
            tracemalloc.start()
            prepare_data(cfg, tokenizer)
            peak_traced = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()

    r = cold.report
    out = {
        "file": str(args.path),
        "rows": r["rows"]["input"],
        "cold_s": round(cold_s, 2),
        "cold_cpu_s": round(cold_cpu, 2),
        "cached_s": round(cached_s, 2),
        "cache_hit": bool(cached.report["cache"]["hit"]),
        "note": note,
        "target_cold_s": TARGET_COLD_S,
        "target_cached_s": TARGET_CACHED_S,
        "meets_targets": cold_s <= TARGET_COLD_S and cached_s <= TARGET_CACHED_S,
        "peak_rss_mib": round(rss, 1),
        "rss_before_pipeline_mib": round(baseline_rss, 1),
        "peak_python_alloc_mib": round(peak_traced, 1) if peak_traced is not None else "run with --tracemalloc",
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "stages_s": r["timings"],
        "stages_cpu_s": r.get("cpu_timings"),
        "kept": r["rows"]["kept"],
        "dropped": {k: v for k, v in r["rows"]["dropped"].items() if v},
        "pii": r["pii"]["replacements"],
        "deferral": {k: r["deferral"][k] for k in ("status", "inconsistent", "by_category")},
        "split": r["split"],
        "token_lengths_train": r["token_lengths"]["train"],
        "max_length": args.max_length,
        "tokenization": r["tokenization"],
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
