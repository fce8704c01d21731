"""Processed data is cached under ``data.cache_dir`` by a fingerprint of everything that shapes
it: the input files' sha256, the data, safety and logging settings that the pipeline reads, the
data seed, the tokenizer (its files and chat template) and this package's code. A second run
with nothing changed loads the saved Arrow tables (memory-mapped) instead of doing the work.

An entry is written to a temporary directory and renamed into place once complete, so an
interrupted run or two processes racing never leave a half-written entry that looks valid.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from medtune.chat_template import template_hash
from medtune.config import Config

KEEP_ENTRIES = 8
META = "meta.json"


def code_version() -> str:
    """Hash of the code that shapes the processed data: this package, the chat template code, safety."""
    here = Path(__file__).parent
    files = sorted(here.glob("*.py")) + [here.parent / "chat_template.py"]
    try:
        import safety

        for folder in getattr(safety, "__path__", []):
            files += sorted(Path(folder).glob("*.py"))
    except ImportError:
        pass
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def tokenizer_identity(tokenizer) -> dict:
    """What makes two tokenizers tokenize alike: vocabulary file (or its serialization) and template."""
    ident = {"template": template_hash(tokenizer), "size": len(tokenizer), "class": type(tokenizer).__name__}
    path = Path(str(getattr(tokenizer, "name_or_path", "")))
    tok_file = path / "tokenizer.json" if path.is_dir() else None
    if tok_file is not None and tok_file.is_file():
        ident["tokenizer.json"] = hashlib.sha256(tok_file.read_bytes()).hexdigest()
    elif getattr(tokenizer, "backend_tokenizer", None) is not None:
        ident["backend"] = hashlib.sha256(tokenizer.backend_tokenizer.to_str().encode()).hexdigest()
    else:
        ident["vocab"] = hashlib.sha256(json.dumps(sorted(tokenizer.get_vocab().items())).encode()).hexdigest()
    return ident


def relevant_config(cfg: Config) -> dict:
    data = cfg.data.model_dump(exclude={"cache_dir", "num_proc"})
    safety = cfg.safety.model_dump(exclude={"audit", "eval"})
    return {"data": data, "safety": safety, "log_phi": cfg.logging.log_phi, "data_seed": cfg.training.data_seed}


def fingerprint(cfg: Config, files: list[dict], tokenizer) -> str:
    blob = {
        "files": files,
        "config": relevant_config(cfg),
        "tokenizer": tokenizer_identity(tokenizer),
        "code": code_version(),
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


def cache_root(cfg: Config) -> Path:
    return cfg.resolve_path(cfg.data.cache_dir)


def load(cfg: Config, fp: str):
    """``(train, eval, meta, entry dir)`` for a complete entry, or None."""
    entry = cache_root(cfg) / fp[:24]
    meta_path = entry / META
    if not meta_path.is_file():
        return None
    from datasets import load_from_disk

    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fp:
            return None
        train = load_from_disk(str(entry / "train"))
        evals = load_from_disk(str(entry / "eval")) if (entry / "eval").is_dir() else None
    except (OSError, ValueError, FileNotFoundError):
        return None
    os.utime(entry)  # most recently used: kept longest
    return train, evals, meta, entry


def save(cfg: Config, fp: str, train, evals, meta: dict, rejects: list[dict]) -> Path:
    root = cache_root(cfg)
    root.mkdir(parents=True, exist_ok=True)
    entry = root / fp[:24]
    if (entry / META).is_file():  # another process (a DDP rank, a parallel run) finished it first
        return entry
    tmp = Path(tempfile.mkdtemp(prefix=f".{fp[:24]}-", dir=root))
    from datasets import utils as hf_utils

    quiet = hf_utils.are_progress_bars_disabled()
    hf_utils.disable_progress_bars()
    try:
        train.save_to_disk(str(tmp / "train"))
        if evals is not None:
            evals.save_to_disk(str(tmp / "eval"))
        write_rejects(tmp / "rejects.jsonl", rejects)
        (tmp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if entry.exists():  # an incomplete entry: a complete one returned above
            shutil.rmtree(entry, ignore_errors=True)
        os.replace(tmp, entry)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (entry / META).is_file():
            raise
    finally:
        if not quiet:
            hf_utils.enable_progress_bars()
    _prune(root)
    return entry


def write_rejects(path: Path, rejects: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rejects:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _prune(root: Path) -> None:
    entries = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP_ENTRIES]:
        shutil.rmtree(old, ignore_errors=True)
