"""Benchmark: does the data pipeline's cost grow linearly with the rows? (issue 16, scale)

    python benchmarks/data_scale.py [--sizes 16000,160000] [--if-fits 1000000] [--budget 120]

Writes synthetic conversations (random sentences over a 2,000-word vocabulary, so no two rows
are duplicates or near-duplicates and near-dedup does real work), then for each size runs, each
in a fresh process so peak memory is that run's own:

- the baseline: ``json.loads`` of every line of the same file into a list (the least any reader
  can do), and
- the pipeline: ``prepare_data`` cold (load, clean, PII, content filter, deferral check, exact and
  near dedup, tokenize with the embedded Phi-4-mini tokenizer, split, build the Arrow datasets).

It prints one JSON object: wall and CPU seconds, peak RSS per size for both, the pipeline's
stage timings, and per-row cost relative to the smallest size (1.0 = linear). An ``--if-fits``
size is skipped when the previous size's time, scaled linearly, says it would not finish within
``--budget`` seconds (the 1M run on 2 shared cores).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _words(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(n)})


def write_rows(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    words = _words(2000)
    say = lambda k: " ".join(rng.choices(words, k=k))  # noqa: E731
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            row = {"messages": [{"role": "user", "content": f"Question {i}: {say(rng.randint(6, 14))}?"},
                                {"role": "assistant", "content": f"{say(rng.randint(20, 60))}."}]}  # fmt: skip
            f.write(json.dumps(row) + "\n")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_baseline(path: Path) -> dict:
    before = _peak_mib()
    t0, c0 = time.perf_counter(), _cpu()
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {"rows": len(rows), "wall_s": time.perf_counter() - t0, "cpu_s": _cpu() - c0, "peak_rss_mib": _peak_mib(), "rss_before_mib": before}


def child_pipeline(path: Path, cache: Path) -> dict:
    from medtune.config import load_config
    from medtune.data import prepare_data
    from medtune.model import load_tokenizer

    overrides = [f"data.dataset_path={path}", f"data.cache_dir={cache}", "data.format=messages", "data.eval_dataset_size=0.05"]
    cfg = load_config(REPO / "config.yaml", env="dev", overrides=overrides, dotenv=False, environ={}).config
    tok = load_tokenizer(cfg)
    before = _peak_mib()
    t0, c0 = time.perf_counter(), _cpu()
    p = prepare_data(cfg, tok)
    rows = p.report["rows"]
    return {"rows": rows["input"], "kept": rows["kept"], "dropped": {k: v for k, v in rows["dropped"].items() if v},
            "wall_s": time.perf_counter() - t0, "cpu_s": _cpu() - c0, "peak_rss_mib": _peak_mib(), "rss_before_mib": before,
            "stages_s": p.report["timings"], "stages_cpu_s": p.report["cpu_timings"]}  # fmt: skip


def run_child(kind: str, path: Path, cache: Path) -> dict:
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    cmd = [sys.executable, __file__, "--child", kind, str(path), str(cache)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed on {path}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="16000,160000", help="row counts always run")
    ap.add_argument("--if-fits", default="1000000", help="row counts run only when expected within --budget")
    ap.add_argument("--budget", type=float, default=120.0, help="seconds")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "CACHE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, path, cache = args.child
        out = child_baseline(Path(path)) if kind == "baseline" else child_pipeline(Path(path), Path(cache))
        print(json.dumps(out))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    optional = {int(s) for s in args.if_fits.split(",") if s}
    results, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="medtune-scale-") as tmp:
        for n in sizes + sorted(optional - set(sizes)):
            if results and n in optional:
                expected = results[-1]["pipeline"]["wall_s"] * n / results[-1]["rows"]
                if expected > args.budget:
                    skipped.append({"rows": n, "expected_s": round(expected, 1), "budget_s": args.budget})
                    continue
            path = Path(tmp) / f"rows-{n}.jsonl"
            write_rows(path, n)
            base = run_child("baseline", path, Path(tmp))
            pipe = run_child("pipeline", path, Path(tmp) / f"cache-{n}")
            results.append({"rows": n, "file_mib": round(path.stat().st_size / 2**20, 1), "baseline": base, "pipeline": pipe})
            path.unlink()

    first = results[0]
    for r in results:
        for k in ("baseline", "pipeline"):
            r[k] = {key: round(v, 3) if isinstance(v, float) else v for key, v in r[k].items()}
        scale = r["rows"] / first["rows"]
        r["per_row_cost_vs_smallest"] = {
            "pipeline_wall": round(r["pipeline"]["wall_s"] / first["pipeline"]["wall_s"] / scale, 2),
            "pipeline_cpu": round(r["pipeline"]["cpu_s"] / first["pipeline"]["cpu_s"] / scale, 2),
            "baseline_wall": round(r["baseline"]["wall_s"] / first["baseline"]["wall_s"] / scale, 2),
        }
        r["pipeline_over_baseline_wall"] = round(r["pipeline"]["wall_s"] / r["baseline"]["wall_s"], 1)
        r["pipeline_us_per_row"] = round(r["pipeline"]["wall_s"] / r["rows"] * 1e6, 1)
    print(json.dumps({"results": results, "skipped": skipped, "cpus": os.cpu_count(),
                      "load_average_1m": round(os.getloadavg()[0], 2)}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
