"""Step 1 of a run: which directory, which config, which checkpoint.

A new run reserves (and locks) a fresh name; a resumed run is opened, locked against a second
process, compared with the config asked for now, and continued from its newest complete
checkpoint, or from the one checkpoint named (``runs/X/checkpoints/checkpoint-N``): checkpoints
newer than that one are a branch of training the user chose to go back on, and are removed. A
finished run is left alone, and a checkpoint taken at the last step is written out as the result
without training a step more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medtune import distributed, runs
from medtune.config import Config, config_hash
from medtune.disk import check_output_dir
from medtune.errors import RunError


@dataclass
class RunPlan:
    cfg: Config
    run_dir: Path
    resuming: bool = False
    checkpoint: Path | None = None  # newest complete checkpoint to resume from
    stale: list[Path] = field(default_factory=list)  # checkpoints newer than it, removed before training
    config_changes: list[str] = field(default_factory=list)
    at_last_step: bool = False  # the checkpoint is the final step: write the result, train nothing
    finished: Any = None  # a completed run asked to resume: its Run, nothing to do
    lock: Any = None  # runs.RunLock held while this process trains into run_dir



def plan_run(cfg: Config, resume: str | None, allow_config_change: bool, note=print) -> RunPlan:
    """A fresh run directory name, or the run to resume with its saved config and newest good
    checkpoint (or the checkpoint ``resume`` names)."""
    if not resume:
        check_output_dir(cfg)  # before the lock file or anything else is written
        if distributed.world_size() > 1 or os.environ.get(distributed.RUN_DIR_ENV):
            return RunPlan(cfg, distributed.shared_run_dir(lambda: runs.new_run_dir(cfg)))
        run_dir, lock = runs.reserve_new_run(cfg)
        return RunPlan(cfg, run_dir, lock=lock)
    # --resume X, or training.resume_from_checkpoint: X (a config.layers.ResumeRef, which says where it was written)
    label = getattr(resume, "label", None) or f"--resume {resume}"
    run_ref, chosen = named_checkpoint(cfg, resume)
    try:
        run = runs.open_run(cfg, run_ref, require_weights=False)
    except RunError as exc:
        if not hasattr(resume, "label"):
            raise
        raise RunError(f"{label}: {exc}") from None
    if run.dir is None:
        raise RunError(f"{label}: {run.name} is a merged export, not a run directory to continue")
    if chosen is not None and (problem := runs.checkpoint_problem(chosen)) is not None:
        good = [c.name for c in runs.list_checkpoints(run.dir) if runs.checkpoint_problem(c) is None]
        raise RunError(f"{label}: {chosen.name} cannot be resumed from: {problem}. "
                       f"{run.dir.name}'s complete checkpoints: {', '.join(good) or 'none'}")
    if run.metadata.get("status") != "completed" or chosen is not None:
        check_output_dir(cfg, run.dir)
    lock = runs.lock_run(run.dir) if distributed.world_size() <= 1 else None
    try:
        plan = _plan_resume(cfg, label, allow_config_change, run, note, chosen)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    plan.lock = lock
    return plan


def named_checkpoint(cfg: Config, ref: str) -> tuple[str, Path | None]:
    """``(run directory, checkpoint)`` when ``ref`` names a run's ``checkpoints/checkpoint-N``
    (as a path, relative to the project, or under the runs directory), else ``(ref, None)``."""
    ref_path = Path(os.path.expanduser(str(ref)))
    for candidate in (ref_path, cfg.resolve_path(ref_path), runs.runs_root(cfg) / ref_path):
        if (candidate.is_dir() and runs.checkpoint_step(candidate) is not None
                and candidate.parent.name == runs.CHECKPOINTS_DIR):
            candidate = candidate.resolve()
            return str(candidate.parent.parent), candidate
    return str(ref), None


def _plan_resume(cfg: Config, label: str, allow_config_change: bool, run, note, chosen: Path | None) -> RunPlan:
    run_dir, saved = run.dir, run.config
    changes = config_differences(saved, cfg)
    if changes and not allow_config_change:
        shown = "\n".join(f"  - {c}" for c in changes[:20])
        more = f"\n  ... and {len(changes) - 20} more" if len(changes) > 20 else ""
        raise RunError(
            f"{label}: the config now differs from the one {run_dir.name} was trained with:\n{shown}{more}\n"
            "Resume with the same --config/--env/--set as the original run, or pass --allow-config-change "
            "to continue with the new values."
        )
    last_step = cfg.training.max_steps
    if chosen is not None and run.metadata.get("status") == "completed" and not checkpoint_at_end(chosen, last_step):
        note(f"{run_dir.name} had finished: training again from {chosen.name} replaces its result")
    elif run.metadata.get("status") == "completed" and run.weights is not None and not changes:
        return RunPlan(saved, run_dir, True, finished=run)
    checkpoint = chosen or runs.latest_complete_checkpoint(run_dir, note=note)
    newest = runs.checkpoint_step(checkpoint) if checkpoint else -1
    stale = [c for c in runs.list_checkpoints(run_dir) if (runs.checkpoint_step(c) or 0) > (newest or 0)]
    if checkpoint is None:
        note(f"{run_dir.name} has no complete checkpoint: training starts again from step 0 in the same directory")
    else:
        note(f"resuming from {checkpoint.name}")
    return RunPlan(cfg if changes else saved, run_dir, True, checkpoint, stale, changes,
                   at_last_step=checkpoint is not None and checkpoint_at_end(checkpoint, last_step))


def checkpoint_at_end(checkpoint: Path, max_steps: int = -1) -> bool:
    """True when the checkpoint was saved at the run's last step (a run cut off during its final
    save): resuming from it must not train one step more. ``max_steps`` (when > 0) is the step
    count asked for now, which a resume with --allow-config-change may have raised."""
    import json

    try:
        state = json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    last = max_steps if max_steps > 0 else state.get("max_steps")
    return bool(last) and state.get("global_step", 0) >= last


def config_differences(old: Config, new: Config) -> list[str]:
    """``key: old -> new`` for every value that differs (compared by the full config hash first)."""
    if config_hash(old) == config_hash(new):
        return []
    from medtune.config import _flatten

    a, b = _flatten(old.to_dict()), _flatten(new.to_dict())
    return [f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
