"""Resuming from one particular checkpoint: `medtune train --resume runs/X/checkpoints/checkpoint-N`,
or `training.resume_from_checkpoint:` the same path in config.yaml, continues run X from step N.

A user who sees a later checkpoint go wrong goes back to an earlier one; the checkpoints after it
belong to the training they chose to undo and are removed. When the reference comes from the
config file, an error names the key and the line it was written on, not a --resume flag they never typed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from medtune import runs
from medtune.cli import main

FOUR_STEPS = {"training": {"max_steps": 4, "save_steps": 2, "eval_steps": 2, "logging_steps": 1, "save_total_limit": 3}}


def train_four_steps(make_tiny_project, root: Path) -> Path:
    project = make_tiny_project(root, config=FOUR_STEPS)
    assert main(["train", "--config", str(project / "config.yaml")]) == 0
    (run_dir,) = (project / "runs").iterdir()
    assert [c.name for c in runs.list_checkpoints(run_dir)] == ["checkpoint-2", "checkpoint-4"]
    return run_dir


def set_in_config(project: Path, **training) -> None:
    path = project / "config.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["training"].update(training)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def last_resume(run_dir: Path) -> dict:
    return json.loads((run_dir / runs.METADATA_FILE).read_text(encoding="utf-8"))["resumes"][-1]


@pytest.mark.slow
def test_resume_from_a_named_checkpoint_by_flag_and_by_config_key(make_tiny_project, tmp_path, capsys):
    run_dir = train_four_steps(make_tiny_project, tmp_path / "project")
    project = run_dir.parent.parent
    capsys.readouterr()

    # --resume with the checkpoint's path: step 2 onwards again, checkpoint-4 redone
    assert main(["train", "--config", str(project / "config.yaml"), "--resume", str(run_dir / "checkpoints" / "checkpoint-2")]) == 0
    out = capsys.readouterr()
    said = out.out + out.err
    assert "resuming from checkpoint-2" in said and "removing checkpoint-4" in said, said
    assert last_resume(run_dir)["from_checkpoint"] == "checkpoint-2"
    state = json.loads((run_dir / "checkpoints" / "checkpoint-4" / "trainer_state.json").read_text(encoding="utf-8"))
    assert state["global_step"] == 4 and runs.checkpoint_problem(run_dir / "checkpoints" / "checkpoint-4") is None

    # the same from config.yaml, written relative to the project
    set_in_config(project, resume_from_checkpoint=f"runs/{run_dir.name}/checkpoints/checkpoint-2")
    assert main(["train", "--config", str(project / "config.yaml")]) == 0
    assert "resuming from checkpoint-2" in "".join(capsys.readouterr())
    meta = json.loads((run_dir / runs.METADATA_FILE).read_text(encoding="utf-8"))
    assert [r["from_checkpoint"] for r in meta["resumes"]] == ["checkpoint-2", "checkpoint-2"]
    assert meta["status"] == "completed"


def test_a_config_key_that_names_no_run_names_the_key_and_its_line(tiny_project, capsys):
    set_in_config(tiny_project, resume_from_checkpoint="runs/nope/checkpoints/checkpoint-2")
    line = next(i for i, text in enumerate((tiny_project / "config.yaml").read_text().splitlines(), 1)
                if "resume_from_checkpoint" in text)
    assert main(["train", "--config", str(tiny_project / "config.yaml")]) == 2
    (error,) = [text for text in capsys.readouterr().err.splitlines() if text.startswith("error:")]
    assert error.startswith(f"error: training.resume_from_checkpoint: runs/nope/checkpoints/checkpoint-2 (config.yaml:{line}): ")
    assert "not a run directory" in error and "--resume" not in error, error


def test_a_checkpoint_cut_off_while_it_was_written_is_refused_with_the_good_ones(tiny_project, capsys):
    run_dir = tiny_project / "runs" / "test-1"
    (run_dir / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    (run_dir / "checkpoints" / "checkpoint-2" / "trainer_state.json").write_text("{}", encoding="utf-8")
    (run_dir / runs.CONFIG_FILE).write_text((tiny_project / "config.yaml").read_text(), encoding="utf-8")
    rc = main(["train", "--config", str(tiny_project / "config.yaml"), "--resume", str(run_dir / "checkpoints" / "checkpoint-2")])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err, err
    assert f"--resume {run_dir / 'checkpoints' / 'checkpoint-2'}: checkpoint-2 cannot be resumed from: no COMPLETE marker" in err
    assert "test-1's complete checkpoints: none" in err
