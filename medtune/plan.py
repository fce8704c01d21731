"""Step 1 of a run: which directory, which config, which checkpoint.

A new run reserves (and locks) a fresh name; a resumed run is opened, locked against a second
process, compared with the config asked for now, and continued from its newest complete
checkpoint. A finished run is left alone, and a checkpoint taken at the last step is written out
as the result without training a step more.
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
    stale: list[Path] = field(default_factory=list)  # incomplete checkpoints newer than it
    config_changes: list[str] = field(default_factory=list)
    at_last_step: bool = False  # the checkpoint is the final step: write the result, train nothing
    finished: Any = None  # a completed run asked to resume: its Run, nothing to do
    lock: Any = None  # runs.RunLock held while this process trains into run_dir



def plan_run(cfg: Config, resume: str | None, allow_config_change: bool, note=print) -> RunPlan:
    """A fresh run directory name, or the run to resume with its saved config and newest good checkpoint."""
    if not resume:
        check_output_dir(cfg)  # before the lock file or anything else is written
        if distributed.world_size() > 1 or os.environ.get(distributed.RUN_DIR_ENV):
            return RunPlan(cfg, distributed.shared_run_dir(lambda: runs.new_run_dir(cfg)))
        run_dir, lock = runs.reserve_new_run(cfg)
        return RunPlan(cfg, run_dir, lock=lock)
    run = runs.open_run(cfg, resume, require_weights=False)
    if run.dir is None:
        raise RunError(f"--resume {resume}: {run.name} is a merged export, not a run directory to continue")
    if run.metadata.get("status") != "completed":
        check_output_dir(cfg, run.dir)
    lock = runs.lock_run(run.dir) if distributed.world_size() <= 1 else None
    try:
        plan = _plan_resume(cfg, resume, allow_config_change, run, note)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    plan.lock = lock
    return plan


def _plan_resume(cfg: Config, resume: str, allow_config_change: bool, run, note) -> RunPlan:
    run_dir, saved = run.dir, run.config
    changes = config_differences(saved, cfg)
    if changes and not allow_config_change:
        shown = "\n".join(f"  - {c}" for c in changes[:20])
        more = f"\n  ... and {len(changes) - 20} more" if len(changes) > 20 else ""
        raise RunError(
            f"--resume {resume}: the config now differs from the one {run_dir.name} was trained with:\n{shown}{more}\n"
            "Resume with the same --config/--env/--set as the original run, or pass --allow-config-change "
            "to continue with the new values."
        )
    if run.metadata.get("status") == "completed" and run.weights is not None and not changes:
        return RunPlan(saved, run_dir, True, finished=run)
    checkpoint = runs.latest_complete_checkpoint(run_dir, note=note)
    newest = runs.checkpoint_step(checkpoint) if checkpoint else -1
    stale = [c for c in runs.list_checkpoints(run_dir) if (runs.checkpoint_step(c) or 0) > (newest or 0)]
    if checkpoint is None:
        note(f"{run_dir.name} has no complete checkpoint: training starts again from step 0 in the same directory")
    else:
        note(f"resuming from {checkpoint.name}")
    return RunPlan(cfg if changes else saved, run_dir, True, checkpoint, stale, changes,
                   at_last_step=checkpoint is not None and checkpoint_at_end(checkpoint, cfg.training.max_steps))


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
