"""Does the safety guard stay linear in the text? Prints one JSON object.

Time per KB of `guard.scan` (phrases, obfuscation views, negation, context) from 1 KB to
1 MB, on match-dense text ("chest pain " repeated: three matches every 11 characters),
on digit-substituted dense text ("thr0at sw3lling ", the deobfuscated view), and on
sparse text (ordinary sentences with one red flag per ~2 KB); a plain `re` scan of the
same texts is the baseline in the same run, so shared-machine noise shows in both. A
flat "ms_per_kb" column (max/min ratio near 1) is linear; the old quadratic matcher took
about 115 s for 88 KB of dense text. Then the stream guard's CPU per 4-character chunk
for answers of 2,000 to 32,000 characters, and how often it inspected the whole answer:
a plain answer, and a dense one whose every sentence names a red flag with a referral
("crushing chest pain, call 911") or gives a dose ("2 tablets of 500 mg ... every 6 hours"),
so the output review holds and reviews each sentence; its "ms_per_kb" should stay flat.

    python benchmarks/safety_scaling.py [--max-kb 1024]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety import SafetyGuard, StreamGuard  # noqa: E402

SPARSE = ("My knee has been a bit stiff after running, and I was wondering whether I should "
          "rest it or keep training. I usually stretch before and after, and I drink plenty "
          "of water. ")


def texts(kind: str, size: int) -> str:
    if kind == "dense":
        unit = "chest pain "
    elif kind == "digits":
        unit = "thr0at sw3lling "
    else:
        block = SPARSE * (2048 // len(SPARSE))
        unit = block + "I have crushing chest pain. "
    return (unit * (size // len(unit) + 1))[:size]


def best_time(fn, text: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def scaling(guard: SafetyGuard, kind: str, sizes_kb: list[int]) -> dict:
    plain = re.compile(r"\b(?:chest pain|thr0at sw3lling|crushing chest pain)\b", re.IGNORECASE)
    rows = []
    for kb in sizes_kb:
        text = texts(kind, kb * 1024)
        rounds = 3 if kb <= 64 else 1
        scan_s = best_time(guard.scan, text, rounds)
        re_s = best_time(lambda t: list(plain.finditer(t)), text, rounds)
        rows.append({"kb": kb, "ms_per_kb": round(scan_s * 1000 / kb, 3),
                     "re_ms_per_kb": round(re_s * 1000 / kb, 4),
                     "matches": len(guard.scan(text)) if kb <= 64 else None})
    per_kb = [r["ms_per_kb"] for r in rows]
    return {"rows": rows, "max_over_min": round(max(per_kb) / min(per_kb), 2)}


PLAIN_ANSWER = ("Rest, drink plenty of fluids and take paracetamol as directed on the pack. "
                "Most colds get better within a week; see a doctor if you are not improving. ")
DENSE_ANSWER = ("If you ever have crushing chest pain, call 911 straight away. Take 2 tablets of 500 mg "
                "paracetamol every 6 hours, no more than 8 tablets in 24 hours. ")


def stream_cost(guard: SafetyGuard, lengths: list[int], base: str = PLAIN_ANSWER) -> list[dict]:
    rows = []
    for n in lengths:
        answer = (base * (n // len(base) + 1))[:n]
        stream = StreamGuard(guard, kind="output")
        start = time.process_time()
        shown = "".join(stream.feed(answer[i : i + 4]) for i in range(0, n, 4)) + stream.finish()
        cpu = time.process_time() - start
        rows.append({"chars": n, "cpu_s": round(cpu, 3),
                     "us_per_chunk": round(cpu / (n / 4) * 1e6, 1),
                     "ms_per_kb": round(cpu * 1000 / (n / 1024), 1),
                     "reviews": stream.full_inspections, "whole_passes": stream.whole_passes,
                     "shown_whole": shown == answer})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-kb", type=int, default=1024)
    args = parser.parse_args()
    guard = SafetyGuard()
    guard.scan("warm up chest pain")
    sizes = [kb for kb in (1, 4, 16, 64, 256, 1024) if kb <= args.max_kb]
    print(json.dumps({
        "dense": scaling(guard, "dense", sizes),
        "digits_dense": scaling(guard, "digits", sizes),
        "sparse": scaling(guard, "sparse", sizes),
        "stream_4_char_chunks": stream_cost(guard, [2000, 8000, 32000]),
        "stream_dense_referrals_and_doses": stream_cost(guard, [1000, 2000, 4000, 8000], DENSE_ANSWER),
        "check_input_88kb_dense_s": round(best_time(guard.check_input, "chest pain " * 8000, 1), 2),
    }, indent=2))


if __name__ == "__main__":
    main()
