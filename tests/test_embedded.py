"""The dev environment runs on an embedded tiny Phi-4-mini, built locally and loaded like a real checkpoint."""

from __future__ import annotations

import hashlib
import json

import pytest

from medtune.embedded import ensure_embedded_model
from medtune.phi4 import CHAT_TEMPLATE, END, ENDOFTEXT

NAME = "embedded:tiny-phi4-mini"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return ensure_embedded_model(NAME, tmp_path_factory.mktemp("cache"))


def test_it_has_the_real_phi3_architecture(built):
    cfg = json.loads((built / "config.json").read_text())
    assert cfg["architectures"] == ["Phi3ForCausalLM"]
    assert cfg["model_type"] == "phi3"
    assert cfg["tie_word_embeddings"] is True
    rope = cfg.get("rope_parameters") or {}
    assert cfg.get("partial_rotary_factor", rope.get("partial_rotary_factor")) == 0.75
    assert cfg["num_attention_heads"] == 3 * cfg["num_key_value_heads"]
    assert (built / "model.safetensors").is_file()
    assert not list(built.glob("*.bin")), "safetensors only"


def test_it_loads_through_from_pretrained_with_fused_modules(built):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(built, use_safetensors=True)
    names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    assert {"qkv_proj", "o_proj", "gate_up_proj", "down_proj"} <= names
    assert not {"q_proj", "gate_proj"} & names
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(built)
    assert model.generation_config.eos_token_id == [tok.convert_tokens_to_ids(END), tok.convert_tokens_to_ids(ENDOFTEXT)]


def test_the_tokenizer_renders_conversations_exactly_as_phi4_mini(built):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(built)
    messages = [
        {"role": "system", "content": "You are careful."},
        {"role": "user", "content": "What is anaemia?"},
        {"role": "assistant", "content": "A low level of red blood cells."},
    ]
    assert tok.chat_template == CHAT_TEMPLATE
    assert tok.apply_chat_template(messages, tokenize=False) == (
        "<|system|>You are careful.<|end|><|user|>What is anaemia?<|end|>"
        "<|assistant|>A low level of red blood cells.<|end|><|endoftext|>"
    )
    assert tok.apply_chat_template(messages[:2], tokenize=False, add_generation_prompt=True).endswith(
        "<|user|>What is anaemia?<|end|><|assistant|>"
    )
    ids = tok(tok.apply_chat_template(messages, tokenize=False), add_special_tokens=False)["input_ids"]
    for special in ("<|system|>", "<|user|>", "<|assistant|>", END, ENDOFTEXT):
        assert tok.convert_tokens_to_ids(special) in ids, f"{special} must be one token"
    assert tok.eos_token == ENDOFTEXT and tok.bos_token == ENDOFTEXT
    assert tok.decode(ids) == tok.apply_chat_template(messages, tokenize=False)


def test_the_build_is_deterministic_and_cached(built, tmp_path):
    again = ensure_embedded_model(NAME, tmp_path)
    for f in ("model.safetensors", "tokenizer.json", "config.json"):
        assert hashlib.sha256((built / f).read_bytes()).digest() == hashlib.sha256((again / f).read_bytes()).digest(), f
    mtime = (again / "model.safetensors").stat().st_mtime
    assert ensure_embedded_model(NAME, tmp_path) == again
    assert (again / "model.safetensors").stat().st_mtime == mtime, "second use reuses the cache"


def test_the_dev_config_loads_it_through_the_qlora_path(tmp_path):
    import bitsandbytes as bnb

    from medtune.config import Config
    from medtune.model import load_model, load_tokenizer

    cfg = Config.model_validate({"model": {"base_model_name": NAME, "cache_dir": str(tmp_path)}})
    model = load_model(cfg)
    tok = load_tokenizer(cfg)
    assert isinstance(model.model.layers[0].self_attn.qkv_proj, bnb.nn.Linear4bit)
    assert model.model.layers[0].self_attn.qkv_proj.weight.quant_type == "nf4"
    assert tok.chat_template == CHAT_TEMPLATE


def test_an_unknown_embedded_name_is_a_clear_error():
    from medtune.errors import MedtuneError

    with pytest.raises(MedtuneError, match="available: embedded:tiny-phi4-mini"):
        ensure_embedded_model("embedded:huge")
