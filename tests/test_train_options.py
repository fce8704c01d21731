"""Training options a user brings from other tools: an 8-bit base, early stopping, MLflow, the hub,
and a plain-text log of what the console showed.

Each training here is a few steps of the embedded tiny Phi-4-mini on CPU.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from medtune import runs
from medtune.config import ConfigError, check_config

# Evaluate and save at every step, so early stopping can act within a few steps.
EVERY_STEP = ["training.eval_steps=1", "training.save_steps=1", "training.logging_steps=1", "training.report_to=[]"]


def _problems(cfg) -> list[str]:
    errors, _ = check_config(cfg, check_paths=False)
    return errors


# --------------------------------------------------------------------------------------------
# model.load_in_8bit: LoRA on an 8-bit base
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_lora_trains_on_an_8bit_base_on_cpu(tiny_project: Path, load_tiny_config):
    """bitsandbytes 0.50 has an 8-bit CPU backend, so the option is tested here rather than refused."""
    import bitsandbytes as bnb

    from medtune.train import train

    cfg = load_tiny_config(tiny_project, "fine_tuning.method=lora", "model.load_in_8bit=true",
                           "training.max_steps=3", "training.eval_strategy=no", *EVERY_STEP)
    assert _problems(cfg) == []
    res = train(cfg)
    base = res.trainer.model.get_base_model()
    assert getattr(base, "is_loaded_in_8bit", False)
    assert any(isinstance(m, bnb.nn.Linear8bitLt) for m in base.modules())
    assert res.global_step == 3 and (res.run_dir / "adapter" / "adapter_model.safetensors").is_file()
    losses = [h["loss"] for h in res.trainer.state.log_history if "loss" in h]
    assert losses[-1] < losses[0], losses

    # chat and evaluate put the adapter back on the same 8-bit base: the trained model's logits
    import torch

    from medtune.model import load_for_inference

    run = runs.open_run(cfg, str(res.run_dir))
    model, _ = load_for_inference(run.config, adapter_dir=run.adapter_dir)
    assert getattr(model.get_base_model(), "is_loaded_in_8bit", False)
    ids = torch.tensor([res.trainer.train_dataset[0]["input_ids"]])
    with torch.no_grad():
        trained, reloaded = res.trainer.model.eval()(input_ids=ids).logits, model(input_ids=ids).logits
    assert torch.allclose(trained, reloaded, atol=1e-4), (trained - reloaded).abs().max()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["fine_tuning.method=qlora", "model.load_in_8bit=true"], "8-bit and qlora's 4-bit loading are mutually exclusive"),
        (["fine_tuning.method=full", "model.load_in_8bit=true"], "method=full trains the base weights"),
        (["fine_tuning.method=lora", "model.load_in_8bit=true", "model.quantization_config.load_in_4bit=true"],
         "both true; they are mutually exclusive"),
    ],
)
def test_8bit_with_4bit_or_a_whole_model_method_is_refused_by_validate(tiny_project: Path, run_medtune, overrides, expected):
    args = [a for o in overrides for a in ("--set", o)]
    proc = run_medtune("validate", "--config", str(tiny_project / "config.yaml"), *args, cwd=tiny_project)
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-1500:]


def test_8bit_on_a_cpu_is_refused_with_the_reason_where_bitsandbytes_has_no_cpu_backend(monkeypatch):
    import importlib.metadata

    from medtune.config.hardware import eight_bit_problems

    assert eight_bit_problems(cuda=False) == [], "the installed bitsandbytes trains 8-bit on CPU (tested above)"
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.43.1")
    [problem] = eight_bit_problems(cuda=False)
    assert "bitsandbytes 0.43.1 has no 8-bit CPU backend" in problem and "model.load_in_8bit=false" in problem
    assert eight_bit_problems(cuda=True) == []


def test_the_memory_estimate_counts_an_8bit_base_at_one_byte_a_weight():
    from medtune.config import Config
    from medtune.memory import estimate_memory

    def total(method: str, eight_bit: bool = False) -> float:
        q = {"load_in_4bit": method == "qlora"}
        cfg = Config.model_validate({"fine_tuning": {"method": method}, "model": {"load_in_8bit": eight_bit, "quantization_config": q}})
        return estimate_memory(cfg).total

    assert total("qlora") < total("lora", eight_bit=True) < total("lora")
    assert "weights (int8)" in estimate_memory(Config.model_validate({"fine_tuning": {"method": "lora"}, "model": {"load_in_8bit": True}})).parts


# --------------------------------------------------------------------------------------------
# training.early_stopping_patience
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_early_stopping_ends_training_when_eval_loss_stops_improving(tiny_project: Path, load_tiny_config):
    """A threshold no tiny step can beat: after `patience` evaluations without improvement, training
    stops long before max_steps, and the best checkpoint is the result."""
    from medtune.train import train

    cfg = load_tiny_config(tiny_project, "training.max_steps=12", *EVERY_STEP,
                           "training.early_stopping_patience=2", "training.early_stopping_threshold=100")
    res = train(cfg)
    assert res.global_step == 3, "one evaluation sets the best, two more without improvement stop it"
    state = res.trainer.state
    assert res.trainer.args.load_best_model_at_end and res.trainer.args.metric_for_best_model == "eval_loss"
    assert state.best_model_checkpoint and Path(state.best_model_checkpoint).is_dir(), "the best checkpoint survives pruning"
    assert (res.run_dir / "adapter" / "adapter_config.json").is_file()
    assert json.loads((res.run_dir / runs.METADATA_FILE).read_text())["status"] == "completed"

    # logs/train.log holds what the console showed, without the progress bars' redraws
    log = (res.run_dir / runs.LOGS_DIR / runs.TRAIN_LOG).read_text(encoding="utf-8")
    assert "new run:" in log and "data: " in log and "training finished" in log and "'eval_loss'" in log
    assert "\r" not in log and "\x1b[" not in log
    step_lines = [line for line in log.splitlines() if "/12 [" in line]
    assert step_lines and len(step_lines) <= 2 * res.global_step + 2, step_lines  # one per shown state, not per redraw


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["training.eval_strategy=no"], "early stopping needs evaluations"),
        (["training.save_steps=3", "training.eval_steps=2"], "must be a multiple of training.eval_steps"),
        (["training.save_strategy=epoch"], "must equal training.eval_strategy"),
        (["data.eval_dataset_size=0", "training.eval_strategy=steps"], "needs eval data"),
    ],
)
def test_early_stopping_without_evaluations_or_checkpoints_is_refused(tiny_project: Path, load_tiny_config, overrides, expected):
    with pytest.raises(ConfigError) as err:
        load_tiny_config(tiny_project, "training.early_stopping_patience=3", *overrides)
    assert any(expected in p and p.startswith("training.early_stopping_patience") for p in err.value.problems), err.value


# --------------------------------------------------------------------------------------------
# push_to_hub / hub_model_id, MLflow
# --------------------------------------------------------------------------------------------


def test_push_to_hub_and_hub_model_id_reach_the_trainer(tiny_project: Path, load_tiny_config, tmp_path):
    from medtune.train import training_arguments

    cfg = load_tiny_config(tiny_project, "training.push_to_hub=true", "training.hub_model_id=me/medtune-test")
    args = training_arguments(cfg, tmp_path / "run-1", has_eval=True)
    assert args.push_to_hub and args.hub_model_id == "me/medtune-test"
    unnamed = training_arguments(load_tiny_config(tiny_project, "training.push_to_hub=true"), tmp_path / "run-1", True)
    assert unnamed.hub_model_id == "run-1", "named after the run, not the checkpoints/ folder"
    assert not training_arguments(load_tiny_config(tiny_project), tmp_path / "run-1", True).push_to_hub


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mlflow") is None, reason="mlflow is not installed (pip install mlflow-skinny)")
def test_mlflow_logs_to_a_local_tracking_directory_offline(tiny_project: Path, load_tiny_config, monkeypatch, tmp_path):
    from medtune.train import train

    store = tmp_path / "mlruns"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store.as_uri())
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "medtune-test")
    cfg = load_tiny_config(tiny_project, "training.max_steps=2", "training.logging_steps=1",
                           "training.eval_strategy=no", "training.report_to=[mlflow]")
    try:
        train(cfg)
    finally:
        os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)  # train() opts this process in to the directory store
    loss_files = list(store.glob("*/*/metrics/loss"))
    assert loss_files, sorted(str(p.relative_to(store)) for p in store.rglob("*"))[:40]
    values = [float(line.split()[1]) for line in loss_files[0].read_text().splitlines()]
    assert len(values) == 2 and all(v > 0 for v in values)


class FakeHub:
    """The few HfApi calls a push makes, recorded instead of sent."""

    def __init__(self):
        self.calls = []

    def create_repo(self, repo_id, **kw):
        from types import SimpleNamespace

        self.calls.append(("create_repo", repo_id))
        return SimpleNamespace(repo_id=f"someone/{repo_id}")

    def upload_folder(self, repo_id, folder_path, **kw):
        self.calls.append(("upload_folder", repo_id, sorted(p.name for p in Path(folder_path).iterdir())))

    def upload_file(self, path_or_fileobj, path_in_repo, repo_id, **kw):
        self.calls.append(("upload_file", repo_id, path_in_repo, Path(path_or_fileobj).read_text()[:200]))


@pytest.mark.slow
def test_push_to_hub_pushes_the_result_and_the_model_card(tiny_project: Path, load_tiny_config, monkeypatch):
    """The hub is faked (the network is not reachable here): the Trainer creates the repository,
    and at the end medtune pushes adapter/ and the run's model card to it, once."""
    import transformers.trainer
    import transformers.utils.hub

    from medtune.config import hardware
    from medtune.train import train

    hub = FakeHub()
    monkeypatch.setattr(transformers.trainer, "hf_api", lambda: hub)
    monkeypatch.setattr(transformers.utils.hub, "hf_api", lambda: hub)
    monkeypatch.setattr(hardware, "hub_problems", lambda *a, **k: [], raising=False)  # validate's reachability check
    cfg = load_tiny_config(tiny_project, "training.max_steps=2", "training.save_strategy=no", "training.eval_strategy=no",
                           "training.report_to=[]", "training.push_to_hub=true", "training.hub_model_id=medtune-test")
    res = train(cfg)
    assert hub.calls[0] == ("create_repo", "medtune-test")
    [folder] = [c for c in hub.calls if c[0] == "upload_folder"]
    assert folder[1] == "someone/medtune-test" and "adapter_model.safetensors" in folder[2]
    [card] = [c for c in hub.calls if c[0] == "upload_file"]
    assert card[1:3] == ("someone/medtune-test", "README.md") and card[3].startswith("---")
    assert (res.run_dir / "adapter" / "adapter_model.safetensors").is_file()


def test_the_train_log_keeps_each_line_once_and_a_progress_bar_as_it_last_stood(tmp_path: Path):
    from medtune.runtime import ConsoleLog

    log = ConsoleLog()
    log.feed("resuming: runs/x\n")  # before the run directory is known: held, then written
    log.attach(tmp_path / "train.log")
    for chunk in ["new run: runs/x\n", "  0%|     | 0/4\r", " 25%|#    | 1/4\r", "\r          \r", "{'loss': 1.5}", "\n",
                  " 50%|##   | 2/4\x1b[A\r", "100%|#####| 4/4\n", "training finished\n", " 99%|#### | 3/4"]:
        log.feed(chunk)
    log.note("error: disk full")
    log.close()
    assert (tmp_path / "train.log").read_text().splitlines() == [
        "resuming: runs/x", "new run: runs/x", "{'loss': 1.5}", "100%|#####| 4/4", "training finished",
        " 99%|#### | 3/4", "error: disk full"]
