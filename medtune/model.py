"""Loading the base model and tokenizer: one path for the embedded dev model, a local directory
and a hub id alike, so what the tests exercise is what production runs.

Secure defaults: safetensors only, and ``trust_remote_code`` only when the config says so.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from medtune.config import Config
from medtune.embedded import ensure_embedded_model, is_embedded
from medtune.errors import MedtuneError
from medtune.phi4 import END, ENDOFTEXT
from medtune.runtime import warn

if TYPE_CHECKING:
    import torch


def resolve_model_source(cfg: Config) -> str:
    """A local directory or hub id that ``from_pretrained`` can read (builds the embedded model)."""
    name = cfg.model.base_model_name
    if is_embedded(name):
        cache = cfg.resolve_path(cfg.model.cache_dir) if cfg.model.cache_dir else None
        return str(ensure_embedded_model(name, cache))
    local = cfg.resolve_path(name)
    return str(local) if local.exists() else name


def _pretrained_kwargs(cfg: Config) -> dict:
    kw = {"trust_remote_code": cfg.model.trust_remote_code, "local_files_only": cfg.model.local_files_only}
    if cfg.model.revision:
        kw["revision"] = cfg.model.revision
    if cfg.model.cache_dir and not is_embedded(cfg.model.base_model_name):
        kw["cache_dir"] = str(cfg.resolve_path(cfg.model.cache_dir))
    return kw


def _load_error(what: str, source: str, exc: Exception) -> MedtuneError:
    hint = ""
    if "/" in source and not Path(source).exists():
        hint = (
            " (no network here? download it once with `hf download` and point model.base_model_name at the "
            "local directory, or set HF_HUB_OFFLINE=1 to use the local cache)"
        )
    return MedtuneError(f"cannot load the {what} from {source}: {exc}{hint}")


def load_tokenizer(cfg: Config, source: str | None = None):
    from transformers import AutoTokenizer

    source = source or resolve_model_source(cfg)
    try:
        tok = AutoTokenizer.from_pretrained(source, **_pretrained_kwargs(cfg))
    except (OSError, ValueError) as exc:
        raise _load_error("tokenizer", source, exc) from None
    if not tok.chat_template:
        raise MedtuneError(f"the tokenizer at {source} has no chat template; medtune trains chat models")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def stop_token_ids(tokenizer) -> list[int]:
    """Generation must stop on Phi-4-mini's end-of-turn and end-of-text tokens."""
    vocab = tokenizer.get_vocab()
    ids = [vocab[t] for t in (END, ENDOFTEXT) if t in vocab]
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    return ids


def has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def compute_dtype(cfg: Config) -> torch.dtype:
    """bf16 on GPUs that support it (or as configured), fp32 on CPU."""
    import torch

    if not has_cuda():
        return torch.float32
    name = cfg.model.torch_dtype
    if name == "auto":
        if cfg.training.fp16:
            return torch.float16
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return getattr(torch, name)


def attn_implementation(cfg: Config) -> str:
    """flash_attention_2 when it can run, otherwise sdpa with a one-line warning."""
    want = cfg.model.attn_implementation
    if want in ("sdpa", "eager"):
        return want
    flash_ok = importlib.util.find_spec("flash_attn") is not None and has_cuda()
    if flash_ok:
        return "flash_attention_2"
    if want == "flash_attention_2" or has_cuda():
        warn("flash-attn is not installed or no CUDA device: using sdpa attention")
    return "sdpa"


def is_quantized(cfg: Config) -> bool:
    """The base loads quantized: 4-bit for qlora, 8-bit for lora with model.load_in_8bit."""
    if cfg.model.load_in_8bit:
        return cfg.fine_tuning.method == "lora"
    return cfg.fine_tuning.method == "qlora" and cfg.model.quantization_config.load_in_4bit


def bnb_config(cfg: Config):
    """The BitsAndBytesConfig for QLoRA (NF4, double quant) or an 8-bit LoRA base, else None."""
    if not is_quantized(cfg):
        return None
    import torch
    from transformers import BitsAndBytesConfig

    if cfg.model.load_in_8bit:  # LLM.int8: outlier features stay 16-bit
        return BitsAndBytesConfig(load_in_8bit=True)

    q = cfg.model.quantization_config
    dtype = getattr(torch, q.bnb_4bit_compute_dtype) if has_cuda() else torch.float32
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=q.bnb_4bit_quant_type,
        bnb_4bit_use_double_quant=q.bnb_4bit_use_double_quant,
        bnb_4bit_compute_dtype=dtype,
        # CPU computes in fp32 whatever the config says, so it keeps the plain uint8 storage.
        bnb_4bit_quant_storage=getattr(torch, q.bnb_4bit_quant_storage) if has_cuda() else torch.uint8,
    )


def device_map(cfg: Config) -> str | dict | None:
    from medtune import distributed

    if not has_cuda():
        return "cpu" if is_quantized(cfg) else None
    if distributed.world_size() > 1:  # one full copy per process under DDP
        return {"": distributed.local_rank()}
    return cfg.model.device_map


def load_model(cfg: Config, source: str | None = None, quantize: bool = True, dtype: torch.dtype | None = None):
    """The base causal LM as the config describes it (quantized for QLoRA when ``quantize``).

    ``dtype`` overrides the compute dtype, e.g. float32 to merge an adapter without rounding.
    """
    from transformers import AutoModelForCausalLM

    source = source or resolve_model_source(cfg)
    kwargs = dict(_pretrained_kwargs(cfg))
    kwargs.update(dtype=dtype or compute_dtype(cfg), attn_implementation=attn_implementation(cfg), use_safetensors=True)
    q = bnb_config(cfg) if quantize else None
    if q is not None:
        kwargs["quantization_config"] = q
    dm = device_map(cfg)
    if dm is not None:
        kwargs["device_map"] = dm
    try:
        model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as exc:
        raise _load_error("model", source, exc) from None
    if q is not None:
        keep_one_4bit_layout(model)
    return model


def keep_one_4bit_layout(model) -> None:
    """Stop bitsandbytes repacking 4-bit weights for its AVX512-BF16 CPU kernel.

    In eval mode without gradients, bitsandbytes converts each 4-bit weight to a CPU-specific
    layout, and converts it back, lossily ("best-effort inverse"), whenever a state dict is taken:
    an evaluation during training would then nudge the frozen base weights, and a reloaded adapter
    would no longer reproduce the trained model's logits. One layout keeps them identical.
    """
    for module in model.modules():
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False


def linear_module_names(model) -> list[str]:
    """Short names (``qkv_proj``, ``o_proj``...) of the model's linear layers, 4-bit ones included."""
    import torch

    names = {name.rsplit(".", 1)[-1] for name, mod in model.named_modules() if isinstance(mod, torch.nn.Linear)}
    return sorted(names)


def unmatched_targets(model, targets: list[str]) -> list[str]:
    """The entries of ``targets`` that name no module (PEFT's rule: the full name or its dotted suffix)."""
    names = [name for name, _ in model.named_modules() if name]
    return [t for t in targets if not any(n == t or n.endswith("." + t) for n in names)]


def generation_config_for(model, tokenizer):
    """The model's generation config, stopping on both ``<|end|>`` and ``<|endoftext|>``."""
    from transformers import GenerationConfig

    base = getattr(model, "generation_config", None)
    gen = GenerationConfig.from_dict(base.to_dict()) if base is not None else GenerationConfig()
    gen.eos_token_id = stop_token_ids(tokenizer)
    gen.pad_token_id = tokenizer.pad_token_id
    return gen


def load_for_inference(cfg: Config, *, adapter_dir: str | Path | None = None, merged_dir: str | Path | None = None):
    """Model and tokenizer ready to generate: the base, base + a PEFT adapter, or a whole model
    (a merged export, or a full or Spectrum run's model/). For an opened run (:func:`medtune.runs.open_run`):
    ``load_for_inference(run.config, adapter_dir=run.adapter_dir, merged_dir=run.model_dir)``.

    A QLoRA adapter goes on the same 4-bit NF4 base it was trained against (an 8-bit LoRA adapter
    on the same 8-bit base), so its logits match training; other runs load in the compute dtype (fp32 on CPU). The adapter stays unmerged.
    """
    from medtune.runs import check_weight_format  # open_run checks too, against the current project's switch

    for weights in (merged_dir, adapter_dir):
        if weights is not None:
            check_weight_format(Path(weights), cfg.model.allow_pickle_weights)
    if merged_dir is not None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(merged_dir)
        model = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=compute_dtype(cfg), use_safetensors=True)
    else:
        source = resolve_model_source(cfg)
        tok = load_tokenizer(cfg, str(adapter_dir) if adapter_dir else source)
        model = load_model(cfg, source, quantize=is_quantized(cfg))
        if adapter_dir is not None:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(adapter_dir))
    if has_cuda() and not hasattr(model, "hf_device_map"):
        model = model.to("cuda")
    model.eval()
    return model, tok


@dataclass
class Reply:
    text: str  # decoded without special tokens
    tokens: int  # generated tokens before the stop token
    stop_id: int | None  # the stop token that ended it, None when max_new_tokens ran out


def generate_greedy(
    model, tokenizer, conversations: Sequence[Sequence[dict]], max_new_tokens: int, batch_size: int, desc: str | None = None
) -> list[Reply]:
    """Greedy replies through the chat template, in input order, stopping on the stop tokens.

    Prompts are left-padded (generation continues from the right edge) and batched by length so
    batches pad little; the tokenizer's padding side is restored afterwards.
    """
    import torch
    from tqdm.auto import tqdm
    from transformers import GenerationConfig

    from medtune.chat_template import render

    stops = stop_token_ids(tokenizer)
    gen_cfg = GenerationConfig(
        do_sample=False,
        max_new_tokens=max_new_tokens,
        eos_token_id=stops,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stops[0],
    )
    device = model.get_input_embeddings().weight.device
    prompts = [render(tokenizer, list(c), add_generation_prompt=True) for c in conversations]
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    out: list[Reply | None] = [None] * len(prompts)
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        for idx in tqdm(batches, desc=desc, disable=desc is None, leave=False):
            enc = tokenizer([prompts[i] for i in idx], add_special_tokens=False, padding=True, return_tensors="pt").to(device)
            with torch.no_grad():
                seqs = model.generate(**enc, generation_config=gen_cfg)
            for i, ids in zip(idx, seqs[:, enc["input_ids"].shape[1] :].tolist(), strict=True):
                stop_at = next((j for j, t in enumerate(ids) if t in stops), None)
                kept = ids if stop_at is None else ids[:stop_at]
                text = tokenizer.decode(kept, skip_special_tokens=True).strip()
                out[i] = Reply(text, len(kept), None if stop_at is None else ids[stop_at])
    finally:
        tokenizer.padding_side = side
    return out  # type: ignore[return-value]
