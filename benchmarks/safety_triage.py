"""Keywords alone vs keywords + triage rules on data/triage_set.jsonl (JSON on stdout).

    python benchmarks/safety_triage.py                  # held-out part: the figures to report
    python benchmarks/safety_triage.py --split dev --misses   # what rules are written against

Sensitivity: emergencies deferred / emergencies. False deferral: non_urgent + self_care
messages deferred / those messages. Urgent messages are in neither figure (deferring them
is fine, not deferring them is not a missed emergency). Latency is per message on one
core, best of --repeat passes, p50/p99 over the messages: the phrase stage
(check_input with triage off) and the triage stage alone (findings + rules).
Print --misses only for the dev part: the held-out part is scored, never read.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from safety import SafetyGuard  # noqa: E402

NON_URGENT = ("non_urgent", "self_care")


def load(path: Path, split: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def score(guard: SafetyGuard, rows: list[dict]) -> dict:
    emergencies = [r for r in rows if r["urgency"] == "emergency"]
    calm = [r for r in rows if r["urgency"] in NON_URGENT]
    missed = [r for r in emergencies if not guard.check_input(r["text"]).deferred]
    false = [r for r in calm if guard.check_input(r["text"]).deferred]
    return {
        "sensitivity": round(1 - len(missed) / len(emergencies), 4) if emergencies else None,
        "emergencies": len(emergencies), "missed": len(missed),
        "false_deferral": round(len(false) / len(calm), 4) if calm else None,
        "non_urgent": len(calm), "false_deferrals": len(false),
        "_missed": missed, "_false": false,
    }


def latency(fn, texts: list[str], repeat: int) -> dict:
    best = [float("inf")] * len(texts)
    for _ in range(repeat):
        for i, text in enumerate(texts):
            start = time.perf_counter_ns()
            fn(text)
            best[i] = min(best[i], (time.perf_counter_ns() - start) / 1000)
    best.sort()
    return {"p50_us": round(statistics.median(best), 1),
            "p99_us": round(best[min(len(best) - 1, int(len(best) * 0.99))], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "triage_set.jsonl"))
    parser.add_argument("--split", default="heldout", choices=("heldout", "dev", "all"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="list misses and false deferrals")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    rows = load(Path(args.data), args.split)
    keywords = SafetyGuard(triage=False, language_detection=False)
    triage = SafetyGuard(language_detection=False)
    result = {"date": date.today().isoformat(), "data": Path(args.data).name,
              "split": args.split, "messages": len(rows)}
    for name, guard in (("keywords", keywords), ("keywords_triage", triage)):
        figures = score(guard, rows)
        missed, false = figures.pop("_missed"), figures.pop("_false")
        if args.misses:
            figures["missed_texts"] = [r["id"] + ": " + r["text"] for r in missed]
            figures["false_texts"] = [r["id"] + ": " + r["text"] for r in false]
        result[name] = figures
    texts = [r["text"] for r in rows]
    result["latency"] = {
        "keywords": latency(keywords.check_input, texts, args.repeat),
        "keywords_triage": latency(triage.check_input, texts, args.repeat),
        "triage_stage": latency(lambda t: triage.triage.assess(triage.triage.findings([(t, None)])),
                                texts, args.repeat),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
