"""Standard benchmarks in `medtune evaluate`: lm-evaluation-harness tasks on the base and the
fine-tuned model. The shipped medical task runs offline; a task whose data lives on the hub
stops with a clear message before any model loads when the hub cannot be reached; a typo in a
task name is caught before loading too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from medtune.evaluate import benchmarks
from medtune.history import summarize_run
from medtune.metrics import load_mcq

REPO = Path(__file__).resolve().parents[1]
TASKS_DIR = REPO / "data" / "lm_eval_tasks"
needs_lm_eval = pytest.mark.skipif(not benchmarks.lm_eval_installed(), reason=f"lm-eval is not installed ({benchmarks.INSTALL_HINT})")


def test_the_shipped_task_reads_the_sample_questions_offline():
    import importlib.util

    spec = importlib.util.spec_from_file_location("medtune_mcq", TASKS_DIR / "medtune_mcq.py")
    loader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loader)
    docs = loader.load("../mcq_sample.jsonl")["test"]
    # The same questions, options and answers as medtune's own multiple-choice reader finds
    # (the file mixes lettered and listed options, letter and index answers).
    items = load_mcq(REPO / "data" / "mcq_sample.jsonl")
    assert len(docs) == len(items) >= 20
    for doc, item in zip(docs, items, strict=True):
        assert doc["question"] == item.question and doc["label"] == item.answer
        assert list(zip(doc["letters"], doc["choices"], strict=True)) == [tuple(o) for o in item.options]
    assert benchmarks.local_tasks(TASKS_DIR) == {"medtune_mcq": TASKS_DIR / "medtune_mcq.yaml"}


def _evaluate(project: Path, *sets: str, capsys):
    from medtune.cli import main

    args = ["evaluate", "--config", str(project / "config.yaml"), "--run", "latest", "--base"]
    code = main([*args, *(x for s in sets for x in ("--set", s))])
    return code, capsys.readouterr()


@pytest.fixture
def untrained_run(make_tiny_project, load_tiny_config, tmp_path, monkeypatch):
    """A project with a run that looks finished (an adapter config on disk), and a model loader
    that fails the test if anything gets as far as loading a model."""
    from medtune import runs
    from medtune.config import dump_config

    project = make_tiny_project(tmp_path / "project", config={"evaluation": {"benchmark_tasks_dir": str(TASKS_DIR)}})
    run = project / "runs" / "r1"
    (run / runs.ADAPTER_DIR).mkdir(parents=True)
    (run / runs.ADAPTER_DIR / "adapter_config.json").write_text("{}")
    (run / runs.CONFIG_FILE).write_text(dump_config(load_tiny_config(project)))

    def no_loading(*a, **k):
        raise AssertionError("a model was loaded before the benchmarks were checked")

    monkeypatch.setattr("medtune.model.load_for_inference", no_loading)
    monkeypatch.setattr("medtune.model.load_tokenizer", no_loading)
    return project


def test_a_misspelt_task_name_stops_evaluate_before_loading(untrained_run, capsys):
    if not benchmarks.lm_eval_installed():
        code, out = _evaluate(untrained_run, "evaluation.benchmarks=[medtune_mcq]", capsys=capsys)
        assert code == 2 and benchmarks.INSTALL_HINT in out.err  # said before anything loads
        pytest.skip(f"lm-eval is not installed ({benchmarks.INSTALL_HINT}): the name check needs lm-eval's task list")
    code, out = _evaluate(untrained_run, "evaluation.benchmarks=[medtune_mcqq]", capsys=capsys)
    assert code == 2
    assert "unknown task 'medtune_mcqq' (did you mean medtune_mcq" in out.err
    assert f"Local tasks in {TASKS_DIR}: medtune_mcq" in out.err


def test_a_bad_task_name_or_limit_is_a_config_error(untrained_run, capsys):
    code, out = _evaluate(untrained_run, "evaluation.benchmarks=[medtune mcq]", capsys=capsys)
    assert code == 2 and "evaluation.benchmarks" in out.err
    code, out = _evaluate(untrained_run, "evaluation.benchmark_limit=0", capsys=capsys)
    assert code == 2 and "evaluation.benchmark_limit" in out.err
    code, out = _evaluate(untrained_run, "evaluation.benchmarks=[medtune_mcq, medtune_mcq]", capsys=capsys)
    assert code == 2 and "lists medtune_mcq more than once" in out.err


@needs_lm_eval
def test_a_hub_task_offline_fails_fast_naming_the_dataset(untrained_run, capsys, monkeypatch):
    monkeypatch.setattr(benchmarks, "hub_offline", lambda: True)
    monkeypatch.setattr(benchmarks, "dataset_cached", lambda name: False)
    code, out = _evaluate(untrained_run, "evaluation.benchmarks=[medtune_mcq, medqa_4options, pubmedqa]", capsys=capsys)
    assert code == 2
    err = out.err
    assert "medqa_4options (dataset GBaker/MedQA-USMLE-4-options-hf)" in err and "pubmedqa (dataset bigbio/pubmed_qa)" in err
    assert "unreachable here (HF_HUB_OFFLINE=1)" in err and "keep only local tasks (medtune_mcq)" in err
    assert not (untrained_run / "runs" / "r1" / "eval").exists()


@needs_lm_eval
def test_a_hub_task_without_a_connection_fails_fast_too(untrained_run, capsys, monkeypatch):
    monkeypatch.setattr(benchmarks, "hub_offline", lambda: False)
    monkeypatch.setattr(benchmarks, "hub_reachable", lambda timeout=3.0: False)
    monkeypatch.setattr(benchmarks, "dataset_cached", lambda name: False)
    code, out = _evaluate(untrained_run, "evaluation.benchmarks=[mmlu_clinical_knowledge]", capsys=capsys)
    assert code == 2 and "mmlu_clinical_knowledge (dataset cais/mmlu)" in out.err and "no connection to it" in out.err


@needs_lm_eval
@pytest.mark.slow
def test_evaluate_runs_the_local_benchmark_on_base_and_fine_tuned_side_by_side(tiny_run, tmp_path, capsys, monkeypatch):
    # A copy of the session's trained run, so its eval/ does not change what other tests see.
    project = tmp_path / "project"
    shutil.copytree(tiny_run.parents[1], project)
    monkeypatch.setattr("medtune.data.cache.code_version", lambda: "pinned")
    code, out = _evaluate(project, "evaluation.benchmarks=[medtune_mcq]", f"evaluation.benchmark_tasks_dir={TASKS_DIR}",
                          "evaluation.generation_samples=1", capsys=capsys)
    assert code == 0, out.err
    line = next(row for row in out.out.splitlines() if row.startswith("medtune_mcq"))
    assert line.startswith("medtune_mcq (acc, n=40)") and line.count("±") == 2  # base and fine-tuned, then the change

    metrics = json.loads((project / "runs" / tiny_run.name / "eval" / "metrics.json").read_text())
    assert metrics["eval_split"]["benchmarks"] == {"tasks": ["medtune_mcq"], "local": ["medtune_mcq"], "hub": {}, "limit": None}
    base, tuned = (metrics["models"][k]["benchmarks"]["medtune_mcq"] for k in ("base", "fine_tuned"))
    for result in (base, tuned):
        assert result["metric"] == "acc" and result["n"] == 40 and result["source"] == "local"
        assert 0 <= result["value"] <= 1 and result["value"] * 40 == pytest.approx(round(result["value"] * 40))
        assert set(result["metrics"]) == {"acc", "acc_norm"} and result["stderr"] > 0
    report = (project / "runs" / tiny_run.name / "eval" / "report.md").read_text()
    row = next(r for r in report.splitlines() if r.startswith("| medtune_mcq (acc, n=40)"))
    assert f"{base['value']:.3f} ± {base['stderr']:.3f}" in row and f"{tuned['value']:.3f} ± {tuned['stderr']:.3f}" in row
    assert f"{tuned['value'] - base['value']:+.3f}" in row
    assert "Benchmarks (lm-eval): medtune_mcq." in report
    # `medtune runs diff` compares it between runs
    assert summarize_run(project / "runs" / tiny_run.name).evaluation["benchmark medtune_mcq"] == tuned["value"]
