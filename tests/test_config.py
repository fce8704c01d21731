"""A user layers config files, .env, variables and flags, and always learns where a value came from."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from medtune.config import ConfigError, load_config, parse_value, render_with_sources

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text('{"messages": []}\n')
    write(
        tmp_path / "config.yaml",
        """
        model:
          base_model_name: embedded:tiny-phi4-mini
        training:
          learning_rate: 1.0e-4
          per_device_train_batch_size: 2
        data:
          dataset_path: data/train.jsonl
        """,
    )
    write(
        tmp_path / "config.dev.yaml",
        """
        training:
          learning_rate: 2.0e-4
          num_train_epochs: 1
        """,
    )
    return tmp_path


def load(project: Path, **kw):
    kw.setdefault("environ", {})
    return load_config(project / "config.yaml", **kw)


# -- precedence: one test per layer -------------------------------------------------------------


def test_base_file_sets_values_and_says_so(project):
    r = load(project)
    assert r.config.training.learning_rate == 1e-4
    assert r.source_of("training.learning_rate") == "config.yaml:4"
    assert r.source_of("training.seed") == "default"


def test_env_file_overrides_base(project):
    r = load(project, env="dev")
    assert r.config.training.learning_rate == 2e-4
    assert r.source_of("training.learning_rate") == "config.dev.yaml:2"
    assert r.config.training.per_device_train_batch_size == 2  # untouched base value survives the merge


def test_dotenv_file_overrides_env_file(project):
    (project / ".env").write_text("LEARNING_RATE=3e-4\n")
    r = load(project, env="dev")
    assert r.config.training.learning_rate == 3e-4
    assert r.source_of("training.learning_rate") == ".env LEARNING_RATE"


def test_environment_variable_overrides_dotenv(project):
    (project / ".env").write_text("LEARNING_RATE=3e-4\n")
    r = load(project, env="dev", environ={"MEDTUNE__TRAINING__LEARNING_RATE": "4e-4"})
    assert r.config.training.learning_rate == 4e-4
    assert r.source_of("training.learning_rate") == "env MEDTUNE__TRAINING__LEARNING_RATE"


def test_set_flag_overrides_everything(project):
    (project / ".env").write_text("LEARNING_RATE=3e-4\n")
    r = load(
        project,
        env="dev",
        environ={"LEARNING_RATE": "4e-4"},
        overrides=["training.learning_rate=5e-4"],
    )
    assert r.config.training.learning_rate == 5e-4
    assert r.source_of("training.learning_rate") == "--set training.learning_rate"


def test_set_flag_parses_yaml_lists_and_scalars(project):
    r = load(project, overrides=["lora.target_modules=[qkv_proj, o_proj]", "training.bf16=false", "lora.r=4"])
    assert r.config.lora.target_modules == ["qkv_proj", "o_proj"]
    assert r.config.training.bf16 is False
    assert r.config.lora.r == 4


@pytest.mark.parametrize(
    "name,value,path,expected",
    [
        ("LORA_RANK", "32", "lora.r", 32),
        ("LORA_ALPHA", "64", "lora.lora_alpha", 64),
        ("LORA_DROPOUT", "0.1", "lora.lora_dropout", 0.1),
        ("LORA_LEARNING_RATE", "1e-5", "training.learning_rate", 1e-5),
        ("LEARNING_RATE", "1e-5", "training.learning_rate", 1e-5),
        ("LORA_BATCH_SIZE", "16", "training.per_device_train_batch_size", 16),
        ("TRAIN_BATCH_SIZE", "16", "training.per_device_train_batch_size", 16),
        ("NUM_TRAIN_EPOCHS", "5", "training.num_train_epochs", 5),
        ("MAX_LENGTH", "1024", "data.max_seq_length", 1024),
        ("MODEL_ID", "some-org/some-model", "model.base_model_name", "some-org/some-model"),
        ("DATASET_PATH", "data/train.jsonl", "data.dataset_path", "data/train.jsonl"),
        ("OUTPUT_DIR", "elsewhere", "training.output_dir", "elsewhere"),
        ("LOAD_IN_4BIT", "false", "model.quantization_config.load_in_4bit", False),
    ],
)
def test_short_environment_names_users_already_type(project, name, value, path, expected):
    overrides = ["fine_tuning.method=lora"] if name == "LOAD_IN_4BIT" else []
    r = load(project, environ={name: value}, overrides=overrides)
    node = r.config
    for part in path.split("."):
        node = getattr(node, part)
    assert node == expected
    assert r.source_of(path) == f"env {name}"


def test_two_short_names_that_disagree_are_an_error(project):
    with pytest.raises(ConfigError, match="LEARNING_RATE.*LORA_LEARNING_RATE.*disagree"):
        load(project, environ={"LEARNING_RATE": "1e-4", "LORA_LEARNING_RATE": "2e-4"})


# -- clear errors ---------------------------------------------------------------------------------


def test_a_typo_in_a_key_names_the_nearest_valid_key(project):
    with pytest.raises(ConfigError) as exc:
        load(project, overrides=["training.learning_rat=1e-4"])
    assert "training.learning_rat: unknown key; did you mean training.learning_rate?" in str(exc.value)


def test_a_key_in_the_wrong_section_points_to_the_right_one(project):
    write(project / "config.dev.yaml", "model:\n  learning_rate: 1.0e-3\n")
    with pytest.raises(ConfigError) as exc:
        load(project, env="dev")
    assert "model.learning_rate: unknown key; did you mean training.learning_rate?" in str(exc.value)
    assert "config.dev.yaml:2" in str(exc.value)


def test_a_wrong_type_names_key_value_and_source(project):
    with pytest.raises(ConfigError) as exc:
        load(project, environ={"LORA_RANK": "sixteen"})
    msg = str(exc.value)
    assert "lora.r" in msg and "'sixteen'" in msg and "env LORA_RANK" in msg


def test_an_out_of_range_value_names_its_file_and_line(project):
    write(project / "config.dev.yaml", "lora:\n  r: 0\n")
    with pytest.raises(ConfigError) as exc:
        load(project, env="dev")
    assert "lora.r: input should be greater than 0; got 0 (from config.dev.yaml:2)" in str(exc.value)


def test_all_problems_are_listed_at_once(project):
    with pytest.raises(ConfigError) as exc:
        load(project, overrides=["lora.r=-1", "training.lerning_rate=1", "data.max_seq_length=abc"])
    assert len(exc.value.problems) == 3


def test_a_missing_dataset_is_reported_with_where_it_was_set(project):
    with pytest.raises(ConfigError, match=r"data.dataset_path: data/nope.jsonl does not exist \(from --set"):
        load(project, overrides=["data.dataset_path=data/nope.jsonl"])


def test_an_unknown_environment_lists_the_available_ones(project):
    with pytest.raises(ConfigError, match="available: dev"):
        load(project, env="staging")


def test_invalid_yaml_is_a_config_error_not_a_traceback(project):
    write(project / "config.dev.yaml", "training: [unclosed\n")
    with pytest.raises(ConfigError, match="config.dev.yaml: not valid YAML"):
        load(project, env="dev")


# -- cross-field checks ---------------------------------------------------------------------------


def test_qlora_without_4bit_loading_is_rejected(project):
    with pytest.raises(ConfigError, match="qlora needs 4-bit loading"):
        load(project, overrides=["model.quantization_config.load_in_4bit=false"])


def test_llama_style_targets_are_mapped_to_phi3_fused_modules_with_a_warning(project):
    r = load(project, overrides=["lora.target_modules=[q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]"])
    assert r.config.lora.target_modules == ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]
    assert any("fuse" in w and "qkv_proj" in w and "gate_up_proj" in w for w in r.warnings)


def test_checking_a_config_never_changes_it(project):
    """The checks report; only the resolution applies the unambiguous fused-module rename."""
    from medtune.config import Config, check_config

    cfg = Config.model_validate({"model": {"base_model_name": "embedded:tiny-phi4-mini"}, "lora": {"target_modules": ["q_proj"]}})
    before = cfg.to_dict()
    errors, warnings = check_config(cfg, check_paths=False)
    assert cfg.to_dict() == before and cfg.lora.target_modules == ["q_proj"]
    assert errors == [] and all("fuse" not in w for w in warnings)


def test_there_is_no_loss_type_to_set_and_ignore(project):
    """TRL always computes nll through its fused, chunked LM head; SFTConfig's loss_type is refused, with why."""
    with pytest.raises(ConfigError, match="training.loss_type: medtune sets this itself: medtune always trains nll"):
        load(project, overrides=["training.loss_type=chunked_nll"])


def test_warnings_are_returned_not_printed(project, capsys):
    r = load(project, overrides=["model.trust_remote_code=true"])
    assert any("trust_remote_code" in w for w in r.warnings)
    assert capsys.readouterr().err == ""


def test_lora_rank_must_be_positive(project):
    with pytest.raises(ConfigError, match="lora.r"):
        load(project, overrides=["lora.r=0"])


def test_public_demo_without_auth_is_refused(project):
    with pytest.raises(ConfigError, match="demo.host: 0.0.0.0 is reachable"):
        load(project, overrides=["demo.host=0.0.0.0"])
    r = load(project, overrides=["demo.host=0.0.0.0", "demo.auth=alice:secret"])
    assert r.config.demo.auth == "alice:secret"


def test_zero3_with_qlora_is_rejected(project):
    with pytest.raises(ConfigError, match="ZeRO-3"):
        load(project, overrides=["distributed.backend=deepspeed", "distributed.zero_stage=3"])


# -- templates and rendering ------------------------------------------------------------------------


def test_a_file_can_inherit_from_a_template(project):
    write(
        project / "team.yaml",
        """
        base_template: config.yaml
        overrides:
          lora:
            r: 64
        """,
    )
    r = load_config(project / "team.yaml", environ={})
    assert r.config.lora.r == 64
    assert r.config.training.learning_rate == 1e-4  # inherited
    assert r.source_of("lora.r") == "team.yaml:4"
    assert r.source_of("training.learning_rate") == "config.yaml:4"


def test_a_template_file_may_hold_only_overrides(project):
    write(project / "team.yaml", "base_template: config.yaml\nlora:\n  r: 64\n")
    with pytest.raises(ConfigError, match="move lora under overrides"):
        load_config(project / "team.yaml", environ={})


def test_rendered_config_shows_every_value_with_its_source(project):
    r = load(project, env="dev", overrides=["lora.r=4"])
    text = render_with_sources(r)
    assert any(line.strip().startswith("r: 4") and line.endswith("# --set lora.r") for line in text.splitlines())
    assert "# config.dev.yaml:2" in text
    assert "# default" in text


def test_yaml_numbers_without_a_dot_are_still_numbers():
    assert parse_value("2e-4") == 2e-4
    assert parse_value("true") is True
    assert parse_value("[a, b]") == ["a", "b"]
    assert parse_value("hello") == "hello"


@pytest.mark.parametrize("env", [None, "dev", "prod"])
def test_the_shipped_configs_are_valid(env):
    r = load_config(REPO / "config.yaml", env=env, environ={}, dotenv=False, check_paths=False)
    assert r.config.model.trust_remote_code is False
    if env == "dev":
        assert r.config.model.base_model_name == "embedded:tiny-phi4-mini"
    if env == "prod":
        assert r.config.model.base_model_name == "microsoft/Phi-4-mini-instruct"
        assert r.config.model.quantization_config.bnb_4bit_quant_type == "nf4"
        assert r.config.model.quantization_config.bnb_4bit_use_double_quant
        assert r.config.training.bf16


def test_env_example_lists_every_short_name():
    from medtune.config import ENV_SHORT_NAMES

    text = (REPO / ".env.example").read_text()
    for name in ENV_SHORT_NAMES:
        assert f"{name}=" in text, name


def test_extending_a_safety_category_keeps_its_action_and_priority(project):
    from safety import SafetyGuard

    r = load(project, overrides=["safety.categories.medication_dosage.phrases=[how many tablets of zorbex]"])
    guard = SafetyGuard.from_config(r.config.safety.model_dump())
    decision = guard.check_input("how many tablets of zorbex can I take")
    assert decision.action == "monitor"
    assert decision.category == "medication_dosage"


def test_several_datasets_replace_the_single_dataset_path(project):
    (project / "data" / "b.csv").write_text("question,answer\nq,a\n")
    r = load(project, overrides=["data.datasets=[{path: data/b.csv, format: custom, fields: {user: question, assistant: answer}}]"])
    assert r.config.data.datasets[0].path == "data/b.csv"
    with pytest.raises(ConfigError, match=r"data.datasets\[0\].path: data/missing.csv does not exist"):
        load(project, overrides=["data.datasets=[{path: data/missing.csv}]"])


def test_no_is_a_word_not_a_boolean_in_files_and_flags(project):
    write(project / "config.dev.yaml", "training:\n  eval_strategy: no\n  save_strategy: epoch\n")
    assert load(project, env="dev").config.training.eval_strategy == "no"
    r = load(project, overrides=["training.eval_strategy=no", "training.bf16=false"])
    assert r.config.training.eval_strategy == "no"
    assert parse_value("no") == "no" and parse_value("1e5") == 1e5 and parse_value("5") == 5


# -- one overlay rule for medtune and `python -m safety` -----------------------------------------


def _layered_safety_project(project: Path) -> Path:
    write(project / "template.yaml", "safety:\n  defer_keywords: [purple elephant syndrome]\n  negation: true\n")
    write(project / "site.yaml", "base_template: template.yaml\noverrides:\n  safety:\n    safety_keywords: [antibiotics]\n")
    write(project / "site.strict.yaml", "safety:\n  negation: false\n")
    return project / "site.yaml"


def test_the_safety_package_builds_the_same_policy_as_medtune(project):
    """base_template, the {stem}.{env}.yaml overlay: one rule, whether medtune resolves the files
    or the safety package reads them on its own (medtune not installed)."""
    from medtune.guard import build_guard
    from safety import SafetyGuard
    from safety.config import read_layers

    path = _layered_safety_project(project)
    medtune_guard = build_guard(load_config(path, env="strict", environ={}, check_paths=False).config, audit=False)
    via_safety = SafetyGuard.from_config(path, env="strict")  # resolves through medtune when installed
    standalone = SafetyGuard.from_config(read_layers(path, env="strict"))  # the safety-only reader
    assert medtune_guard.policy.hash == via_safety.policy.hash == standalone.policy.hash
    assert standalone.check_input("no purple elephant syndrome").action == "defer"  # negation off: strict applied
    assert standalone.check_input("do I need antibiotics").action == "monitor"  # the template's overrides kept


def test_python_m_safety_sees_the_environment_variables_medtune_sees(project):
    import json
    import os
    import subprocess
    import sys

    path = _layered_safety_project(project)
    env = dict(os.environ, MEDTUNE__SAFETY__DEFER_KEYWORDS="[glowing toes]")
    run = subprocess.run(
        [sys.executable, "-m", "safety", "check", "--json", "my glowing toes", "--config", str(path), "--env", "strict"],
        cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["category"] == "defer_keywords"

