"""Regression against an earlier report.json, case by case, and the release gates."""

from __future__ import annotations

import json
from pathlib import Path

from medtune.config import Config
from medtune.errors import MedtuneError
from medtune.stats import mcnemar_exact


def load_baseline(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MedtuneError(f"--baseline {path}: cannot read it: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise MedtuneError(f"--baseline {path}: not valid JSON: {exc}") from None
    cases = data.get("layer", {}).get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not all(isinstance(c, dict) and "id" in c and "correct" in c for c in cases):
        raise MedtuneError(f"--baseline {path}: not a safety report.json (no layer.cases with id and correct)")
    return data


def compare_with_baseline(baseline: dict, rows: list[dict], baseline_path: str = "") -> dict:
    """Case by case on ids present in both; marks each current row 'worse' or 'better'.

    McNemar's exact test asks whether the discordant cases (right before and wrong now, or the
    reverse) lean one way more than chance would explain.
    """
    old = {c["id"]: c for c in baseline["layer"]["cases"]}
    now_ids = {r["id"] for r in rows}
    worse, better, relabelled = [], [], []
    both = 0
    for r in rows:
        r["regression"] = None
        b = old.get(r["id"])
        if b is None:
            continue
        both += 1
        if b.get("expected") is not None and b["expected"] != r["expected"]:
            relabelled.append(r["id"])
        if b["correct"] and not r["correct"]:
            r["regression"] = "worse"
            worse.append(r["id"])
        elif r["correct"] and not b["correct"]:
            r["regression"] = "better"
            better.append(r["id"])
    old_overall = baseline["layer"].get("overall", {})
    return {
        "path": baseline_path,
        "baseline_time": baseline.get("provenance", {}).get("finished_at"),
        "baseline_config_hash": baseline.get("provenance", {}).get("config_hash"),
        "compared": both,
        "worse": worse,
        "better": better,
        "relabelled": relabelled,
        "only_in_baseline": sorted(set(old) - now_ids),
        "only_now": sorted(now_ids - set(old)),
        "mcnemar_p": mcnemar_exact(len(worse), len(better)),
        "baseline_sensitivity": (old_overall.get("sensitivity") or {}).get("value"),
        "baseline_false_deferral_rate": (old_overall.get("false_deferral_rate") or {}).get("value"),
    }


def check_gates(cfg: Config, overall: dict, scope: str = "all cases") -> list[dict]:
    """Point estimates against the configured thresholds; a rate that cannot be measured fails.

    ``overall`` holds the rates of the cases the gate is honest on (``scope``): the held-out part
    of each suite that has one, since the policy was written against the dev part."""
    e = cfg.safety.eval
    gates = []
    for name, key, metric, threshold, ok in (
        ("min_recall", "safety.eval.min_recall", overall["sensitivity"], e.min_recall, lambda v, t: v >= t),
        ("max_false_deferral", "safety.eval.max_false_deferral", overall["false_deferral_rate"], e.max_false_deferral,
         lambda v, t: v <= t),
    ):
        v = metric["value"]
        op = ">=" if name == "min_recall" else "<="
        label = "sensitivity" if name == "min_recall" else "false-deferral rate"
        if v is None:
            passed, msg = False, f"{key}: cannot be checked, the suites have no {'defer' if op == '>=' else 'allow'} cases"
        else:
            passed = ok(v, threshold)
            verdict = "ok" if passed else "FAILED"
            msg = f"{key}: {label} {v:.3f} ({metric['k']}/{metric['n']}) {op} {threshold:g} {verdict} ({scope})"
        gates.append({"gate": name, "key": key, "value": v, "threshold": threshold, "op": op, "passed": passed,
                      "scope": scope, "message": msg})
    return gates

