"""What `medtune evaluate` compares, and on what: the run's models, its evaluation settings, its
training history, and whether today's eval split is the one training held out."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from medtune.config import Config, ResolvedConfig
from medtune.data.split import split_digest
from medtune.runs import LOGS_DIR, Run, list_checkpoints

BASE, TUNED = "base", "fine_tuned"
LABELS = {BASE: "base", TUNED: "fine-tuned"}


def with_current_evaluation(run: Run, current: ResolvedConfig) -> tuple[Run, list[str]]:
    """The run, its saved config carrying the current config's ``evaluation`` section.

    Everything that shapes the data split and the model comes from the run; only the evaluation
    settings are today's. Returns warnings naming the ``--set`` keys that therefore do nothing.
    """
    cfg: Config = run.config.model_copy(deep=True)
    cfg.evaluation = current.config.evaluation.model_copy(deep=True)
    ignored = sorted(
        key for key, source in current.sources.items()
        if source.startswith("--set ") and key.split(".", 1)[0] != "evaluation"
    )
    warnings = [f"--set {', '.join(ignored)} ignored: evaluate uses the run's saved config"] if ignored else []
    return replace(run, config=cfg), warnings


def models_to_compare(run: Run, include_base: bool) -> Iterator[tuple[str, object, object]]:
    """(label, model, tokenizer): the fine-tuned model, then the base.

    An adapter run loads the weights once: the base is the same model with the adapter disabled.
    A full or Spectrum run (``model/``) loads the base separately after freeing the tuned model.
    """
    from medtune.model import load_for_inference

    run.require_weights()
    cfg = run.config
    if run.adapter_dir is not None:
        model, tok = load_for_inference(cfg, adapter_dir=run.adapter_dir)
        yield TUNED, model, tok
        if include_base:
            with model.disable_adapter():
                yield BASE, model, tok
        _free(model)
        return
    model, tok = load_for_inference(cfg, merged_dir=run.model_dir)
    yield TUNED, model, tok
    _free(model)
    if include_base:
        model, tok = load_for_inference(cfg)
        yield BASE, model, tok
        _free(model)


def _free(model) -> None:
    del model
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


def check_split(metadata: dict, prepared) -> tuple[str, list[str]]:
    """Is this the eval split training held out? ``identical``, ``different``, ``unverified``
    (inputs changed, no split digest recorded to compare) or ``unknown`` (the run records
    neither), and the warning that explains anything but ``identical``."""
    dataset = metadata.get("dataset") or {}
    if dataset.get("eval_sha256"):
        if dataset["eval_sha256"] == split_digest(prepared.eval):
            return "identical", []
        return "different", [
            f"the eval split differs from the one training held out ({len(prepared.eval)} conversations now, "
            f"{(dataset.get('rows') or {}).get('eval', '?')} at training): the data or the pipeline changed since"
        ]
    if dataset.get("fingerprint") == prepared.fingerprint:
        return "identical", []  # same files, settings, tokenizer and pipeline code
    if dataset.get("fingerprint"):
        return "unverified", [
            "the data, its settings or the data pipeline's code changed since training (dataset fingerprint differs) "
            "and the run records no eval split digest: the eval split may not be exactly the one training held out"
        ]
    return "unknown", ["the run records no dataset fingerprint: cannot confirm the eval split is the one training held out"]


def read_loss_history(run_dir: Path) -> tuple[dict[str, list[tuple[int, float]]], str | None]:
    """Training and eval loss by step: from TensorBoard events under ``logs/``, else from the
    newest checkpoint's ``trainer_state.json``. Returns ({"train": [...], "eval": [...]}, source)."""
    history: dict[str, dict[int, tuple[float, float]]] = {"train": {}, "eval": {}}
    logs = Path(run_dir) / LOGS_DIR
    dirs = sorted({p.parent for p in logs.rglob("events.out.tfevents.*")}) if logs.is_dir() else []
    if dirs:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        for d in dirs:
            acc = EventAccumulator(str(d), size_guidance={"scalars": 0})
            acc.Reload()
            tags = set(acc.Tags().get("scalars", []))
            for key, tag in (("train", "train/loss"), ("eval", "eval/loss")):
                if tag in tags:
                    for ev in acc.Scalars(tag):
                        # A resumed run logs some steps twice: the later write wins.
                        if ev.step not in history[key] or ev.wall_time >= history[key][ev.step][1]:
                            history[key][ev.step] = (ev.value, ev.wall_time)
        if history["train"] or history["eval"]:
            return {k: sorted((s, v) for s, (v, _) in h.items()) for k, h in history.items()}, "tensorboard"
    states = [c / "trainer_state.json" for c in list_checkpoints(Path(run_dir)) if (c / "trainer_state.json").is_file()]
    if states:
        try:
            log = json.loads(states[-1].read_text(encoding="utf-8")).get("log_history", [])
        except (OSError, ValueError):
            log = []
        out = {
            "train": [(e["step"], e["loss"]) for e in log if "loss" in e and "step" in e],
            "eval": [(e["step"], e["eval_loss"]) for e in log if "eval_loss" in e and "step" in e],
        }
        if out["train"] or out["eval"]:
            return out, "trainer_state"
    return {"train": [], "eval": []}, None
