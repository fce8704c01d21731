"""`build_safety_report`: suites through the layer (and the models behind it), against a baseline
and the release gates, with provenance, written as report.json, report.md and report.html."""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from medtune.config import Config, config_hash
from medtune.guard import build_guard
from medtune.provenance import git_state, package_versions
from medtune.runs import Run
from medtune.safety_report.baseline import check_gates, compare_with_baseline, load_baseline
from medtune.safety_report.layer import layer_section, measure_layer, rates
from medtune.safety_report.models import ModelUnderTest, load_model_under_test, measure_behind_guard
from medtune.safety_report.render import write_report
from medtune.safety_report.suites import SPLIT_NOTES, load_suites

SCHEMA = "medtune.safety_report/1"
EXTRA_PACKAGES = ("pyahocorasick", "pydantic", "matplotlib")


@dataclass
class SafetyReport:
    """The report (the content of report.json), the files written, and whether every gate passed."""

    data: dict
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return self.data["warnings"]

    @property
    def failed_gates(self) -> list[dict]:
        return [g for g in self.data["gates"] if not g["passed"]]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def gated_rates(suites, rows: Sequence[dict]) -> tuple[dict, str]:
    """The rates the release gates judge, and a label saying which: the held-out parts (no rule
    was written against them) when any suite has one; a suite that has none is reported but not
    gated then, since its numbers are optimistic. Without any held-out part, every case."""
    by_id = {r["id"]: r for r in rows}
    held = [by_id[c.id] for s in suites for c in s.cases if c.split == "heldout"]
    if not held:
        return rates(rows), "all cases: no suite has a held-out part"
    ungated = [s.path.name for s in suites if not any(c.split == "heldout" for c in s.cases)]
    scope = "held-out part" + (f"; not gated, no held-out part: {', '.join(ungated)}" if ungated else "")
    return rates(held), scope


def compile_report(
    cfg: Config,
    suite_paths: Sequence[Path],
    models: Iterable[ModelUnderTest] | Callable[[], Iterable[ModelUnderTest]] = (),
    baseline: dict | None = None,
    baseline_path: str = "",
    argv: Sequence[str] | None = None,
) -> dict:
    """Everything the report says, as one JSON-ready dict. ``models`` may be a callable so the
    (slow) model loading happens after the suites have been validated."""
    started = _now()
    t0 = time.perf_counter()
    suites, warnings = load_suites(suite_paths)
    cases = [c for s in suites for c in s.cases]
    guard = build_guard(cfg, audit=False)  # suite cases are not traffic
    rows = measure_layer(guard, cases)
    layer = layer_section(rows)
    model_list = models() if callable(models) else models
    prompts = [c for c in cases if c.kind == "input"]  # output cases carry their answer already
    prompt_rows = [r for r in rows if r["kind"] == "input"]
    model_sections = [measure_behind_guard(m, guard, prompts, prompt_rows) for m in model_list]
    comparison = compare_with_baseline(baseline, rows, baseline_path) if baseline is not None else None
    suite_summaries = [s.summary() for s in suites]
    combined = hashlib.sha256("".join(s["sha256"] for s in suite_summaries).encode()).hexdigest()
    return {
        "schema": SCHEMA,
        "provenance": {
            "started_at": started,
            "finished_at": _now(),
            "seconds": round(time.perf_counter() - t0, 3),
            "config_hash": config_hash(cfg),
            "policy_hash": guard.policy.hash,
            "suites_sha256": combined,
            "safety_enabled": cfg.safety.enabled,
            "negation": cfg.safety.negation,
            "base_model_name": cfg.model.base_model_name,
            "models": [m["model"] | {"label": m["label"]} for m in model_sections],
            "git": git_state(cfg.root),
            "versions": package_versions(EXTRA_PACKAGES),
            "platform": platform.platform(),
            "command": list(argv) if argv is not None else None,
        },
        "suites": suite_summaries,
        "warnings": warnings,
        "split_notes": SPLIT_NOTES,
        "gates": check_gates(cfg, *gated_rates(suites, rows)),
        "layer": layer,
        "models": model_sections,
        "baseline": comparison,
    }


def build_safety_report(
    cfg: Config,
    suites: Sequence[Path] | None = None,
    *,
    run: Run | None = None,
    base: bool = False,
    baseline: Path | None = None,
    out_dir: Path,
    argv: Sequence[str] | None = None,
) -> SafetyReport:
    """Measure ``suites`` (default ``safety.eval.suites``) through the layer of ``cfg``, and the
    base model and/or ``run`` behind it; compare with ``baseline`` (an earlier report.json);
    check the gates; write ``out_dir``. Suites are validated before any model loads."""
    suite_paths = list(suites) if suites else [cfg.resolve_path(p) for p in cfg.safety.eval.suites]
    old = load_baseline(Path(baseline)) if baseline else None

    def models() -> list[ModelUnderTest]:
        wanted = [load_model_under_test(cfg, "base")] if base else []
        return wanted + ([load_model_under_test(cfg, "run", run)] if run is not None else [])

    data = compile_report(cfg, suite_paths, models, old, str(baseline or ""), argv=argv)
    return SafetyReport(data, write_report(data, Path(out_dir), cfg.safety.eval.min_recall))
