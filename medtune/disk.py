"""Room to write a run: the output directory is checked before anything loads, and a write that
fails during training ends the run cleanly.

A run that finds out at its first checkpoint that ``training.output_dir`` is read-only, or at
its last save that the disk is full, has wasted the whole load and every step before; and a
half-written file left behind looks like a result. So :func:`check_output_dir` tries a real
write where the run will go and compares the free space with :func:`estimate_run_bytes` (from
the architecture alone, nothing loaded), and :func:`write_failure` recognises a failed write
(``OSError``, or the errors torch's and safetensors' writers raise for one) so the recipe can mark the
run failed, remove its temporaries (:func:`remove_temporaries`) and exit 2 naming the path.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import NoReturn

from medtune import distributed, runs
from medtune.config import Config
from medtune.errors import MedtuneError
from medtune.provenance import utc_now

MiB = 1024**2
WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}
# How torch's and safetensors' writers (C++ and Rust) describe a failed write in their RuntimeError.
WRITE_FAILURE_TEXT = re.compile(
    r"no space left|disk quota|read-only file system|file too large|permission denied|file write failed"
    r"|os error (28|122|30|13|1|27)\b",
    re.IGNORECASE,
)


class DiskError(MedtuneError):
    """The output directory cannot take what the run writes."""


def estimate_run_bytes(cfg: Config) -> dict[str, int]:
    """What a run writes, part by part, in bytes: the result, the checkpoints alive at once
    (the result plus Adam's two moments of every trained weight each) and the tokenizer and logs."""
    from medtune.memory import _per_layer_shapes, model_architecture

    a, _ = model_architecture(cfg)
    layers = a["num_hidden_layers"]
    shapes = _per_layer_shapes(a)
    linear = layers * sum(i * o for i, o in shapes.values())
    embed = a["vocab_size"] * a["hidden_size"]
    method = cfg.fine_tuning.method
    weight_bytes = 4  # adapters are fp32
    if method in ("qlora", "lora"):
        targets = shapes if cfg.lora.target_modules == "all-linear" else {
            t: shapes[t] for t in cfg.lora.target_modules if t in shapes}
        trained = layers * sum(cfg.lora.r * (i + o) for i, o in targets.values())
        trained += embed * len(set(cfg.lora.modules_to_save or []) & {"lm_head", "embed_tokens"})
        result = trained * weight_bytes
    else:
        trained = linear + embed if method == "full" else linear  # spectrum: at most every matrix
        from medtune.model import compute_dtype

        weight_bytes = compute_dtype(cfg).itemsize  # a whole model, in its training dtype
        result = (linear + embed) * weight_bytes
    t = cfg.training
    alive = 0 if t.save_strategy == "no" else (t.save_total_limit or 3) + 1  # the new one before pruning
    alive += t.early_stopping_patience is not None  # the best checkpoint is kept too
    checkpoint = result + trained * 2 * weight_bytes  # Adam's two moments, in the trained weights' dtype
    return {"result": result, f"{alive} checkpoint(s)": alive * checkpoint, "tokenizer, logs, reports": 32 * MiB}


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_output_dir(cfg: Config, run_dir: Path | None = None) -> None:
    """Before anything loads: a real file can be written where the run goes, and the disk has
    room for :func:`estimate_run_bytes`. Raises :class:`DiskError` naming the path."""
    target = Path(run_dir) if run_dir is not None and Path(run_dir).exists() else runs.runs_root(cfg)
    where = _nearest_existing(target)
    key = f"training.output_dir ({cfg.training.output_dir})"
    if not where.is_dir():
        raise DiskError(f"{key}: {where} is a file, not a directory; point training.output_dir at a directory")
    try:
        fd, probe = tempfile.mkstemp(prefix=".medtune-write-test-", dir=where)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DiskError(
            f"{key}: cannot write in {where} ({exc.strerror or exc}); make it writable or point "
            "training.output_dir somewhere writable"
        ) from None
    parts = estimate_run_bytes(cfg)
    need, free = sum(parts.values()), shutil.disk_usage(where).free
    if free < need:
        shown = ", ".join(f"{k} {v / MiB:,.0f} MiB" for k, v in parts.items())
        raise DiskError(
            f"{key}: the run will write about {need / MiB:,.0f} MiB ({shown}) but {where} has only "
            f"{free / MiB:,.0f} MiB free; free some space, lower training.save_total_limit, or point "
            "training.output_dir at a larger disk"
        )


def write_failure(exc: BaseException) -> str | None:
    """Why ``exc`` is a failed write (``"No space left on device: PATH"``), or None when it is not one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in WRITE_ERRNOS:
            where = f": {seen.filename}" if seen.filename else ""
            return f"{seen.strerror or os.strerror(seen.errno)}{where}"
        if isinstance(seen, Exception) and WRITE_FAILURE_TEXT.search(str(seen)):  # SafetensorError, torch's RuntimeError
            return str(seen).strip().splitlines()[0][:300]
        seen = seen.__cause__ or seen.__context__
    return None


def remove_temporaries(run_dir: Path) -> list[Path]:
    """Delete what a cut-off write leaves in a run: checkpoints without their COMPLETE marker, a
    half-written result and atomic-write temp files. Returns what was removed."""
    run_dir = Path(run_dir)
    doomed = [c for c in runs.list_checkpoints(run_dir) if not (c / runs.COMPLETE_MARKER).is_file()]
    doomed += [p for p in run_dir.glob(".*.partial")]
    doomed += [p for p in run_dir.rglob(".*.tmp-*") if p.is_file()]
    for p in doomed:
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    return doomed


def write_error(run_dir: Path, reason: str, removed: list[Path] = ()) -> DiskError:
    names = [str(p.relative_to(run_dir)) for p in removed[:3]] + (["..."] if len(removed) > 3 else [])
    cleaned = f"; removed what it left half-written: {', '.join(names)}" if removed else ""
    return DiskError(
        f"writing the run in {run_dir} failed ({reason}){cleaned}. Free space or fix the permissions "
        f"there, then continue with: medtune train --resume {run_dir}"
    )


def fail_run(run_dir: Path, exc: BaseException) -> NoReturn:
    """Mark the run failed and raise: ``exc`` itself, or for a failed write a :class:`DiskError`
    naming the path, after removing the partial files the write left."""
    if not distributed.is_main_process():
        raise exc
    reason = write_failure(exc)
    error: BaseException = exc
    if reason is not None:  # clean up first: on a full disk that frees the room the metadata needs
        error = write_error(run_dir, reason, remove_temporaries(run_dir))
    try:
        runs.update_metadata(run_dir, status="failed", end_time=utc_now(),
                             error=str(error) if reason else f"{type(exc).__name__}: {exc}")
    except OSError as meta_exc:
        if reason is None:
            raise
        error = DiskError(f"{error}\n  (its {runs.METADATA_FILE} could not be marked failed either: {meta_exc})")
    if error is exc:
        raise exc
    raise error from exc
