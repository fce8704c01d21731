"""`medtune validate` checks `evaluation.benchmarks` as `medtune evaluate` would, before a GPU is
rented: a misspelt task name is exit 2, naming the key and the nearest task."""

from __future__ import annotations

from pathlib import Path

import pytest

from medtune.cli import main
from medtune.evaluate import benchmarks

TASKS_DIR = Path(__file__).resolve().parents[2] / "data" / "lm_eval_tasks"


@pytest.mark.skipif(not benchmarks.lm_eval_installed(), reason=f"lm-eval is not installed ({benchmarks.INSTALL_HINT})")
def test_validate_names_a_misspelt_local_task(make_tiny_project, tmp_path, capsys):
    project = make_tiny_project(tmp_path / "project", config={
        "evaluation": {"benchmark_tasks_dir": str(TASKS_DIR), "benchmarks": ["medtune_mqc"]}})
    assert main(["validate", "--config", str(project / "config.yaml")]) == 2
    err = capsys.readouterr().err
    assert "evaluation.benchmarks: unknown task 'medtune_mqc' (did you mean medtune_mcq" in err, err
    assert "Traceback" not in err

    capsys.readouterr()
    assert main(["validate", "--config", str(project / "config.yaml"), "--set", "evaluation.benchmarks=[medtune_mcq]"]) == 0


def test_no_benchmarks_asks_lm_eval_nothing(tiny_project, monkeypatch, capsys):
    def never(cfg):
        raise AssertionError("lm-eval's task index was built with no benchmark set")

    monkeypatch.setattr(benchmarks, "plan_benchmarks", never)
    assert main(["validate", "--config", str(tiny_project / "config.yaml")]) == 0
