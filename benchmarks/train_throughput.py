"""Training throughput of medtune's QLoRA path against plain Hugging Face + PEFT (issue 10).

A randomly initialised model with Phi-4-mini's exact architecture (``medtune.phi4.ARCHITECTURE``:
Phi3ForCausalLM, hidden 3072, intermediate 8192, 32 layers, 24 heads / 8 KV heads, head dim 128,
partial rotary 0.75, vocab 200064, tied embeddings, rope theta 10000) is saved as safetensors once and loaded 4-bit (NF4,
double quant, bf16 compute). Every variant sees the same synthetic data (lengths from a fixed
histogram between 200 and 2048 tokens, Zipf-distributed ids, the first half of each sequence
masked), the same seed and the same optimizer; the first ``--warmup`` steps are not timed and
every timed step is bracketed by ``torch.cuda.synchronize()``.

Variants (each one measurement, run in its own process, under 10 minutes):

  baseline        transformers Trainer + PEFT as a user writes it: LoRA r32/a64 all-linear, SDPA,
                  gradient checkpointing, bf16, batch 8, max len 2048, padded batches, the model's
                  own loss (full logits)
  fused_ce        medtune's path (TRL SFTTrainer: fused, chunked LM-head loss), nothing else
  packing         baseline + padding-free BFD packing (TRL's packer and collator), full-logit loss
  liger           baseline + Liger kernels (RMSNorm, SwiGLU; RoPE off: Phi-4-mini's partial rotary)
  medtune         medtune's path with its switches on: fused loss + packing (+ Liger if installed)
  medtune_compile medtune + training.torch_compile
  medtune_bs{N}   medtune at batch N (the best-batch sweep, --batch-sizes)
  maxlen_baseline / maxlen_medtune   longest single sequence that trains at batch 1

Per variant: non-padding and supervised tokens/s, peak allocated/reserved memory, MFU
(16.8 GFLOP per token, 790 TFLOP/s bf16 peak), loss at step 30 and its difference to the baseline.

    python benchmarks/train_throughput.py --out benchmarks/results/h200.json       # GPU
    python benchmarks/train_throughput.py --variants baseline,medtune              # a subset
    python benchmarks/train_throughput.py --smoke                                  # CPU, tiny, seconds

``--smoke`` uses a tiny model of the same shape ratios on CPU (fp32 compute, still 4-bit NF4):
it proves the script runs, its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from medtune import phi4  # noqa: E402  (after the sys.path line: runs from a checkout)

PHI4_MINI_ARCH = dict(phi4.ARCHITECTURE)  # microsoft/Phi-4-mini-instruct's config.json, longrope left out
# Same ratios, tiny: hidden/heads = 32 = head dim, 3:1 query to KV heads, intermediate = 8/3 hidden.
SMOKE_ARCH = {
    "hidden_size": 96,
    "intermediate_size": 256,
    "num_hidden_layers": 2,
    "num_attention_heads": 3,
    "num_key_value_heads": 1,
    "head_dim": 32,
    "partial_rotary_factor": 0.75,
    "vocab_size": 4096,  # the embedded tokenizer's size: its pad and eos ids must exist
    "tie_word_embeddings": True,
    "rope_theta": 10000.0,
    "max_position_embeddings": 4096,
}
PHI4_FLOPS_PER_TOKEN = 16.8e9  # forward + backward of frozen 4-bit weights, len 2048, no recompute
PEAK_FLOPS = 790e12  # H200 dense bf16
LENGTH_HISTOGRAM = [(200, 400, 0.30), (400, 800, 0.35), (800, 1400, 0.20), (1400, 2049, 0.15)]  # tokens, share
IGNORE = -100

VARIANTS = {
    "baseline": {"runner": "plain"},
    "fused_ce": {"runner": "medtune", "packing": False},
    "packing": {"runner": "plain", "packing": True, "needs": ["trl"]},
    "liger": {"runner": "plain", "liger": True, "needs": ["liger_kernel"]},
    "medtune": {"runner": "medtune", "packing": True, "liger": "if_available"},
    "medtune_compile": {"runner": "medtune", "packing": True, "liger": "if_available", "compile": True},
    "maxlen_baseline": {"runner": "plain", "probe": True},
    "maxlen_medtune": {"runner": "medtune", "packing": True, "liger": "if_available", "probe": True},
}
DEFAULT_VARIANTS = ["baseline", "fused_ce", "packing", "liger", "medtune", "medtune_compile", "maxlen_baseline", "maxlen_medtune"]
SMOKE_VARIANTS = ["baseline", "fused_ce", "packing", "liger", "medtune", "medtune_compile", "maxlen_baseline", "maxlen_medtune"]


# --------------------------------------------------------------------------------------------
# Model and data
# --------------------------------------------------------------------------------------------


def build_model(model_dir: Path, arch: dict, cuda: bool) -> None:
    """Save a random Phi3ForCausalLM with ``arch`` (safetensors) plus a tokenizer, once."""
    if (model_dir / "config.json").is_file() and (model_dir / "tokenizer_config.json").is_file():
        return
    import torch
    from transformers import Phi3Config, Phi3ForCausalLM, set_seed

    from medtune.embedded import ensure_embedded_model

    model_dir.mkdir(parents=True, exist_ok=True)
    cfg = dict(arch)
    rope = {"rope_type": "default", "rope_theta": cfg.pop("rope_theta"), "partial_rotary_factor": cfg.pop("partial_rotary_factor")}
    config = Phi3Config(**cfg, rope_parameters=rope, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    set_seed(0)
    dtype = torch.bfloat16 if cuda else torch.float32
    with torch.device("cuda" if cuda else "cpu"):
        model = Phi3ForCausalLM(config).to(dtype)
    model.save_pretrained(str(model_dir), safe_serialization=True)
    del model
    # Phi-4-mini's special tokens and chat template; only the pad/eos ids matter to the trainers.
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(ensure_embedded_model("embedded:tiny-phi4-mini")))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.save_pretrained(str(model_dir))


def synthetic_rows(n: int, max_len: int, vocab: int, seed: int) -> list[dict]:
    """``n`` sequences with lengths from LENGTH_HISTOGRAM (scaled to ``max_len``), Zipf token ids,
    the first half of each masked (a prompt) and the second half supervised (the answer)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    scale = max_len / 2048
    bins = rng.choice(len(LENGTH_HISTOGRAM), size=n, p=[b[2] for b in LENGTH_HISTOGRAM])
    rows = []
    for b in bins:
        lo, hi, _ = LENGTH_HISTOGRAM[b]
        length = max(8, min(max_len, int(rng.integers(lo, hi) * scale)))
        ids = np.minimum(rng.zipf(1.3, size=length) + 3, vocab - 1).astype(int).tolist()
        half = length // 2
        rows.append({"input_ids": ids, "labels": [IGNORE] * half + ids[half:]})
    return rows


def flops_per_token(arch: dict, seq_len: int) -> float:
    """Forward + backward FLOPs per token with frozen base weights (input gradients only): 4 x the
    matmul parameters, plus causal attention. Phi-4-mini at 2048 gives about 16.5e9; the issue's
    16.8e9 (which counts the LoRA matmuls too) is used for the real architecture."""
    if arch == PHI4_MINI_ARCH:
        return PHI4_FLOPS_PER_TOKEN
    h, inter, layers, heads, kv, hd = (arch[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim"))
    per_layer = h * (heads + 2 * kv) * hd + heads * hd * h + 3 * h * inter
    params = layers * per_layer + arch["vocab_size"] * h
    attention = 3 * 2 * layers * seq_len * heads * hd
    return 4 * params + attention


# --------------------------------------------------------------------------------------------
# One measurement (runs in its own process)
# --------------------------------------------------------------------------------------------


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


class CountingCollator:
    """Wraps a collator and records each batch's non-padding and supervised token counts, in order."""

    def __init__(self, inner):
        self.inner = inner
        self.batches: list[tuple[int, int]] = []

    def __call__(self, examples):
        out = self.inner(examples)
        if "attention_mask" in out:
            tokens = int(out["attention_mask"].sum())
        else:  # padding-free: one flattened row, no padding (pad_to_multiple_of is off)
            tokens = int(out["input_ids"].numel())
        self.batches.append((tokens, int((out["labels"] != IGNORE).sum())))
        return out


def _timer_callback(cuda: bool):
    import torch
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.times: list[float] = []
            self._t0 = 0.0

        def on_train_begin(self, args, state, control, **kw):
            if cuda:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()

        def on_step_begin(self, args, state, control, **kw):
            if cuda:
                torch.cuda.synchronize()
            self._t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            if cuda:
                torch.cuda.synchronize()
            self.times.append(time.perf_counter() - self._t0)

    return StepTimer()


def _medtune_config(opts: dict, spec: dict, batch: int, run_dir: Path):
    from medtune.config import Config

    liger = spec.get("liger") is True or (spec.get("liger") == "if_available" and _installed("liger_kernel") and opts["cuda"])
    data = {
        "model": {
            "base_model_name": opts["model_dir"],
            "attn_implementation": opts["attn"],
            "quantization_config": {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": True,
                                    "bnb_4bit_compute_dtype": "bfloat16" if opts["cuda"] else "float32"},
        },
        "fine_tuning": {"method": "qlora"},
        "lora": {"r": 32, "lora_alpha": 64, "lora_dropout": 0.05, "target_modules": list(phi4.LINEAR_MODULES)},
        "training": {
            "output_dir": str(run_dir), "max_steps": opts["warmup"] + opts["steps"], "per_device_train_batch_size": batch,
            "gradient_accumulation_steps": 1, "learning_rate": 2e-4, "warmup_ratio": 0.0, "lr_scheduler_type": "constant",
            "optim": opts["optim"], "bf16": opts["cuda"], "gradient_checkpointing": True, "logging_steps": 1,
            "save_strategy": "no", "eval_strategy": "no", "report_to": [], "seed": opts["seed"], "data_seed": opts["seed"],
            "dataloader_num_workers": 0, "packing": bool(spec.get("packing")),
            "use_liger_kernel": liger, "torch_compile": bool(spec.get("compile")),
        },
        "data": {"max_seq_length": opts["max_len"]},
    }
    return Config.model_validate(data)


def _plain_trainer(opts: dict, spec: dict, batch: int, rows: list[dict], run_dir: Path, callbacks: list):
    """What a user writes with transformers + PEFT: no medtune, no TRL (except TRL's packer for 'packing')."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        BitsAndBytesConfig,
        DataCollatorForSeq2Seq,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    cuda = opts["cuda"]
    dtype = torch.bfloat16 if cuda else torch.float32
    tok = AutoTokenizer.from_pretrained(opts["model_dir"])
    set_seed(opts["seed"])
    bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=dtype)
    model = AutoModelForCausalLM.from_pretrained(
        opts["model_dir"], quantization_config=bnb, dtype=dtype, attn_implementation=opts["attn"],
        device_map={"": 0} if cuda else "cpu", use_safetensors=True,
    )
    model.config.use_cache = False
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)  # the Trainer turns it on
    model = get_peft_model(model, LoraConfig(r=32, lora_alpha=64, lora_dropout=0.05, target_modules="all-linear", task_type="CAUSAL_LM"))
    if spec.get("liger"):
        from liger_kernel.transformers import _apply_liger_kernel_to_instance

        _apply_liger_kernel_to_instance(model=model.get_base_model(), rope=False, cross_entropy=False, fused_linear_cross_entropy=False, rms_norm=True, swiglu=True)
    dataset = Dataset.from_list(rows)
    if spec.get("packing"):
        from trl.data_utils import pack_dataset
        from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

        dataset = pack_dataset(dataset, opts["max_len"], "bfd")
        collator = DataCollatorForLanguageModeling(pad_token_id=tok.pad_token_id, padding_free=True)
    else:
        collator = DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=IGNORE)
    args = TrainingArguments(
        output_dir=str(run_dir), max_steps=opts["warmup"] + opts["steps"], per_device_train_batch_size=batch,
        gradient_accumulation_steps=1, learning_rate=2e-4, warmup_steps=0, lr_scheduler_type="constant", optim=opts["optim"],
        bf16=cuda, gradient_checkpointing=True, gradient_checkpointing_kwargs={"use_reentrant": False}, logging_steps=1,
        save_strategy="no", eval_strategy="no", report_to="none", seed=opts["seed"], data_seed=opts["seed"],
        dataloader_num_workers=0, remove_unused_columns=False, use_cpu=not cuda, disable_tqdm=True,
    )
    return Trainer(model=model, args=args, train_dataset=dataset, data_collator=collator, processing_class=tok, callbacks=callbacks)


def _medtune_trainer(opts: dict, spec: dict, batch: int, rows: list[dict], run_dir: Path, callbacks: list):
    """medtune's own code path: load_model (QLoRA), setup_model, training_arguments, build_trainer."""
    from types import SimpleNamespace

    from datasets import Dataset

    from medtune.model import load_tokenizer
    from medtune.train import build_trainer, check_environment, setup_model, training_arguments

    cfg = _medtune_config(opts, spec, batch, run_dir)
    check_environment(cfg)
    tok = load_tokenizer(cfg, opts["model_dir"])
    model, _ = setup_model(cfg, opts["model_dir"])
    args = training_arguments(cfg, run_dir, has_eval=False)
    args.disable_tqdm = True
    data = SimpleNamespace(train=Dataset.from_list(rows), eval=None)
    return build_trainer(cfg, model, tok, data, args, run_dir, callbacks)


def _probe_max_len(trainer, opts: dict, budget_s: float) -> dict:
    """Longest single sequence that trains (one real optimizer step through the same trainer, batch 1):
    doubling from max_len, then bisection to max_len / 4 tokens."""
    import gc

    import torch
    from datasets import Dataset

    limit = opts["probe_limit"]
    trainer.args.max_steps = 1
    trainer.args.logging_steps = 1

    def fits(length: int) -> bool:
        ids = synthetic_rows(1, 2048, opts["vocab"], opts["seed"])[0]["input_ids"]
        ids = (ids * (length // len(ids) + 1))[:length]
        trainer.train_dataset = Dataset.from_list([{"input_ids": ids, "labels": [IGNORE] * (length // 2) + ids[length // 2:]}])
        try:
            trainer.train()
            loss = trainer.state.log_history[-1].get("train_loss", float("nan"))
            ok = math.isfinite(loss)
        except (torch.OutOfMemoryError, RuntimeError) as exc:
            if "out of memory" not in str(exc).lower():
                raise
            ok = False
        trainer.optimizer, trainer.lr_scheduler = None, None
        trainer.model.zero_grad(set_to_none=True)
        trainer.accelerator.free_memory()
        gc.collect()
        if opts["cuda"]:
            torch.cuda.empty_cache()
        print(f"probe {length}: {'fits' if ok else 'out of memory'}", file=sys.stderr, flush=True)
        return ok

    started = time.time()
    lo, hi, length = 0, None, opts["max_len"]
    while length <= limit and time.time() - started < budget_s:
        if fits(length):
            lo, length = length, length * 2
        else:
            hi = length
            break
    step = max(16, opts["max_len"] // 4)
    while hi is not None and hi - lo > step and time.time() - started < budget_s:
        mid = (lo + hi) // 2 // step * step
        if mid <= lo:
            break
        if fits(mid):
            lo = mid
        else:
            hi = mid
    peak = round(torch.cuda.max_memory_allocated() / 2**30, 2) if opts["cuda"] else None
    return {"max_len_batch1": lo, "first_failure": hi, "probe_limit": limit, "probe_s": round(time.time() - started, 1),
            "note": f"fits up to the probe limit {limit}" if hi is None and lo >= limit else None, "peak_allocated_gib": peak}


def measure(name: str, opts: dict) -> dict:
    """One variant: train warmup + steps, time the steps after warm-up."""
    import torch

    if name.startswith("medtune_bs"):
        spec, batch = dict(VARIANTS["medtune"]), int(name.removeprefix("medtune_bs"))
    else:
        spec, batch = VARIANTS[name], 1 if VARIANTS[name].get("probe") else opts["batch"]
    missing = [m for m in spec.get("needs", []) if not _installed(m)]
    if spec.get("liger") is True and not opts["cuda"]:
        missing.append("a CUDA GPU (Liger's kernels are Triton)")
    if spec.get("compile") and not opts["cuda"]:
        return {"variant": name, "skipped": "torch.compile is measured on the GPU only (compiling on CPU takes minutes)"}
    if missing:
        return {"variant": name, "skipped": f"needs {', '.join(missing)}"}
    if spec.get("runner") == "plain" and not _installed("bitsandbytes") or spec.get("runner") == "medtune" and not (_installed("trl") and _installed("bitsandbytes")):
        return {"variant": name, "skipped": "needs trl and bitsandbytes (see benchmarks/README.md for carrying wheels)"}

    n_rows = max(64, batch * (opts["warmup"] + opts["steps"]) * 3)
    rows = synthetic_rows(n_rows, opts["max_len"], opts["vocab"], opts["seed"])
    timer = _timer_callback(opts["cuda"])
    with tempfile.TemporaryDirectory() as tmp:
        make = _plain_trainer if spec["runner"] == "plain" else _medtune_trainer
        trainer = make(opts, spec, batch, rows, Path(tmp), [timer])
        result: dict = {"variant": name, "runner": spec["runner"], "batch_size": batch, "packing": bool(spec.get("packing")),
                        "liger": bool(trainer.args.use_liger_kernel) if spec["runner"] == "medtune" else bool(spec.get("liger")),
                        "torch_compile": bool(trainer.args.torch_compile),
                        "attn_implementation": trainer.model.config._attn_implementation,
                        "loss": "fused LM head (TRL)" if spec["runner"] == "medtune" else "model forward with labels (full logits)"}
        if spec.get("probe"):
            if opts["cuda"]:
                torch.cuda.reset_peak_memory_stats()
            result.update(_probe_max_len(trainer, opts, budget_s=opts["budget_s"]))
            return result
        counter = CountingCollator(trainer.data_collator)
        trainer.data_collator = counter
        t0 = time.time()
        trainer.train()
        wall = time.time() - t0
    w = opts["warmup"]
    timed = timer.times[w:]
    batches = counter.batches[w : w + len(timed)]
    secs = sum(timed)
    tokens = sum(b[0] for b in batches)
    supervised = sum(b[1] for b in batches)
    losses = {h["step"]: h["loss"] for h in trainer.state.log_history if "loss" in h}
    at = min(30, max(losses)) if losses else None
    tok_s = tokens / secs if secs else None
    result.update(
        steps_timed=len(timed), warmup_steps=w, timed_s=round(secs, 3), wall_s=round(wall, 1),
        tokens_per_s=round(tok_s, 1) if tok_s else None,
        supervised_tokens_per_s=round(supervised / secs, 1) if secs else None,
        tokens_per_step=round(tokens / max(1, len(batches)), 1),
        peak_allocated_gib=round(torch.cuda.max_memory_allocated() / 2**30, 2) if opts["cuda"] else None,
        peak_reserved_gib=round(torch.cuda.max_memory_reserved() / 2**30, 2) if opts["cuda"] else None,
        mfu=round(tok_s * flops_per_token(opts["arch"], 2048 if not opts["smoke"] else opts["max_len"]) / PEAK_FLOPS, 4) if opts["cuda"] and tok_s else None,
        loss_step=at, loss_at_step=losses.get(at), first_loss=losses.get(1),
        losses=[round(losses[k], 5) for k in sorted(losses)],
    )
    return result


# --------------------------------------------------------------------------------------------
# The driver: one process per measurement, a JSON report
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny model on CPU: proves the script runs; not a performance result")
    p.add_argument("--variants", default=None, help=f"comma list (default: {','.join(DEFAULT_VARIANTS)} + the batch sweep)")
    p.add_argument("--batch-sizes", default="16,32", help="best-batch sweep of the medtune path (besides --batch)")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--model-dir", default=None, help="where the random model is saved (reused when present)")
    p.add_argument("--out", default=None, help="write the JSON report here too")
    p.add_argument("--timeout", type=int, default=600, help="seconds per measurement")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)
    p.add_argument("--opts", default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.one:  # a child: one measurement
        opts = json.loads(a.opts)
        print("RESULT " + json.dumps(measure(a.one, opts)), flush=True)
        return 0

    import torch

    cuda = torch.cuda.is_available() and not a.smoke
    arch = SMOKE_ARCH if a.smoke else PHI4_MINI_ARCH
    max_len = 256 if a.smoke else 2048
    if a.smoke:
        a.steps, a.warmup, a.batch = min(a.steps, 3), min(a.warmup, 1), min(a.batch, 4)
    default_dir = Path(os.environ.get("MEDTUNE_BENCH_DIR", Path.home() / ".cache" / "medtune" / "bench"))
    model_dir = Path(a.model_dir) if a.model_dir else default_dir / ("phi4mini-random-smoke" if a.smoke else "phi4mini-random")
    t0 = time.time()
    build_model(model_dir, arch, cuda)
    build_s = round(time.time() - t0, 1)
    if a.variants:
        names = a.variants.split(",")
    else:
        names = list(SMOKE_VARIANTS if a.smoke else DEFAULT_VARIANTS)
        names += [f"medtune_bs{b}" for b in a.batch_sizes.split(",") if b and not a.smoke]
    opts = {
        "model_dir": str(model_dir), "cuda": cuda, "smoke": a.smoke, "arch": arch, "vocab": arch["vocab_size"], "max_len": max_len,
        "batch": a.batch, "steps": a.steps, "warmup": a.warmup, "seed": a.seed,
        "optim": "paged_adamw_8bit" if cuda else "adamw_torch", "attn": "sdpa" if not _installed("flash_attn") or not cuda else "flash_attention_2",
        "probe_limit": 131072 if not a.smoke else 1024, "budget_s": a.timeout - 120,
    }
    results = []
    for name in names:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        cmd = [sys.executable, __file__, "--one", name, "--opts", json.dumps(opts)]
        print(f"[{name}] ...", file=sys.stderr, flush=True)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout, env=env)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            res = json.loads(line[7:]) if line else {"variant": name, "error": (proc.stderr or proc.stdout)[-2000:]}
        except subprocess.TimeoutExpired:
            res = {"variant": name, "error": f"over {a.timeout} s"}
        print(f"[{name}] {json.dumps({k: v for k, v in res.items() if k != 'losses'})}", file=sys.stderr, flush=True)
        results.append(res)

    # Loss check: against the run that saw the same batches. Packing changes which sequences share a
    # step (and a batch-size sweep changes the steps), so packed runs are checked against the packed
    # baseline ("packing": plain HF + packing, full-logit loss) and the sweep only reports its loss.
    by_name = {r["variant"]: r for r in results if r.get("loss_at_step") is not None}
    base = results and next((r for r in results if r["variant"] == "baseline" and r.get("tokens_per_s")), None)
    for r in results:
        ref = by_name.get("packing" if r.get("packing") else "baseline")
        if r.get("loss_at_step") is not None and ref and r.get("batch_size") == ref.get("batch_size"):
            r["loss_reference"] = ref["variant"]
            r["loss_diff"] = round(r["loss_at_step"] - ref["loss_at_step"], 5)
            r["loss_matches"] = abs(r["loss_diff"]) < 1e-2
        if base and r.get("tokens_per_s"):
            r["speedup_vs_baseline"] = round(r["tokens_per_s"] / base["tokens_per_s"], 3)
    timed = [r for r in results if r.get("tokens_per_s") and r["variant"].startswith("medtune")]
    report = {
        "smoke": a.smoke,
        "note": "smoke run: tiny model on CPU, NOT a performance result" if a.smoke else "GPU measurement",
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "versions": _versions(),
        "architecture": arch,
        "max_len": max_len, "steps": a.steps, "warmup": a.warmup, "seed": a.seed, "model_build_s": build_s,
        "results": results,
        "best_medtune": max(timed, key=lambda r: r["tokens_per_s"])["variant"] if timed else None,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(text + "\n", encoding="utf-8")
    return 0 if not any("error" in r for r in results) else 1


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("torch", "transformers", "peft", "accelerate", "trl", "bitsandbytes", "liger-kernel", "flash-attn"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


if __name__ == "__main__":
    sys.exit(main())
