"""The README.md model card of a run: what it is, how it was made, how well it did, and what it
is not for (a medical disclaimer first). Written by training when a run finishes (the run and its
adapter/ or model/), and by export beside what it writes (an adapter, a merged model).

Every card opens with Hugging Face model-card front matter (``base_model``, ``library_name``,
``pipeline_tag``, ``tags``, ``license``, ``datasets``), so the Hub, and any tool reading cards the
way the Hub does, sees what the directory is without reading the prose.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml

from medtune import runs
from medtune.config import Config
from medtune.embedded import EMBEDDED_PREFIX

# What a card sits beside: the run directory, a PEFT adapter, or a whole model (merged, or the
# model/ of a full or Spectrum run). The layout decides library_name and how to load it.
Layout = Literal["run", "adapter", "model"]

# Licence names people write in a dataset's `license:`, as the Hub's licence identifiers.
_HUB_LICENSES = {
    "apache-2.0": "apache-2.0", "apache 2.0": "apache-2.0", "apache": "apache-2.0", "mit": "mit",
    "cc0": "cc0-1.0", "cc0-1.0": "cc0-1.0", "cc-by-4.0": "cc-by-4.0", "cc by 4.0": "cc-by-4.0",
    "cc-by-sa-4.0": "cc-by-sa-4.0", "cc by-sa 4.0": "cc-by-sa-4.0", "cc by sa 4.0": "cc-by-sa-4.0",
    "cc-by-nc-4.0": "cc-by-nc-4.0", "cc by-nc 4.0": "cc-by-nc-4.0", "cc by nc 4.0": "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0": "cc-by-nc-sa-4.0", "cc by-nc-sa 4.0": "cc-by-nc-sa-4.0", "cc-by-3.0": "cc-by-3.0",
    "bsd-3-clause": "bsd-3-clause", "gpl-3.0": "gpl-3.0", "odc-by": "odc-by", "pddl": "pddl",
    "public domain": "cc0-1.0",
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_DATA_SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".parquet", ".txt", ".arrow")


def is_hub_id(name: str) -> bool:
    """``owner/name`` as the Hub spells repositories (not a local file, not ``embedded:``)."""
    return bool(_HUB_ID.match(name)) and not name.lower().endswith(_DATA_SUFFIXES)


def data_license(provenance: list[dict]) -> tuple[str | None, str | None]:
    """(Hub licence id, licence name) from the training data's licences: one known licence is
    that id; several are ``other`` with their names; any source without one leaves it unknown."""
    names = [str(p.get("license") or "").strip() for p in provenance]
    if not names or not all(names):
        return None, None
    ids = sorted({_HUB_LICENSES.get(n.lower(), "other") for n in names})
    if len(ids) == 1 and ids[0] != "other":
        return ids[0], None
    return "other", ", ".join(sorted(set(names)))


def front_matter(meta: dict, cfg: Config, layout: Layout = "run") -> dict:
    """The card's YAML header: what the Hub reads to list, filter and link this model."""
    method = cfg.fine_tuning.method
    adapter = layout == "adapter" or (layout == "run" and method in ("qlora", "lora"))
    base = str(cfg.model.base_model_name)
    provenance = (meta.get("dataset") or {}).get("provenance") or []
    fm: dict[str, Any] = {}
    if is_hub_id(base):
        fm["base_model"] = base
    fm["library_name"] = "peft" if adapter else "transformers"
    fm["pipeline_tag"] = "text-generation"
    fm["tags"] = ["medical", "medtune", "phi3", method] + (["lora"] if adapter else [])
    license_id, license_name = data_license(provenance)
    if license_id:
        fm["license"] = license_id
    if license_name:
        fm["license_name"] = license_name
    datasets = sorted({str(p["dataset"]) for p in provenance if p.get("dataset") and p.get("dataset") != p.get("path") and is_hub_id(str(p["dataset"]))})
    if datasets:
        fm["datasets"] = datasets
    return fm


def _how_to_load(meta: dict, cfg: Config, layout: Layout) -> list[str]:
    name, base = meta.get("run_name", "RUN"), cfg.model.base_model_name
    if layout == "adapter":
        return [
            "## This directory",
            f"A PEFT adapter for `{base}`: load the base model, then this adapter on it "
            "(`PeftModel.from_pretrained(base, DIR)`), or fold it in with "
            f"`medtune export {name} --merge`.",
            "",
        ]
    if layout == "model":
        return [
            "## This directory",
            "A standalone model: bf16 safetensors of the Phi-3 architecture (`Phi3ForCausalLM`), with the "
            "adapter (if any) merged into the base weights. `AutoModelForCausalLM.from_pretrained(DIR)` loads it "
            "with no medtune and no PEFT installed. The tokenizer is Phi-4-mini's byte-level BPE "
            "(`GPT2Tokenizer` in tokenizer_config.json, tokenizer.json beside it), which llama.cpp's converter "
            f"and other runtimes accept; `medtune export {name} --gguf` writes a GGUF file and an Ollama Modelfile.",
            "",
        ]
    return []


def model_card(meta: dict, cfg: Config, layout: Layout = "run") -> str:
    """README.md for a run (or its adapter, or a merged model): front matter, then what it is, how
    it was made, how well it did, and what it is not for."""
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
    header = yaml.safe_dump(front_matter(meta, cfg, layout), sort_keys=False, allow_unicode=True)
    lines = [
        "---",
        header.rstrip("\n"),
        "---",
        "",
        f"# {meta.get('run_name', 'medtune run')}",
        "",
        f"A medical information assistant fine-tuned from `{cfg.model.base_model_name}` with medtune ({method}).",
        (
            f"The trained weights are in {loads}; `medtune export {meta.get('run_name', 'RUN')} --merge` writes a standalone model."
            if layout == "run"
            else f"Exported from the medtune run `{meta.get('run_name', '?')}`; its training is described below."
        ),
        "",
        "> **Medical disclaimer.** This model gives general health information. It is not a doctor, does not "
        "diagnose or prescribe, and can be wrong or out of date. Do not use it for emergencies or for decisions "
        "about diagnosis, treatment or dosing: call your local emergency number in an emergency, and consult a "
        "qualified clinician or pharmacist otherwise.",
        "",
        *_how_to_load(meta, cfg, layout),
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


def write_run_cards(run_dir: Path, meta: dict, cfg: Config) -> None:
    """The run's README.md, and the card of its trained weights (adapter/ or model/) beside them,
    so either directory copied on its own still says what it is."""
    (run_dir / runs.CARD_FILE).write_text(model_card(meta, cfg), encoding="utf-8")
    adapter = cfg.fine_tuning.method in ("qlora", "lora")
    weights = run_dir / (runs.ADAPTER_DIR if adapter else runs.MODEL_DIR)
    if weights.is_dir():
        (weights / runs.CARD_FILE).write_text(model_card(meta, cfg, "adapter" if adapter else "model"), encoding="utf-8")
