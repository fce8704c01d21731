"""The README.md model card of a run: what it is, how it was made, how well it did, and what it
is not for (a medical disclaimer first). Written by training when a run finishes and copied by
export beside the weights.
"""

from __future__ import annotations

from typing import Any

from medtune.config import Config
from medtune.embedded import EMBEDDED_PREFIX


def model_card(meta: dict, cfg: Config) -> str:
    """README.md for a run: what it is, how it was made, how well it did, and what it is not for."""
    t, lora, method = cfg.training, cfg.lora, cfg.fine_tuning.method
    fm = meta.get("final_metrics") or {}
    data = meta.get("dataset") or {}
    rows = data.get("rows") or {}

    def fmt(v: Any) -> str:
        return f"{v:.4g}" if isinstance(v, float) else ("n/a" if v is None else str(v))

    hp = [
        ("method", method),
        ("learning rate", t.learning_rate),
        ("epochs", t.num_train_epochs if t.max_steps <= 0 else f"max_steps {t.max_steps}"),
        ("effective batch size", meta.get("effective_batch_size")),
        ("max sequence length", cfg.data.max_seq_length),
        ("scheduler", f"{t.lr_scheduler_type}, warmup {t.warmup_steps or t.warmup_ratio}"),
        ("optimizer", t.optim),
        ("seed", t.seed),
    ]
    if method in ("qlora", "lora"):
        targets = lora.target_modules if isinstance(lora.target_modules, str) else ", ".join(lora.target_modules)
        hp += [("LoRA rank / alpha / dropout", f"{lora.r} / {lora.lora_alpha} / {lora.lora_dropout}"), ("target modules", targets)]
    if method == "qlora":
        q = cfg.model.quantization_config
        hp.append(("quantization", f"4-bit {q.bnb_4bit_quant_type}, double quant {q.bnb_4bit_use_double_quant}"))
    if method == "spectrum":
        sel = (meta.get("spectrum") or {}).get("selected") or []
        hp.append(("spectrum", f"{len(sel)} matrices trained, SNR percentile {cfg.fine_tuning.snr_threshold:g}"))
    sources = [
        f"- `{p.get('path', '?')}` ({p.get('rows', '?')} rows, licence: {p.get('license') or 'not stated'})"
        for p in data.get("provenance") or []
    ]
    loads = "adapter/ (a PEFT adapter to load on the base model)" if method in ("qlora", "lora") else "model/ (the whole model)"
    lines = [
        f"# {meta.get('run_name', 'medtune run')}",
        "",
        f"A medical information assistant fine-tuned from `{cfg.model.base_model_name}` with medtune ({method}).",
        f"The trained weights are in {loads}; `medtune export {meta.get('run_name', 'RUN')} --merge` writes a standalone model.",
        "",
        "> **Medical disclaimer.** This model gives general health information. It is not a doctor, does not "
        "diagnose or prescribe, and can be wrong or out of date. Do not use it for emergencies or for decisions "
        "about diagnosis, treatment or dosing: call your local emergency number in an emergency, and consult a "
        "qualified clinician or pharmacist otherwise.",
        "",
        "## Training data",
        f"- rows: {rows.get('train', '?')} train, {rows.get('eval', '?')} eval; fingerprint `{str(data.get('fingerprint', ''))[:16]}`",
        *sources,
        "- every conversation carries the configured system prompt; loss on assistant turns only, `<|end|>` included",
        "",
        "## Hyperparameters",
        *[f"- {k}: {fmt(v)}" for k, v in hp],
        "",
        "## Results",
        f"- steps: {fmt(fm.get('global_step'))}, epochs: {fmt(fm.get('epoch'))}",
        f"- final training loss: {fmt(fm.get('final_loss'))} (mean over the run {fmt(fm.get('train_loss'))})",
        f"- eval loss: {fmt(fm.get('eval_loss'))}",
        f"- throughput: {fmt(fm.get('tokens_per_second'))} tokens/s on {'GPU' if (meta.get('hardware') or {}).get('cuda') else 'CPU'}",
        "",
        "## Intended use",
        "Research and prototyping of a medical information assistant that is served behind medtune's safety "
        "layer, which defers emergencies and requests for diagnosis or dosing to professionals.",
        "",
        "## Limitations",
        "- Trained on a small curated set of conversations; it will not know about many conditions and can state "
        "falsehoods fluently.",
        "- Not evaluated for clinical safety; do not deploy without the safety layer and human review.",
        "- Inherits the biases and knowledge cut-off of the base model.",
    ]
    if str(cfg.model.base_model_name).startswith(EMBEDDED_PREFIX):
        lines.append("- Trained from the embedded development model (random weights): it proves the pipeline, it knows nothing.")
    lines += [
        "",
        "## Reproduce",
        f"config hash `{meta.get('config_sha256', '')[:16]}`, git commit `{(meta.get('git') or {}).get('commit')}`"
        f"{' (dirty)' if (meta.get('git') or {}).get('dirty') else ''}; the resolved config is config.yaml.",
        "",
    ]
    return "\n".join(lines)
