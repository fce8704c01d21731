"""medtune: fine-tune Phi-4-mini into a domain medical assistant that knows when to step aside.

The package reads as the story of a run: config -> data -> model -> train -> evaluate -> report.
The same steps the ``medtune`` command runs are plain typed functions, for notebooks and scripts::

    from medtune import load_config, finetune, open_run, evaluate_run, export_run, export_gguf

    cfg = load_config("config.yaml", env="dev", overrides=["training.max_steps=20"]).config
    result = finetune(cfg)                   # medtune.train.train: TrainResult(run_dir, metrics, ...)
    run = open_run(cfg, result.run_dir)      # Run: saved config, metadata, weights
    evaluation = evaluate_run(run)           # RUN/eval/: metrics.json, report.md, plots
    export_run(run, merge=True)              # RUN/merged, loadable with plain transformers
    export_gguf(run, quant="q8_0")           # RUN/gguf: one file for llama.cpp/Ollama, read back and checked

Importing medtune is cheap: each name loads its module (and torch, transformers) on first use.
Training is ``finetune`` here, not ``train``: ``medtune.train`` is the recipe's module, and Python
rebinds a package attribute to its submodule whenever that submodule is first imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# name -> (the module that defines it, its name there); loaded on first access (PEP 562).
_API = {
    "Config": ("medtune.config", "Config"),
    "ConfigError": ("medtune.errors", "ConfigError"),
    "MedtuneError": ("medtune.errors", "MedtuneError"),
    "load_config": ("medtune.config", "load_config"),
    "finetune": ("medtune.train", "train"),
    "open_run": ("medtune.runs", "open_run"),
    "evaluate_run": ("medtune.evaluate", "evaluate_run"),
    "export_run": ("medtune.export", "export_run"),
    "export_gguf": ("medtune.export", "export_gguf"),
    "build_guard": ("medtune.guard", "build_guard"),
}

__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from medtune.config import Config, load_config
    from medtune.errors import ConfigError, MedtuneError
    from medtune.evaluate import evaluate_run
    from medtune.export import export_gguf, export_run
    from medtune.guard import build_guard
    from medtune.runs import open_run
    from medtune.train import train as finetune


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'medtune' has no attribute {name!r}")
    module, attr = _API[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
