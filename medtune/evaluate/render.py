"""What `medtune evaluate` shows: the metrics table (terminal and Markdown), report.md, and the
two plots (the run's loss curves; base against fine-tuned)."""

from __future__ import annotations

import math
from pathlib import Path

from medtune.evaluate.loading import BASE, LABELS, TUNED
from medtune.report import Doc, figure

COLORS = {BASE: "tab:gray", TUNED: "tab:green"}

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


def metrics_table(models: dict[str, dict]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per measure, one column per model, and the change when both ran."""
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
    rows += benchmark_rows(models, order)
    return header, rows


def benchmark_rows(models: dict[str, dict], order: list[str]) -> list[list[str]]:
    """One row per lm-eval task: its main metric (± lm-eval's standard error) for each model."""
    tasks = list(dict.fromkeys(t for k in order for t in models[k].get("benchmarks", {})))
    rows = []
    for task in tasks:
        results = [models[k].get("benchmarks", {}).get(task, {}) for k in order]
        metric = next((r["metric"] for r in results if r.get("metric")), "score")
        cells = [_fmt(r.get("value"), 3) + (f" ± {r['stderr']:.3f}" if r.get("stderr") is not None else "") for r in results]
        if len(order) == 2:
            a, b = (r.get("value") for r in results)
            cells.append(f"{b - a:+.3f}" if _number(a) and _number(b) else "-")
        n = next((r["n"] for r in results if r.get("n")), None)
        rows.append([f"{task} ({metric}{f', n={n}' if n else ''})", *cells])
    return rows


def plot_loss_curves(history: dict, measured: dict[str, float], path: Path) -> bool:
    """Training and eval loss against step, with the measured eval losses as horizontal lines."""
    if not history["train"] and not history["eval"]:
        return False
    fig = figure()
    ax = fig.subplots()
    if history["train"]:
        ax.plot(*zip(*history["train"], strict=True), label="training loss", color="tab:blue", linewidth=1.2)
    if history["eval"]:
        ax.plot(*zip(*history["eval"], strict=True), label="eval loss (Trainer)", color="tab:orange", marker="o")
    for label, loss in measured.items():
        ax.axhline(loss, linestyle="--", color=COLORS.get(label, "black"), linewidth=1, label=f"{LABELS.get(label, label)} eval loss (measured)")
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
    tasks = list(dict.fromkeys(t for m in models.values() for t in m.get("benchmarks", {})))
    panels += [(f"{t} (lm-eval)", lambda m, t=t: m.get("benchmarks", {}).get(t, {}).get("value"), None, True) for t in tasks]
    order = [k for k in (BASE, TUNED) if k in models]
    panels = [p for p in panels if any(p[1](models[k]) is not None for k in order)]
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = figure(3.2 * cols, 3.0 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (title, get, get_ci, proportion) in zip(axes, panels, strict=False):
        values = [get(models[k]) for k in order]
        heights = [v if v is not None and math.isfinite(v) else 0.0 for v in values]
        err = None
        if get_ci:
            cis = [get_ci(models[k]) or [h, h] for k, h in zip(order, heights, strict=True)]
            err = [[h - c[0] for h, c in zip(heights, cis, strict=True)], [c[1] - h for h, c in zip(heights, cis, strict=True)]]
        bars = ax.bar([LABELS[k] for k in order], heights, yerr=err, capsize=4, color=[COLORS[k] for k in order])
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


HOW = [
    "**Eval loss**: mean negative log-likelihood per assistant token over the whole eval split, with the training "
    "masking (assistant turns, their `<|end|>` and the final `<|endoftext|>`); perplexity is its exponential. "
    "The Trainer's logged eval loss averages batch means instead, so it can differ slightly.",
    "**ROUGE**: `rouge-score` F-measure per answer (Porter stemming), averaged.",
    "**BLEU**: corpus BLEU-4 on sacreBLEU `13a` tokens, brevity penalty, no smoothing (0 when some n-gram order "
    "has no match); the smoothed variant adds one to every order's matches and counts.",
    "**Ended**: share of answers that emitted `<|end|>` within the token limit.",
    "**MCQ**: each option's text scored as the assistant's answer to the question (options listed, system prompt "
    "as in training); the option with the highest summed log-likelihood is picked (per-token mean in the second row). "
    "Interval: 95% Wilson.",
    "**Benchmarks** (`evaluation.benchmarks`): lm-evaluation-harness tasks run by lm-eval itself on the same loaded "
    "weights (`HFLM` given the model; the base is the adapter disabled), each with its own prompt and few-shot setting, "
    "no chat template; the task's first metric is shown with lm-eval's standard error. Local tasks read files in "
    "`evaluation.benchmark_tasks_dir`; "
    "others download their data from the Hugging Face hub.",
]


def evaluation_document(metrics: dict, gens: dict[str, list], max_new_tokens: int, log_phi: bool) -> Doc:
    """report.md as a document: the table, the verdicts, the plots, how each number is computed."""
    split = metrics["eval_split"]
    d = Doc()
    d.h(1, f"Evaluation: {metrics['run']}")
    d.p(
        f"Base model `{metrics['base_model']}`, method `{metrics['method']}`, evaluated {metrics['evaluated_at']}.\n"
        f"Eval split: {split['examples']} conversations, {split['labelled_tokens']} assistant tokens "
        f"(the run's own held-out split). Generation sample: {split['generation_samples']} conversations, "
        f"greedy, at most {max_new_tokens} new tokens."
        + (f" Multiple choice: {split['mcq_questions']} questions from `{split['mcq_path']}`." if split.get("mcq_questions") else "")
        + (f" Benchmarks (lm-eval): {', '.join(split['benchmarks']['tasks'])}." if split.get("benchmarks") else "")
    )
    d.table(*metrics_table(metrics["models"]), right=True)
    cmp = metrics.get("comparison", {})
    if "eval_loss_change" in cmp:
        verdict = "lower" if cmp["eval_loss_change"] < 0 else "not lower"
        d.p(f"The fine-tuned model's eval loss is **{verdict}** than the base model's ({cmp['eval_loss_change']:+.4f} nats per token).")
    if "mcq_mcnemar_p" in cmp:
        d.p(
            f"Multiple choice, paired on the same questions: the fine-tuned model alone is right on {cmp['mcq_only_fine_tuned_right']}, "
            f"the base alone on {cmp['mcq_only_base_right']}; exact McNemar p = {cmp['mcq_mcnemar_p']:.3g}."
        )
    d.ul(metrics.get("notes", []))
    d.h(2, "Plots")
    for name in metrics["plots"]:
        d.img(name, name)
    d.h(2, "How these numbers are computed")
    d.ul(HOW)
    if gens and log_phi:
        d.h(2, "Sample answers")
        for label, items in gens.items():
            for g in items[:3]:
                d.p(f"**{LABELS[label]}**: {g.text or '(empty)'}")
                d.p(f"*reference*: {g.reference}")
    elif gens:
        d.p("Sample answers are left out because logging.log_phi is false (they quote the training data).")
    return d
