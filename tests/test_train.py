"""`medtune train`: a user fine-tunes, gets a run directory they can trust, and can stop and resume.

Every training test uses the embedded tiny Phi-4-mini on CPU, a few dozen steps at most.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from medtune import runs
from medtune.cli import main
from medtune.config import config_hash, load_saved_config

IGNORE = -100


def _prompt_and_answer(tokenizer, input_ids: list[int], labels: list[int]) -> tuple[list[int], list[int]]:
    """The prompt (up to the first trained token) and the trained answer ids of one example."""
    first = next(i for i, lab in enumerate(labels) if lab != IGNORE)
    answer = [t for t, lab in zip(input_ids, labels, strict=True) if lab != IGNORE]
    return input_ids[:first], answer


def _only_run(project: Path) -> Path:
    found = [p for p in (project / "runs").iterdir() if p.is_dir()]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------------------
# It learns
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_qlora_overfits_the_tiny_set_and_then_answers_from_it(tiny_run_result):
    import torch

    res = tiny_run_result
    trainer, tok = res.trainer, res.trainer.processing_class
    assert res.global_step == 40 and not res.interrupted
    assert getattr(trainer.model.get_base_model(), "is_loaded_in_4bit", False), "QLoRA trains on a 4-bit base"

    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert losses[-1] < losses[0] / 2, losses
    assert losses[-1] < math.log(len(tok)) / 2, "well below the loss of a uniform guess"

    # Greedy generation now reproduces the trained answers, <|end|> included.
    model = trainer.model.eval()
    reproduced = 0
    for row in trainer.train_dataset:
        prompt, answer = _prompt_and_answer(tok, row["input_ids"], row["labels"])
        with torch.no_grad():
            out = model.generate(input_ids=torch.tensor([prompt]), max_new_tokens=len(answer), do_sample=False)
        reproduced += out[0, len(prompt):].tolist() == answer[: out.shape[1] - len(prompt)]
    assert reproduced >= len(trainer.train_dataset) / 2, f"{reproduced} of {len(trainer.train_dataset)} answers reproduced"


@pytest.mark.slow
def test_the_trainer_trains_on_exactly_our_labels(tiny_run_result, trainer_batch):
    """TRL gets our tokenized, masked examples and must not rebuild or shift the labels."""
    from medtune.data import prepare_data

    trainer = tiny_run_result.trainer
    cfg = runs.load_run_config(tiny_run_result.run_dir)
    ours = {tuple(r["input_ids"]): r["labels"] for r in prepare_data(cfg, trainer.processing_class).train}
    batch = trainer_batch(trainer)
    assert len(batch["input_ids"]) == 4
    for ids, labels, mask in zip(batch["input_ids"], batch["labels"], batch["attention_mask"], strict=True):
        n = int(mask.sum())
        key = tuple(ids[:n].tolist())
        assert key in ours, "the trainer saw an example the data pipeline did not produce"
        assert labels[:n].tolist() == ours[key]
        assert set(labels[n:].tolist()) <= {IGNORE}, "padding carries no loss"


# --------------------------------------------------------------------------------------------
# The run directory
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_run_directory_holds_everything_a_reviewer_needs(tiny_run, tiny_run_result):
    from safetensors import safe_open

    from medtune.chat_template import template_hash

    tok = tiny_run_result.trainer.processing_class
    assert runs.CHECKPOINT_RE  # layout constants are public
    assert tiny_run.name.startswith("tinyphi4mini-test-r16-a32-s40-")

    saved = load_saved_config(tiny_run / "config.yaml")
    meta = json.loads((tiny_run / "experiment_metadata.json").read_text())
    assert meta["status"] == "completed" and meta["method"] == "qlora"
    assert meta["base_model"] == "embedded:tiny-phi4-mini"
    assert meta["config_sha256"] == config_hash(saved)
    assert meta["chat_template_sha256"] == template_hash(tok)
    assert set(meta["git"]) == {"commit", "dirty"}
    assert {"torch", "transformers", "trl", "peft", "bitsandbytes", "python"} <= set(meta["versions"])
    assert meta["hardware"]["cpu_count"] >= 1 and meta["hardware"]["cuda"] is False
    assert meta["dataset"]["rows"] == {"train": 4, "eval": 2}
    assert meta["dataset"]["fingerprint"] and meta["dataset"]["provenance"]
    assert len(meta["dataset"]["eval_sha256"]) == 64
    assert meta["effective_batch_size"] == 4
    assert meta["start_time"] <= meta["end_time"]
    fm = meta["final_metrics"]
    assert fm["global_step"] == 40 and fm["tokens"] > 0 and fm["tokens_per_second"] > 0
    assert fm["eval_loss"] is not None and fm["final_loss"] < fm["first_loss"]

    pre = (tiny_run / "preflight_example.txt").read_text()
    assert "<|assistant|>[[TRAIN:" in pre and "<|end|>" in pre.split("[[TRAIN:")[1]
    assert "<|system|>" in pre and "[[TRAIN:<|system|>" not in pre, "the prompt is not trained"
    assert (tiny_run / "data_report.json").is_file()
    assert list((tiny_run / "logs").glob("events.out.tfevents.*")), "TensorBoard events in logs/"
    log = (tiny_run / runs.LOGS_DIR / runs.TRAIN_LOG).read_text(encoding="utf-8")
    assert "new run: " in log and "training finished" in log and "\r" not in log, "what the console showed"

    ckpts = runs.list_checkpoints(tiny_run)
    assert [c.name for c in ckpts] == ["checkpoint-30", "checkpoint-40"], "save_total_limit 2"
    assert all(runs.checkpoint_problem(c) is None for c in ckpts)

    adapter = tiny_run / "adapter"
    for name in ("adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "tokenizer_config.json",
                 "generation_config.json"):
        assert (adapter / name).is_file(), name
    assert not [p for p in adapter.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".pkl")], "safetensors only"
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    assert cfg["r"] == 16 and cfg["lora_alpha"] == 32
    assert set(cfg["target_modules"]) == {"qkv_proj", "o_proj", "gate_up_proj", "down_proj"}
    gen = json.loads((adapter / "generation_config.json").read_text())
    assert gen["eos_token_id"] == [tok.convert_tokens_to_ids("<|end|>"), tok.convert_tokens_to_ids("<|endoftext|>")]
    with safe_open(str(adapter / "adapter_model.safetensors"), "pt") as f:
        assert any("lora_A" in k for k in f.keys())

    card = (tiny_run / "README.md").read_text()
    for needle in ("embedded:tiny-phi4-mini", "Medical disclaimer", "Hyperparameters", "learning rate: 0.003",
                   "LoRA rank / alpha / dropout: 16 / 32 / 0.0", "Results", "final training loss", "Intended use",
                   "Limitations", "4 train, 2 eval"):
        assert needle in card, needle


# --------------------------------------------------------------------------------------------
# Nothing half-made: failures before training leave no run directory
# --------------------------------------------------------------------------------------------


def _broken_jsonl(project: Path) -> str:
    (project / "data" / "broken.jsonl").write_text("not json\n{also not json\n")
    return "data.dataset_path=data/broken.jsonl"


def _not_a_model(project: Path) -> str:
    (project / "not-a-model").mkdir()
    return f"model.base_model_name={project / 'not-a-model'}"


@pytest.mark.parametrize(
    "make_override, message",
    [
        (lambda p: "data.dataset_path=data/missing.jsonl", "does not exist"),
        (_broken_jsonl, ""),
        (_not_a_model, "cannot load"),
        (lambda p: "lora.target_modules=[qkv_proj,q_projj]", "q_projj match no module"),
        (lambda p: "training.use_liger_kernel=true", "training.use_liger_kernel"),
    ],
    ids=["missing-data", "broken-data", "bad-model", "unknown-target-module", "liger-on-cpu"],
)
def test_a_run_that_fails_before_training_leaves_no_directory(tiny_project, capsys, make_override, message):
    rc = main(["train", "--config", str(tiny_project / "config.yaml"), "--set", make_override(tiny_project)])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert message in err and "Traceback" not in err
    assert not (tiny_project / "runs").exists()


def test_a_failure_while_building_the_trainer_removes_the_new_directory(tiny_project, load_tiny_config, monkeypatch):
    import trl

    from medtune.train import train

    def boom(self, *args, **kwargs):
        raise RuntimeError("trainer construction failed")

    monkeypatch.setattr(trl.SFTTrainer, "__init__", boom)
    with pytest.raises(RuntimeError, match="construction failed"):
        train(load_tiny_config(tiny_project))
    assert not (tiny_project / "runs").exists() or not list((tiny_project / "runs").iterdir())


@pytest.mark.parametrize("breakage, message", [("end", "no <|end|> token carries a label"), ("all", "every label is masked")])
def test_preflight_refuses_labels_that_would_never_teach_the_model_to_stop(tiny_project, monkeypatch, capsys, breakage, message):
    import medtune.data

    real = medtune.data.prepare_data

    def mislabelled(cfg, tokenizer, report_dir=None):
        prepared = real(cfg, tokenizer, report_dir)
        end = tokenizer.convert_tokens_to_ids("<|end|>")

        def spoil(ex):
            return {"labels": [IGNORE if breakage == "all" or t == end else lab for t, lab in zip(ex["input_ids"], ex["labels"], strict=True)]}

        prepared.train = prepared.train.map(spoil)
        return prepared

    monkeypatch.setattr(medtune.data, "prepare_data", mislabelled)
    rc = main(["train", "--config", str(tiny_project / "config.yaml")])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "pre-flight" in err and "Traceback" not in err
    assert not (tiny_project / "runs").exists()


# --------------------------------------------------------------------------------------------
# Stop and resume
# --------------------------------------------------------------------------------------------

FAST = ["training.eval_strategy='no'", "training.report_to=[]", "training.logging_steps=2"]


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(tiny_project, monkeypatch, capsys):
    import trl

    real_step = trl.SFTTrainer.training_step

    def step_then_ctrl_c(self, *args, **kwargs):
        if self.state.global_step == 3:
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C during step 4
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(trl.SFTTrainer, "training_step", step_then_ctrl_c)
    before = signal.getsignal(signal.SIGINT)
    sets = [x for o in ["training.max_steps=20", "training.save_steps=100", *FAST] for x in ("--set", o)]
    rc = main(["train", "--config", str(tiny_project / "config.yaml"), *sets])
    out, err = capsys.readouterr()
    assert rc == 130
    assert "SIGINT: saving a checkpoint" in err and "Traceback" not in err
    run = _only_run(tiny_project)
    assert f"medtune train --resume {run}" in out
    assert [c.name for c in runs.list_checkpoints(run)] == ["checkpoint-4"]
    assert runs.checkpoint_problem(run / "checkpoints" / "checkpoint-4") is None
    meta = runs.read_metadata(run)
    assert meta["status"] == "interrupted" and meta["final_metrics"]["global_step"] == 4
    assert not (run / "adapter").exists(), "an interrupted run has no result yet"
    assert signal.getsignal(signal.SIGINT) is before, "the Ctrl-C handler is removed after training"


# Run in a child process: `medtune train`, killed with SIGKILL halfway through writing checkpoint-6.
KILL_DURING_CHECKPOINT_6 = """
import os, signal, sys
import transformers
real = transformers.Trainer._save_checkpoint
def save_then_die(self, model, trial):
    if self.state.global_step == 6:
        self.save_model(os.path.join(self.args.output_dir, "checkpoint-6"), _internal_call=True)
        os.kill(os.getpid(), signal.SIGKILL)  # the optimizer state and the marker are never written
    return real(self, model, trial)
transformers.Trainer._save_checkpoint = save_then_die
from medtune.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_run_killed_mid_checkpoint_resumes_from_the_last_complete_one(tiny_project, load_tiny_config, capsys):
    from safetensors.torch import load_file

    from medtune.train import train

    overrides = ["training.max_steps=12", "training.save_steps=2", "training.save_total_limit=3", *FAST]
    sets = [x for o in overrides for x in ("--set", o)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTUNE")}
    child = subprocess.run(
        [sys.executable, "-c", KILL_DURING_CHECKPOINT_6, "train", "--config", str(tiny_project / "config.yaml"), *sets],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-3000:]
    run = _only_run(tiny_project)
    assert "no COMPLETE marker" in runs.checkpoint_problem(run / "checkpoints" / "checkpoint-6")
    assert runs.checkpoint_problem(run / "checkpoints" / "checkpoint-4") is None

    # `medtune train --resume runs/NAME` with the same config
    resumed = train(load_tiny_config(tiny_project, *overrides), resume=str(run))
    out = capsys.readouterr().out
    assert "skipping checkpoint-6: no COMPLETE marker" in out and "resuming from checkpoint-4" in out
    assert resumed.run_dir == run and resumed.global_step == 12
    assert [c.name for c in runs.list_checkpoints(run)] == ["checkpoint-8", "checkpoint-10", "checkpoint-12"]
    meta = runs.read_metadata(run)
    assert meta["status"] == "completed" and meta["resumes"][0]["from_checkpoint"] == "checkpoint-4"
    log = (run / runs.LOGS_DIR / runs.TRAIN_LOG).read_text(encoding="utf-8")
    assert log.index("new run: ") < log.index("resuming from checkpoint-4"), "a resumed run continues its log"

    # ... and it ends where an uninterrupted run ends, with the same weights.
    straight = train(load_tiny_config(tiny_project, *overrides))
    assert straight.global_step == 12 and straight.run_dir != run
    a = load_file(str(run / "adapter" / "adapter_model.safetensors"))
    b = load_file(str(straight.run_dir / "adapter" / "adapter_model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        diff = float((a[k] - b[k]).abs().max())
        assert diff < 1e-4, (k, diff)

    # Resuming a finished run trains nothing; a run cut off during its final save gets its
    # result written from its last checkpoint, without one step more.
    before = (run / "adapter" / "adapter_model.safetensors").read_bytes()
    again = train(load_tiny_config(tiny_project, *overrides), resume=str(run))
    assert "already finished" in capsys.readouterr().out and again.global_step == 12
    assert (run / "adapter" / "adapter_model.safetensors").read_bytes() == before
    shutil.rmtree(run / "adapter")
    runs.update_metadata(run, status="running")
    cut = train(load_tiny_config(tiny_project, *overrides), resume=str(run))
    assert "is the run's last step" in capsys.readouterr().out and cut.global_step == 12
    c = load_file(str(run / "adapter" / "adapter_model.safetensors"))
    for k in a:
        assert float((c[k] - a[k]).abs().max()) < 1e-6, k

    # A changed config is refused on resume unless asked for; asked, training continues from step 12.
    rc = main(["train", "--config", str(tiny_project / "config.yaml"), "--resume", str(run), *sets, "--set", "training.max_steps=14"])
    err = capsys.readouterr().err
    assert rc == 2 and "training.max_steps: 12 -> 14" in err and "--allow-config-change" in err
    more = train(load_tiny_config(tiny_project, *overrides, "training.max_steps=14"), resume=str(run), allow_config_change=True)
    assert more.global_step == 14
    changes = runs.read_metadata(run)["resumes"][-1]["config_changes"]
    assert changes == ["training.max_steps: 12 -> 14"]
    assert load_saved_config(run / "config.yaml").training.max_steps == 14


def test_resume_latest_with_a_different_config_is_refused(tiny_run, capsys):
    project = tiny_run.parent.parent
    rc = main(["train", "--config", str(project / "config.yaml"), "--resume", "latest", "--set", "training.learning_rate=0.5"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "training.learning_rate: 0.003 -> 0.5" in err and "--allow-config-change" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------------------------
# From Python, as fast as the command
# --------------------------------------------------------------------------------------------

THREAD_POLICY = r"""
import json, os, sys
if sys.argv[1] == "torch-first":
    import torch
import medtune.train
from medtune.runtime import prepare_process
notes = prepare_process()
import torch
print(json.dumps({"omp": os.environ.get("OMP_WAIT_POLICY"), "tokenizers": os.environ.get("TOKENIZERS_PARALLELISM"),
                  "notes": notes, "again": prepare_process()}))
"""


@pytest.mark.parametrize("order", ["medtune-first", "torch-first"])
def test_a_notebook_gets_the_clis_process_setup_or_is_told_why_not(order):
    """OpenMP reads its wait policy once, when torch loads: importing medtune.train first gets
    sleeping threads (the busy-machine speed of the CLI); importing torch first gets a note."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "TOKENIZERS_PARALLELISM")}
    proc = subprocess.run([sys.executable, "-c", THREAD_POLICY, order], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["tokenizers"] == "false" and got["again"] == []
    if order == "medtune-first":
        assert got["omp"] == "PASSIVE" and got["notes"] == []
    else:
        assert got["omp"] is None and "import medtune.train before torch" in got["notes"][0]
