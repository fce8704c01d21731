"""A merged Phi-4-mini as one GGUF file for llama.cpp and Ollama, and the proof that it matches.

The file is what llama.cpp's own converter (``convert_hf_to_gguf.py``, class ``Phi3MiniModel``)
writes for ``microsoft/Phi-4-mini-instruct``, made with the ``gguf`` package that converter uses:
its tensor-name map for ``MODEL_ARCH.PHI3``, its ``GGUFWriter``, its ``quants`` and its readers of
the model directory (``SpecialVocab`` for merges, special tokens and the chat template;
``Metadata`` for the ``general.*`` keys from the model card). Nothing here is a home-made format,
so a file that loads in llama.cpp today keeps loading as llama.cpp moves on.

What the converter decides, decided the same way here:
- hyperparameters from config.json: context length, embedding and feed-forward sizes, blocks,
  query and key/value heads, RMS-norm epsilon, the rotary dimension count
  (``partial_rotary_factor * hidden_size // heads``: 96 of Phi-4-mini's 128), rope base, the
  original context length and the sliding window (0 for Phi-4);
- longrope: the ``long_factor``/``short_factor`` lists become the ``rope_factors_long``/``short``
  tensors, with the attention factor ``sqrt(1 + ln(scale) / ln(original context))``;
- the vocabulary as a GPT-2-style BPE (``tokenizer.ggml.model = gpt2``): tokens in id order,
  ``[PADn]`` (unused) up to the padded vocabulary size, added special tokens as control tokens,
  and the pre-tokenizer by llama.cpp's name for it (``gpt-4o`` for Phi-4-mini's o200k split,
  ``gpt-2`` for plain byte-level BPE such as the embedded model's);
- tensor types: 1-D tensors and norms in F32, every other matrix in the requested type (F16 or
  Q8_0; Q8_0 falls back to F16 for a row length that is not a multiple of its 32-value block).

Tensors are streamed (tensor infos first, then one tensor at a time), so a 3.8B model is written
without holding a second copy of it in memory. :func:`verify_gguf` reads the file back with
``GGUFReader`` and compares every tensor, dequantized, with the safetensors, and every key with
what was written.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from medtune.errors import MedtuneError
from medtune.phi4 import END

ARCH = "phi3"  # llama.cpp runs every Phi-3-family model, Phi-4-mini included, as MODEL_ARCH.PHI3
QUANTS = ("f16", "q8_0")

# Phi-4-mini's pre-tokenizer split (OpenAI's o200k pattern, as tokenizer.json stores it);
# llama.cpp implements it as the "gpt-4o" pre-tokenizer.
O200K_SPLIT = (
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    r"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_SKIPPED = (".rotary_emb.inv_freq", ".attention.masked_bias", ".attention.bias")


class GGUFMismatch(AssertionError):
    """The GGUF file read back differs from the model it was written from: a bug, not a user error."""


@dataclass(frozen=True)
class GGUFCheck:
    """What reading the file back showed: every tensor within tolerance, every key as written."""

    tensors: int
    keys: int
    max_abs_error: dict[str, float]  # GGUF tensor name -> max |dequantized - safetensors|
    seconds: float


@dataclass(frozen=True)
class GGUFFile:
    path: Path
    quant: str
    bytes: int
    tensors: int
    write_seconds: float
    metadata: dict[str, Any] = field(repr=False)  # every key written -> its value


# --------------------------------------------------------------------------------------------
# What goes in: hyperparameters, vocabulary, tensors
# --------------------------------------------------------------------------------------------


def _rope(config) -> dict[str, Any]:
    """Rope settings the way llama.cpp reads them: ``rope_parameters`` (transformers 5) or
    ``rope_scaling`` (4.x), with the top-level keys mirrored in."""
    rp = dict(getattr(config, "rope_parameters", None) or getattr(config, "rope_scaling", None) or {})
    for key in ("rope_theta", "partial_rotary_factor", "original_max_position_embeddings"):
        if key not in rp and getattr(config, key, None) is not None:
            rp[key] = getattr(config, key)
    if "rope_type" not in rp and rp.get("type"):
        rp["rope_type"] = rp["type"]
    return rp


def rope_dimension_count(config) -> int:
    """Rotated dimensions per head, by llama.cpp's formula (Phi-4-mini: 0.75 * 3072 // 24 = 96)."""
    return int(_rope(config).get("partial_rotary_factor", 1.0) * config.hidden_size) // config.num_attention_heads


def longrope_factors(config) -> tuple[list[float], list[float], float] | None:
    """(long factors, short factors, attention factor) when the config has longrope, else None."""
    rp = _rope(config)
    long_f, short_f = rp.get("long_factor"), rp.get("short_factor")
    if not long_f:
        return None
    kind = str(rp.get("rope_type", "")).lower()
    if kind not in ("longrope", "su"):
        raise MedtuneError(f"config.json: rope type {kind!r} with long factors is not one llama.cpp's Phi-3 loader reads (longrope)")
    n = rope_dimension_count(config) // 2
    if not short_f or len(long_f) != n or len(short_f) != n:
        raise MedtuneError(f"config.json: longrope needs {n} long and {n} short factors; found {len(long_f)} and {len(short_f or [])}")
    orig = rp.get("original_max_position_embeddings") or config.max_position_embeddings
    scale = config.max_position_embeddings / orig
    attn = math.sqrt(1 + math.log(scale) / math.log(orig)) if scale > 1.0 else 1.0
    return [float(x) for x in long_f], [float(x) for x in short_f], attn


def pre_tokenizer_name(tokenizer_json: dict) -> str:
    """llama.cpp's name for the tokenizer's pre-tokenizer (``tokenizer.ggml.pre``)."""
    pre = tokenizer_json.get("pre_tokenizer") or {}
    parts = pre.get("pretokenizers", [pre]) if pre.get("type") == "Sequence" else [pre]
    kinds = [p.get("type") for p in parts]
    if kinds == ["ByteLevel"] and parts[0].get("use_regex", True):
        return "gpt-2"
    if kinds == ["Split", "ByteLevel"] and (parts[0].get("pattern") or {}).get("Regex") == O200K_SPLIT:
        return "gpt-4o"
    raise MedtuneError(
        f"tokenizer.json: pre-tokenizer {json.dumps(pre)[:200]} is neither Phi-4-mini's (o200k split) nor byte-level "
        "GPT-2; llama.cpp would not tokenize it the same way, so no GGUF is written"
    )


def vocabulary(model_dir: Path, vocab_size: int) -> tuple[list[str], list[int], str]:
    """(tokens in id order, their llama.cpp token types, pre-tokenizer name), as llama.cpp's
    converter builds them for a BPE vocabulary padded to ``vocab_size``."""
    import gguf
    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise MedtuneError(f"{model_dir} has no tokenizer.json: the GGUF vocabulary is read from it")
    tok = Tokenizer.from_file(str(path))
    vocab = tok.get_vocab(with_added_tokens=True)
    if max(vocab.values()) >= vocab_size:
        raise MedtuneError(f"{path}: token id {max(vocab.values())} is past the model's vocab_size {vocab_size}")
    by_id = {i: t for t, i in vocab.items()}
    added = tok.get_added_tokens_decoder()
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
            continue
        token = by_id[i]
        tokens.append(token)
        if i not in added:
            types.append(gguf.TokenType.NORMAL)
        elif added[i].special or (token.startswith("<|") and token.endswith("|>")):
            types.append(gguf.TokenType.CONTROL)
        else:
            types.append(gguf.TokenType.USER_DEFINED)
    return tokens, types, pre_tokenizer_name(json.loads(path.read_text(encoding="utf-8")))


def _safetensors(model_dir: Path) -> list[Path]:
    files = sorted(model_dir.glob("model*.safetensors"))
    if not files:
        raise MedtuneError(f"{model_dir} has no model*.safetensors: export a merged model first (medtune export RUN --merge)")
    return files


def _load(file: Path, name: str):
    from safetensors import safe_open

    with safe_open(str(file), framework="pt") as f:
        return f.get_tensor(name).float().numpy()


def hf_tensors(model_dir: Path, config) -> Iterator[tuple[str, tuple[int, ...], Callable[[], Any]]]:
    """(name, shape, load) for every weight in the merged safetensors; ``load()`` reads that one
    tensor as float32. A tied output head is left out: llama.cpp reuses the embedding for it."""
    from safetensors import safe_open

    tied = bool(getattr(config, "tie_word_embeddings", False))
    for file in _safetensors(model_dir):
        with safe_open(str(file), framework="pt") as f:
            names = [(n, tuple(f.get_slice(n).get_shape())) for n in f.keys()]
        for name, shape in names:
            if name.endswith(_SKIPPED) or (tied and name == "lm_head.weight"):
                continue
            yield name, shape, partial(_load, file, name)


def gguf_name(name_map, hf_name: str) -> str:
    new = name_map.get_name(hf_name, try_suffixes=(".weight", ".bias"))
    if new is None:
        raise MedtuneError(f"tensor {hf_name!r} has no place in llama.cpp's Phi-3 layout; is this a Phi3ForCausalLM?")
    return new


def tensor_type(gguf_tensor: str, shape: tuple[int, ...], quant: str):
    """The GGML type a tensor is stored in, decided as llama.cpp's converter decides it."""
    import gguf

    Q = gguf.GGMLQuantizationType
    if len(shape) <= 1 or gguf_tensor.endswith("_norm.weight") or not gguf_tensor.endswith(".weight"):
        return Q.F32
    if quant == "q8_0":
        block = gguf.GGML_QUANT_SIZES[Q.Q8_0][0]
        return Q.Q8_0 if shape[-1] % block == 0 else Q.F16
    return Q.F16


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _set_parameters(w, config, file_type, model_dir: Path, n_vocab: int, name: str, n_params: int) -> None:
    import gguf

    meta = gguf.Metadata.load(None, model_dir, name, n_params)  # general.*: the model card's front matter
    if meta.size_label is None and n_params > 0:
        meta.size_label = gguf.size_label(n_params, 0, 0, 0)
    w.add_type(gguf.GGUFType.MODEL)
    meta.set_gguf_meta_model(w)

    rp = _rope(config)
    w.add_context_length(config.max_position_embeddings)
    w.add_rope_scaling_orig_ctx_len(rp.get("original_max_position_embeddings") or config.max_position_embeddings)
    w.add_embedding_length(config.hidden_size)
    w.add_feed_forward_length(config.intermediate_size)
    w.add_block_count(config.num_hidden_layers)
    w.add_head_count(config.num_attention_heads)
    w.add_head_count_kv(getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
    w.add_layer_norm_rms_eps(config.rms_norm_eps)
    w.add_rope_dimension_count(rope_dimension_count(config))
    w.add_rope_freq_base(rp.get("rope_theta", 10000.0))
    w.add_file_type(file_type)
    w.add_sliding_window(getattr(config, "sliding_window", None) or 0)  # 0 tells llama.cpp this is Phi-4
    if (lr := longrope_factors(config)) is not None:
        w.add_rope_scaling_attn_factors(lr[2])

    tokens, types, pre = vocabulary(model_dir, n_vocab)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    w.add_token_types(types)
    special = gguf.SpecialVocab(model_dir, load_merges=True, n_vocab=len(tokens))
    if not special.merges:
        raise MedtuneError(f"{model_dir}/tokenizer.json has no BPE merges: llama.cpp could not tokenize with it")
    if special.chat_template is None:
        raise MedtuneError(f"{model_dir} has no chat template (tokenizer_config.json or chat_template.jinja)")
    special.add_to_gguf(w, quiet=True)
    if "bos" not in special.add_special_token:
        w.add_add_bos_token(False)  # Phi-4-mini's template starts with <|system|> or <|user|>, never a bos
    if END in tokens:
        w.add_eot_token_id(tokens.index(END))  # stop on <|end|> as well as eos (<|endoftext|>)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)


def _tensor_plan(model_dir: Path, config, quant: str) -> list[tuple[str, tuple[int, ...], Any, Callable[[], Any]]]:
    """(GGUF name, shape, GGML type, load) in the order they are written: rope factors first."""
    import gguf
    import numpy as np

    plan = []
    if (lr := longrope_factors(config)) is not None:
        for key, values in ((gguf.MODEL_TENSOR.ROPE_FACTORS_LONG, lr[0]), (gguf.MODEL_TENSOR.ROPE_FACTORS_SHORT, lr[1])):
            data = np.asarray(values, dtype=np.float32)
            plan.append((gguf.TENSOR_NAMES[key] + ".weight", data.shape, gguf.GGMLQuantizationType.F32, lambda d=data: d))
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.PHI3, config.num_hidden_layers)
    for hf_name, shape, load in hf_tensors(model_dir, config):
        new = gguf_name(name_map, hf_name)
        plan.append((new, shape, tensor_type(new, shape, quant), load))
    return plan


def write_gguf(model_dir: Path, path: Path, quant: str = "f16", *, name: str | None = None) -> GGUFFile:
    """Write ``model_dir`` (a merged Phi-3-architecture model) as a GGUF file at ``path``.

    Written to a temporary name and renamed, so a GGUF that exists is a whole one.
    """
    import gguf
    import numpy as np
    from transformers import AutoConfig

    if quant not in QUANTS:
        raise MedtuneError(f"--quant: {quant!r} is not one of {', '.join(QUANTS)}")
    model_dir, path = Path(model_dir), Path(path)
    config = AutoConfig.from_pretrained(str(model_dir))
    if getattr(config, "model_type", None) != ARCH:
        raise MedtuneError(f"{model_dir}: model_type {getattr(config, 'model_type', None)!r}; the GGUF export writes Phi-3-family models ({ARCH})")
    file_type = {"f16": gguf.LlamaFileType.MOSTLY_F16, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}[quant]
    started = time.perf_counter()

    # Names, shapes and types first (read from the safetensors headers), so the file's header is
    # written before any tensor data; then one tensor at a time.
    plan = _tensor_plan(model_dir, config, quant)
    n_params = sum(int(np.prod(s)) for n, s, _, _ in plan if not n.startswith("rope_factors"))
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    w = gguf.GGUFWriter(path=None, arch=ARCH)
    _set_parameters(w, config, file_type, model_dir, config.vocab_size, name or model_dir.name, n_params)
    for n, shape, qtype, _ in plan:
        nbytes = int(np.prod(gguf.quant_shape_to_byte_shape(shape, qtype)))
        w.add_tensor_info(n, shape, np.dtype(np.float32), nbytes, raw_dtype=qtype)
    metadata = {k: v.value for k, v in w.kv_data[0].items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        w.write_header_to_file(path=tmp)
        w.write_kv_data_to_file()
        w.write_ti_data_to_file()
        for _, shape, qtype, load in plan:
            data = load()
            assert tuple(data.shape) == shape
            w.write_tensor_data(gguf.quants.quantize(data, qtype))
            del data
        w.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return GGUFFile(path, quant, path.stat().st_size, len(plan), round(time.perf_counter() - started, 3), metadata)



# --------------------------------------------------------------------------------------------
# Reading back
# --------------------------------------------------------------------------------------------


def tolerance(reference, qtype):
    """Per-value bound on |dequantized - reference| for a GGML type: half a step of f16 for F16
    (bf16 weights are exact in it, bar the smallest subnormals), and for Q8_0 half a quantization
    step of each 32-value block (its absmax / 127) plus the rounding of the block's f16 scale."""
    import gguf
    import numpy as np

    Q = gguf.GGMLQuantizationType
    ref = np.asarray(reference, dtype=np.float32)
    if qtype == Q.F32:
        return np.zeros_like(ref)
    if qtype == Q.F16:
        return np.abs(ref) * 2.0**-11 + 2.0**-24
    if qtype == Q.Q8_0:
        block = gguf.GGML_QUANT_SIZES[Q.Q8_0][0]
        blocks = ref.reshape(-1, block)
        step = np.abs(blocks).max(axis=1, keepdims=True) / 127.0
        bound = step * (0.5 + 127 * 2.0**-11) + 2.0**-24
        return np.broadcast_to(bound, blocks.shape).reshape(ref.shape)
    raise ValueError(f"no tolerance for {qtype.name}")


def _same(got: Any, want: Any) -> bool:
    import numpy as np

    if isinstance(want, float) or (isinstance(want, list) and want and isinstance(want[0], float)):
        return bool(np.allclose(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float32).astype(np.float64), rtol=0, atol=0))
    if hasattr(want, "value"):  # an enum written as its integer
        want = want.value
    if isinstance(want, list):
        want = [getattr(x, "value", x) for x in want]
    return got == want


def _compare(t, ref, chunk: int = 1 << 22) -> tuple[float, bool]:
    """(max abs error, all within tolerance) of a stored tensor against its reference, a few
    million values at a time, so a 200k-token embedding is checked in bounded memory."""
    import gguf
    import numpy as np

    rows = ref.reshape(-1, ref.shape[-1]) if ref.ndim else ref.reshape(1, 1)
    data = t.data.reshape(rows.shape[0], -1)
    step = max(1, chunk // rows.shape[1])
    worst, within = 0.0, True
    for i in range(0, rows.shape[0], step):
        want = rows[i : i + step]
        got = gguf.quants.dequantize(data[i : i + step], t.tensor_type).reshape(want.shape).astype(np.float32)
        err = np.abs(got - want)
        if err.size:
            worst = max(worst, float(err.max()))
            within = within and bool(np.all(err <= tolerance(want, t.tensor_type)))
    return worst, within


def verify_gguf(path: Path, model_dir: Path, metadata: dict[str, Any] | None = None) -> GGUFCheck:
    """Read ``path`` back with ``GGUFReader``: every tensor's shape and dequantized values against
    the safetensors in ``model_dir`` within its type's tolerance, and (given ``metadata``, what
    :func:`write_gguf` wrote) every key and value. Raises :class:`GGUFMismatch` listing what differs."""
    import gguf
    from transformers import AutoConfig

    started = time.perf_counter()
    reader = gguf.GGUFReader(str(path))
    config = AutoConfig.from_pretrained(str(model_dir))
    problems: list[str] = []
    keys = {k: f for k, f in reader.fields.items() if not k.startswith("GGUF.")}
    if metadata is not None:
        if set(keys) != set(metadata):
            problems.append(f"keys differ: missing {sorted(set(metadata) - set(keys))}, unexpected {sorted(set(keys) - set(metadata))}")
        for k, want in metadata.items():
            if k in keys and not _same(keys[k].contents(), want):
                problems.append(f"key {k}: read {str(keys[k].contents())[:80]!r}, wrote {str(want)[:80]!r}")
    stored = {t.name: t for t in reader.tensors}
    expected = {n: (shape, load) for n, shape, _, load in _tensor_plan(Path(model_dir), config, "f16")}
    if set(stored) != set(expected):
        problems.append(f"tensors differ: missing {sorted(set(expected) - set(stored))}, unexpected {sorted(set(stored) - set(expected))}")
    errors: dict[str, float] = {}
    for name in sorted(set(stored) & set(expected)):
        t, (want_shape, load) = stored[name], expected[name]
        shape = tuple(int(x) for x in reversed(t.shape.tolist()))  # GGUF stores ggml order, innermost first
        if shape != tuple(want_shape):
            problems.append(f"tensor {name}: shape {shape}, safetensors {tuple(want_shape)}")
            continue
        errors[name], within = _compare(t, load())
        if not within:
            problems.append(f"tensor {name} ({t.tensor_type.name}): max abs error {errors[name]:.3g} is past its tolerance")
    if problems:
        raise GGUFMismatch(f"{path} does not match {model_dir}:\n  " + "\n  ".join(problems))
    return GGUFCheck(len(stored), len(keys), errors, round(time.perf_counter() - started, 3))
