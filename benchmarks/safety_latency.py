"""Latency of the safety guard on ~500-character messages with ~1,000 phrases loaded.

Compares against a naive baseline (one compiled case-insensitive regex per phrase,
searched in a loop) on the same messages, and prints one JSON object.

    python benchmarks/safety_latency.py [--messages 2000] [--phrases 1000]
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety import Policy, SafetyGuard  # noqa: E402
from safety.default_policy import DEFAULT_POLICY  # noqa: E402
from safety.variants import example_text  # noqa: E402

_ADJ = "sharp dull throbbing burning aching itchy stabbing mild constant dry sore tender".split()
_BODY = ("knee elbow wrist ankle shoulder hip heel toe finger scalp ear gum tooth thumb "
         "calf shin thigh forearm neck back").split()
_SYMPTOM = "ache twinge rash lump bruise tingle stiffness cramp itch soreness swelling".split()
_FILLER = [
    "I have been feeling a bit tired lately and wanted to ask about it.",
    "My doctor said the blood tests were mostly fine last month.",
    "Is it normal to feel sore after starting a new exercise routine?",
    "I started taking vitamin D in the winter and wonder if I should continue.",
    "We are trying to eat more vegetables and less sugar at home.",
    "Sometimes I sleep badly when work is stressful, maybe six hours a night.",
    "My knee clicks when I climb stairs but it does not really hurt.",
    "Could you explain what cholesterol numbers mean in simple words?",
    "I drink two cups of coffee a day and about a litre of water.",
    "My daughter has a runny nose and a mild cough since Tuesday.",
]


def padded_policy(total: int, seed: int = 7) -> Policy:
    """The default policy plus generated monitor phrases up to `total` phrases (the default
    policy alone when it already has that many)."""
    rng = random.Random(seed)
    section = {"categories": {}}
    have = sum(len(c["phrases"]) for c in DEFAULT_POLICY["categories"].values())
    extra: set[str] = set()
    while len(extra) < max(0, total - have):
        extra.add(f"{rng.choice(_ADJ)} {rng.choice(_BODY)} {rng.choice(_SYMPTOM)}")
    if extra:
        section["categories"]["generated"] = {"action": "monitor", "priority": 5, "phrases": sorted(extra)}
    return Policy.from_section(section)


def messages(count: int, flagged_share: float, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    red_flags = [example_text(p) for c in DEFAULT_POLICY["categories"].values()
                 if c["action"] == "defer" for p in c["phrases"]]
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < 480:
            parts.append(rng.choice(_FILLER))
        if rng.random() < flagged_share:
            parts[rng.randrange(len(parts))] = f"Also I have {rng.choice(red_flags)}."
        out.append(" ".join(parts)[:500])
    return out


def timed(fn, texts: list[str], rounds: int = 1) -> list[float]:
    """Per-message latency in microseconds: the best of `rounds` runs of each message,
    so that other processes taking the core do not count as our latency."""
    clock = time.perf_counter_ns
    best = [float("inf")] * len(texts)
    for _ in range(rounds):
        for i, text in enumerate(texts):
            start = clock()
            fn(text)
            best[i] = min(best[i], (clock() - start) / 1000)
    return best


def python_speed_us() -> float:
    """Best time of sum(range(1000)): a yardstick for how fast (or how busy) this machine
    is, to compare runs made on different or shared machines (~8 us on a quiet desktop)."""
    best = float("inf")
    for _ in range(200):
        start = time.perf_counter_ns()
        sum(range(1000))
        best = min(best, (time.perf_counter_ns() - start) / 1000)
    return round(best, 1)


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    total_s = sum(latencies) / 1e6
    return {
        "p50_us": round(statistics.median(ordered), 1),
        "p99_us": round(ordered[int(len(ordered) * 0.99) - 1], 1),
        "mean_us": round(statistics.fmean(ordered), 1),
        "messages_per_s": round(len(latencies) / total_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--phrases", type=int, default=1000)
    parser.add_argument("--flagged", type=float, default=0.1, help="share of red-flag messages")
    parser.add_argument("--baseline-messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="runs per message, best kept")
    args = parser.parse_args()

    start = time.perf_counter()
    policy = padded_policy(args.phrases)
    guard = SafetyGuard(policy)
    build_ms = (time.perf_counter() - start) * 1000
    phrases = [p for c in policy.categories.values() for p in c.phrases]
    patterns = [re.compile(r"\b" + re.escape(p) + r"\b", re.IGNORECASE) for p in phrases]

    def baseline(text: str) -> list:
        return [m for pat in patterns if (m := pat.search(text))]

    texts = messages(args.messages, args.flagged)
    timed(guard.check_input, texts[:200])  # warm caches
    gc.disable()
    try:
        guard_lat = timed(guard.check_input, texts, args.rounds)
        scan_lat = timed(guard.scan, texts, args.rounds)  # the phrase layer alone
        base_lat = timed(baseline, texts[: args.baseline_messages], args.rounds)
    finally:
        gc.enable()
    guard_stats, base_stats = summary(guard_lat), summary(base_lat)
    print(json.dumps({
        "phrases": len(phrases),
        "automaton_keys": guard.matcher.key_count,
        "build_ms": round(build_ms, 1),
        "message_chars": round(statistics.fmean(map(len, texts))),
        "messages": len(texts),
        "flagged_share": args.flagged,
        "latency": f"best of {args.rounds} runs per message, one core, gc off",
        "python_speed_ref_us": python_speed_us(),
        "deferred": sum(guard.check_input(t).deferred for t in texts),
        "guard": guard_stats,
        "phrase_scan": summary(scan_lat),  # guard.scan: phrases, views, negation, context
        "baseline_regex_loop": base_stats,
        "speedup": round(guard_stats["messages_per_s"] / base_stats["messages_per_s"], 1),
    }, indent=2))


if __name__ == "__main__":
    main()
