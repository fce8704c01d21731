"""Run directories: their names and layout, finding them again, their metadata, and checkpoints
that can be trusted.

A run directory (``training.output_dir``/NAME) holds::

    config.yaml                the resolved config (config.load_saved_config)
    experiment_metadata.json   what ran, on what, from which data, and how it ended
    preflight_example.txt      one training example, trained parts marked [[TRAIN: ...]]
    data_report.*              what the data pipeline kept and dropped
    checkpoints/checkpoint-N/  Trainer checkpoints; COMPLETE (written last) lists each file's checksum
    logs/                      TensorBoard events; train.log, what the console showed
    adapter/ or model/         the result: a PEFT adapter (qlora, lora) or the whole model (full, spectrum)
    README.md                  model card

Nothing heavy is imported here, so the CLI, the demo and the tests can use it freely.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from medtune.config import Config, load_saved_config
from medtune.embedded import EMBEDDED_PREFIX
from medtune.errors import RunError
from medtune.provenance import utc_now

CONFIG_FILE = "config.yaml"
METADATA_FILE = "experiment_metadata.json"
PREFLIGHT_FILE = "preflight_example.txt"
CARD_FILE = "README.md"
CHECKPOINTS_DIR = "checkpoints"
LOGS_DIR = "logs"
TRAIN_LOG = "train.log"  # inside LOGS_DIR
ADAPTER_DIR = "adapter"
MODEL_DIR = "model"
EVAL_DIR = "eval"  # written by medtune evaluate
EVAL_METRICS_FILE = "metrics.json"  # inside EVAL_DIR
COMPLETE_MARKER = "COMPLETE"
CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")


# --------------------------------------------------------------------------------------------
# Names and places
# --------------------------------------------------------------------------------------------


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


def new_run_dir(cfg: Config, now: datetime | None = None) -> Path:
    """Where a new run will live. Not created here: runs are created lazily, once setup succeeded.

    Two runs started in the same second get ``-2``, ``-3``... rather than sharing a directory.
    """
    base = runs_root(cfg) / run_name(cfg, now)
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


class RunLock:
    """An exclusive lock on one run name, held by this process while it trains into it.

    A hidden ``.NAME.lock`` beside the run directories, locked with ``flock``: the operating
    system releases it when the process exits, however it exits, so a lock left by a killed run
    is free again (stale locks need no clean-up). Taken before anything loads, so a second
    process is told at once.
    """

    def __init__(self, path: Path, fd: int, made_parent: bool):
        self.path, self._fd, self._made_parent = path, fd, made_parent

    @classmethod
    def try_acquire(cls, path: Path) -> RunLock | None:
        import fcntl

        made_parent = not path.parent.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(path, fd, made_parent)

    def release(self) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None
            if self._made_parent:  # a run that failed before creating anything leaves no runs/ behind
                with contextlib.suppress(OSError):
                    self.path.parent.rmdir()


def lock_path(run_dir: Path) -> Path:
    return Path(run_dir).parent / f".{Path(run_dir).name}.lock"


def lock_run(run_dir: Path) -> RunLock:
    """The lock of an existing run (resume), or a clear error naming the process that holds it."""
    lock = RunLock.try_acquire(lock_path(run_dir))
    if lock is None:
        try:
            pid = lock_path(run_dir).read_text().strip()
        except OSError:
            pid = "?"
        raise RunError(f"{Path(run_dir).name} is being trained by another process (pid {pid}); "
                       "wait for it to finish, or stop it first")
    return lock


def reserve_new_run(cfg: Config, now: datetime | None = None) -> tuple[Path, RunLock]:
    """A new run's directory name, locked for this process: two runs started in the same second
    get ``NAME`` and ``NAME-2``, never one directory."""
    base = runs_root(cfg) / run_name(cfg, now)
    n = 1
    while True:
        candidate = base if n == 1 else base.with_name(f"{base.name}-{n}")
        n += 1
        if candidate.exists():
            continue
        lock = RunLock.try_acquire(lock_path(candidate))
        if lock is None:
            continue
        if candidate.exists():  # created between the check and the lock
            lock.release()
            continue
        return candidate, lock


def find_run(cfg: Config, ref: str | os.PathLike) -> Path:
    """A run directory from ``runs/NAME``, ``NAME`` or ``latest`` (the newest run that has a config)."""
    root = runs_root(cfg)
    ref = str(ref)
    if ref == "latest":
        found = sorted((p for p in root.glob(f"*/{CONFIG_FILE}")), key=lambda p: p.stat().st_mtime)
        if not found:
            raise RunError(f"no runs under {root}; train one first with `medtune train`")
        return found[-1].parent
    for candidate in (Path(ref), cfg.resolve_path(ref), root / ref):
        if (candidate / CONFIG_FILE).is_file():
            return candidate.resolve()
    raise RunError(f"{ref}: not a run directory (no {CONFIG_FILE}); runs live under {root}")


def recorded_root(run_dir: Path, cfg: Config) -> Path:
    """The project a run was trained in: recorded in its metadata, else implied by
    ``training.output_dir`` (``<root>/runs/NAME``), else the working directory."""
    recorded = read_metadata(run_dir).get("project_root")
    out = Path(cfg.training.output_dir)
    if recorded and Path(recorded).is_dir():
        return Path(recorded)
    if not out.is_absolute() and ".." not in out.parts:
        root = run_dir
        for _ in range(len(out.parts) + 1):
            root = root.parent
        return root
    return Path.cwd()


def load_run_config(run_dir: Path, root: Path | None = None) -> Config:
    """The run's own config.yaml; relative paths resolve against ``root``, by default the
    project the run was trained in (:func:`recorded_root`)."""
    run_dir = Path(run_dir).resolve()
    cfg = load_saved_config(run_dir / CONFIG_FILE)
    return cfg.with_root(root if root is not None else recorded_root(run_dir, cfg))


def artifact_dir(run_dir: Path) -> Path:
    """The trained result of a finished run: ``adapter/`` (qlora, lora) or ``model/`` (full, spectrum)."""
    run_dir = Path(run_dir)
    for name, marker in ((ADAPTER_DIR, "adapter_config.json"), (MODEL_DIR, "config.json")):
        if (run_dir / name / marker).is_file():
            return run_dir / name
    raise RunError(
        f"{run_dir}: no {ADAPTER_DIR}/ or {MODEL_DIR}/ yet, so the run did not finish; "
        f"continue it with `medtune train --resume {run_dir}`"
    )


@dataclass(frozen=True)
class Run:
    """A trained run (or a merged export) opened once: where it is, the config its weights were
    trained with, its metadata, and where the weights are.

    ``config`` is the run's own saved config, with relative paths resolving in the project the
    command runs in, so resume, evaluate, chat, serve, export and the safety report all read a
    run the same way. A merged export without a run beside it carries the current config and
    says so in ``notes``.
    """

    dir: Path | None  # the run directory; None for a merged export that has no run beside it
    config: Config
    metadata: dict = field(default_factory=dict)
    adapter_dir: Path | None = None  # PEFT adapter on the base model (qlora, lora)
    model_dir: Path | None = None  # a whole model: full/spectrum runs' model/, or a merged export
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return (self.dir or self.model_dir or Path("?")).name

    @property
    def weights(self) -> Path | None:
        return self.adapter_dir or self.model_dir

    def require_weights(self) -> Path:
        """The trained weights, or a clear error saying the run has not finished."""
        if self.weights is None:
            return artifact_dir(self.dir)  # raises the 'did not finish' error
        return self.weights

    def file(self, name: str) -> Path:
        """A file in the run directory by its constant name (``runs.METADATA_FILE``, ...)."""
        if self.dir is None:
            raise RunError(f"{self.name} is a merged export without a run directory beside it: it has no {name}")
        return self.dir / name


PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".ckpt")


def check_weight_format(weights: Path, allow_pickle: bool = False) -> None:
    """Refuse weights stored only as pickles (``adapter_model.bin``, ``pytorch_model.bin``...):
    unpickling runs whatever code the file holds. Safetensors beside them are what gets loaded.

    ``allow_pickle`` is the current project's ``model.allow_pickle_weights``, never the run's own
    saved config, which came with the weights.
    """
    files = [p for p in Path(weights).iterdir() if p.is_file()]
    if allow_pickle or any(p.suffix == ".safetensors" for p in files):
        return
    pickles = sorted(p.name for p in files if p.suffix in PICKLE_SUFFIXES and p.name != "training_args.bin")
    if pickles:
        raise RunError(
            f"{weights}: its weights are pickles ({', '.join(pickles)}), which can run code when loaded; medtune "
            "loads safetensors only. Re-save them as safetensors (save_pretrained(..., safe_serialization=True)), "
            "or, if you trust where they came from, set model.allow_pickle_weights=true"
        )


def is_merged_export(path: Path) -> bool:
    return (path / "config.json").is_file() and not (path / CONFIG_FILE).is_file()


def open_run(cfg: Config, ref: str | os.PathLike, *, require_weights: bool = True) -> Run:
    """Open ``runs/NAME``, ``NAME``, ``latest``, a run directory, or a merged export directory.

    ``cfg`` is the current project's config: it says where runs live, and its root is where the
    run's relative paths (dataset, model cache) resolve.
    """
    ref_path = Path(os.path.expanduser(str(ref)))
    merged = next((p for p in (ref_path, cfg.resolve_path(ref_path)) if is_merged_export(p)), None)
    if merged is not None:
        merged = merged.resolve()
        check_weight_format(merged, cfg.model.allow_pickle_weights)
        for run_dir in (merged, merged.parent):
            if (run_dir / CONFIG_FILE).is_file():
                saved = load_saved_config(run_dir / CONFIG_FILE).with_root(cfg.root)
                return Run(run_dir, saved, read_metadata(run_dir), model_dir=merged)
        note = f"{merged} has no run config beside it: using this project's config and system prompt"
        return Run(None, cfg, {}, model_dir=merged, notes=(note,))
    run_dir = find_run(cfg, ref)
    saved = load_run_config(run_dir, cfg.root)
    try:
        found = artifact_dir(run_dir)
    except RunError:
        if require_weights:
            raise
        return Run(run_dir, saved, read_metadata(run_dir))
    check_weight_format(found, cfg.model.allow_pickle_weights)
    is_adapter = found.name == ADAPTER_DIR
    return Run(
        run_dir,
        saved,
        read_metadata(run_dir),
        adapter_dir=found if is_adapter else None,
        model_dir=None if is_adapter else found,
    )


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the new one, never half of it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk must not leave a zero-byte temp file behind
        tmp.unlink(missing_ok=True)
        raise


def read_metadata(run_dir: Path) -> dict:
    path = Path(run_dir) / METADATA_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise RunError(f"{path}: not valid JSON ({exc})") from None


def write_metadata(run_dir: Path, data: dict) -> None:
    write_atomic(Path(run_dir) / METADATA_FILE, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def update_metadata(run_dir: Path, **changes: Any) -> dict:
    data = read_metadata(run_dir)
    data.update(changes)
    write_metadata(run_dir, data)
    return data


# --------------------------------------------------------------------------------------------
# Checkpoints: complete only once their COMPLETE marker, written last and atomically, says so
# --------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checkpoint_step(path: Path) -> int | None:
    m = CHECKPOINT_RE.match(Path(path).name)
    return int(m.group(1)) if m else None


def list_checkpoints(run_dir: Path) -> list[Path]:
    """``checkpoints/checkpoint-N`` directories, oldest step first, complete or not."""
    folder = Path(run_dir) / CHECKPOINTS_DIR
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and checkpoint_step(p) is not None]
    return sorted(found, key=lambda p: checkpoint_step(p) or 0)


def mark_checkpoint_complete(ckpt: Path) -> None:
    """Flush every file of the checkpoint to disk, then write COMPLETE with their sizes and sha256."""
    ckpt = Path(ckpt)
    files: dict[str, dict] = {}
    for path in sorted(p for p in ckpt.rglob("*") if p.is_file() and p.name != COMPLETE_MARKER):
        with open(path, "rb") as f:
            os.fsync(f.fileno())
        files[path.relative_to(ckpt).as_posix()] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    marker = {"step": checkpoint_step(ckpt), "written": utc_now(), "files": files}
    write_atomic(ckpt / COMPLETE_MARKER, json.dumps(marker, indent=1) + "\n")


def checkpoint_problem(ckpt: Path) -> str | None:
    """Why a checkpoint cannot be trusted, or None when its marker and every listed file check out."""
    marker_path = Path(ckpt) / COMPLETE_MARKER
    if not marker_path.is_file():
        return "no COMPLETE marker (cut off while it was being written)"
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
        files = marker["files"]
    except (ValueError, KeyError, TypeError):
        return "its COMPLETE marker is unreadable"
    if not files:
        return "its COMPLETE marker lists no files"
    for rel, info in files.items():
        path = Path(ckpt) / rel
        if not path.is_file():
            return f"{rel} is missing"
        if path.stat().st_size != info.get("size"):
            return f"{rel} has {path.stat().st_size} bytes, {info.get('size')} expected"
        if _sha256(path) != info.get("sha256"):
            return f"{rel} does not match its checksum"
    return None


def latest_complete_checkpoint(run_dir: Path, note: Callable[[str], None]) -> Path | None:
    """The newest checkpoint that passes :func:`checkpoint_problem`; each newer one is skipped with a ``note``."""
    for ckpt in reversed(list_checkpoints(run_dir)):
        problem = checkpoint_problem(ckpt)
        if problem is None:
            return ckpt
        note(f"skipping {ckpt.name}: {problem}")
    return None


def prune_checkpoints(run_dir: Path, keep: int | None, protect: Path | tuple[Path | None, ...] | None = None) -> list[Path]:
    """Keep the newest ``keep`` complete checkpoints; delete older ones and incomplete leftovers below them.

    Runs after a new checkpoint is marked complete, so a crash mid-write never leaves a run
    without a good checkpoint (the Trainer's own rotation would delete first).
    """
    if not keep:
        return []
    ckpts = list_checkpoints(run_dir)
    complete = [c for c in ckpts if (c / COMPLETE_MARKER).is_file()]
    if len(complete) <= keep:
        return []
    oldest_kept = checkpoint_step(complete[-keep]) or 0
    kept = {Path(p).resolve() for p in (protect if isinstance(protect, tuple) else (protect,)) if p is not None}
    doomed = [c for c in ckpts if (checkpoint_step(c) or 0) < oldest_kept and c.resolve() not in kept]
    for c in doomed:
        shutil.rmtree(c, ignore_errors=True)
    return doomed
