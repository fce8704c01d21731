"""`medtune export RUN [--merge] [--out DIR]`: hand a trained run to the outside world.

Without ``--merge``: the PEFT adapter (or, for full and Spectrum runs, the whole model) with its
tokenizer, generation config and model card. With ``--merge``: the adapter folded into the base
weights, loaded unquantized in fp32 for an exact merge and saved as bf16 safetensors, so plain
``AutoModelForCausalLM.from_pretrained(DIR)`` loads it with no medtune and no PEFT installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from medtune import runs
from medtune.errors import RunError
from medtune.runs import Run


def export_run(run: Run, out: Path | None = None, merge: bool = False) -> Path:
    """Export a finished run (from :func:`medtune.runs.open_run`); returns the output directory
    (default RUN/export or RUN/merged). ``merge`` on a full or Spectrum run copies its whole model,
    which is already what a merge would give."""
    source = run.require_weights()
    if run.dir is None:
        raise RunError(f"{run.name} is already a merged export; nothing to export")
    out = Path(out) if out else run.dir / ("merged" if merge else "export")
    if out.exists() and any(out.iterdir()):
        raise RunError(f"{out} exists and is not empty; choose another --out or remove it")
    if merge and run.adapter_dir is not None:
        _merge(run.config, run.adapter_dir, out)
    else:
        shutil.copytree(source, out, dirs_exist_ok=True)
    card = run.file(runs.CARD_FILE)
    if card.is_file():
        shutil.copy2(card, out / runs.CARD_FILE)
    return out


def _merge(cfg, adapter_dir: Path, out: Path) -> None:
    import torch
    from peft import PeftModel

    from medtune.model import generation_config_for, load_model, load_tokenizer, resolve_model_source

    source = resolve_model_source(cfg)
    base = load_model(cfg, source, quantize=False, dtype=torch.float32)
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    head, embed = merged.get_output_embeddings(), merged.get_input_embeddings()
    if head is not None and head.weight.data_ptr() != embed.weight.data_ptr():
        # A trained output head (lora.modules_to_save: [lm_head]) no longer equals the embedding:
        # save it untied, or loading would tie it back to the embedding and lose it.
        merged.config.tie_word_embeddings = False
        merged.config.get_text_config().tie_word_embeddings = False
    merged = merged.to(torch.bfloat16)
    tokenizer = load_tokenizer(cfg, str(adapter_dir))
    merged.generation_config = generation_config_for(merged, tokenizer)
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))
