"""A user sets the Hugging Face / TRL training arguments they know: every real field reaches the
trainer, checked against the installed classes; the ones medtune sets itself are refused with
the reason; push_to_hub offline fails before training, not after it; resume_from_checkpoint
resumes as --resume does."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from medtune.cli import main
from medtune.config import ConfigError, load_config
from medtune.config.trainer_args import MEDTUNE_SETS, trainer_fields

REPO = Path(__file__).resolve().parents[2]
PASSED_THROUGH = [
    "training.neftune_noise_alpha=5",
    "training.load_best_model_at_end=true",
    "training.metric_for_best_model=eval_loss",
    "training.adam_beta2=0.95",
    "training.lr_scheduler_kwargs={num_cycles: 2}",
    "training.eval_on_start=true",
]


def load(project: Path, *overrides: str):
    return load_config(project / "config.yaml", overrides=list(overrides), environ={}, dotenv=False)


def test_real_trainer_fields_pass_through_to_sft_config(tiny_project, tmp_path):
    from medtune.train import training_arguments

    cfg = load(tiny_project, *PASSED_THROUGH, "training.save_steps=20").config
    args = training_arguments(cfg, tmp_path / "run", has_eval=True)
    assert args.neftune_noise_alpha == 5.0 and args.adam_beta2 == 0.95 and args.eval_on_start is True
    assert args.load_best_model_at_end is True and args.metric_for_best_model == "eval_loss"
    assert args.lr_scheduler_kwargs == {"num_cycles": 2}
    assert load(tiny_project, *PASSED_THROUGH).config.to_dict()["training"]["neftune_noise_alpha"] == 5.0  # saved with the run


@pytest.mark.parametrize(("key", "message"), [
    ("training.run_name=x", "training.run_name: medtune sets this itself: the run is named after its directory"),
    ("training.max_length=512", None),  # an alias of data.max_seq_length, not a refusal
    ("training.dataset_text_field=text", "training.dataset_text_field: medtune sets this itself: medtune renders"),
    ("training.hub_token=hf_secret", "training.hub_token: medtune sets this itself: keep tokens out of config files"),
    ("training.deepspeed=ds.json", "training.deepspeed: medtune sets this itself: set distributed.backend=deepspeed"),
    ("training.neftune_noise_alfa=5", "training.neftune_noise_alfa: unknown key; did you mean training.neftune_noise_alpha?"),
    ("training.adam_beta2=high", "training.adam_beta2: input should be a valid number, unable to parse string as a number; got 'high'"),
])
def test_a_field_medtune_sets_or_a_typo_is_refused_with_the_reason(tiny_project, capsys, key, message):
    rc = main(["config", "--config", str(tiny_project / "config.yaml"), "--set", key])
    err = capsys.readouterr().err
    if message is None:
        assert rc == 0, err
    else:
        assert rc == 2 and message in err and "Traceback" not in err, err


def test_a_combination_the_trainer_refuses_fails_in_validate(tiny_project, capsys):
    rc = main(["validate", "--config", str(tiny_project / "config.yaml"), "--set", "training.load_best_model_at_end=true",
               "--set", "training.save_strategy=epoch"])
    err = capsys.readouterr().err
    assert rc == 2 and "training.load_best_model_at_end: TrainingArguments refuses them" in err, err


def test_the_fields_read_from_source_are_the_installed_classes_fields():
    from trl import SFTConfig

    assert set(trainer_fields()) == {f.name for f in dataclasses.fields(SFTConfig) if f.init}


def test_every_argument_medtune_sets_itself_is_refused_or_a_medtune_key():
    """The refusal list follows medtune/train.py: each keyword it gives SFTConfig is a training.*
    key of medtune's own or refused as a passthrough, so a user's value can never collide with it."""
    from medtune.config import TrainingConfig

    tree = ast.parse((REPO / "medtune" / "train.py").read_text())
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "training_arguments")
    call = next(n for n in ast.walk(fn) if isinstance(n, ast.Call) and ast.unparse(n.func) == "SFTConfig")
    for kw in call.keywords:
        if kw.arg is not None:
            assert kw.arg in TrainingConfig.model_fields or kw.arg in MEDTUNE_SETS, kw.arg


# -- push_to_hub ----------------------------------------------------------------------------------


def test_push_to_hub_offline_is_refused_before_training(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rc = main(["validate", "--config", str(tiny_project / "config.yaml"), "--set", "training.push_to_hub=true",
               "--set", "training.hub_model_id=me/medtune-test"])
    err = capsys.readouterr().err
    assert rc == 2 and "training.push_to_hub: the hub is unreachable (huggingface.co: HF_HUB_OFFLINE is set)" in err, err


def test_push_to_hub_with_the_hub_unreachable_is_refused(tiny_project, capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    (tiny_project / "config.yaml").write_text((tiny_project / "config.yaml").read_text() + "output:\n  push_to_hub: true\n")
    rc = main(["validate", "--config", str(tiny_project / "config.yaml")])
    err = capsys.readouterr().err
    assert rc == 2 and "training.push_to_hub: the hub is unreachable (127.0.0.1:" in err, err
    assert "`output.push_to_hub` read as `training.push_to_hub`" in err


def test_a_malformed_hub_model_id_is_refused(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rc = main(["validate", "--config", str(tiny_project / "config.yaml"), "--set", "training.push_to_hub=true",
               "--set", "training.hub_model_id=me/my model"])
    assert rc == 2 and "training.hub_model_id: 'me/my model' is not a repository id" in capsys.readouterr().err


# -- training.resume_from_checkpoint --------------------------------------------------------------


def test_resume_from_checkpoint_is_where_train_starts_not_a_setting(tiny_project):
    r = load(tiny_project, "training.resume_from_checkpoint=runs/test-1")
    assert r.resume == "runs/test-1"
    assert "resume_from_checkpoint" not in r.config.to_dict()["training"]  # not part of the run's config or hash
    assert r.notes == ["`training.resume_from_checkpoint: runs/test-1` (--set training.resume_from_checkpoint): "
                       "`medtune train` resumes it, as --resume does"]
    with pytest.raises(ConfigError, match="training.resume_from_checkpoint: expected a run directory"):
        load(tiny_project, "training.resume_from_checkpoint=3")


def test_resume_from_checkpoint_goes_where_resume_goes(tiny_project, capsys):
    rc = main(["train", "--config", str(tiny_project / "config.yaml"), "--set", "training.resume_from_checkpoint=runs/nope"])
    err = capsys.readouterr().err
    assert rc == 2 and "runs/nope: not a run directory" in err and "Traceback" not in err, err


@pytest.mark.slow
def test_resume_from_checkpoint_resumes_a_finished_run_as_resume_does(tiny_run, capsys):
    project = tiny_run.parent.parent
    for how in (["--resume", str(tiny_run)], ["--set", f"training.resume_from_checkpoint={tiny_run}"]):
        assert main(["train", "--config", str(project / "config.yaml"), *how]) == 0
        out = capsys.readouterr()
        assert "already finished" in out.out + out.err, how
