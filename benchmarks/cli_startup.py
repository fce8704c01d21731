"""Wall time of `medtune --help` and `medtune config --env prod`, against `python -c pass` in the same run.

Targets on a 2-core machine: under 0.5 s and 1 s. Prints JSON.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"help": 0.5, "config_prod": 1.0}


def wall(args: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=REPO, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return times


def main(repeats: int = 7) -> dict:
    wall(["-m", "medtune", "--help"], 1)  # warm the file cache
    runs = {
        "python_baseline": wall(["-c", "pass"], repeats),
        "help": wall(["-m", "medtune", "--help"], repeats),
        "config_prod": wall(["-m", "medtune", "config", "--env", "prod"], repeats),
    }
    out = {"repeats": repeats, "unit": "seconds"}
    for name, times in runs.items():
        out[name] = {"median": round(statistics.median(times), 4), "max": round(max(times), 4)}
    for name, target in TARGETS.items():
        out[name]["target"] = target
        out[name]["meets_target"] = out[name]["median"] < target
        out[name]["over_python_startup"] = round(out[name]["median"] - out["python_baseline"]["median"], 4)
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
