"""The GPU speed switches (issue 10), each proved on CPU against the plain path with the embedded model.

- the loss: TRL's fused, chunked LM head (always on; there is no training.loss_type) gives the same
  per-step losses as the model's own forward with labels (full logits), same seed, same batches.
- training.packing: padding-free best-fit packing. It changes which sequences share a batch, so
  per-step losses cannot match; what must match is the loss of the same data: the summed token
  loss over the whole training set, packed (one flattened row per batch, position_ids restarting
  at each sequence) versus every conversation alone. That fails if packed sequences attend to each
  other, get wrong positions, or lose or gain labels. Then a few packed steps must train.
- training.use_liger_kernel: liger-kernel is not installed here (it needs Triton and CUDA), so
  `medtune validate` must refuse it clearly; the switch reaches TRL with RoPE off.
- training.torch_compile: compiling on CPU takes minutes, so only that the switch reaches the
  trainer's arguments; the speed is measured on the GPU by benchmarks/train_throughput.py.
"""

from __future__ import annotations

import math
import types
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[1]
IGNORE = -100

# Longer than conftest's six, so packing puts several conversations in one row.
CONVERSATIONS = [
    [{"role": "user", "content": f"Question {i}: what helps with {topic}?"},
     {"role": "assistant", "content": f"For {topic}, rest, fluids and a doctor if it lasts more than {i + 2} days."}]
    for i, topic in enumerate(["a cold", "a headache", "a sore throat", "a cough", "a fever", "back pain",
                               "a rash", "heartburn", "a sprain", "an earache", "hay fever", "insomnia"])
]
STEPS = 4


@pytest.fixture
def project(make_tiny_project, tmp_path):
    return make_tiny_project(
        tmp_path,
        conversations=CONVERSATIONS,
        config={"training": {"max_steps": STEPS, "logging_steps": 1, "eval_strategy": "no", "save_strategy": "no",
                             "report_to": [], "per_device_train_batch_size": 4},
                "data": {"eval_dataset_size": 0}},
    )


def _trainer(cfg, tmp: Path):
    """medtune's own trainer for ``cfg`` (model, data, arguments), without a run directory."""
    from medtune.data import prepare_data
    from medtune.model import load_tokenizer, resolve_model_source
    from medtune.train import build_trainer, check_environment, setup_model, training_arguments

    check_environment(cfg)
    source = resolve_model_source(cfg)
    tok = load_tokenizer(cfg, source)
    data = prepare_data(cfg, tok)
    model, _ = setup_model(cfg, source)
    args = training_arguments(cfg, tmp, has_eval=False)
    args.disable_tqdm = True
    trainer = build_trainer(cfg, model, tok, SimpleNamespace(train=data.train, eval=None), args, tmp, [])
    return trainer, data


def _step_losses(trainer) -> list[float]:
    trainer.train()
    return [h["loss"] for h in trainer.state.log_history if "loss" in h]


def test_fused_loss_matches_the_models_own_loss_step_by_step(project, load_tiny_config, tmp_path):
    from transformers import Trainer

    fused, _ = _trainer(load_tiny_config(project), tmp_path / "a")
    plain, _ = _trainer(load_tiny_config(project), tmp_path / "c")
    # The unoptimised path: transformers' own compute_loss, i.e. the model's forward with labels,
    # which builds the full logits and takes their cross-entropy.
    plain.compute_loss = types.MethodType(Trainer.compute_loss, plain)

    a, c = _step_losses(fused), _step_losses(plain)
    assert len(a) == STEPS and all(math.isfinite(x) for x in a)
    assert c == pytest.approx(a, rel=1e-4, abs=1e-4)
    assert a[-1] < a[0]  # and it trains


def test_packing_keeps_our_labels_and_the_loss_of_the_same_data(project, load_tiny_config, tmp_path):
    import torch

    packed, data = _trainer(load_tiny_config(project, "training.packing=true"), tmp_path / "p")
    assert packed.padding_free  # BFD packing is padding-free in TRL
    original, rows = data.train, packed.train_dataset
    assert len(rows) < len(original)  # conversations really share rows

    # Our precomputed labels survive packing: the same supervised tokens, none added.
    def supervised(ds):
        return sorted(t for labels in ds["labels"] for t in labels if t != IGNORE)

    assert supervised(rows) == supervised(original)

    model = packed.model
    model.eval()
    with torch.no_grad():
        # Every conversation alone, the model's own loss (full logits), summed over its tokens.
        alone = 0.0
        for ex in original:
            ids, labels = torch.tensor([ex["input_ids"]]), torch.tensor([ex["labels"]])
            n = int((labels[:, 1:] != IGNORE).sum())
            alone += float(model(input_ids=ids, labels=labels).loss) * n
        # The packed batches exactly as training sees them: TRL's collator and its fused loss.
        together, batches = 0.0, 0
        for start in range(0, len(rows), 2):
            batch = packed.data_collator([rows[i] for i in range(start, min(start + 2, len(rows)))])
            assert "attention_mask" not in batch and "position_ids" in batch
            n = int((batch["labels"][:, 1:] != IGNORE).sum())
            together += float(packed.compute_loss(model, dict(batch))) * n
            batches += 1
    assert batches >= 1
    assert together == pytest.approx(alone, rel=1e-4)

    model.train()
    losses = _step_losses(packed)
    assert len(losses) == STEPS and all(math.isfinite(x) for x in losses)
    assert losses[-1] < losses[0]


def test_validate_refuses_liger_when_liger_kernel_is_not_installed(project, capsys):
    import importlib.util

    from medtune.cli import main

    if importlib.util.find_spec("liger_kernel") is not None:
        pytest.skip("liger-kernel is installed here")
    code = main(["validate", "--config", str(project / "config.yaml"), "--set", "training.use_liger_kernel=true"])
    err = capsys.readouterr().err
    assert code == 2
    assert "training.use_liger_kernel: liger-kernel is not installed" in err


def test_liger_and_compile_switches_reach_the_trainer_arguments(project, load_tiny_config, tmp_path):
    from medtune.train import training_arguments

    off = training_arguments(load_tiny_config(project), tmp_path, has_eval=False)
    assert not off.use_liger_kernel and not off.torch_compile and off.loss_type == "nll"
    on = training_arguments(
        load_tiny_config(project, "training.use_liger_kernel=true", "training.torch_compile=true"), tmp_path, has_eval=False
    )
    assert on.use_liger_kernel and on.liger_kernel_config == {"rope": False}  # partial rotary: Liger's RoPE would be wrong
    assert on.torch_compile


@pytest.mark.skip(reason="torch.compile on CPU takes minutes; its speed and loss are measured on the GPU by "
                         "benchmarks/train_throughput.py (variant medtune_compile)")
def test_torch_compile_trains_on_cpu():
    pass


def test_the_production_config_turns_on_the_switches_expected_to_win():
    from medtune.config import load_config

    cfg = load_config(REPO / "config.yaml", env="prod", environ={}, dotenv=False, check_paths=False).config
    t = cfg.training
    assert t.packing and t.gradient_checkpointing
    assert not t.use_liger_kernel and not t.torch_compile  # optional installs; not yet measured on an H200


def test_the_benchmark_measures_the_baseline_and_medtunes_path_alike(tmp_path):
    """The benchmark's own code, in-process on the tiny smoke model: both paths run, count tokens,
    and lose the same loss on the same batches."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_throughput", REPO / "benchmarks" / "train_throughput.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.build_model(tmp_path / "model", bench.SMOKE_ARCH, cuda=False)
    assert (tmp_path / "model" / "model.safetensors").is_file()
    opts = {"model_dir": str(tmp_path / "model"), "cuda": False, "smoke": True, "arch": bench.SMOKE_ARCH,
            "vocab": bench.SMOKE_ARCH["vocab_size"], "max_len": 128, "batch": 2, "steps": 2, "warmup": 1, "seed": 42,
            "optim": "adamw_torch", "attn": "sdpa", "probe_limit": 256, "budget_s": 60}
    base, fused = bench.measure("baseline", opts), bench.measure("fused_ce", opts)
    for r in (base, fused):
        assert r["steps_timed"] == 2 and r["tokens_per_s"] > 0 and 0 < r["supervised_tokens_per_s"] < r["tokens_per_s"]
    assert fused["losses"] == pytest.approx(base["losses"], abs=1e-3)
    assert bench.measure("liger", opts)["skipped"]
