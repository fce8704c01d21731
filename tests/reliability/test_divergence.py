"""Story: a learning rate that blows training up fails loudly at the step it happened, leaves the
run marked failed, and never hands over a NaN adapter as the result."""
from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.slow
def test_a_diverged_run_fails_with_the_step_and_writes_no_result(tiny_project: Path, run_medtune):
    proc = run_medtune("train", "--config", str(tiny_project / "config.yaml"),
                       "--set", "training.learning_rate=1000", "--set", "training.max_steps=6",
                       "--set", "training.logging_steps=1", cwd=tiny_project)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "training diverged at step" in proc.stderr and "Traceback" not in proc.stderr
    [run_dir] = [p for p in (tiny_project / "runs").iterdir() if p.is_dir()]
    meta = json.loads((run_dir / "experiment_metadata.json").read_text())
    assert meta["status"] == "failed" and "diverged" in meta["error"]
    assert not (run_dir / "adapter").exists() and not (run_dir / "model").exists()
    log = (run_dir / "logs" / "train.log").read_text(encoding="utf-8")
    assert "new run:" in log and "error: training diverged at step" in log, "the log ends with what went wrong"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_validate_refuses_a_non_finite_number(tiny_project: Path, run_medtune, value):
    proc = run_medtune("validate", "--config", str(tiny_project / "config.yaml"),
                       "--set", f"training.learning_rate={value}", cwd=tiny_project)
    assert proc.returncode == 2 and "training.learning_rate" in proc.stderr and "Traceback" not in proc.stderr
