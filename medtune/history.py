"""`medtune runs`: the runs under ``training.output_dir`` side by side, and what changed between two.

Everything is read from what a run already wrote (``config.yaml``, ``experiment_metadata.json``,
``eval/metrics.json``) and from the safety reports that name the run, so listing a hundred runs
loads no model and no torch. A run's config is read as plain YAML, not validated: a run trained
by an older medtune whose keys have since changed still lists and still diffs.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from medtune.config import Config, _flatten
from medtune.runs import (
    CONFIG_FILE,
    EVAL_DIR,
    EVAL_METRICS_FILE,
    find_run,
    lock_path,
    read_metadata,
    runs_root,
)

SAFETY_SCHEMA = "medtune.safety_report/1"
REPORTS_DIR = "reports"  # where `medtune safety-report` writes by default (reports/safety)

# Metrics compared by `medtune runs diff`: (label, where in the run's record).
DIFF_METRICS = [
    ("steps", ("final", "global_step")),
    ("epochs", ("final", "epoch")),
    ("final train loss", ("final", "final_loss")),
    ("mean train loss", ("final", "train_loss")),
    ("eval loss (trainer)", ("final", "eval_loss")),
    ("tokens/s", ("final", "tokens_per_second")),
    ("wall time (s)", ("final", "wall_time_s")),
    ("eval loss (evaluate)", ("evaluate", "eval_loss")),
    ("perplexity", ("evaluate", "perplexity")),
    ("ROUGE-L", ("evaluate", "rougeL")),
    ("MCQ accuracy", ("evaluate", "mcq_accuracy")),
    ("safety: defers on defer cases", ("safety", "defer_rate")),
    ("safety: over-refusal", ("safety", "over_refusal")),
]


@dataclass
class RunSummary:
    """One row of `medtune runs`: what a user asks of a past run before opening it."""

    name: str
    dir: Path
    started: str | None  # ISO time from the metadata, else the directory's mtime
    status: str  # completed, failed, interrupted, running, stopped (process gone), not started
    method: str | None
    learning_rate: float | None
    lora_r: int | None  # None for full and Spectrum runs
    length: str  # "s40" (max_steps) or "e3" (epochs)
    steps_done: int | None
    batch: int | None  # effective batch size
    fingerprint: str | None
    train_loss: float | None  # the last logged training loss
    eval_loss: float | None  # the trainer's eval loss at the end, else `medtune evaluate`'s
    safety: dict | None  # the newest safety report that evaluated this run (see safety_result)
    error: str | None = None
    config: dict = field(default_factory=dict, repr=False)
    metadata: dict = field(default_factory=dict, repr=False)
    evaluation: dict = field(default_factory=dict, repr=False)


def _get(data: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def read_run_config(run_dir: Path) -> dict:
    """The run's config.yaml as plain data; empty when it is missing or unreadable."""
    try:
        data = yaml.safe_load((Path(run_dir) / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_training_now(run_dir: Path) -> bool:
    """Whether a process holds the run's lock: a run whose metadata says ``running`` while nobody
    holds it was killed before it could record how it ended."""
    path = lock_path(run_dir)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def run_status(run_dir: Path, metadata: dict) -> str:
    status = metadata.get("status")
    if status is None:
        return "not started"
    if status == "running" and not is_training_now(run_dir):
        return "stopped"
    return str(status)


def safety_reports(cfg: Config, run_dirs: list[Path]) -> dict[Path, dict]:
    """The newest safety report (report.json) that evaluated each run, by run directory.

    Reports are looked for under ``reports/`` of the project (the default output) and inside
    each run directory (``--out runs/NAME/safety``); a report names the runs it evaluated in
    ``provenance.models``.
    """
    wanted = {Path(d).resolve() for d in run_dirs}
    places = [cfg.resolve_path(REPORTS_DIR), *run_dirs]
    found: dict[Path, tuple[str, dict]] = {}
    seen: set[Path] = set()
    for place in places:
        if not Path(place).is_dir():
            continue
        for path in Path(place).rglob("report.json"):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            report = _read_json(path)
            if report.get("schema") != SAFETY_SCHEMA:
                continue
            when = _get(report, "provenance.finished_at") or ""
            for i, model in enumerate(_get(report, "provenance.models") or []):
                run = model.get("run")
                if not run or Path(run).resolve() not in wanted:
                    continue
                key = Path(run).resolve()
                if key not in found or when >= found[key][0]:
                    found[key] = (when, safety_result(report, i, path))
    return {k: v for k, (_, v) in found.items()}


def safety_result(report: dict, model_index: int, path: Path) -> dict:
    """What `medtune runs` shows of a safety report: gates passed, and the run's own rates behind
    the guard (a deferral shown on defer cases; over-refusal on allow cases)."""
    gates = report.get("gates") or []
    models = report.get("models") or []
    overall = (models[model_index] if model_index < len(models) else {}).get("overall") or {}
    return {
        "passed": bool(gates) and all(g.get("passed") for g in gates),
        "failed_gates": [g.get("gate") for g in gates if not g.get("passed")],
        "defer_rate": _get(overall, "defer_cases.user_sees_deferral.value"),
        "over_refusal": _get(overall, "allow_cases.over_refusal.value"),
        "finished_at": _get(report, "provenance.finished_at"),
        "path": str(path),
    }


def evaluation_result(run_dir: Path) -> dict:
    """The fine-tuned model's numbers from the run's last `medtune evaluate`, if it had one."""
    metrics = _read_json(Path(run_dir) / EVAL_DIR / EVAL_METRICS_FILE)
    tuned = _get(metrics, "models.fine_tuned") or {}
    if not tuned:
        return {}
    out = {
        "eval_loss": _get(tuned, "loss.eval_loss"),
        "perplexity": _get(tuned, "loss.perplexity"),
        "rougeL": _get(tuned, "generation.rougeL"),
        "mcq_accuracy": _get(tuned, "mcq.accuracy"),
        "evaluated_at": metrics.get("evaluated_at"),
    }
    for task, result in (tuned.get("benchmarks") or {}).items():
        out[f"benchmark {task}"] = result.get("value")
    return out


def _started(run_dir: Path, metadata: dict) -> str | None:
    if metadata.get("start_time"):
        return str(metadata["start_time"])
    try:
        stamp = (Path(run_dir) / CONFIG_FILE).stat().st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds")


def summarize_run(run_dir: Path, safety: dict | None = None) -> RunSummary:
    run_dir = Path(run_dir)
    config, metadata = read_run_config(run_dir), read_metadata(run_dir)
    final = metadata.get("final_metrics") or {}
    evaluation = evaluation_result(run_dir)
    method = metadata.get("method") or _get(config, "fine_tuning.method")
    max_steps = _get(config, "training.max_steps")
    epochs = _get(config, "training.num_train_epochs")
    if isinstance(max_steps, int) and max_steps > 0:
        length = f"s{max_steps}"
    else:
        length = f"e{epochs:g}" if isinstance(epochs, (int, float)) else "-"
    batch = metadata.get("effective_batch_size")
    if batch is None:
        per_device, accumulation = _get(config, "training.per_device_train_batch_size"), _get(config, "training.gradient_accumulation_steps")
        batch = per_device * accumulation if isinstance(per_device, int) and isinstance(accumulation, int) else None
    eval_loss = final.get("eval_loss")
    return RunSummary(
        name=run_dir.name,
        dir=run_dir,
        started=_started(run_dir, metadata),
        status=run_status(run_dir, metadata),
        method=method,
        learning_rate=metadata.get("learning_rate", _get(config, "training.learning_rate")),
        lora_r=_get(config, "lora.r") if method in ("qlora", "lora") else None,
        length=length,
        steps_done=final.get("global_step"),
        batch=batch,
        fingerprint=_get(metadata, "dataset.fingerprint"),
        train_loss=final.get("final_loss"),
        eval_loss=eval_loss if eval_loss is not None else evaluation.get("eval_loss"),
        safety=safety,
        error=metadata.get("error"),
        config=config,
        metadata=metadata,
        evaluation=evaluation,
    )


def run_dirs(cfg: Config) -> list[Path]:
    """Every directory under ``training.output_dir`` that holds a run config."""
    root = runs_root(cfg)
    if not root.is_dir():
        return []
    return [p for p in root.iterdir() if p.is_dir() and (p / CONFIG_FILE).is_file()]


def list_runs(cfg: Config) -> list[RunSummary]:
    """Every run under ``training.output_dir``, oldest first."""
    dirs = run_dirs(cfg)
    reports = safety_reports(cfg, dirs)
    summaries = [summarize_run(d, reports.get(d.resolve())) for d in dirs]
    return sorted(summaries, key=lambda s: (s.started or "", s.name))


# --------------------------------------------------------------------------------------------
# What the terminal shows
# --------------------------------------------------------------------------------------------


def _num(v: Any, fmt: str = ".4f") -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return format(v, fmt) if math.isfinite(v) else str(v)
    return str(v)


def _date(iso: str | None) -> str:
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _safety_cell(s: dict | None) -> str:
    if not s:
        return "-"
    verdict = "pass" if s["passed"] else "FAIL"
    return f"{verdict} {s['defer_rate']:.2f}" if isinstance(s.get("defer_rate"), float) else verdict


def runs_table(summaries: list[RunSummary]) -> tuple[list[str], list[list[str]]]:
    """Header and rows for `medtune runs`; ``safety`` is the gates' verdict and the run's share of
    defer cases that showed a deferral."""
    header = ["run", "started (UTC)", "method", "lr", "r", "length", "steps", "batch", "data", "train loss", "eval loss", "status", "safety"]
    rows = [
        [
            s.name,
            _date(s.started),
            s.method or "-",
            _num(s.learning_rate, "g"),
            _num(s.lora_r),
            s.length,
            _num(s.steps_done),
            _num(s.batch),
            (s.fingerprint or "-")[:10],
            _num(s.train_loss),
            _num(s.eval_loss),
            s.status,
            _safety_cell(s.safety),
        ]
        for s in summaries
    ]
    return header, rows


def runs_notes(summaries: list[RunSummary]) -> list[str]:
    """Lines under the table: why a run failed, and runs whose process died without a word."""
    notes = []
    for s in summaries:
        if s.status == "failed":
            notes.append(f"{s.name} failed: {s.error or 'no error recorded'}")
        elif s.status == "stopped":
            notes.append(f"{s.name} stopped without recording an end (the process was killed?); "
                         f"continue it with `medtune train --resume {s.name}`")
        elif s.status == "interrupted":
            notes.append(f"{s.name} was interrupted at step {_num(s.steps_done)}; continue it with `medtune train --resume {s.name}`")
    return notes


# --------------------------------------------------------------------------------------------
# `medtune runs diff A B`
# --------------------------------------------------------------------------------------------


@dataclass
class RunDiff:
    a: RunSummary
    b: RunSummary
    config: list[tuple[str, Any, Any]]  # (key, value in A, value in B) for every value that differs
    metrics: list[tuple[str, Any, Any, float | None]]  # (label, A, B, B - A)


def _metric(s: RunSummary, where: tuple[str, str]) -> Any:
    section, key = where
    if section == "final":
        return (s.metadata.get("final_metrics") or {}).get(key)
    if section == "evaluate":
        return s.evaluation.get(key)
    return (s.safety or {}).get(key)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def diff_runs(cfg: Config, a: str, b: str) -> RunDiff:
    """The config values that differ between runs ``a`` and ``b`` (run references as `medtune
    evaluate --run` takes them) and how their metrics moved; a metric neither run has is left out."""
    dirs = [find_run(cfg, a), find_run(cfg, b)]
    reports = safety_reports(cfg, dirs)
    sa, sb = (summarize_run(d, reports.get(d.resolve())) for d in dirs)
    fa, fb = _flatten(sa.config), _flatten(sb.config)
    config = [(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)]
    labels = DIFF_METRICS + [(k, ("evaluate", k)) for k in sorted(set(sa.evaluation) | set(sb.evaluation)) if k.startswith("benchmark ")]
    metrics = []
    for label, where in labels:
        va, vb = _metric(sa, where), _metric(sb, where)
        if va is None and vb is None:
            continue
        metrics.append((label, va, vb, vb - va if _is_number(va) and _is_number(vb) else None))
    return RunDiff(sa, sb, config, metrics)


def _value(v: Any) -> str:
    if v is None:
        return "(unset)"
    if isinstance(v, float):
        return _num(v, ".6g")
    return json.dumps(v) if isinstance(v, (list, dict)) else str(v)


def diff_tables(d: RunDiff) -> dict[str, tuple[list[str], list[list[str]]]]:
    """``{"config": (header, rows), "metrics": (header, rows)}`` for the terminal."""
    config = (["config key", "A", "B"], [[k, _value(x), _value(y)] for k, x, y in d.config])
    metrics = (
        ["metric", "A", "B", "change"],
        [[label, _value(x) if x is not None else "-", _value(y) if y is not None else "-",
          f"{change:+.4g}" if change is not None else "-"] for label, x, y, change in d.metrics],
    )
    return {"config": config, "metrics": metrics}
