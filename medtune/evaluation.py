"""`medtune evaluate`: how much better the fine-tuned model is than the base, on the run's own data.

For a run directory it measures, for the fine-tuned model and (with ``--base``) the base model:

1. eval loss and perplexity on the run's eval split, assistant tokens only, with the training
   masking (the split comes from the run's saved config, so it is the split training held out);
2. generation quality on a sample of that split: ROUGE-L and BLEU against the reference answer,
   mean answer length, and the share of answers that close their turn with ``<|end|>``;
3. multiple-choice accuracy (``evaluation.mcq_path``) by option log-likelihood, with a 95% Wilson
   interval;

and writes ``RUN/eval/``: ``metrics.json``, ``report.md`` and PNG plots (the run's loss curves,
base against fine-tuned). The metrics themselves live in :mod:`medtune.metrics`.
"""

from __future__ import annotations

import gc
import json
import math
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from medtune.config import Config, EvaluationConfig, cli_overrides, deep_merge, load_saved_config
from medtune.errors import ConfigError, DataError, RunError
from medtune.metrics import corpus_bleu, load_mcq, masked_loss, perplexity, rouge, score_mcq
from medtune.stats import mcnemar_exact, wilson_interval

BASE, TUNED = "base", "fine_tuned"
LABELS = {BASE: "base", TUNED: "fine-tuned"}


# --------------------------------------------------------------------------------------------
# For the trainer: the same numbers, from an in-memory model or from Trainer metrics.
# --------------------------------------------------------------------------------------------


def with_perplexity(metrics: dict, prefix: str = "eval_") -> dict:
    """``metrics`` (e.g. from ``trainer.evaluate()``) plus ``{prefix}perplexity = exp({prefix}loss)``."""
    out = dict(metrics)
    if f"{prefix}loss" in out:
        out[f"{prefix}perplexity"] = perplexity(float(out[f"{prefix}loss"]))
    return out


def masked_eval_metrics(model, tokenizer, eval_dataset, batch_size: int = 8) -> dict:
    """``eval_loss`` (token-weighted mean NLL over the split's labelled tokens), ``eval_perplexity``
    and ``eval_tokens`` for a model in memory; single process (call it on the main process with an
    unwrapped model)."""
    was_training = model.training
    model.eval()
    try:
        result = masked_loss(model, _loss_examples(eval_dataset), batch_size, _pad_id(tokenizer))
    finally:
        model.train(was_training)
    return {"eval_loss": result.loss, "eval_perplexity": result.perplexity, "eval_tokens": result.tokens}


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


@dataclass
class Generation:
    text: str
    reference: str
    tokens: int  # generated tokens before the stop token
    ended: bool  # emitted <|end|> within max_new_tokens


def split_for_generation(messages: Sequence[dict]) -> tuple[list[dict], str]:
    """The conversation up to its last assistant turn, and that turn's text (the reference)."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=None)
    if last is None:
        raise DataError("an eval conversation has no assistant turn")
    return list(messages[:last]), messages[last]["content"]


def sample_indices(n: int, k: int, seed: int) -> list[int]:
    """``k`` of ``range(n)``, seeded and in order, so base and fine-tuned answer the same prompts."""
    if k >= n:
        return list(range(n))
    return sorted(random.Random(seed).sample(range(n), k))


def generate_answers(
    model, tokenizer, conversations: Sequence[Sequence[dict]], max_new_tokens: int, batch_size: int = 4, desc: str | None = None
) -> list[Generation]:
    """Greedy answers to each conversation's last user turn (prompt rendered with the chat
    template and the generation prompt), stopping on ``<|end|>`` or ``<|endoftext|>``."""
    from medtune.embedded import END
    from medtune.model import generate_greedy

    end_id = tokenizer.convert_tokens_to_ids(END)
    pairs = [split_for_generation(c) for c in conversations]
    replies = generate_greedy(model, tokenizer, [p for p, _ in pairs], max_new_tokens, batch_size, desc)
    return [Generation(r.text, ref, r.tokens, r.stop_id == end_id) for r, (_, ref) in zip(replies, pairs, strict=True)]


def generation_metrics(gens: Sequence[Generation]) -> dict:
    preds, refs = [g.text for g in gens], [g.reference for g in gens]
    n = len(gens)
    bleu = corpus_bleu(preds, refs)
    return {
        **rouge(preds, refs),
        "bleu": bleu["bleu"],
        "bleu_smoothed": corpus_bleu(preds, refs, smooth=True)["bleu"],
        "bleu_precisions": bleu["precisions"],
        "brevity_penalty": bleu["brevity_penalty"],
        "mean_answer_tokens": sum(g.tokens for g in gens) / n if n else 0.0,
        "mean_answer_words": sum(len(g.text.split()) for g in gens) / n if n else 0.0,
        "mean_reference_words": sum(len(g.reference.split()) for g in gens) / n if n else 0.0,
        "ended_share": sum(g.ended for g in gens) / n if n else 0.0,
        "samples": n,
    }


# --------------------------------------------------------------------------------------------
# One model, every measure
# --------------------------------------------------------------------------------------------


def _pad_id(tokenizer) -> int:
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0


def _loss_examples(dataset) -> list[dict]:
    return [{"input_ids": r["input_ids"], "labels": r["labels"]} for r in dataset]


@dataclass
class EvalInputs:
    """What every model is measured on."""

    loss_examples: list[dict]
    conversations: list[list[dict]]  # the generation sample
    mcq: list  # MCQItem


def evaluate_model(model, tokenizer, cfg: Config, inputs: EvalInputs, label: str) -> tuple[dict, list[Generation], list[int]]:
    """Metrics for one model, its generations, and its multiple-choice picks."""
    ev = cfg.evaluation
    batch = cfg.training.per_device_eval_batch_size
    name = LABELS.get(label, label)
    result: dict = {"loss": masked_loss(model, inputs.loss_examples, batch, _pad_id(tokenizer), f"{name}: eval loss").as_dict()}
    gens: list[Generation] = []
    if inputs.conversations:
        gens = generate_answers(model, tokenizer, inputs.conversations, ev.max_new_tokens, ev.batch_size, f"{name}: generating")
        result["generation"] = generation_metrics(gens)
    picks: list[int] = []
    if inputs.mcq:
        mcq = score_mcq(
            model, tokenizer, inputs.mcq, cfg.safety.system_prompt, batch, cfg.data.max_seq_length, f"{name}: multiple choice"
        )
        lo, hi = wilson_interval(mcq.correct, mcq.total)
        result["mcq"] = {
            "accuracy": mcq.accuracy,
            "ci95": [lo, hi],
            "correct": mcq.correct,
            "total": mcq.total,
            "accuracy_norm": mcq.correct_norm / mcq.total,
            "chance": sum(1 / len(q.options) for q in inputs.mcq) / len(inputs.mcq),
        }
        picks = mcq.predictions
    return result, gens, picks


def iter_models(cfg: Config, run_dir: Path, include_base: bool) -> Iterator[tuple[str, object, object]]:
    """(label, model, tokenizer): the fine-tuned model, then the base.

    An adapter run loads the weights once: the base is the same model with the adapter disabled.
    A full or Spectrum run (``model/``) loads the base separately after freeing the tuned model.
    """
    from medtune.model import load_for_inference

    adapter, full = run_dir / "adapter", run_dir / "model"
    if (adapter / "adapter_config.json").is_file():
        model, tok = load_for_inference(cfg, adapter_dir=adapter)
        yield TUNED, model, tok
        if include_base:
            with model.disable_adapter():
                yield BASE, model, tok
        _free(model)
        return
    if (full / "config.json").is_file():
        model, tok = load_for_inference(cfg, merged_dir=full)
        yield TUNED, model, tok
        _free(model)
        if include_base:
            model, tok = load_for_inference(cfg)
            yield BASE, model, tok
            _free(model)
        return
    raise RunError(
        f"{run_dir}: no trained model (adapter/ or model/); the run may not have finished - "
        "resume it with `medtune train --resume` first"
    )


def _free(model) -> None:
    del model
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


# --------------------------------------------------------------------------------------------
# The run's training history and the plots
# --------------------------------------------------------------------------------------------


def read_loss_history(run_dir: Path) -> tuple[dict[str, list[tuple[int, float]]], str | None]:
    """Training and eval loss by step: from TensorBoard events under ``logs/``, else from the
    newest checkpoint's ``trainer_state.json``. Returns ({"train": [...], "eval": [...]}, source)."""
    history: dict[str, dict[int, tuple[float, float]]] = {"train": {}, "eval": {}}
    logs = run_dir / "logs"
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
    states = sorted(
        (run_dir / "checkpoints").glob("checkpoint-*/trainer_state.json"),
        key=lambda p: int(p.parent.name.rsplit("-", 1)[-1]) if p.parent.name.rsplit("-", 1)[-1].isdigit() else -1,
    )
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


def _figure(width: float = 7.0, height: float = 4.0):
    from matplotlib.figure import Figure  # no pyplot: no global backend, no display needed

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def plot_loss_curves(history: dict, measured: dict[str, float], path: Path) -> bool:
    """Training and eval loss against step, with the measured eval losses as horizontal lines."""
    if not history["train"] and not history["eval"]:
        return False
    fig = _figure()
    ax = fig.subplots()
    if history["train"]:
        ax.plot(*zip(*history["train"], strict=True), label="training loss", color="tab:blue", linewidth=1.2)
    if history["eval"]:
        ax.plot(*zip(*history["eval"], strict=True), label="eval loss (Trainer)", color="tab:orange", marker="o")
    colors = {BASE: "tab:gray", TUNED: "tab:green"}
    for label, loss in measured.items():
        ax.axhline(loss, linestyle="--", color=colors.get(label, "black"), linewidth=1, label=f"{LABELS.get(label, label)} eval loss (measured)")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats per assistant token)")
    ax.set_title("Loss during training")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(path)
    return True


def plot_comparison(models: dict[str, dict], path: Path) -> None:
    """One small bar chart per measure, base and fine-tuned side by side (proportions on [0, 1])."""
    mcq = lambda m: m.get("mcq", {})  # noqa: E731
    gen = lambda m: m.get("generation", {})  # noqa: E731
    panels = [  # title, value, interval, is a proportion
        ("eval loss", lambda m: m["loss"]["eval_loss"], None, False),
        ("perplexity", lambda m: m["loss"]["perplexity"], None, False),
        ("ROUGE-L", lambda m: gen(m).get("rougeL"), None, True),
        ("BLEU", lambda m: gen(m).get("bleu"), None, True),
        ("answers ended with <|end|>", lambda m: gen(m).get("ended_share"), None, True),
        ("MCQ accuracy (95% CI)", lambda m: mcq(m).get("accuracy"), lambda m: mcq(m).get("ci95"), True),
    ]
    order = [k for k in (BASE, TUNED) if k in models]
    panels = [p for p in panels if any(p[1](models[k]) is not None for k in order)]
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = _figure(3.2 * cols, 3.0 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    colors = {BASE: "tab:gray", TUNED: "tab:green"}
    for ax, (title, get, get_ci, proportion) in zip(axes, panels, strict=False):
        values = [get(models[k]) for k in order]
        heights = [v if v is not None and math.isfinite(v) else 0.0 for v in values]
        err = None
        if get_ci:
            cis = [get_ci(models[k]) or [h, h] for k, h in zip(order, heights, strict=True)]
            err = [[h - c[0] for h, c in zip(heights, cis, strict=True)], [c[1] - h for h, c in zip(heights, cis, strict=True)]]
        bars = ax.bar([LABELS[k] for k in order], heights, yerr=err, capsize=4, color=[colors[k] for k in order])
        ax.bar_label(bars, labels=[_fmt(v) for v in values], fontsize=8, padding=2)
        if proportion:
            ax.set_ylim(0, 1.08)
        else:
            ax.set_ylim(0, max(heights + [1e-9]) * 1.15)
        if title.startswith("MCQ") and models[order[0]].get("mcq", {}).get("chance") is not None:
            ax.axhline(models[order[0]]["mcq"]["chance"], linestyle=":", color="black", linewidth=1, label="chance")
            ax.legend(fontsize=7, loc="upper right")
        ax.set_title(title, fontsize=10)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    fig.savefig(path)


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _fmt(v, decimals: int | None = None) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "inf"
        if decimals is not None:
            return f"{v:.{decimals}f}"
        return f"{v:.4g}" if abs(v) >= 100 else f"{v:.4f}"
    return str(v)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


ROWS = [  # title, (section, key), decimals
    ("eval loss", ("loss", "eval_loss"), 4),
    ("perplexity", ("loss", "perplexity"), 2),
    ("ROUGE-L", ("generation", "rougeL"), 4),
    ("ROUGE-1", ("generation", "rouge1"), 4),
    ("BLEU", ("generation", "bleu"), 4),
    ("BLEU (add-one smoothed)", ("generation", "bleu_smoothed"), 4),
    ("mean answer length (words)", ("generation", "mean_answer_words"), 1),
    ("mean answer length (tokens)", ("generation", "mean_answer_tokens"), 1),
    ("answers ended with <|end|>", ("generation", "ended_share"), 3),
    ("MCQ accuracy", ("mcq", "accuracy"), 3),
    ("MCQ accuracy (per-token)", ("mcq", "accuracy_norm"), 3),
]


def summary_rows(models: dict[str, dict]) -> tuple[list[str], list[list[str]]]:
    order = [k for k in (BASE, TUNED) if k in models]
    header = ["metric"] + [LABELS[k] for k in order] + (["change"] if len(order) == 2 else [])
    rows = []
    for title, (section, key), decimals in ROWS:
        values = [models[k].get(section, {}).get(key) for k in order]
        if all(v is None for v in values):
            continue
        cells = [_fmt(v, decimals) for v in values]
        if section == "mcq" and key == "accuracy":
            cells = [f"{c} [{lo:.3f}, {hi:.3f}]" for c, (lo, hi) in zip(cells, (models[k]["mcq"]["ci95"] for k in order), strict=True)]
        if len(order) == 2:
            a, b = values
            cells.append(f"{b - a:+.{decimals}f}" if _number(a) and _number(b) else "-")
        rows.append([title, *cells])
    return header, rows


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))  # noqa: E731
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *[line(r) for r in rows]])


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    esc = lambda c: c.replace("|", "\\|")  # noqa: E731
    out = ["| " + " | ".join(esc(c) for c in header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def write_report(metrics: dict, gens: dict[str, list[Generation]], cfg: Config, out_dir: Path) -> Path:
    header, rows = summary_rows(metrics["models"])
    split = metrics["eval_split"]
    lines = [
        f"# Evaluation: {metrics['run']}",
        "",
        f"Base model `{metrics['base_model']}`, method `{metrics['method']}`, evaluated {metrics['evaluated_at']}.",
        f"Eval split: {split['examples']} conversations, {split['labelled_tokens']} assistant tokens "
        f"(the run's own held-out split). Generation sample: {split['generation_samples']} conversations, "
        f"greedy, at most {cfg.evaluation.max_new_tokens} new tokens."
        + (f" Multiple choice: {split['mcq_questions']} questions from `{split['mcq_path']}`." if split.get("mcq_questions") else ""),
        "",
        _md_table(header, rows),
        "",
    ]
    cmp = metrics.get("comparison", {})
    if "eval_loss_change" in cmp:
        verdict = "lower" if cmp["eval_loss_change"] < 0 else "not lower"
        lines += [f"The fine-tuned model's eval loss is **{verdict}** than the base model's ({cmp['eval_loss_change']:+.4f} nats per token).", ""]
    if "mcq_mcnemar_p" in cmp:
        lines += [
            f"Multiple choice, paired on the same questions: the fine-tuned model alone is right on {cmp['mcq_only_fine_tuned_right']}, "
            f"the base alone on {cmp['mcq_only_base_right']}; exact McNemar p = {cmp['mcq_mcnemar_p']:.3g}.",
            "",
        ]
    for note in metrics.get("notes", []):
        lines.append(f"- {note}")
    if metrics.get("notes"):
        lines.append("")
    lines += ["## Plots", ""]
    for name in metrics["plots"]:
        lines += [f"![{name}]({name})", ""]
    lines += [
        "## How these numbers are computed",
        "",
        "- **Eval loss**: mean negative log-likelihood per assistant token over the whole eval split, with the training "
        "masking (assistant turns, their `<|end|>` and the final `<|endoftext|>`); perplexity is its exponential. "
        "The Trainer's logged eval loss averages batch means instead, so it can differ slightly.",
        "- **ROUGE**: `rouge-score` F-measure per answer (Porter stemming), averaged.",
        "- **BLEU**: corpus BLEU-4 on sacreBLEU `13a` tokens, brevity penalty, no smoothing (0 when some n-gram order "
        "has no match); the smoothed variant adds one to every order's matches and counts.",
        "- **Ended**: share of answers that emitted `<|end|>` within the token limit.",
        "- **MCQ**: each option's text scored as the assistant's answer to the question (options listed, system prompt "
        "as in training); the option with the highest summed log-likelihood is picked (per-token mean in the second row). "
        "Interval: 95% Wilson.",
        "",
    ]
    if gens and cfg.logging.log_phi:
        lines += ["## Sample answers", ""]
        for label, items in gens.items():
            for g in items[:3]:
                lines += [f"**{LABELS[label]}**: {g.text or '(empty)'}", "", f"*reference*: {g.reference}", ""]
    elif gens:
        lines += ["Sample answers are left out because logging.log_phi is false (they quote the training data).", ""]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def evaluate_run(cfg: Config, run_dir: Path, include_base: bool = False, out_dir: Path | None = None) -> dict:
    """Evaluate ``run_dir`` with its saved config ``cfg`` and write ``eval/``; returns the metrics."""
    from medtune.data import prepare_data
    from medtune.model import load_tokenizer

    run_dir = Path(run_dir)
    out_dir = Path(out_dir) if out_dir else run_dir / "eval"
    ev = cfg.evaluation
    notes: list[str] = []
    mcq_items, mcq_path = [], None
    if ev.mcq_path:
        mcq_path = cfg.resolve_path(ev.mcq_path)
        if mcq_path.is_file():
            mcq_items = load_mcq(mcq_path)
        else:
            notes.append(f"multiple choice skipped: {mcq_path} does not exist (evaluation.mcq_path)")
            print(f"warning: {notes[-1]}", file=sys.stderr)

    prepared = prepare_data(cfg, load_tokenizer(cfg))  # the tokenizer training used: same split, cache hit
    if prepared.eval is None or len(prepared.eval) == 0:
        raise DataError("the run has no eval split (data.eval_dataset_size is 0): nothing to evaluate on")
    split_check = check_split(run_dir, prepared, notes)
    idx = sample_indices(len(prepared.eval), ev.generation_samples, cfg.training.seed)
    inputs = EvalInputs(_loss_examples(prepared.eval), [prepared.eval[i]["messages"] for i in idx], mcq_items)

    results: dict[str, dict] = {}
    gens: dict[str, list[Generation]] = {}
    picks: dict[str, list[int]] = {}
    for label, model, tok in iter_models(cfg, run_dir, include_base):
        results[label], gens[label], picks[label] = evaluate_model(model, tok, cfg, inputs, label)

    comparison: dict = {}
    if BASE in results:
        comparison["eval_loss_change"] = results[TUNED]["loss"]["eval_loss"] - results[BASE]["loss"]["eval_loss"]
        comparison["fine_tuned_loss_lower"] = comparison["eval_loss_change"] < 0
        if mcq_items:
            right = {k: [p == q.answer for p, q in zip(picks[k], mcq_items, strict=True)] for k in (BASE, TUNED)}
            b = sum(t and not s for s, t in zip(right[BASE], right[TUNED], strict=True))
            c = sum(s and not t for s, t in zip(right[BASE], right[TUNED], strict=True))
            comparison.update(mcq_only_fine_tuned_right=b, mcq_only_base_right=c, mcq_mcnemar_p=mcnemar_exact(b, c))

    out_dir.mkdir(parents=True, exist_ok=True)
    history, source = read_loss_history(run_dir)
    plots = []
    measured = {k: r["loss"]["eval_loss"] for k, r in results.items()}
    if plot_loss_curves(history, measured, out_dir / "loss_curves.png"):
        plots.append("loss_curves.png")
    else:
        notes.append("no loss curves: the run has no TensorBoard events under logs/ and no trainer_state.json")
    plot_comparison(results, out_dir / "base_vs_fine_tuned.png")
    plots.append("base_vs_fine_tuned.png")

    metrics = {
        "run": run_dir.name,
        "run_dir": str(run_dir),
        "evaluated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": cfg.model.base_model_name,
        "method": cfg.fine_tuning.method,
        "eval_split": {
            "examples": len(inputs.loss_examples),
            "labelled_tokens": results[TUNED]["loss"]["tokens"],
            "generation_samples": len(inputs.conversations),
            "mcq_path": str(mcq_path) if mcq_items else None,
            "mcq_questions": len(mcq_items),
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
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_report(metrics, gens, cfg, out_dir)
    return metrics


def split_digest(dataset) -> str:
    """sha256 of a tokenized split (each row's input_ids and labels, order-free). train.py records
    the eval split's as ``dataset.eval_sha256`` in experiment_metadata.json, so evaluate can prove
    it scores exactly the conversations training held out."""
    import hashlib

    rows = sorted(
        hashlib.sha256(json.dumps([r["input_ids"], r["labels"]], separators=(",", ":")).encode()).hexdigest()
        for r in dataset
    )
    return hashlib.sha256("".join(rows).encode()).hexdigest()


def check_split(run_dir: Path, prepared, notes: list[str]) -> str:
    """``identical``, ``different``, ``unverified`` (inputs changed, no split digest recorded to
    compare) or ``unknown`` (the run records neither): is this the eval split training held out?"""
    try:
        meta = json.loads((run_dir / "experiment_metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    dataset = meta.get("dataset") or {}
    if dataset.get("eval_sha256"):
        if dataset["eval_sha256"] == split_digest(prepared.eval):
            return "identical"
        notes.append(
            f"the eval split differs from the one training held out ({len(prepared.eval)} conversations now, "
            f"{(dataset.get('rows') or {}).get('eval', '?')} at training): the data or the pipeline changed since"
        )
    elif dataset.get("fingerprint") == prepared.fingerprint:
        return "identical"  # same files, settings, tokenizer and pipeline code
    elif dataset.get("fingerprint"):
        notes.append(
            "the data, its settings or the data pipeline's code changed since training (dataset fingerprint differs) "
            "and the run records no eval split digest: the eval split may not be exactly the one training held out"
        )
    else:
        notes.append("the run records no dataset fingerprint: cannot confirm the eval split is the one training held out")
        return "unknown"
    print(f"warning: {notes[-1]}", file=sys.stderr)
    return "different" if dataset.get("eval_sha256") else "unverified"


def run_config(run_dir: Path, current: Config, overrides: Sequence[str] = ()) -> Config:
    """The run's saved config, rooted in the current project, with ``--set evaluation.*`` applied.

    Everything that shapes the data split and the model comes from the run; only the evaluation
    settings can be changed from the command line.
    """
    cfg = load_saved_config(run_dir / "config.yaml")
    cfg._root = current.root
    data, _, problems = cli_overrides(list(overrides))
    if problems:
        raise ConfigError(problems)
    ignored = sorted(k for k in data if k != "evaluation")
    if ignored:
        print(f"warning: --set {', '.join(ignored)} ignored: evaluate uses the run's saved config", file=sys.stderr)
    if "evaluation" in data:
        try:
            cfg.evaluation = EvaluationConfig.model_validate(deep_merge(cfg.evaluation.model_dump(), data["evaluation"]))
        except ValueError as exc:
            raise ConfigError([f"--set evaluation: {exc}"]) from None
    return cfg


def evaluate_command(args) -> int:
    from medtune.cli import resolve
    from medtune.runs import find_run

    current = resolve(args, check_paths=False).config
    run_dir = find_run(current, args.run)
    cfg = run_config(run_dir, current, args.overrides)
    print(f"evaluating {run_dir}" + (" against the base model" if args.base else ""), file=sys.stderr)
    metrics = evaluate_run(cfg, run_dir, include_base=args.base)
    header, rows = summary_rows(metrics["models"])
    print(format_table(header, rows))
    print(f"\nwrote {run_dir / 'eval'}: metrics.json, report.md, " + ", ".join(metrics["plots"]))
    return 0
