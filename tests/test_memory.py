"""`medtune validate` estimates peak GPU memory before anyone rents a GPU."""

from __future__ import annotations

from pathlib import Path

import pytest

from medtune.config import load_config
from medtune.memory import GiB, estimate_memory, format_estimate

REPO = Path(__file__).resolve().parents[1]


def prod(*overrides: str):
    return load_config(REPO / "config.yaml", "prod", list(overrides), environ={}, dotenv=False, check_paths=False).config


def test_phi4_mini_qlora_fits_a_24gb_gpu_and_the_parts_are_plausible():
    est = estimate_memory(prod())
    parts = {k.split(" (")[0]: v / GiB for k, v in est.parts.items()}
    assert est.arch_source.endswith("Phi-4-mini architecture") or "config.json" in est.arch_source
    # 3.2B linear weights in NF4 with double quant: about 4.13 bits each.
    assert 1.4 < parts["weights"] < 1.8
    # The tied 200064 x 3072 embedding, upcast to fp32 by k-bit preparation.
    assert parts["embedding"] == pytest.approx(200064 * 3072 * 4 / GiB)
    # r=32 LoRA on qkv/o/gate_up/down of 32 layers: 32 x 32 x (8192 + 6144 + 19456 + 11264) = 46M at 16 bytes.
    assert parts["LoRA weights, grads, Adam states"] == pytest.approx(32 * 32 * 45056 * 16 / GiB)
    assert 6 < est.total / GiB < 24
    assert est.total == pytest.approx(sum(est.parts.values()))


def test_the_estimate_explains_what_the_logits_would_cost():
    text = format_estimate(estimate_memory(prod()))
    assert "estimated peak GPU memory" in text and "total" in text
    # batch 8 x 2048 tokens x 200064 vocab x (2 + 4 + 4 bytes) = 30.5 GiB, avoided by the fused head
    assert "would take 30.5 GiB" in text
    assert "logits (fused LM head, one tile)" in text


def test_more_tokens_more_memory_and_checkpointing_saves_activations():
    base = estimate_memory(prod("training.gradient_checkpointing=false"))
    double = estimate_memory(prod("training.gradient_checkpointing=false", "training.per_device_train_batch_size=16"))
    assert double.parts["activations"] == pytest.approx(2 * base.parts["activations"])
    ckpt = estimate_memory(prod("training.gradient_checkpointing=true"))
    assert ckpt.parts["activations (checkpointed)"] < base.parts["activations"] / 5


def test_methods_order_qlora_below_lora_below_full():
    q = estimate_memory(prod()).total
    lora = estimate_memory(prod("fine_tuning.method=lora", "model.quantization_config.load_in_4bit=false")).total
    full = estimate_memory(prod("fine_tuning.method=full", "model.quantization_config.load_in_4bit=false")).total
    spectrum = estimate_memory(prod("fine_tuning.method=spectrum", "model.quantization_config.load_in_4bit=false")).total
    assert q < lora < spectrum < full


def test_the_embedded_model_is_estimated_from_its_own_spec():
    cfg = load_config(REPO / "config.yaml", "dev", [], environ={}, dotenv=False, check_paths=False).config
    est = estimate_memory(cfg)
    assert est.arch_source == "embedded:tiny-phi4-mini spec"
    assert est.architecture["hidden_size"] == 192 and est.total < 2 * GiB
