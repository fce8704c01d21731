"""`medtune export RUN [--merge | --gguf [--quant f16|q8_0]] [--out DIR]`: hand a trained run to the outside world.

Without ``--merge``: the PEFT adapter (or, for full and Spectrum runs, the whole model) with its
tokenizer, generation config and model card. With ``--merge``: the adapter folded into the base
weights, loaded unquantized in fp32 for an exact merge and saved as bf16 safetensors, so plain
``AutoModelForCausalLM.from_pretrained(DIR)`` loads it with no medtune and no PEFT installed. Its
tokenizer_config.json names Phi-4-mini's own tokenizer class (``GPT2Tokenizer``, a byte-level BPE
read from tokenizer.json), not transformers 5's generic ``TokenizersBackend``, which older
transformers and llama.cpp's converter do not know. With ``--gguf``: the merged model as one GGUF
file for llama.cpp and Ollama (:mod:`medtune.gguf_export`), read back and checked against the
weights, with an Ollama Modelfile beside it (:mod:`medtune.ollama`).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from medtune import runs
from medtune.errors import RunError
from medtune.gguf_export import GGUFCheck, GGUFFile
from medtune.model_card import model_card
from medtune.runs import Run

MERGED_DIR, GGUF_DIR, EXPORT_DIR = "merged", "gguf", "export"
# Phi-4-mini's tokenizer_config.json names this class; llama.cpp's Phi-3 converter reads the
# vocabulary as GPT-2-style BPE only when it sees it (otherwise it looks for a sentencepiece
# tokenizer.model that Phi-4-mini does not have).
TOKENIZER_CLASS = "GPT2Tokenizer"


def export_run(run: Run, out: Path | None = None, merge: bool = False) -> Path:
    """Export a finished run (from :func:`medtune.runs.open_run`); returns the output directory
    (default RUN/export or RUN/merged). ``merge`` on a full or Spectrum run copies its whole model,
    which is already what a merge would give."""
    source = run.require_weights()
    if run.dir is None:
        raise RunError(f"{run.name} is already a merged export; nothing to export")
    out = Path(out) if out else run.dir / (MERGED_DIR if merge else EXPORT_DIR)
    if out.exists() and any(out.iterdir()):
        raise RunError(f"{out} exists and is not empty; choose another --out or remove it")
    if merge and run.adapter_dir is not None:
        _merge(run.config, run.adapter_dir, out)
    else:
        shutil.copytree(source, out, dirs_exist_ok=True)
    layout = "adapter" if run.adapter_dir is not None and not merge else "model"
    if layout == "model":
        portable_tokenizer_config(out)
    (out / runs.CARD_FILE).write_text(model_card(run.metadata, run.config, layout), encoding="utf-8")
    return out


def portable_tokenizer_config(model_dir: Path) -> None:
    """Name Phi-4-mini's tokenizer class in tokenizer_config.json (transformers 5 saves the
    generic ``TokenizersBackend``), with its no-bos/no-eos defaults and its extra special tokens
    under the key both major versions read. transformers 5 still loads the directory's
    tokenizer.json unchanged (config.json beside it says which model this is), transformers 4
    loads it as ``GPT2TokenizerFast`` with the same ids, and llama.cpp converts it as BPE."""
    path = model_dir / "tokenizer_config.json"
    if not path.is_file():
        return
    cfg = json.loads(path.read_text(encoding="utf-8"))
    cfg["tokenizer_class"] = TOKENIZER_CLASS
    cfg.pop("backend", None)  # transformers 5's marker for the generic class
    if isinstance(cfg.get("extra_special_tokens"), list):
        # transformers 5 lists them here; transformers 4 expects a mapping under this key (and
        # fails on a list) and reads the list as additional_special_tokens, which 5 reads too.
        cfg["additional_special_tokens"] = cfg.pop("extra_special_tokens")
    for key in ("add_bos_token", "add_eos_token", "add_prefix_space"):
        cfg.setdefault(key, False)
    path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class GGUFExport:
    file: GGUFFile
    check: GGUFCheck
    modelfile: Path
    model_dir: Path  # the merged (or whole) model the GGUF was written from
    merged_now: bool  # whether that merge was made for this export


def export_gguf(run: Run, out: Path | None = None, quant: str = "f16") -> GGUFExport:
    """The run as ``OUT/NAME-QUANT.gguf`` (default OUT: RUN/gguf) plus an Ollama Modelfile,
    written from its merged model (made in RUN/merged first when there is none yet) and read
    back against it before this returns."""
    from medtune.gguf_export import QUANTS, verify_gguf, write_gguf
    from medtune.ollama import MODELFILE, modelfile

    if quant not in QUANTS:
        raise RunError(f"--quant: {quant!r} is not one of {', '.join(QUANTS)}")
    run.require_weights()
    model_dir, merged_now = _whole_model(run)
    out = Path(out) if out else (run.dir or model_dir.parent) / GGUF_DIR
    path = out / f"{run.name}-{quant}.gguf"
    if path.exists():
        raise RunError(f"{path} exists; choose another --out or remove it")
    file = write_gguf(model_dir, path, quant, name=run.name)
    check = verify_gguf(file.path, model_dir, file.metadata)
    mf = out / MODELFILE
    mf.write_text(modelfile(path.name, run.config.safety.system_prompt), encoding="utf-8")
    return GGUFExport(file, check, mf, model_dir, merged_now)


def _whole_model(run: Run) -> tuple[Path, bool]:
    """The merged or whole model of a run, merging its adapter into RUN/merged when needed."""
    if run.adapter_dir is None:
        return run.model_dir, False
    merged = run.dir / MERGED_DIR
    if (merged / "config.json").is_file():
        adapter_time = max(p.stat().st_mtime for p in run.adapter_dir.iterdir())
        if (merged / "config.json").stat().st_mtime < adapter_time:
            raise RunError(f"{merged} is older than {run.adapter_dir}; remove it so the GGUF is made from the current adapter")
        return merged, False
    return export_run(run, merged, merge=True), True


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
