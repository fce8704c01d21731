"""Shared fixtures: a tiny project on disk, and one tiny trained run for every test that needs one.

Fixtures (helpers are handed out as fixtures: ``from conftest import ...`` is ambiguous here,
tests/safety has its own conftest):

- ``make_tiny_project(root, conversations=None, config=None) -> Path`` writes ``config.yaml`` and
  ``data/train.jsonl`` (messages format) for the embedded model; ``config`` is deep-merged over
  the tiny defaults (QLoRA, 40 steps, batch 4). ``tiny_project`` is one in a fresh temp directory.
- ``load_tiny_config(project, *overrides) -> Config`` loads a project's config the way the CLI
  would (``--set`` style overrides), without reading the environment or a ``.env`` file.
- ``run_medtune(*args, cwd=..., timeout=...) -> CompletedProcess``: ``python -m medtune ...`` in
  a child process with a clean environment.
- ``trainer_batch(trainer) -> dict``: the first batch the trainer would train on (its own column
  filter and collator, in order, without accelerate, whose global state later trainers reset).
- ``tiny_run`` (session) trains one QLoRA run of the embedded model in-process (40 steps, a few
  seconds) and returns its run directory: adapter/, checkpoints/, logs/, README.md...
  ``tiny_run_result`` is its :class:`medtune.train.TrainResult`, with the live trainer.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]

# OpenMP threads that spin while waiting make CPU training ~10x slower on a busy machine; sleep
# instead (what `medtune train` does too). Must happen before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Short, distinct, benign conversations: small enough to memorise in a few dozen steps.
TINY_CONVERSATIONS = [
    [{"role": "user", "content": "What is the normal body temperature?"},
     {"role": "assistant", "content": "About 37 degrees Celsius."}],
    [{"role": "user", "content": "How many hours of sleep do adults need?"},
     {"role": "assistant", "content": "Seven to nine hours a night."}],
    [{"role": "user", "content": "Which vitamin comes from sunlight?"},
     {"role": "assistant", "content": "Vitamin D is made in the skin."}],
    [{"role": "user", "content": "How often should I wash my hands?"},
     {"role": "assistant", "content": "Before eating and after the toilet."}],
    [{"role": "user", "content": "What does the heart pump around the body?"},
     {"role": "assistant", "content": "Blood, carrying oxygen to the tissues."}],
    [{"role": "user", "content": "Is walking good exercise?"},
     {"role": "assistant", "content": "Yes, brisk walking helps the heart."}],
]

TINY_CONFIG = {
    "model": {
        "base_model_name": "embedded:tiny-phi4-mini",
        "quantization_config": {"bnb_4bit_compute_dtype": "float32"},
    },
    "fine_tuning": {"method": "qlora"},
    # The embedded model's tied embedding is random with std 0.02, which caps the logits a LoRA-only
    # adapter can reach (a loss floor near 4.5 nats); training the output head as well lets the
    # tiny model memorise, as one would to teach a model new output behaviour.
    "lora": {"r": 16, "lora_alpha": 32, "lora_dropout": 0.0, "modules_to_save": ["lm_head"]},
    "training": {
        "output_dir": "runs",
        "task_name": "test",
        "max_steps": 40,
        "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 4,
        "gradient_accumulation_steps": 1,
        "learning_rate": 3.0e-3,
        "warmup_ratio": 0.0,
        "lr_scheduler_type": "constant",
        "logging_steps": 5,
        "save_steps": 10,
        "eval_steps": 20,
        "save_total_limit": 2,
        "gradient_checkpointing": False,
        "report_to": ["tensorboard"],
    },
    "data": {
        "dataset_path": "data/train.jsonl",
        "max_seq_length": 256,
        "eval_dataset_size": 2,
        "dedup": {"near": False},
        "cache_dir": ".cache/data",
    },
    "evaluation": {"mcq_path": None, "generation_samples": 2, "max_new_tokens": 16},
}


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def write_tiny_project(root: Path, conversations: list | None = None, config: dict | None = None) -> Path:
    """A project directory with config.yaml and data/train.jsonl; returns ``root``."""
    root = Path(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    rows = conversations if conversations is not None else TINY_CONVERSATIONS
    with open(root / "data" / "train.jsonl", "w", encoding="utf-8") as f:
        for messages in rows:
            f.write(json.dumps({"messages": messages}) + "\n")
    (root / "config.yaml").write_text(yaml.safe_dump(_merge(TINY_CONFIG, config or {}), sort_keys=False), encoding="utf-8")
    return root


def tiny_config(project: Path, *overrides: str):
    """The project's resolved Config, as `medtune ... --set KEY=VALUE` would load it."""
    from medtune.config import load_config

    return load_config(Path(project) / "config.yaml", overrides=list(overrides), environ={}, dotenv=False).config


def subprocess_env(**extra: str) -> dict:
    """The environment for a `python -m medtune ...` child: no MEDTUNE settings leaking in from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTUNE")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def medtune_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "medtune", *args]


def run_medtune_child(*args: str, cwd: Path | None = None, timeout: float = 600, env: dict | None = None):
    import subprocess

    return subprocess.run(
        medtune_cmd(*args), cwd=cwd or REPO, env=env or subprocess_env(), capture_output=True, text=True, timeout=timeout
    )


def first_trainer_batch(trainer) -> dict:
    from torch.utils.data import DataLoader

    rows = trainer._remove_unused_columns(trainer.train_dataset, "training")
    loader = DataLoader(rows, batch_size=trainer.args.per_device_train_batch_size, collate_fn=trainer.data_collator)
    return next(iter(loader))


@pytest.fixture
def trainer_batch():
    return first_trainer_batch


@pytest.fixture
def make_tiny_project():
    return write_tiny_project


@pytest.fixture
def load_tiny_config():
    return tiny_config


@pytest.fixture
def run_medtune():
    return run_medtune_child


@pytest.fixture
def tiny_project(tmp_path) -> Path:
    return write_tiny_project(tmp_path / "project")


@pytest.fixture(scope="session")
def tiny_run_result(tmp_path_factory):
    """One QLoRA run of the embedded model on the tiny conversations, trained in this process."""
    from medtune.train import train

    project = write_tiny_project(tmp_path_factory.mktemp("tiny-run-project"))
    return train(tiny_config(project))


@pytest.fixture(scope="session")
def tiny_run(tiny_run_result) -> Path:
    """The run directory of :func:`tiny_run_result` (adapter/, checkpoints/, logs/, README.md...)."""
    return tiny_run_result.run_dir
