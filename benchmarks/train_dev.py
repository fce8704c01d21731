"""Benchmark: wall time and throughput of `medtune train --env dev`, imports and model build included.

    python benchmarks/train_dev.py            # fresh caches: builds the embedded model and the data cache
    python benchmarks/train_dev.py --warm     # reuse ~/.cache/medtune and the project's data cache
    python benchmarks/train_dev.py --set training.max_steps=10   # extra --set overrides
    python benchmarks/train_dev.py --python   # the same run through medtune.train.train(cfg), as a notebook would

The child process starts without OMP_WAIT_POLICY or TOKENIZERS_PARALLELISM, as a fresh shell or
notebook would: process setup is medtune's job (medtune.runtime), on both paths.

Measured 2026-12-01 on the shared 2-core box (load average 4-7), dev config, max_steps=20, no eval,
fresh processes, train_runtime_s: train(cfg) from Python 31.8-39.7 s (3 runs); the same with
``import torch`` first, so OpenMP threads spin, 106-145 s (3 runs, ~3.4x slower); the CLI 17-21 s
against train(cfg) 20.5-21.9 s in interleaved pairs.

Prints one JSON object: wall time against the 90 s target, tokens/s, steps, losses, and the load
average before the run (on a shared machine the load explains most of the spread).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 90.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warm", action="store_true", help="reuse the embedded model and data caches")
    p.add_argument("--keep", action="store_true", help="keep the run directory (printed in the JSON)")
    p.add_argument("--python", action="store_true", help="call medtune.train.train(cfg) instead of the CLI")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = p.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="medtune-bench-"))
    overrides = [f"training.output_dir={scratch / 'runs'}"]
    if not args.warm:
        overrides += [f"model.cache_dir={scratch / 'model-cache'}", f"data.cache_dir={scratch / 'data-cache'}"]
    overrides += args.overrides
    if args.python:
        script = (
            "from medtune.config import load_config\nfrom medtune.train import train\n"
            f"train(load_config(env='dev', overrides={overrides!r}).config)\n"
        )
        cmd = [sys.executable, "-c", script]
    else:
        cmd = [sys.executable, "-m", "medtune", "train", "--env", "dev"]
        for item in overrides:
            cmd += ["--set", item]
    unset = ("OMP_WAIT_POLICY", "TOKENIZERS_PARALLELISM")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTUNE") and k not in unset}
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None

    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start

    runs = sorted((scratch / "runs").glob("*/experiment_metadata.json"))
    meta = json.loads(runs[-1].read_text()) if runs else {}
    m = meta.get("final_metrics") or {}
    result = {
        "command": "medtune.train.train(cfg)" if args.python else " ".join(cmd[1:]),
        "returncode": proc.returncode,
        "wall_time_s": round(wall, 1),
        "target_s": TARGET_S,
        "within_target": proc.returncode == 0 and wall <= TARGET_S,
        "train_runtime_s": m.get("train_runtime_s"),
        "setup_and_save_s": round(wall - m["train_runtime_s"], 1) if m.get("train_runtime_s") else None,
        "tokens": m.get("tokens"),
        "tokens_per_second": m.get("tokens_per_second"),
        "steps": m.get("global_step"),
        "first_loss": m.get("first_loss"),
        "final_loss": m.get("final_loss"),
        "eval_loss": m.get("eval_loss"),
        "fresh_caches": not args.warm,
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "run_dir": str(runs[-1].parent) if runs and args.keep else None,
    }
    if proc.returncode != 0:
        result["stderr_tail"] = proc.stderr[-2000:]
    print(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
