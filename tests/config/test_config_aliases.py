"""A user brings a config from another tool: each key is read as the medtune key it means, said
once by `medtune config`; a key with no meaning here is still an error naming it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_config import write  # tests/ is on the path through its conftest

from medtune.cli import main
from medtune.config import ConfigError, _flatten, load_config, yaml_load

FIXTURE = Path(__file__).parent / "other_shape.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    for name in ("train.jsonl", "eval.jsonl"):
        (tmp_path / "data" / name).write_text('{"messages": []}\n')
    shutil.copy(FIXTURE, tmp_path / "config.yaml")
    write(tmp_path / "plain.yaml", "model:\n  base_model_name: embedded:tiny-phi4-mini\ndata:\n  dataset_path: data/train.jsonl\n")
    return tmp_path


def load(path: Path, **kw):
    kw.setdefault("environ", {})
    kw.setdefault("dotenv", False)
    return load_config(path, **kw)


def test_a_config_in_the_other_shape_resolves_to_what_it_means(project):
    cfg = load(project / "config.yaml").config
    assert cfg.model.base_model_name == "embedded:tiny-phi4-mini"
    assert cfg.model.load_in_8bit is False and cfg.model.attn_implementation == "sdpa"
    assert cfg.training.use_liger_kernel is False
    assert cfg.fine_tuning.method == "qlora"  # lora over a 4-bit base is medtune's qlora
    assert (cfg.lora.r, cfg.lora.lora_alpha, cfg.lora.lora_dropout) == (8, 16, 0.1)
    assert cfg.lora.target_modules == ["qkv_proj", "o_proj"]
    q = cfg.model.quantization_config
    assert (q.load_in_4bit, q.bnb_4bit_compute_dtype, q.bnb_4bit_quant_type, q.bnb_4bit_use_double_quant) == (
        True, "float32", "nf4", True)
    t = cfg.training
    assert (t.num_train_epochs, t.per_device_train_batch_size, t.gradient_accumulation_steps) == (2, 2, 8)
    assert (t.optim, t.bf16, t.fp16, t.eval_strategy) == ("adamw_torch", False, False, "steps")
    assert (t.output_dir, t.push_to_hub, t.hub_model_id) == ("out/runs", False, "someone/medtune-test")
    assert cfg.data.max_seq_length == 512
    assert (cfg.data.dataset_path, cfg.data.eval_path) == ("data/train.jsonl", "data/eval.jsonl")
    assert cfg.distributed.zero_stage == 2 and cfg.distributed.backend == "ddp"


def test_medtune_validate_accepts_the_other_shape(project, capsys):
    rc = main(["validate", "--config", str(project / "config.yaml")])
    captured = capsys.readouterr()
    assert rc == 0 and "is valid" in captured.out, captured.err
    assert "note: `training.epochs` read as `training.num_train_epochs` (config.yaml:24)" in captured.err


def test_medtune_config_lists_every_mapped_key_once(project, capsys):
    rc = main(["config", "--config", str(project / "config.yaml")])
    out = capsys.readouterr().out
    assert rc == 0
    notes = [line for line in out.splitlines() if line.startswith("# note: ")]
    assert "# note: `training.epochs` read as `training.num_train_epochs` (config.yaml:24)" in notes
    written = _flatten(yaml_load(FIXTURE.read_text()))
    medtune_own = {"training.gradient_accumulation_steps", "training.learning_rate", "distributed.zero_stage",
                   "fine_tuning.method", "model.load_in_8bit"}  # same name in both shapes: nothing to map
    for key in set(written) - medtune_own:
        assert sum(n.startswith((f"# note: `{key}`", f"# note: `{key}:")) for n in notes) == 1, key
    assert any("`fine_tuning.method: lora` with `fine_tuning.quantization.load_in_4bit: true` read as "
               "`fine_tuning.method: qlora`" in n for n in notes)


def test_the_yaml_it_prints_is_the_canonical_config(project, capsys):
    """Saved to a file, `medtune config --format yaml` is the same config in medtune's own names."""
    assert main(["config", "--config", str(project / "config.yaml"), "--format", "yaml"]) == 0
    migrated = write(project / "migrated.yaml", capsys.readouterr().out)
    again = load(migrated)
    assert again.notes == [] and again.config.to_dict() == load(project / "config.yaml").config.to_dict()


def test_json_output_carries_the_notes(project, capsys):
    assert main(["config", "--config", str(project / "config.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "`dataset.train_path` read as `data.dataset_path` (config.yaml:33)" in data["notes"]
    assert ("`dataset.eval_path: data/eval.jsonl` read as `data.eval_path: data/eval.jsonl, data.eval_dataset_size: 0` "
            "(the file, not a split) (config.yaml:34)") in data["notes"]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("dataset.shuffle_buffer", "1000", "dataset.shuffle_buffer: unknown key; medtune has no key that means it (from --set"),
    ("output.output_dri", "x", "output.output_dri: unknown key; did you mean output.output_dir?"),
    ("fine_tuning.lora.rnak", "8", "fine_tuning.lora.rnak: unknown key; did you mean fine_tuning.lora.rank?"),
    ("dataset.preprocessing.add_eos_token", "false", "always ends each turn with Phi-4-mini's <|end|> token"),
    ("training.mixed_precision", "int4", "training.mixed_precision: expected bf16, fp16 or no; got 'int4'"),
    ("model.tokenizer", "gpt2", "model.tokenizer: gpt2 is not model.base_model_name"),
])
def test_a_key_with_no_meaning_in_medtune_is_still_an_error_naming_it(project, capsys, key, value, message):
    rc = main(["config", "--config", str(project / "config.yaml"), "--set", f"{key}={value}"])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "Traceback" not in err, err


def test_mixed_precision_bf16_is_training_bf16(project):
    cfg = load(project / "config.yaml", overrides=["training.mixed_precision=bf16"]).config
    assert cfg.training.bf16 is True and cfg.training.fp16 is False


def test_a_flag_in_the_other_spelling_outranks_the_file_in_medtune_spelling(project):
    write(project / "plain.dev.yaml", "training:\n  num_train_epochs: 5\n")
    r = load(project / "plain.yaml", env="dev", overrides=["training.epochs=1"])
    assert r.config.training.num_train_epochs == 1
    assert r.source_of("training.num_train_epochs") == "--set training.epochs"


def test_two_spellings_of_one_key_in_one_file_must_agree(project):
    write(project / "plain.yaml", "model:\n  base_model_name: embedded:tiny-phi4-mini\n"
                                  "data:\n  dataset_path: data/train.jsonl\n  max_seq_length: 2048\n  max_length: 512\n")
    with pytest.raises(ConfigError, match=r"data.max_seq_length: data.max_seq_length \(plain.yaml:5\) and "
                                          r"data.max_length \(plain.yaml:6\) both set it, to 2048 and 512; keep one"):
        load(project / "plain.yaml")


def test_data_max_length_is_read_as_max_seq_length(project):
    """One sequence length, one meaning: the overlay's max_length replaces the base's max_seq_length."""
    write(project / "plain.dev.yaml", "data:\n  max_length: 256\n")
    r = load(project / "plain.yaml", env="dev")
    assert r.config.data.max_seq_length == 256 == r.config.data.max_length
    assert "max_length" not in r.config.to_dict()["data"]
    assert r.notes == ["`data.max_length` read as `data.max_seq_length` (plain.dev.yaml:2)"]


@pytest.mark.parametrize(("value", "enabled"), [("true", True), ("false", False)])
def test_content_filter_true_is_on_with_defaults(project, value, enabled):
    write(project / "plain.dev.yaml", f"safety:\n  content_filter: {value}\n")
    r = load(project / "plain.yaml", env="dev")
    cf = r.config.safety.content_filter
    assert cf.enabled is enabled and cf.blocked_terms == [] and cf.action == "drop"
    assert r.notes == ["`safety.content_filter` read as `safety.content_filter.enabled` (plain.dev.yaml:2)"]


def test_an_snr_threshold_below_one_is_a_fraction_and_says_so(project):
    write(project / "plain.dev.yaml", "fine_tuning:\n  method: spectrum\n  snr_threshold: 0.5\n")
    r = load(project / "plain.yaml", env="dev")
    assert r.config.fine_tuning.snr_threshold == 50
    assert r.notes == ["`fine_tuning.snr_threshold: 0.5` read as `fine_tuning.snr_threshold: 50.0` "
                       "(a fraction; medtune's is a percentile, 0-100) (plain.dev.yaml:3)"]
    assert load(project / "plain.yaml", overrides=["fine_tuning.snr_threshold=50"]).config.fine_tuning.snr_threshold == 50
    with pytest.raises(ConfigError, match="fine_tuning.snr_threshold: input should be less than or equal to 100"):
        load(project / "plain.yaml", overrides=["fine_tuning.snr_threshold=150"])


def test_the_other_shape_works_under_base_template_overrides(project):
    write(project / "team.yaml", """
        base_template: plain.yaml
        overrides:
          training:
            epochs: 4
          output:
            output_dir: team-runs
        """)
    r = load(project / "team.yaml")
    assert (r.config.training.num_train_epochs, r.config.training.output_dir) == (4, "team-runs")
    assert r.source_of("training.num_train_epochs") == "team.yaml:4"


def test_every_alias_names_a_key_medtune_has():
    """The table can only send a key somewhere real: a schema key or a trainer field."""
    from medtune.config.aliases import ALIASES, PREFIXES
    from medtune.config.schema import _all_key_paths
    from medtune.config.trainer_args import MEDTUNE_SETS, trainer_fields

    valid = set(_all_key_paths()) | {f"training.{n}" for n in trainer_fields() if n not in MEDTUNE_SETS}
    samples = {"model.use_flash_attention": True, "training.mixed_precision": "bf16", "dataset.preprocessing.add_eos_token": True,
               "preprocessing.add_eos_token": True, "distributed.use_deepspeed": True, "safety.content_filter": True,
               "fine_tuning.snr_threshold": 0.5}
    for path, alias in ALIASES.items():
        for target in alias.to(samples.get(path, "x")):
            assert target in valid, (path, target)
    for prefix, (target, _model) in PREFIXES.items():
        assert target.rstrip(".") in valid, prefix


def test_only_the_keys_read_differently_move(project):
    """A key holding a dot stays as written when another key of its file is an alias."""
    write(project / "plain.dev.yaml", 'training:\n  epochs: 2\ndata:\n  fields: {"q.user": question}\n')
    r = load(project / "plain.yaml", env="dev")
    assert r.config.training.num_train_epochs == 2 and r.config.data.fields == {"q.user": "question"}
