"""A user sets the environment variables they already use: each one changes its key, or is an
error naming the variable; none is silently ignored. `.env.example` is safe to copy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from medtune.cli import main
from medtune.config import ENV_SHORT_NAMES, ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The shipped config files and .env.example in a directory of their own."""
    for name in ("config.yaml", "config.dev.yaml", "config.prod.yaml", ".env.example"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def value_at(cfg, path: str):
    node = cfg
    for part in path.split("."):
        node = getattr(node, part)
    return node


def resolve(project: Path, environ: dict, **kw):
    return load_config(project / "config.yaml", environ=environ, check_paths=False, **kw)


def test_warmup_ratio_from_the_environment_is_read(repo_copy, capsys, monkeypatch):
    """The issue's own example: `WARMUP_RATIO=0.2 medtune config --env dev`."""
    monkeypatch.setenv("WARMUP_RATIO", "0.2")
    assert main(["config", "--config", str(repo_copy / "config.yaml"), "--env", "dev"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("warmup_ratio:"))
    assert line.split("#")[0].split(":")[1].strip() == "0.2" and line.endswith("# env WARMUP_RATIO")


@pytest.mark.parametrize(("name", "raw", "path", "expected"), [
    ("WARMUP_RATIO", "0.2", "training.warmup_ratio", 0.2),
    ("LORA_TARGET_MODULES", "qkv_proj,o_proj", "lora.target_modules", ["qkv_proj", "o_proj"]),
    ("LORA_TARGET_MODULES", "all-linear", "lora.target_modules", "all-linear"),
    ("WEIGHT_DECAY", "0.01", "training.weight_decay", 0.01),
    ("LOGGING_STEPS", "7", "training.logging_steps", 7),
    ("SAVE_STRATEGY", "epoch", "training.save_strategy", "epoch"),
    ("SAVE_STRATEGY", "no", "training.save_strategy", "no"),
    ("SAVE_TOTAL_LIMIT", "5", "training.save_total_limit", 5),
    ("USE_FLASH_ATTENTION", "true", "model.attn_implementation", "flash_attention_2"),
    ("USE_FLASH_ATTENTION", "false", "model.attn_implementation", "sdpa"),
    ("USE_FP16", "1", "training.fp16", True),
    ("BNB_4BIT_COMPUTE_DTYPE", "float16", "model.quantization_config.bnb_4bit_compute_dtype", "float16"),
    ("BNB_4BIT_QUANT_TYPE", "fp4", "model.quantization_config.bnb_4bit_quant_type", "fp4"),
    ("BNB_4BIT_USE_DOUBLE_QUANT", "false", "model.quantization_config.bnb_4bit_use_double_quant", False),
    ("MAX_SEQ_LENGTH", "1024", "data.max_seq_length", 1024),
    ("REPORT_TO", "tensorboard,none", "training.report_to", ["tensorboard", "none"]),
    ("SYSTEM_PROMPT", "Be brief: defer # always", "safety.system_prompt", "Be brief: defer # always"),
    ("PUSH_TO_HUB", "false", "training.push_to_hub", False),
    ("HUB_MODEL_ID", "me/medtune", "training.hub_model_id", "me/medtune"),
])
def test_each_short_name_sets_its_key(repo_copy, name, raw, path, expected):
    r = resolve(repo_copy, {name: raw}, env="dev")
    assert value_at(r.config, path) == expected
    assert r.source_of(path) == f"env {name}"


@pytest.mark.parametrize(("name", "raw", "message"), [
    ("WARMUP_RATIO", "abc", "training.warmup_ratio: expected a number; got 'abc' (from env WARMUP_RATIO)"),
    ("SAVE_TOTAL_LIMIT", "three", "training.save_total_limit: expected a whole number; got 'three' (from env SAVE_TOTAL_LIMIT)"),
    ("USE_FP16", "maybe", "training.fp16: expected true or false; got 'maybe' (from env USE_FP16)"),
    ("SAVE_STRATEGY", "sometimes", "training.save_strategy: input should be 'no', 'steps' or 'epoch'; got 'sometimes' (from env SAVE_STRATEGY)"),
    ("LORA_TARGET_MODULES", "qkv_proj,,o_proj", "lora.target_modules: expected module names separated by commas"),
    ("MEDTUNE_LEARNING_RATE", "1e-4", "MEDTUNE_LEARNING_RATE: not a medtune variable; did you mean LEARNING_RATE, or MEDTUNE__SECTION__KEY? (env)"),
    ("MEDTUNE_SOMETHING", "1", "MEDTUNE_SOMETHING: not a medtune variable; set a key as MEDTUNE__SECTION__KEY"),
])
def test_an_unparsable_or_unknown_variable_is_an_error_naming_it(repo_copy, capsys, monkeypatch, name, raw, message):
    monkeypatch.setenv(name, raw)
    rc = main(["config", "--config", str(repo_copy / "config.yaml"), "--env", "dev"])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "Traceback" not in err, err


def test_medtunes_own_process_variables_are_not_config(repo_copy):
    r = resolve(repo_copy, {"MEDTUNE_RUN_DIR": "/tmp/x", "MEDTUNE_VENV": "/tmp/venv"})
    assert r.config.training.output_dir == "runs"


def test_an_empty_short_name_leaves_its_key_unset(repo_copy):
    r = resolve(repo_copy, {"SYSTEM_PROMPT": "", "MEDTUNE_DEMO_AUTH": ""}, env="dev")
    assert r.config.safety.system_prompt.startswith("You are a careful medical information assistant")
    assert r.config.demo.auth is None


def test_a_long_variable_can_use_the_other_spelling_too(repo_copy):
    r = resolve(repo_copy, {"MEDTUNE__TRAINING__EPOCHS": "2"})
    assert r.config.training.num_train_epochs == 2
    assert r.notes == ["`training.epochs` read as `training.num_train_epochs` (env MEDTUNE__TRAINING__EPOCHS)"]


# -- .env.example -----------------------------------------------------------------------------------


def test_env_example_lists_every_short_name_with_the_base_configs_default(repo_copy):
    text = (REPO / ".env.example").read_text()
    base = resolve(repo_copy, {}, dotenv=False).config
    for name, short in ENV_SHORT_NAMES.items():
        shown = re.search(rf"^# {name}=(.*)$", text, re.MULTILINE)
        assert shown, name
        if shown.group(1):
            assert short.parse(shown.group(1)) == value_at(base, short.path), name


def test_env_example_sets_nothing(repo_copy):
    text = (REPO / ".env.example").read_text()
    assert [line for line in text.splitlines() if line.strip() and not line.startswith("#")] == []


@pytest.mark.parametrize("env", ["dev", "prod", None])
def test_copying_env_example_to_dotenv_changes_nothing(repo_copy, capsys, env):
    """The header says to copy it to .env: doing so leaves `medtune config --env dev` as it was."""
    args = ["config", "--config", str(repo_copy / "config.yaml"), *(["--env", env] if env else [])]
    assert main(args) == 0
    before = capsys.readouterr()
    shutil.copy(repo_copy / ".env.example", repo_copy / ".env")
    assert main(args) == 0
    after = capsys.readouterr()
    assert after.out.replace(", " + str(repo_copy / ".env"), "") == before.out and after.err == before.err


def test_a_dotenv_value_over_the_env_file_is_said(repo_copy):
    """.env outranks config.dev.yaml (documented); where it changes a dev value, a warning says so."""
    (repo_copy / ".env").write_text("MODEL_ID=microsoft/Phi-4-mini-instruct\n")
    r = resolve(repo_copy, {}, env="dev")
    assert r.config.model.base_model_name == "microsoft/Phi-4-mini-instruct"
    assert any(w.startswith("model.base_model_name: .env MODEL_ID overrides config.dev.yaml:3 (--env dev)") for w in r.warnings)


def test_two_short_names_for_one_key_that_agree_are_fine(repo_copy):
    r = resolve(repo_copy, {"MAX_LENGTH": "1024", "MAX_SEQ_LENGTH": "1024"})
    assert r.config.data.max_seq_length == 1024
    with pytest.raises(ConfigError, match="MAX_LENGTH='1024' and MAX_SEQ_LENGTH='512' .* disagree"):
        resolve(repo_copy, {"MAX_LENGTH": "1024", "MAX_SEQ_LENGTH": "512"})
