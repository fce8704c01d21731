"""What a run or a report records about where and from what it was made: the git checkout, the
installed packages, the hardware, and the time (UTC, ISO 8601 with ``Z``, like the reports), plus
the metadata a new training run starts with.

Nothing heavy at import; torch only inside :func:`hardware`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from medtune.config import Config, config_hash


def utc_now() -> str:
    """``2026-12-01T22:40:38Z``: the one timestamp format of run metadata, markers and reports."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def git_state(path: Path) -> dict:
    """Commit and dirty flag (tracked files only) of the git checkout holding ``path``, if any."""

    def git(*argv: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(path), *argv], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str | None]:
    """Python and the installed versions of the training stack (plus ``extra`` packages); None if absent."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {"python": sys.version.split()[0]}
    stack = ("medtune", "torch", "transformers", "trl", "peft", "bitsandbytes", "accelerate", "datasets", "tokenizers", "safetensors")
    for pkg in (*stack, *extra):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def hardware() -> dict:
    import platform

    import torch

    info: dict[str, Any] = {"platform": platform.platform(), "cpu_count": os.cpu_count(), "cuda": torch.cuda.is_available()}
    if info["cuda"]:
        info["gpu_count"] = torch.cuda.device_count()
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        info["cuda_version"] = torch.version.cuda
        info["bf16_supported"] = torch.cuda.is_bf16_supported()
    return info


def new_run_metadata(
    cfg: Config,
    run_name: str,
    data,
    model_info: dict,
    args,
    *,
    template_sha: str,
    eval_sha: str | None,
    processes: int,
    backend: str | None,
) -> dict:
    """experiment_metadata.json of a new training run: what runs, on what, from which data.

    ``data`` is the prepared data (:class:`medtune.data.PreparedData`), ``args`` the trainer's
    arguments; ``model_info`` comes from setting up the model (dtype, attention, parameter counts);
    ``eval_sha`` lets `medtune evaluate` prove it scores exactly the conversations training held out.
    """
    return {
        "run_name": run_name,
        "status": "running",
        "method": cfg.fine_tuning.method,
        "base_model": cfg.model.base_model_name,
        "base_model_revision": cfg.model.revision,
        "config_sha256": config_hash(cfg),
        "chat_template_sha256": template_sha,
        "git": git_state(cfg.root),
        "project_root": str(cfg.root),
        "versions": package_versions(),
        "hardware": hardware(),
        "dataset": {
            "fingerprint": data.fingerprint,
            "provenance": data.provenance,
            "rows": {"train": len(data.train), "eval": len(data.eval) if data.eval is not None else 0},
            "eval_sha256": eval_sha,
        },
        "effective_batch_size": args.per_device_train_batch_size * args.gradient_accumulation_steps * processes,
        "per_device_train_batch_size": args.per_device_train_batch_size,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "num_processes": processes,
        "distributed_backend": backend,
        "learning_rate": args.learning_rate,  # as configured: never rescaled with the process count
        "max_seq_length": cfg.data.max_seq_length,
        **model_info,
        "start_time": utc_now(),
        "end_time": None,
        "final_metrics": None,
    }


