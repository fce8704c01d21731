"""`medtune export RUN --gguf`: a run leaves as one GGUF file that llama.cpp and Ollama load, and
reading it back gives the weights, the tokenizer and the chat format it was trained with."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medtune.cli import main
from medtune.errors import MedtuneError
from medtune.phi4 import END, ENDOFTEXT

gguf = pytest.importorskip("gguf")
EMBEDDED = "embedded:tiny-phi4-mini"


@pytest.fixture(scope="module")
def embedded_dir() -> Path:
    from medtune.embedded import ensure_embedded_model

    return ensure_embedded_model(EMBEDDED)


def _fields(path: Path) -> dict:
    reader = gguf.GGUFReader(str(path))
    return {k: f.contents() for k, f in reader.fields.items() if not k.startswith("GGUF.")}


# --------------------------------------------------------------------------------------------
# The embedded model, written and read back
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quant", ["f16", "q8_0"])
def test_every_tensor_and_key_reads_back_as_written(embedded_dir, tmp_path, quant):
    from medtune.gguf_export import verify_gguf, write_gguf

    written = write_gguf(embedded_dir, tmp_path / f"tiny-{quant}.gguf", quant, name="tiny")
    check = verify_gguf(written.path, embedded_dir, written.metadata)
    assert check.keys == len(written.metadata) and check.tensors == written.tensors
    # 4 blocks of (attn_norm, attn_qkv, attn_output, ffn_norm, ffn_up, ffn_down), the embedding and
    # the final norm; the tied output head is llama.cpp's copy of the embedding, not a tensor.
    assert written.tensors == 4 * 6 + 2
    reader = gguf.GGUFReader(str(written.path))
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    assert "output.weight" not in types
    assert types["blk.0.attn_norm.weight"] == "F32" and types["output_norm.weight"] == "F32"
    assert types["blk.0.attn_qkv.weight"] == quant.upper() and types["token_embd.weight"] == quant.upper()
    worst = max(check.max_abs_error.values())
    assert worst < (1e-4 if quant == "f16" else 2e-3), worst


def test_the_file_carries_the_architecture_tokenizer_and_chat_format(embedded_dir, tmp_path):
    from transformers import AutoConfig, AutoTokenizer

    from medtune.gguf_export import write_gguf

    path = write_gguf(embedded_dir, tmp_path / "tiny.gguf", "f16", name="tiny").path
    f = _fields(path)
    config = AutoConfig.from_pretrained(embedded_dir)
    tok = AutoTokenizer.from_pretrained(embedded_dir)

    assert f["general.architecture"] == "phi3" and f["general.name"] == "tiny"
    assert f["phi3.context_length"] == config.max_position_embeddings
    assert f["phi3.embedding_length"] == config.hidden_size and f["phi3.feed_forward_length"] == config.intermediate_size
    assert f["phi3.block_count"] == config.num_hidden_layers
    assert (f["phi3.attention.head_count"], f["phi3.attention.head_count_kv"]) == (6, 2)
    assert math.isclose(f["phi3.attention.layer_norm_rms_epsilon"], config.rms_norm_eps, rel_tol=1e-6)
    head_dim = config.hidden_size // config.num_attention_heads
    assert f["phi3.rope.dimension_count"] == int(0.75 * head_dim) == 24, "partial rotary: 3/4 of each head"
    assert f["phi3.rope.freq_base"] == 10000.0 and f["phi3.attention.sliding_window"] == 0

    vocab = tok.get_vocab()
    assert f["tokenizer.ggml.model"] == "gpt2" and f["tokenizer.ggml.pre"] == "gpt-2"
    assert f["tokenizer.ggml.tokens"] == [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    assert len(f["tokenizer.ggml.merges"]) == len(json.loads((embedded_dir / "tokenizer.json").read_text())["model"]["merges"])
    control = {t for t, ty in zip(f["tokenizer.ggml.tokens"], f["tokenizer.ggml.token_type"], strict=True) if ty == gguf.TokenType.CONTROL}
    assert {END, ENDOFTEXT, "<|user|>", "<|assistant|>", "<|system|>"} <= control
    assert f["tokenizer.ggml.eos_token_id"] == vocab[ENDOFTEXT] and f["tokenizer.ggml.eot_token_id"] == vocab[END]
    assert f["tokenizer.ggml.add_bos_token"] is False
    assert f["tokenizer.chat_template"] == tok.chat_template


def test_verification_catches_a_weight_or_a_key_that_differs(embedded_dir, tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    from medtune.gguf_export import GGUFMismatch, verify_gguf, write_gguf

    written = write_gguf(embedded_dir, tmp_path / "tiny.gguf", "q8_0")
    other = tmp_path / "other"
    shutil.copytree(embedded_dir, other)
    weights = load_file(str(other / "model.safetensors"))
    weights["model.layers.2.mlp.down_proj.weight"] += 0.05 * torch.randn_like(weights["model.layers.2.mlp.down_proj.weight"])
    save_file(weights, str(other / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(GGUFMismatch, match="blk.2.ffn_down.weight"):
        verify_gguf(written.path, other)
    wrong = dict(written.metadata, **{"phi3.context_length": 8192})
    with pytest.raises(GGUFMismatch, match="phi3.context_length"):
        verify_gguf(written.path, embedded_dir, wrong)


def test_longrope_factors_become_llama_cpp_rope_factor_tensors(embedded_dir, tmp_path):
    """Phi-4-mini's 128k context is longrope: its factors travel as llama.cpp's rope_factors tensors."""
    import torch
    from transformers import Phi3Config, Phi3ForCausalLM

    from medtune.gguf_export import verify_gguf, write_gguf

    rope_dims = 24  # 0.75 * 192 // 6
    long_f, short_f = [1.0 + i / 10 for i in range(rope_dims // 2)], [1.0] * (rope_dims // 2)
    config = Phi3Config(
        vocab_size=4096, hidden_size=192, intermediate_size=256, num_hidden_layers=1, num_attention_heads=6,
        num_key_value_heads=2, partial_rotary_factor=0.75, max_position_embeddings=8192, original_max_position_embeddings=4096,
        rope_scaling={"type": "longrope", "long_factor": long_f, "short_factor": short_f}, pad_token_id=0, tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    model_dir = tmp_path / "longrope"
    Phi3ForCausalLM(config).save_pretrained(model_dir)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        shutil.copy2(embedded_dir / name, model_dir / name)

    written = write_gguf(model_dir, tmp_path / "longrope.gguf", "f16")
    verify_gguf(written.path, model_dir, written.metadata)
    reader = gguf.GGUFReader(str(written.path))
    tensors = {t.name: t for t in reader.tensors}
    assert tensors["rope_factors_long.weight"].data.tolist() == pytest.approx(long_f)
    assert tensors["rope_factors_short.weight"].data.tolist() == pytest.approx(short_f)
    f = _fields(written.path)
    assert f["phi3.context_length"] == 8192 and f["phi3.rope.scaling.original_context_length"] == 4096
    assert f["phi3.rope.scaling.attn_factor"] == pytest.approx(math.sqrt(1 + math.log(2) / math.log(4096)), rel=1e-6)


def test_the_pre_tokenizer_is_named_as_llama_cpp_names_it():
    from medtune.gguf_export import O200K_SPLIT, pre_tokenizer_name

    phi4 = {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": O200K_SPLIT}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}}
    assert pre_tokenizer_name(phi4) == "gpt-4o", "Phi-4-mini's o200k split"
    assert pre_tokenizer_name({"pre_tokenizer": {"type": "ByteLevel", "use_regex": True}}) == "gpt-2"
    with pytest.raises(MedtuneError, match="pre-tokenizer"):
        pre_tokenizer_name({"pre_tokenizer": {"type": "Metaspace"}})


# --------------------------------------------------------------------------------------------
# Ollama
# --------------------------------------------------------------------------------------------


def render_go_template(template: str, messages: list[dict]) -> str:
    """Just enough of Go's text/template for the Modelfile's TEMPLATE: text, {{ range .Messages }}
    ... {{ end }}, {{ .Role }}, {{ .Content }}, and the {{- -}} whitespace trims."""
    items: list[tuple[str, str]] = []
    pos = 0
    for m in re.finditer(r"\{\{(-)?\s*(.*?)\s*(-)?\}\}", template, re.S):
        text = template[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        if items and items[-1][0] == "trim":
            items.pop()
            text = text.lstrip()
        items += [("text", text), ("action", m.group(2))] + ([("trim", "")] if m.group(3) else [])
        pos = m.end()
    tail = template[pos:]
    if items and items[-1][0] == "trim":
        items.pop()
        tail = tail.lstrip()
    items.append(("text", tail))

    def run(i: int, dot: dict) -> tuple[str, int]:
        out = ""
        while i < len(items):
            kind, value = items[i]
            if kind == "text":
                out += value
            elif value == "end":
                return out, i
            elif value == "range .Messages":
                end = i
                for message in messages:
                    body, end = run(i + 1, message)
                    out += body
                if not messages:
                    _, end = run(i + 1, {})
                i = end
            elif value in (".Role", ".Content"):
                out += dot[value[1:].lower()]
            else:
                raise AssertionError(f"unsupported template action {value!r}")
            i += 1
        return out, i

    return run(0, {})[0]


def test_the_modelfile_speaks_the_chat_template_and_stops_where_it_does(embedded_dir):
    from transformers import AutoTokenizer

    from medtune.ollama import modelfile

    system = "You give general health information and defer emergencies."
    text = modelfile("tiny-q8_0.gguf", system)
    assert "FROM ./tiny-q8_0.gguf" in text.splitlines()
    assert re.findall(r'^PARAMETER stop "(.*)"$', text, re.M) == [END, ENDOFTEXT]
    assert re.search(r'^SYSTEM """(.*?)"""$', text, re.M | re.S).group(1) == system
    assert "safety layer" in text, "it says Ollama alone does not guard the model"
    template = re.search(r'^TEMPLATE """(.*?)"""$', text, re.M | re.S).group(1)

    tok = AutoTokenizer.from_pretrained(embedded_dir)
    conversation = [
        {"role": "system", "content": system},
        {"role": "user", "content": "What is a normal resting heart rate?"},
        {"role": "assistant", "content": "For adults, 60 to 100 beats a minute."},
        {"role": "user", "content": "And for children?"},
    ]
    want = tok.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)
    assert render_go_template(template, conversation) == want
    assert want.endswith("<|end|><|assistant|>") and "\n" not in want.replace(system, "")


# --------------------------------------------------------------------------------------------
# The command, on a trained run; and llama.cpp itself where it is installed
# --------------------------------------------------------------------------------------------


def _llama_cpp() -> str | None:
    try:
        import llama_cpp  # noqa: F401

        return "python"
    except ImportError:
        return shutil.which("llama-cli")


@pytest.mark.slow
def test_export_latest_gguf_writes_a_file_that_matches_the_merged_weights(tiny_run, tmp_path, capsys):
    from medtune.gguf_export import verify_gguf

    project = tiny_run.parent.parent
    out = tmp_path / "gguf"
    for ref, quant in ((str(tiny_run), "f16"), ("latest", "q8_0")):
        args = ["export", ref, "--gguf", "--quant", quant, "--out", str(out), "--config", str(project / "config.yaml")]
        assert main(args) == 0
    said = capsys.readouterr().out
    assert "read back: 27 tensors match the weights" in said and "ollama create" in said
    merged = tiny_run / "merged"
    assert (merged / "model.safetensors").is_file(), "the GGUF is made from a merged model, kept beside the run"
    # The trained output head (lora.modules_to_save) is its own tensor once merged: not tied any more.
    names = {t.name for t in gguf.GGUFReader(str(out / f"{tiny_run.name}-q8_0.gguf")).tensors}
    assert "output.weight" in names
    for quant in ("f16", "q8_0"):
        check = verify_gguf(out / f"{tiny_run.name}-{quant}.gguf", merged)
        assert check.tensors == 27
    modelfile = (out / "Modelfile").read_text()
    assert f"FROM ./{tiny_run.name}-q8_0.gguf" in modelfile
    assert main(["export", str(tiny_run), "--quant", "q8_0", "--config", str(project / "config.yaml")]) == 2
    assert main(["export", str(tiny_run), "--gguf", "--out", str(out), "--config", str(project / "config.yaml")]) == 2, "no overwrite"


@pytest.mark.skipif(
    _llama_cpp() is None,
    reason="llama.cpp is not installed here: no llama-cpp-python wheel on this machine's package index "
    "(it is a source build) and no llama-cli on PATH",
)
def test_llama_cpp_generates_from_the_gguf(embedded_dir, tmp_path):
    from medtune.gguf_export import write_gguf

    path = write_gguf(embedded_dir, tmp_path / "tiny.gguf", "q8_0").path
    prompt = "<|user|>What is a normal body temperature?<|end|><|assistant|>"
    if _llama_cpp() == "python":
        from llama_cpp import Llama

        llm = Llama(model_path=str(path), n_ctx=256, verbose=False)
        out = llm.create_completion(prompt, max_tokens=4, temperature=0.0)
        assert out["usage"]["completion_tokens"] >= 1
    else:
        done = subprocess.run([_llama_cpp(), "-m", str(path), "-p", prompt, "-n", "4", "--temp", "0", "-no-cnv"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]


# llama.cpp's converter picks the pre-tokenizer by hashing how the tokenizer splits a test text;
# the embedded model's own little BPE is in no such table, so only for it the name is given.
CONVERT_WITH_LLAMA_CPP = r"""
import sys
sys.path.insert(0, sys.argv[1])
sys.argv = ["convert_hf_to_gguf.py", sys.argv[2], "--outfile", sys.argv[3], "--outtype", sys.argv[4]]
import convert_hf_to_gguf as c
known = c.TextModel.get_vocab_base_pre
def pre(self, tokenizer):
    try:
        return known(self, tokenizer)
    except NotImplementedError:
        return "gpt-2"
c.TextModel.get_vocab_base_pre = pre
c.main()
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not (Path(os.environ.get("LLAMA_CPP_DIR", "/nonexistent")) / "convert_hf_to_gguf.py").is_file(),
    reason="set LLAMA_CPP_DIR to a llama.cpp checkout to compare with its own convert_hf_to_gguf.py",
)
@pytest.mark.parametrize("quant", ["f16", "q8_0"])
def test_the_file_is_what_llama_cpps_own_converter_writes(tiny_run, tmp_path, quant):
    """The merged export goes through llama.cpp's Phi-3 converter (GPT2Tokenizer: BPE, no
    tokenizer.model needed), and its output has our tensors byte for byte and our keys."""
    import numpy as np

    from medtune.export import export_run
    from medtune.gguf_export import write_gguf
    from medtune.runs import load_run_config, open_run

    merged = export_run(open_run(load_run_config(tiny_run), tiny_run), tmp_path / "merged", merge=True)
    theirs = tmp_path / "llama-cpp.gguf"
    done = subprocess.run([sys.executable, "-c", CONVERT_WITH_LLAMA_CPP, os.environ["LLAMA_CPP_DIR"], str(merged), str(theirs), quant],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    ours = write_gguf(merged, tmp_path / "ours.gguf", quant, name=merged.name.capitalize()).path
    a, b = gguf.GGUFReader(str(ours)), gguf.GGUFReader(str(theirs))
    fa = {k: f.contents() for k, f in a.fields.items() if not k.startswith("GGUF.")}
    fb = {k: f.contents() for k, f in b.fields.items() if not k.startswith("GGUF.")}
    assert set(fa) - set(fb) == {"tokenizer.ggml.eot_token_id"}, "ours adds the end-of-turn id, nothing else"
    assert set(fb) <= set(fa) and {k: fa[k] for k in fb} == fb
    ta, tb = {t.name: t for t in a.tensors}, {t.name: t for t in b.tensors}
    assert set(ta) == set(tb)
    for name in ta:
        assert ta[name].tensor_type == tb[name].tensor_type and np.array_equal(ta[name].data, tb[name].data), name
