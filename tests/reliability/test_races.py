"""Story: two processes never train into one run directory; the second is told at once."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from medtune import runs


def test_two_new_runs_in_the_same_second_get_two_names(tiny_project: Path, load_tiny_config):
    cfg = load_tiny_config(tiny_project)
    now = datetime(2026, 12, 1, 12, 0, 0)
    first, lock_a = runs.reserve_new_run(cfg, now)
    second, lock_b = runs.reserve_new_run(cfg, now)
    try:
        assert first != second and second.name == first.name + "-2"
    finally:
        lock_b.release()
        lock_a.release()
    assert not (tiny_project / "runs").exists(), "released reservations leave nothing behind"


def test_a_second_resume_of_a_run_in_training_is_refused_at_once(tiny_run: Path, run_medtune):
    project = tiny_run.parent.parent
    held = runs.lock_run(tiny_run)  # another process is training into it
    try:
        start = time.monotonic()
        proc = run_medtune("train", "--config", str(project / "config.yaml"), "--resume", str(tiny_run), cwd=project)
        assert proc.returncode == 2 and "being trained by another process" in proc.stderr
        assert "Traceback" not in proc.stderr and time.monotonic() - start < 30
    finally:
        held.release()
    again = runs.lock_run(tiny_run)  # released: free for the next one
    again.release()
