"""Checks that depend on this machine and process: GPUs, bf16, optional packages, process counts.

They import torch, so they run only where a command is about to use the hardware: `validate`,
`train` and the `--nproc` launcher; ``medtune config`` never loads torch.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Literal

from medtune.config.layers import ResolvedConfig, resolve_config
from medtune.config.schema import Config
from medtune.config.trainer_args import trainer_problems


def check_hardware(cfg: Config) -> tuple[list[str], list[str]]:
    """Checks that need torch (CUDA, bf16, process count). Run by `validate` and `train` only."""
    import torch

    errors, warnings = [], []
    cuda = torch.cuda.is_available()
    n_gpu = torch.cuda.device_count() if cuda else 0
    if cfg.training.bf16 and not (cuda and torch.cuda.is_bf16_supported()):
        where = "this machine has no CUDA GPU" if not cuda else "this GPU does not support bf16"
        errors.append(f"training.bf16: {where}; set training.bf16=false (fp32 is used on CPU)")
    if cfg.training.fp16 and not cuda:
        errors.append("training.fp16: mixed fp16 needs a CUDA GPU; set training.fp16=false")
    q = cfg.model.quantization_config
    if cfg.fine_tuning.method == "qlora" and q.bnb_4bit_compute_dtype == "bfloat16" and not cuda:
        warnings.append("model.quantization_config.bnb_4bit_compute_dtype: bfloat16 on CPU is slow; float32 is used")
    if cfg.model.load_in_8bit:
        errors += eight_bit_problems(cuda)
    if "mlflow" in cfg.training.report_to:
        errors += mlflow_problems(os.environ.get("MLFLOW_TRACKING_URI", ""))
    from transformers.training_args import OptimizerNames

    known = {o.value for o in OptimizerNames}
    if cfg.training.optim not in known:
        near = difflib.get_close_matches(cfg.training.optim, sorted(known), n=1)
        hint = f"; did you mean {near[0]}?" if near else f"; one of: {', '.join(sorted(known))}"
        errors.append(f"training.optim: {cfg.training.optim!r} is not an optimizer transformers knows{hint}")
    if cfg.training.optim.startswith("paged_") and not cuda:
        errors.append(f"training.optim: {cfg.training.optim} needs a CUDA GPU; use adamw_torch on CPU")
    if cfg.model.attn_implementation == "flash_attention_2" and not cuda:
        errors.append("model.attn_implementation: flash_attention_2 needs a CUDA GPU; use auto or sdpa")
    if cfg.training.use_liger_kernel:
        import importlib.util

        if importlib.util.find_spec("liger_kernel") is None:
            errors.append(
                "training.use_liger_kernel: liger-kernel is not installed (pip install liger-kernel; it needs "
                "a CUDA GPU and Triton); set training.use_liger_kernel=false"
            )
        elif not cuda:
            errors.append("training.use_liger_kernel: Liger's Triton kernels need a CUDA GPU; set it to false on CPU")
    d = cfg.distributed
    errors += process_problems(cfg, d.num_processes // d.num_machines, cuda, n_gpu, "distributed.num_processes")
    errors += trainer_problems(cfg.training)
    errors += hub_problems(cfg)
    return errors, warnings


def hub_problems(cfg: Config, environ: Mapping[str, str] | None = None) -> list[str]:
    """training.push_to_hub pushes when training ends: an unreachable hub, a missing token or a
    malformed repository id would fail only then, after a long run, so say it before anything loads."""
    t = cfg.training
    if not getattr(t, "push_to_hub", False):
        return []
    import re
    from urllib.parse import urlparse

    environ = os.environ if environ is None else environ
    problems = []
    repo = getattr(t, "hub_model_id", None)
    if repo and not re.fullmatch(r"[\w.-]+(/[\w.-]+)?", str(repo)):
        problems.append(f"training.hub_model_id: {repo!r} is not a repository id (NAME or OWNER/NAME)")
    endpoint = environ.get("HF_ENDPOINT") or "https://huggingface.co"
    url = urlparse(endpoint)
    host, port = url.hostname or endpoint, url.port or (80 if url.scheme == "http" else 443)
    if environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        reason = "HF_HUB_OFFLINE is set"
    else:
        reason = _unreachable(host, port)
    if reason:
        problems.append(f"training.push_to_hub: the hub is unreachable ({host}: {reason}), so the push at the end of "
                        "training would fail; run where the hub is reachable, or set training.push_to_hub=false "
                        "and upload the run's adapter later")
    else:
        from huggingface_hub import get_token

        if not environ.get("HF_TOKEN") and not get_token():
            problems.append("training.push_to_hub: no Hugging Face token; run `hf auth login` or set HF_TOKEN")
    return problems


def _unreachable(host: str, port: int) -> str | None:
    import socket

    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def eight_bit_problems(cuda: bool) -> list[str]:
    """8-bit loading needs bitsandbytes, and on CPU its CPU backend (0.49 and later; tested with 0.50)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("bitsandbytes")
    except PackageNotFoundError:
        return ["model.load_in_8bit: bitsandbytes is not installed (pip install bitsandbytes)"]
    major, minor = (int(x) for x in found.split(".")[:2])
    if not cuda and (major, minor) < (0, 49):
        return [f"model.load_in_8bit: bitsandbytes {found} has no 8-bit CPU backend and this machine has no CUDA "
                "GPU; upgrade bitsandbytes (0.49 or later) or set model.load_in_8bit=false"]
    return []


def is_local_mlflow_store(uri: str) -> bool:
    """A tracking URI naming a local directory (``file:...`` or a plain path): works offline."""
    return uri.startswith("file:") or (bool(uri) and "://" not in uri)


def mlflow_problems(uri: str) -> list[str]:
    """MLflow 3 logs to sqlite:///mlflow.db by default, which needs the full package (SQLAlchemy)."""
    import importlib.util

    if uri or importlib.util.find_spec("sqlalchemy") is not None or importlib.util.find_spec("mlflow") is None:
        return []
    return ["training.report_to: mlflow's default store (sqlite:///mlflow.db) needs the full mlflow package "
            "(SQLAlchemy); set MLFLOW_TRACKING_URI=file:./mlruns to log to a local directory, or pip install mlflow"]


def process_problems(cfg: Config, per_machine: int, cuda: bool, n_gpu: int, key: str) -> list[str]:
    """Why ``per_machine`` training processes cannot start here; shared by `validate` and `--nproc`."""
    import importlib.util

    problems = []
    if cuda and per_machine > n_gpu:
        problems.append(f"{key}: {per_machine} processes but only {n_gpu} GPU(s) here; one process per GPU")
    if not cuda and per_machine > (os.cpu_count() or 1):
        problems.append(f"{key}: {per_machine} processes but only {os.cpu_count()} CPU core(s) here")
    backend = cfg.distributed.backend
    if not cuda and backend != "ddp":
        problems.append(f"distributed.backend: {backend} needs CUDA GPUs; use ddp (gloo) on CPU")
    if backend == "deepspeed" and importlib.util.find_spec("deepspeed") is None:
        problems.append("distributed.backend: deepspeed is not installed (pip install deepspeed), or use fsdp")
    return problems


def validate_all(
    config: str | os.PathLike | None = None,
    env: str | None = None,
    overrides: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    dotenv: str | os.PathLike | None | Literal[False] = None,
) -> tuple[ResolvedConfig | None, list[str]]:
    """Every problem `medtune validate` can find, at once: schema, paths, cross-field, safety
    policy and hardware. Returns (config, problems); warnings are in ``config.warnings``.

    The hardware checks run on the same layers (``--set`` included) even when other checks
    failed, on the best-effort config whose offending values fell back to their defaults.
    """
    resolved, problems = resolve_config(config, env, overrides, environ, dotenv)
    if resolved is None:
        return None, problems
    errors, warnings = check_hardware(resolved.config)
    resolved.warnings += warnings
    problems += [e for e in errors if e not in problems]
    return resolved, problems
