"""Story: a wrong config is one clear error naming the key (or file and line) and where it came
from, exit 2, before anything loads; never a traceback, never accepted and failing later."""
from __future__ import annotations

from pathlib import Path

import pytest

from medtune.cli import main


def validate(capsys, project: Path, *args: str, env: dict | None = None, monkeypatch=None) -> tuple[int, str]:
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    rc = main(["validate", "--config", str(project / "config.yaml"), *args])
    return rc, capsys.readouterr().err


@pytest.mark.parametrize(("sets", "message"), [
    (["training.learning_rate=.inf"], "training.learning_rate"),
    (["training.num_train_epochs=.nan"], "training.num_train_epochs"),
    (["training.optim=adamw_bogus"], "training.optim: 'adamw_bogus' is not an optimizer"),
    (["training.seed=-5"], "training.seed"),
    (["training.seed=99999999999"], "training.seed"),
    (["lora.r=100000"], "lora.r"),
    (["training.num_train_epochs=1e30"], "training.num_train_epochs"),
    (["training.report_to=[tensorbord]"], "unknown logger 'tensorbord'; did you mean tensorboard?"),
    (["training.report_to=[wandb]"], "wandb is not installed"),
    (["training.learning_rat=1e-4"], "did you mean training.learning_rate?"),
])
def test_a_bad_value_is_refused_by_validate(tiny_project, capsys, sets, message):
    args = [x for s in sets for x in ("--set", s)]
    rc, err = validate(capsys, tiny_project, *args)
    assert rc == 2 and message in err, err


@pytest.mark.parametrize(("text", "message"), [
    ("training:\n  seed: 1\n  seed: 2\n", "duplicate key 'seed' on lines 2 and 3"),
    ("training: !!python/object:os.system\n  x: 1\n", "python/object"),
    (b"training:\n  seed: \xff\n", "is not UTF-8"),
    ("training: [unclosed\n", "not valid YAML"),
])
def test_a_broken_config_file_is_one_clear_error(tmp_path, capsys, text, message):
    path = tmp_path / "config.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    rc = main(["validate", "--config", str(path)])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "Traceback" not in err, err


def test_a_missing_env_file_is_an_error(tiny_project, capsys):
    rc, err = validate(capsys, tiny_project, "--env-file", str(tiny_project / "nope.env"))
    assert rc == 2 and "--env-file" in err and "no such file" in err


def test_a_long_and_a_short_variable_that_disagree_are_an_error(tiny_project, capsys, monkeypatch):
    rc, err = validate(capsys, tiny_project, env={"MEDTUNE__TRAINING__LEARNING_RATE": "1e-4", "LEARNING_RATE": "2e-4"},
                       monkeypatch=monkeypatch)
    assert rc == 2 and "LEARNING_RATE='2e-4' and MEDTUNE__TRAINING__LEARNING_RATE='1e-4'" in err and "disagree" in err


# -- messages keep the user's case and name the real source (issue 19) -----------------------------


@pytest.mark.parametrize(("sets", "message"), [
    (["logging.level=debug"],
     "logging.level: input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'; got 'debug' (from --set logging.level)"),
    (["training.task_name=my task"],
     "training.task_name: string should match pattern '^[A-Za-z0-9_.]+$'; got 'my task' (from --set training.task_name)"),
    (["training.learning_rate.x=1"],
     "training.learning_rate: input should be a valid number; got a mapping (from --set training.learning_rate.x)"),
])
def test_a_message_keeps_the_users_case_and_names_the_flag(tiny_project, capsys, sets, message):
    (tiny_project / "config.dev.yaml").write_text("training:\n  learning_rate: 1.0e-3\n  task_name: dev\n")
    rc, err = validate(capsys, tiny_project, "--env", "dev", *[x for s in sets for x in ("--set", s)])
    assert rc == 2 and message in err and "config.dev.yaml" not in err, err


def test_an_unknown_section_is_named_with_its_file_and_line(tiny_project, capsys):
    path = tiny_project / "config.yaml"
    text = path.read_text()
    path.write_text(text + "trainig:\n  seed: 1\n")
    line = text.count("\n") + 1
    rc, err = validate(capsys, tiny_project)
    assert rc == 2 and f"trainig: unknown key; did you mean training? (from config.yaml:{line})" in err, err
