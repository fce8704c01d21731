"""The safety report as a document (Markdown and self-contained HTML), its files, and the
terminal summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medtune.report import Doc
from medtune.safety_report.charts import charts


def fmt_rate(p: dict | None) -> str:
    if not p or p["value"] is None:
        return "n/a (0 cases)"
    lo, hi = p["ci95"]
    return f"{p['value']:.3f} [{lo:.3f}, {hi:.3f}] ({p['k']}/{p['n']})"


def _fmt_f1(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _metrics_row(name: str, m: dict) -> list[Any]:
    c = m["confusion"]
    return [name, m["n"], fmt_rate(m["sensitivity"]), fmt_rate(m["false_deferral_rate"]), fmt_rate(m["precision"]),
            _fmt_f1(m["f1"]), f"{c['TP']}/{c['FN']}/{c['FP']}/{c['TN']}"]


_METRICS_HEADER = ["group", "cases", "sensitivity [95% CI]", "false-deferral rate [95% CI]", "precision [95% CI]",
                   "F1", "TP/FN/FP/TN"]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def safety_document(report: dict, images: dict[str, bytes]) -> Doc:
    d = Doc()
    prov = report["provenance"]
    layer = report["layer"]
    d.h(1, "Safety report")
    d.p(f"{layer['overall']['n']} cases from {len(report['suites'])} suite(s); finished {prov['finished_at']}; "
        f"config {prov['config_hash'][:12]}, policy {prov['policy_hash'][:12]}.")
    failed = [g for g in report["gates"] if not g["passed"]]
    d.p("All gates passed." if not failed else f"{len(failed)} gate(s) FAILED: release blocked.", "fail" if failed else "ok")
    d.ul([g["message"] for g in report["gates"]])
    if not prov["safety_enabled"]:
        d.p("safety.enabled is false in this config: the layer defers nothing.", "fail")

    d.h(2, "Safety layer")
    d.p("Sensitivity is the share of cases that should defer that the layer deferred; the false-deferral rate is "
        "the share of cases that should be answered that it deferred. Intervals are Wilson 95%. Splits: "
        + "; ".join(f"{k}: {v}" for k, v in report["split_notes"].items()) + ".")
    d.table(_METRICS_HEADER, [_metrics_row("overall", layer["overall"])]
            + [_metrics_row(f"split: {k}", m) for k, m in layer["by_split"].items()])
    d.img("confusion_matrix.png", "confusion matrix", images["confusion_matrix.png"])
    d.h(3, "Per category")
    d.table(_METRICS_HEADER, [_metrics_row(k, m) for k, m in layer["by_category"].items()])
    d.img("sensitivity_by_category.png", "sensitivity per category", images["sensitivity_by_category.png"])
    d.h(3, "Per urgency tier")
    d.table(_METRICS_HEADER, [_metrics_row(k, m) for k, m in layer["by_urgency"].items()])
    lat = layer["latency"]
    d.p(f"Latency per case: p50 {lat['p50_us']:.1f} µs, p99 {lat['p99_us']:.1f} µs, max {lat['max_us']:.1f} µs "
        f"({lat['clock']}).")

    by_id = {r["id"]: r for r in layer["cases"]}
    err = layer["errors"]
    for title, ids in (("Missed emergencies", err["missed_emergencies"]), ("False deferrals", err["false_deferrals"]),
                       ("Other misses", err["other_misses"])):
        d.h(3, f"{title} ({len(ids)})")
        if ids:
            d.table(["id", "split", "category", "urgency", "text", "why"],
                    [[i, by_id[i]["split"], by_id[i]["category"], by_id[i]["urgency"], _short(by_id[i]["text"]),
                      by_id[i]["reason"]] for i in ids])
        else:
            d.p("None.")

    if report["models"]:
        _render_models(d, report["models"])
    if report["baseline"] is not None:
        _render_baseline(d, report["baseline"], by_id)

    d.h(2, "Provenance")
    d.table(["item", "value"], [
        ["config hash", prov["config_hash"]],
        ["policy hash", prov["policy_hash"]],
        *[[f"suite {s['path']}", f"sha256 {s['sha256']} ({s['cases']} cases: {s['splits']})"] for s in report["suites"]],
        ["base model", prov["base_model_name"]],
        *[[f"model {m['label']}", json.dumps({k: v for k, v in m.items() if k != 'label'})] for m in prov["models"]],
        ["git", f"{prov['git']['commit']} (dirty: {prov['git']['dirty']})"],
        ["versions", ", ".join(f"{k} {v}" for k, v in prov["versions"].items() if v)],
        ["started / finished", f"{prov['started_at']} / {prov['finished_at']} ({prov['seconds']} s)"],
        ["command", " ".join(prov["command"] or [])],
    ])
    if report["warnings"]:
        d.h(3, "Warnings")
        d.ul(report["warnings"])
    return d


def _render_models(d: Doc, models: list[dict]) -> None:
    d.h(2, "Models behind the guard")
    d.p("Each case goes through the full chat path: the input check first (a deferred user sees the deferral and "
        "the model is not called), otherwise the model answers (greedy, the run's system prompt and chat template, "
        "stopping on <|end|>/<|endoftext|>) and the answer goes through check_output. 'User sees a deferral' counts "
        "a guard deferral or an answer with refusal/deferral language. Over-refusal counts allow cases the model "
        "answered where the answer has such language or check_output deferred it (a conservative detector: "
        "'see a doctor if it persists' counts).")
    labels = [m["label"] for m in models]
    rows = []
    for scope in ["overall", *sorted({k for m in models for k in m["by_split"]})]:
        def get(m, scope=scope):
            return m["overall"] if scope == "overall" else m["by_split"].get(scope)
        for name, pick in (
            ("defer cases: user sees a deferral", lambda x: x["defer_cases"]["user_sees_deferral"]),
            ("allow cases: model over-refusal", lambda x: x["allow_cases"]["over_refusal"]),
            ("allow cases: user sees a deferral", lambda x: x["allow_cases"]["user_sees_deferral"]),
        ):
            rows.append([scope, name, *[fmt_rate(pick(get(m))) if get(m) else "n/a" for m in models]])
    d.table(["scope", "measure", *labels], rows)
    for m in models:
        o = m["overall"]
        g = m["generation"]
        d.h(3, f"{m['label']}: {m['model'].get('run') or m['model']['base_model_name']}")
        d.p(f"Defer cases: deferred by the input check {o['defer_cases']['by_input_check']}, by check_output "
            f"{o['defer_cases']['by_output_check']}, by the answer's own language {o['defer_cases']['by_answer_language']}. "
            f"Allow cases answered: check_output deferred {o['allow_cases']['output_check_deferred']}, refusal/deferral "
            f"language {o['allow_cases']['refusal_language']} {o['allow_cases']['language_kinds'] or ''}. "
            f"Generated {g['cases_generated']} replies in {g['seconds']:.1f} s; {g['stopped_on_stop_token']} stopped "
            f"on a stop token.")
        flagged = [r for r in m["cases"] if r["model_called"] and (r["model_defers"] or not r["correct"])]
        if flagged:
            d.table(["id", "expected", "shown", "answer", "refusal/deferral language", "check_output fired"],
                    [[r["id"], r["expected"], r["shown"], _short(r["answer"] or "", 200),
                      ", ".join(f"{x['kind']}: {x['text']}" for x in r["markers"]),
                      ", ".join(f"'{x['text']}' ({x['rule_id']})" for x in r["output_fired"])] for r in flagged])


def _render_baseline(d: Doc, b: dict, by_id: dict) -> None:
    d.h(2, "Regression against the baseline")
    d.p(f"Baseline {b['path']} ({b['baseline_time']}): {b['compared']} cases compared by id; {len(b['worse'])} got "
        f"worse, {len(b['better'])} got better; McNemar exact p = {b['mcnemar_p']:.4g}.", "fail" if b["worse"] else "")
    if b["baseline_sensitivity"] is not None:
        d.p(f"Baseline sensitivity {b['baseline_sensitivity']:.3f}, false-deferral rate "
            f"{(b['baseline_false_deferral_rate'] or 0):.3f}.")
    if b["worse"]:
        d.table(["id (WORSE)", "expected", "now decided", "text", "why"],
                [[i, by_id[i]["expected"], by_id[i]["predicted"], _short(by_id[i]["text"]), by_id[i]["reason"]]
                 for i in b["worse"]])
    if b["better"]:
        d.ul([f"better: {i}" for i in b["better"]])
    for key, what in (("relabelled", "expected label changed since the baseline"),
                      ("only_in_baseline", "in the baseline only"), ("only_now", "new since the baseline")):
        if b[key]:
            d.p(f"{len(b[key])} case(s) {what}: {', '.join(b[key][:50])}{' …' if len(b[key]) > 50 else ''}")


def write_report(report: dict, out_dir: Path, min_recall: float) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    images = charts(report, min_recall)
    doc = safety_document(report, images)
    paths = {"json": out_dir / "report.json", "md": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["json"].write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["md"].write_text(doc.markdown(), encoding="utf-8")
    paths["html"].write_text(doc.html("medtune safety report"), encoding="utf-8")
    for name, data in images.items():
        (out_dir / name).write_bytes(data)
    return paths


def console_summary(report: dict, paths: dict[str, Path] | None = None) -> str:
    layer = report["layer"]
    lines = [f"safety layer: {layer['overall']['n']} cases"]
    for name, m in [("overall", layer["overall"]), *layer["by_split"].items()]:
        lines.append(f"  {name:<8} sensitivity {fmt_rate(m['sensitivity'])}   false deferral {fmt_rate(m['false_deferral_rate'])}")
    err = layer["errors"]
    lines.append(f"  missed emergencies {len(err['missed_emergencies'])}, false deferrals {len(err['false_deferrals'])}, "
                 f"other misses {len(err['other_misses'])}")
    lines.append(f"  latency p50 {layer['latency']['p50_us']:.1f} µs, p99 {layer['latency']['p99_us']:.1f} µs")
    for m in report["models"]:
        o = m["overall"]
        lines.append(f"model {m['label']}: user sees a deferral on defer cases {fmt_rate(o['defer_cases']['user_sees_deferral'])}; "
                     f"over-refusal on allow cases {fmt_rate(o['allow_cases']['over_refusal'])}")
    b = report["baseline"]
    if b is not None:
        lines.append(f"baseline: {len(b['worse'])} worse, {len(b['better'])} better of {b['compared']} "
                     f"(McNemar p = {b['mcnemar_p']:.4g})" + (f"; worse: {', '.join(b['worse'][:10])}" if b["worse"] else ""))
    lines += [f"gate {g['message']}" for g in report["gates"]]
    if paths:
        lines.append(f"report: {paths['md']}, {paths['html']}, {paths['json']}")
    return "\n".join(lines)

