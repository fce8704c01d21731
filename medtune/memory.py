"""Peak GPU memory estimate for a training config, from the model's architecture alone.

At Phi-4-mini's 200k vocabulary the logits, not the weights, dominate: batch 8 x 2048 tokens of
fp32 logits and their gradient are tens of GB. The estimate says so before a user rents a GPU.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from medtune.config import Config
from medtune.embedded import EMBEDDED_MODELS, is_embedded

# Phi-4-mini-instruct's config.json, for when it is not in the local cache.
PHI4_MINI = {
    "hidden_size": 3072,
    "intermediate_size": 8192,
    "num_hidden_layers": 32,
    "num_attention_heads": 24,
    "num_key_value_heads": 8,
    "vocab_size": 200064,
    "tie_word_embeddings": True,
}
GiB = 1024**3


@dataclass
class MemoryEstimate:
    parts: dict[str, float]  # bytes
    architecture: dict
    arch_source: str
    tokens: int

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


def estimate_memory(cfg: Config) -> MemoryEstimate:
    a, source = model_architecture(cfg)
    h, inter, L = a["hidden_size"], a["intermediate_size"], a["num_hidden_layers"]
    heads, kv = a["num_attention_heads"], a["num_key_value_heads"]
    vocab = a["vocab_size"]
    head_dim = h // heads
    per_layer = {
        "qkv_proj": (h, (heads + 2 * kv) * head_dim),
        "o_proj": (heads * head_dim, h),
        "gate_up_proj": (h, 2 * inter),
        "down_proj": (inter, h),
    }
    linear = L * sum(i * o for i, o in per_layer.values())
    embed = vocab * h
    method = cfg.fine_tuning.method
    half = 2  # bf16 / fp16 bytes
    parts: dict[str, float] = {}
    if method == "qlora":
        parts["weights (NF4, double quant)"] = linear * 4.127 / 8
    else:
        parts["weights (16-bit)"] = linear * half
    parts["embedding (tied, 16-bit)"] = embed * half

    if method in ("qlora", "lora"):
        targets = cfg.lora.target_modules
        names = per_layer if targets == "all-linear" else {t: per_layer[t] for t in targets if t in per_layer}
        lora_params = L * sum(cfg.lora.r * (i + o) for i, o in names.values())
        parts["LoRA weights, grads, Adam states (fp32)"] = lora_params * 16
    elif method == "full":
        parts["grads + fp32 master + Adam states"] = (linear + embed) * 14
    else:  # spectrum trains a share of the matrices
        share = 1 - cfg.fine_tuning.snr_threshold / 100
        parts["grads + Adam states (Spectrum share)"] = (linear * share) * 14

    tokens = cfg.training.per_device_train_batch_size * cfg.data.max_seq_length
    act_per_token_layer = 34 * h + 4 * inter  # 16-bit activations saved for backward (no attention matrix with sdpa/flash)
    if cfg.training.gradient_checkpointing:
        parts["activations (checkpointed)"] = tokens * (L * h * half + act_per_token_layer)
    else:
        parts["activations"] = tokens * L * act_per_token_layer
    logit_tokens = 1024 * 8 if cfg.training.loss_type == "chunked_nll" else tokens
    # 16-bit logits, their fp32 upcast for the loss, and the fp32 gradient of the logits.
    parts["logits + loss"] = logit_tokens * vocab * (half + 4 + 4)
    parts["CUDA context and allocator slack"] = 0.8 * GiB
    return MemoryEstimate(parts, a, source, tokens)


def format_estimate(est: MemoryEstimate) -> str:
    lines = [f"estimated peak GPU memory ({est.arch_source}; {est.tokens} tokens per device step):"]
    width = max(len(k) for k in est.parts)
    for k, v in est.parts.items():
        lines.append(f"  {k.ljust(width)}  {v / GiB:8.2f} GiB")
    lines.append(f"  {'total'.ljust(width)}  {est.total / GiB:8.2f} GiB")
    return "\n".join(lines)
