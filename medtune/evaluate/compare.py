"""`evaluate_run`: the fine-tuned model (and, optionally, the base) measured on the run's own
eval split, compared, and written to ``RUN/eval/``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from medtune.errors import DataError, RunError
from medtune.evaluate.benchmarks import plan_benchmarks, run_benchmarks
from medtune.evaluate.loading import BASE, TUNED, check_split, models_to_compare, read_loss_history
from medtune.evaluate.measure import Generation, eval_inputs, measure_model, sample_indices
from medtune.evaluate.render import evaluation_document, plot_comparison, plot_loss_curves
from medtune.metrics import load_mcq
from medtune.runs import EVAL_DIR, EVAL_METRICS_FILE, Run
from medtune.stats import mcnemar_exact


@dataclass
class Evaluation:
    """What evaluate_run measured (the content of metrics.json), where it wrote it, and the
    warnings the user should see."""

    metrics: dict
    out_dir: Path
    warnings: list[str] = field(default_factory=list)


def paired_mcq(picks: dict[str, list[int]], items: list) -> dict:
    """Discordant pairs on the same questions and McNemar's exact p: is the change more than chance?"""
    right = {k: [p == q.answer for p, q in zip(picks[k], items, strict=True)] for k in (BASE, TUNED)}
    b = sum(t and not s for s, t in zip(right[BASE], right[TUNED], strict=True))
    c = sum(s and not t for s, t in zip(right[BASE], right[TUNED], strict=True))
    return {"mcq_only_fine_tuned_right": b, "mcq_only_base_right": c, "mcq_mcnemar_p": mcnemar_exact(b, c)}


def evaluate_run(run: Run, *, include_base: bool = False, out_dir: Path | None = None) -> Evaluation:
    """Evaluate ``run`` with its own config (``run.config``; see :func:`with_current_evaluation`
    for today's evaluation settings) and write ``metrics.json``, ``report.md`` and the plots."""
    from medtune.data import prepare_data
    from medtune.model import load_tokenizer
    from medtune.runtime import prepare_process

    process_notes = prepare_process()
    if run.dir is None:
        raise RunError(f"{run.name}: evaluate needs a run directory (its eval split and training history), not a bare export")
    run.require_weights()
    cfg = run.config
    out_dir = Path(out_dir) if out_dir else run.dir / EVAL_DIR
    ev = cfg.evaluation
    notes: list[str] = []
    warnings: list[str] = list(process_notes)
    benchmarks = plan_benchmarks(cfg)  # an unknown task or an unreachable hub stops here, before any model loads
    mcq_items, mcq_path = [], None
    if ev.mcq_path:
        mcq_path = cfg.resolve_path(ev.mcq_path)
        if mcq_path.is_file():
            mcq_items = load_mcq(mcq_path)
        else:
            notes.append(f"multiple choice skipped: {mcq_path} does not exist (evaluation.mcq_path)")
            warnings.append(notes[-1])

    prepared = prepare_data(cfg, load_tokenizer(cfg))  # the tokenizer training used: same split, cache hit
    if prepared.eval is None or len(prepared.eval) == 0:
        raise DataError("the run has no eval split (data.eval_dataset_size is 0): nothing to evaluate on")
    split_check, split_notes = check_split(run.metadata, prepared)
    notes += split_notes
    warnings += split_notes
    inputs = eval_inputs(prepared.eval, sample_indices(len(prepared.eval), ev.generation_samples, cfg.training.seed), mcq_items)

    results: dict[str, dict] = {}
    gens: dict[str, list[Generation]] = {}
    picks: dict[str, list[int]] = {}
    for label, model, tok in models_to_compare(run, include_base):
        results[label], gens[label], picks[label] = measure_model(model, tok, cfg, inputs, label)
        if benchmarks is not None:
            results[label]["benchmarks"] = run_benchmarks(model, tok, benchmarks, ev.batch_size, cfg.data.max_seq_length)

    comparison: dict = {}
    if BASE in results:
        comparison["eval_loss_change"] = results[TUNED]["loss"]["eval_loss"] - results[BASE]["loss"]["eval_loss"]
        comparison["fine_tuned_loss_lower"] = comparison["eval_loss_change"] < 0
        if mcq_items:
            comparison.update(paired_mcq(picks, mcq_items))

    out_dir.mkdir(parents=True, exist_ok=True)
    history, source = read_loss_history(run.dir)
    plots = []
    measured = {k: r["loss"]["eval_loss"] for k, r in results.items()}
    if plot_loss_curves(history, measured, out_dir / "loss_curves.png"):
        plots.append("loss_curves.png")
    else:
        notes.append("no loss curves: the run has no TensorBoard events under logs/ and no trainer_state.json")
    plot_comparison(results, out_dir / "base_vs_fine_tuned.png")
    plots.append("base_vs_fine_tuned.png")

    metrics = {
        "run": run.dir.name,
        "run_dir": str(run.dir),
        "evaluated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": cfg.model.base_model_name,
        "method": cfg.fine_tuning.method,
        "eval_split": {
            "examples": len(inputs.loss_examples),
            "labelled_tokens": results[TUNED]["loss"]["tokens"],
            "generation_samples": len(inputs.conversations),
            "mcq_path": str(mcq_path) if mcq_items else None,
            "mcq_questions": len(mcq_items),
            "benchmarks": {"tasks": benchmarks.tasks, "local": benchmarks.local, "hub": benchmarks.hub, "limit": benchmarks.limit}
            if benchmarks is not None else None,
            "dataset_fingerprint": prepared.fingerprint,
            "split_check": split_check,
        },
        "evaluation_config": ev.model_dump(),
        "models": {k: results[k] for k in (BASE, TUNED) if k in results},
        "comparison": comparison,
        "training_history": {"source": source, "train_points": len(history["train"]), "eval_points": len(history["eval"])},
        "plots": plots,
        "notes": notes,
    }
    (out_dir / EVAL_METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    doc = evaluation_document(metrics, gens, ev.max_new_tokens, cfg.logging.log_phi)
    (out_dir / "report.md").write_text(doc.markdown(), encoding="utf-8")
    return Evaluation(metrics, out_dir, warnings)
