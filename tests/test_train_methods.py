"""The four fine-tuning methods, and Spectrum's choice of matrices."""

from __future__ import annotations

import json
import math

import pytest

from medtune import runs
from medtune.config import ConfigError

FEW_STEPS = [
    "model.quantization_config.load_in_4bit=false",
    "training.max_steps=3",
    "training.save_steps=100",
    "training.eval_strategy='no'",
    "training.report_to=[]",
]


def _base_weights():
    from safetensors.torch import load_file

    from medtune.embedded import ensure_embedded_model

    return load_file(str(ensure_embedded_model("embedded:tiny-phi4-mini") / "model.safetensors"))


def _changed(before, after, name: str) -> bool:
    return bool((before[name].float() - after[name].float()).abs().max() > 0)


@pytest.mark.slow
def test_lora_on_all_linear_layers_trains_an_adapter(tiny_project, load_tiny_config):
    from medtune.train import train

    res = train(load_tiny_config(tiny_project, "fine_tuning.method=lora", "lora.target_modules=all-linear", *FEW_STEPS))
    assert res.global_step == 3 and res.output_dir == res.run_dir / "adapter"
    cfg = json.loads((res.output_dir / "adapter_config.json").read_text())
    targets = cfg["target_modules"]  # PEFT expands all-linear into the matching module names
    for short in ("qkv_proj", "o_proj", "gate_up_proj", "down_proj"):
        assert any(t.endswith(short) for t in targets), short
    assert not getattr(res.trainer.model.get_base_model(), "is_loaded_in_4bit", False), "lora loads unquantized"
    assert runs.read_metadata(res.run_dir)["method"] == "lora"


@pytest.mark.slow
def test_full_fine_tuning_changes_every_weight_and_saves_the_whole_model(tiny_project, load_tiny_config):
    from safetensors.torch import load_file

    from medtune.train import train

    res = train(load_tiny_config(tiny_project, "fine_tuning.method=full", *FEW_STEPS))
    assert res.output_dir == res.run_dir / "model" and runs.artifact_dir(res.run_dir) == res.output_dir
    for name in ("model.safetensors", "config.json", "tokenizer.json", "generation_config.json"):
        assert (res.output_dir / name).is_file(), name
    meta = runs.read_metadata(res.run_dir)
    assert meta["trainable_parameters"] == meta["total_parameters"]
    before, after = _base_weights(), load_file(str(res.output_dir / "model.safetensors"))
    linear = [k for k in before if k.endswith("proj.weight")]
    assert linear and all(_changed(before, after, k) for k in linear)
    assert res.run_dir.name.startswith("tinyphi4mini-test-full-s3-")


@pytest.mark.slow
def test_spectrum_trains_only_the_matrices_it_picked_and_says_why(tiny_project, load_tiny_config, capsys):
    from safetensors.torch import load_file

    from medtune.train import train

    res = train(load_tiny_config(tiny_project, "fine_tuning.method=spectrum", "fine_tuning.snr_threshold=50", *FEW_STEPS))
    out = capsys.readouterr().out
    assert "spectrum: training 8 of 16 weight matrices, those above the 50th SNR percentile" in out
    assert "self_attn.qkv_proj: 2/4" in out and "SNR" in out and "frozen" in out
    picked = runs.read_metadata(res.run_dir)["spectrum"]
    assert len(picked["selected"]) == 8 and len(picked["snr"]) == 16

    before, after = _base_weights(), load_file(str(res.output_dir / "model.safetensors"))
    for module, snr in picked["snr"].items():
        assert math.isfinite(snr)
        assert _changed(before, after, module + ".weight") == (module in picked["selected"]), module
    assert not _changed(before, after, "model.embed_tokens.weight")
    assert not _changed(before, after, "model.norm.weight")


def test_spectrum_takes_an_explicit_list_and_rejects_names_that_match_nothing(load_tiny_config, tiny_project):
    from medtune.model import load_model
    from medtune.spectrum import apply_spectrum

    cfg = load_tiny_config(tiny_project, "fine_tuning.method=spectrum", "model.quantization_config.load_in_4bit=false")
    model = load_model(cfg)
    sel = apply_spectrum(model, 50, ["layers.1.mlp.down_proj", "model.layers.3.self_attn.o_proj"])
    assert [m.name for m in sel.selected] == ["model.layers.1.mlp.down_proj", "model.layers.3.self_attn.o_proj"]
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"model.layers.1.mlp.down_proj.weight", "model.layers.3.self_attn.o_proj.weight"}
    with pytest.raises(ConfigError, match="fine_tuning.layers_to_finetune: layers.9.mlp.up match no linear layer"):
        apply_spectrum(model, 50, ["layers.9.mlp.up"])


def test_spectrum_snr_separates_structure_from_noise():
    import torch

    from medtune.spectrum import MatrixSNR, matrix_snr, mp_median, select

    g = torch.Generator().manual_seed(0)
    noise = torch.randn(256, 128, generator=g)
    u, v = torch.randn(256, 4, generator=g), torch.randn(4, 128, generator=g)
    structured = noise + 3 * u @ v  # a strong rank-4 signal on top of the same noise
    snr_noise, bound, k_noise = matrix_snr(noise)
    snr_signal, _, k_signal = matrix_snr(structured)
    assert snr_noise < 0.05 and k_noise <= 2, "pure noise stays inside the Marchenko-Pastur bulk"
    assert k_signal >= 4 and snr_signal > 0.5
    # The bound is the bulk edge sigma * sqrt(n) * (1 + sqrt(m / n)), sigma from the median singular value;
    # for unit noise that is close to sqrt(256) + sqrt(128).
    s = torch.linalg.svdvals(noise)
    assert bound == pytest.approx(math.sqrt(float(torch.median(s**2)) / mp_median(0.5)) * (1 + math.sqrt(0.5)), rel=1e-6)
    assert bound == pytest.approx(16 + math.sqrt(128), rel=0.05)
    # The Marchenko-Pastur median for a square matrix solves phi + sin(phi) = pi/2, x = 4 sin^2(phi / 2).
    assert mp_median(1.0) == pytest.approx(0.65278, abs=2e-4)

    mats = [MatrixSNR(f"model.layers.{i}.mlp.down_proj", "mlp.down_proj", (4, 4), snr, 1.0, 1) for i, snr in enumerate([1, 2, 3, 4])]
    mats += [MatrixSNR(f"model.layers.{i}.self_attn.o_proj", "self_attn.o_proj", (4, 4), snr, 1.0, 1) for i, snr in enumerate([10, 10, 40, 20])]
    sel = select(mats, 50)
    assert [m.name for m in sel.selected] == [
        "model.layers.2.mlp.down_proj", "model.layers.3.mlp.down_proj",
        "model.layers.2.self_attn.o_proj", "model.layers.3.self_attn.o_proj",
    ], "the top half of each module type, not of all matrices together"
    assert [m.selected for m in select(mats, 100).matrices] == [False, False, False, True, False, False, True, False]
    assert all(m.selected for m in select(mats, 0).matrices)


# The speed switches (fused loss, packing, Liger, compile) are proved in tests/test_speed_switches.py.
