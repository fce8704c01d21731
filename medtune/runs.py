"""Run directories: their names, and finding them again (``latest``)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from medtune.config import Config
from medtune.embedded import EMBEDDED_PREFIX
from medtune.errors import RunError


def model_slug(name: str) -> str:
    """``microsoft/Phi-4-mini-instruct`` -> ``phi4mini``: short, stable, filesystem-safe."""
    last = name.removeprefix(EMBEDDED_PREFIX).rstrip("/").split("/")[-1].lower()
    last = re.sub(r"[-_](instruct|chat|hf|it)$", "", last)
    return re.sub(r"[^a-z0-9]", "", last) or "model"


def _num(x: float) -> str:
    return f"{x:g}"


def run_name(cfg: Config, now: datetime | None = None) -> str:
    """``{model}-{task}-r{rank}-a{alpha}-e{epochs}-{YYYYMMDD-HHMMSS}``.

    Full and Spectrum runs have no rank, so they carry the method instead; a run capped by
    ``max_steps`` says ``s{steps}`` where the epoch count would mislead.
    """
    method = cfg.fine_tuning.method
    if method in ("qlora", "lora"):
        shape = f"r{cfg.lora.r}-a{cfg.lora.lora_alpha}"
    elif method == "spectrum":
        shape = f"spectrum{_num(cfg.fine_tuning.snr_threshold)}"
    else:
        shape = "full"
    length = f"s{cfg.training.max_steps}" if cfg.training.max_steps > 0 else f"e{_num(cfg.training.num_train_epochs)}"
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{model_slug(cfg.model.base_model_name)}-{cfg.training.task_name}-{shape}-{length}-{stamp}"


def runs_root(cfg: Config) -> Path:
    return cfg.resolve_path(cfg.training.output_dir)


def find_run(cfg: Config, ref: str) -> Path:
    """A run directory from ``runs/NAME``, ``NAME`` or ``latest`` (the newest run that has a config)."""
    root = runs_root(cfg)
    if ref == "latest":
        runs = sorted((p for p in root.glob("*/config.yaml")), key=lambda p: p.stat().st_mtime)
        if not runs:
            raise RunError(f"no runs under {root}; train one first with `medtune train`")
        return runs[-1].parent
    for candidate in (Path(ref), cfg.resolve_path(ref), root / ref):
        if (candidate / "config.yaml").is_file():
            return candidate.resolve()
    raise RunError(f"{ref}: not a run directory (no config.yaml); runs live under {root}")
