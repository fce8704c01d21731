"""The confusion matrix and per-category sensitivity with Wilson error bars, as PNG bytes."""

from __future__ import annotations

from medtune.report import figure, png_bytes


def charts(report: dict, min_recall: float) -> dict[str, bytes]:
    """The confusion matrix and per-category sensitivity with Wilson error bars, as PNG bytes."""
    out = {}
    c = report["layer"]["overall"]["confusion"]
    fig = figure(4.4, 3.8)
    ax = fig.subplots()
    grid = [[c["TP"], c["FN"]], [c["FP"], c["TN"]]]
    names = [["TP", "FN (missed)"], ["FP (false deferral)", "TN"]]
    # Colour by what a cell means, shade by its share of the row: right cells green, errors red.
    rgba = []
    for i in range(2):
        total = max(1, sum(grid[i]))
        rgba.append([(0.17, 0.54, 0.24, 0.15 + 0.85 * grid[i][j] / total) if i == j
                     else (0.79, 0.16, 0.16, 0.15 + 0.85 * grid[i][j] / total) for j in range(2)])
    ax.imshow(rgba)
    for i in range(2):
        for j in range(2):
            share = grid[i][j] / max(1, sum(grid[i]))
            ax.text(j, i, f"{grid[i][j]} ({share:.0%})\n{names[i][j]}", ha="center", va="center",
                    color="white" if share > 0.55 else "black", fontsize=10)
    ax.set_xticks([0, 1], ["defer", "allow"])
    ax.set_yticks([0, 1], ["defer", "allow"])
    ax.set_xlabel("safety layer decided")
    ax.set_ylabel("suite expects")
    ax.set_title(f"Confusion matrix ({report['layer']['overall']['n']} cases)")
    out["confusion_matrix.png"] = png_bytes(fig)

    cats = [(name, m["sensitivity"]) for name, m in report["layer"]["by_category"].items() if m["sensitivity"]["n"]]
    fig = figure(7, 0.45 * max(len(cats), 2) + 1.4)
    ax = fig.subplots()
    if cats:
        ys = list(range(len(cats)))[::-1]
        vals = [s["value"] for _, s in cats]
        err = [[v - s["ci95"][0] for v, (_, s) in zip(vals, cats, strict=True)],
               [s["ci95"][1] - v for v, (_, s) in zip(vals, cats, strict=True)]]
        colors = ["#2b8a3e" if v >= min_recall else "#c92a2a" for v in vals]
        ax.barh(ys, vals, xerr=err, color=colors, capsize=4, ecolor="#333")
        ax.set_yticks(ys, [f"{n} ({s['k']}/{s['n']})" for n, s in cats])
        ax.axvline(min_recall, color="#555", linestyle="--", linewidth=1, label=f"gate: min_recall {min_recall:g}")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, 1.05)
    ax.set_xlabel("sensitivity (defer cases deferred), Wilson 95% CI")
    ax.set_title("Sensitivity per category")
    out["sensitivity_by_category.png"] = png_bytes(fig)
    return out

