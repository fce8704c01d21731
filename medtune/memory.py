"""Peak GPU memory estimate for a training config, from the model's architecture alone.

At Phi-4-mini's 200k vocabulary the logits, not the weights, would dominate: batch 8 x 2048 tokens
of logits, their fp32 upcast and their gradient are about 30 GiB. TRL's fused LM head, which the
trainer uses, computes the loss tile by tile instead; the estimate counts one tile and notes what
the full logits would have cost, before a user rents a GPU.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from medtune import phi4
from medtune.config import Config
from medtune.embedded import EMBEDDED_MODELS, is_embedded

# What the estimate reads from a config.json; Phi-4-mini's own numbers when it is not in the local cache.
ARCH_KEYS = ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "vocab_size", "tie_word_embeddings")
PHI4_MINI = {k: phi4.ARCHITECTURE[k] for k in ARCH_KEYS}
GiB = 1024**3


# TRL's fused LM head scores at most this many tokens against this many vocabulary rows at a time
# (trl.kernels.chunked_logprob.TOKEN_CHUNK_SIZE and trl.trainer.utils._CHUNKED_LOGPROB_CHUNK_SIZE).
FUSED_HEAD_TOKENS = 4096
FUSED_HEAD_VOCAB = 32768


@dataclass
class MemoryEstimate:
    parts: dict[str, float]  # bytes
    architecture: dict
    arch_source: str
    tokens: int
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.parts.values())


def model_architecture(cfg: Config) -> tuple[dict, str]:
    name = cfg.model.base_model_name
    if is_embedded(name):
        spec = dict(EMBEDDED_MODELS[name.split(":", 1)[1]])
        spec["vocab_size"] = spec.pop("tokenizer_vocab_size")
        return spec, f"{name} spec"
    candidates = [cfg.resolve_path(name) / "config.json"]
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(name, "config.json")
        if isinstance(cached, str):
            candidates.append(Path(cached))
    except Exception:  # any hub-cache problem just means "not cached"
        pass
    for path in candidates:
        if path.is_file():
            arch = json.loads(path.read_text())
            return {k: arch.get(k, v) for k, v in PHI4_MINI.items()}, str(path)
    return dict(PHI4_MINI), "built-in Phi-4-mini architecture"


def _per_layer_shapes(a: dict) -> dict[str, tuple[int, int]]:
    h, inter = a["hidden_size"], a["intermediate_size"]
    heads, kv = a["num_attention_heads"], a["num_key_value_heads"]
    head_dim = h // heads
    return {
        "qkv_proj": (h, (heads + 2 * kv) * head_dim),
        "o_proj": (heads * head_dim, h),
        "gate_up_proj": (h, 2 * inter),
        "down_proj": (inter, h),
    }


def estimate_memory(cfg: Config) -> MemoryEstimate:
    """Peak GPU memory of one training process, part by part, as medtune's trainer runs it.

    - QLoRA: NF4 weights with double quantization (~4.13 bits each); PEFT's k-bit preparation
      upcasts the (tied) embedding to fp32. LoRA on an 8-bit base: int8 weights, the same fp32
      embedding. LoRA and full: 16-bit weights and embedding.
    - LoRA adapters: weights, gradients and fp32 Adam moments (16 bytes per parameter).
    - Full and Spectrum: 16-bit gradients and Adam moments on every trained weight (6 bytes).
    - Activations: every layer's saved tensors, or with gradient checkpointing one hidden state
      per layer plus one layer recomputed.
    - Logits: TRL's fused LM head scores tiles of 4096 tokens x 32768 vocabulary rows, so the
      200k-vocabulary logits of the whole batch, which would dominate, are never materialised.
    """
    a, source = model_architecture(cfg)
    h, inter, L = a["hidden_size"], a["intermediate_size"], a["num_hidden_layers"]
    vocab = a["vocab_size"]
    per_layer = _per_layer_shapes(a)
    linear = L * sum(i * o for i, o in per_layer.values())
    embed = vocab * h
    method = cfg.fine_tuning.method
    half = 2  # bf16 / fp16 bytes
    parts: dict[str, float] = {}
    notes: list[str] = []
    if method == "qlora":
        parts["weights (NF4, double quant)"] = linear * 4.127 / 8
        parts["embedding (tied, fp32 after k-bit preparation)"] = embed * 4
    elif cfg.model.load_in_8bit and method == "lora":  # LLM.int8: one byte a weight, a row scale each
        parts["weights (int8)"] = linear * 1.0
        parts["embedding (tied, fp32 after k-bit preparation)"] = embed * 4
    else:
        parts["weights (16-bit)"] = linear * half
        parts["embedding (tied, 16-bit)"] = embed * half

    if method in ("qlora", "lora"):
        targets = cfg.lora.target_modules
        names = per_layer if targets == "all-linear" else {t: per_layer[t] for t in targets if t in per_layer}
        lora_params = L * sum(cfg.lora.r * (i + o) for i, o in names.values())
        parts["LoRA weights, grads, Adam states (fp32)"] = lora_params * 16
    elif method == "full":
        parts["grads + Adam states (16-bit)"] = (linear + embed) * 6
    else:  # spectrum trains a share of the decoder's matrices
        chosen = cfg.fine_tuning.layers_to_finetune
        share = 1 - cfg.fine_tuning.snr_threshold / 100 if chosen == "auto" else min(1.0, len(chosen) / (4 * L))
        parts["grads + Adam states (Spectrum share, 16-bit)"] = linear * max(share, 1 / (4 * L)) * 6

    tokens = cfg.training.per_device_train_batch_size * cfg.data.max_seq_length
    act_per_token_layer = 34 * h + 4 * inter  # 16-bit activations saved for backward (no attention matrix with sdpa/flash)
    if cfg.training.gradient_checkpointing:
        parts["activations (checkpointed)"] = tokens * (L * h * half + act_per_token_layer)
    else:
        parts["activations"] = tokens * L * act_per_token_layer
    # One tile of 16-bit logits, its fp32 softmax statistics and gradient.
    tile = min(tokens, FUSED_HEAD_TOKENS) * min(vocab, FUSED_HEAD_VOCAB)
    parts["logits (fused LM head, one tile)"] = tile * (half + 4 + 4)
    full_logits = tokens * vocab * (half + 4 + 4)
    notes.append(
        f"the full logits of a batch ({tokens} tokens x {vocab} vocabulary) would take {full_logits / GiB:.1f} GiB; "
        "TRL's fused LM head computes the loss in tiles instead"
    )
    parts["CUDA context and allocator slack"] = 0.8 * GiB
    return MemoryEstimate(parts, a, source, tokens, notes)


def format_estimate(est: MemoryEstimate) -> str:
    lines = [f"estimated peak GPU memory ({est.arch_source}; {est.tokens} tokens per device step):"]
    width = max(len(k) for k in est.parts)
    for k, v in est.parts.items():
        lines.append(f"  {k.ljust(width)}  {v / GiB:8.2f} GiB")
    lines.append(f"  {'total'.ljust(width)}  {est.total / GiB:8.2f} GiB")
    lines += [f"  note: {n}" for n in est.notes]
    return "\n".join(lines)
