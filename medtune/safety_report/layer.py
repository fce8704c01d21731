"""The safety layer on its own: each case through ``SafetyGuard`` exactly as the chat demo calls
it (``check_input`` for a message, ``check_conversation`` for ``messages``), timed; sensitivity,
false-deferral rate, precision and F1 with Wilson 95% intervals, overall and per category,
urgency tier and split; every miss explained (which phrases fired, or why none did)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from medtune.safety_report.suites import NONE_GROUP, SPLITS, URGENCY, Case
from medtune.stats import percentile, wilson_interval


def match_summary(m) -> dict:
    return {"phrase": m.phrase, "category": m.category, "rule_id": m.rule_id, "text": m.text}


def explain_decision(decision) -> str:
    """Why the layer decided what it did, in one line a policy author can act on."""
    fired = [m for m in decision.matches if not m.negated and m.context is None]
    info = [m for m in decision.matches if not m.negated and m.context is not None]
    negated = [m for m in decision.matches if m.negated]

    def quote(ms) -> str:
        return ", ".join(f"'{m.text}' ({m.rule_id})" for m in ms)

    if decision.action == "defer":
        defer_fired = [m for m in fired if m.category == decision.category] or fired
        return f"fired: {quote(defer_fired)}"
    parts = []
    if fired:
        parts.append(f"only monitor-level matches: {quote(fired)}")
    for ctx in sorted({m.context for m in info}):
        parts.append(f"{ctx} context, downgraded to monitor: {quote(m for m in info if m.context == ctx)}")
    if negated:
        parts.append(f"negated match: {quote(negated)}")
    return "; ".join(parts) if parts else "no phrase matched"


def measure_layer(guard, cases: Sequence[Case]) -> list[dict]:
    """One row per case: the decision, whether it was right, why, and how long it took."""
    guard.check_input("warm up")  # first-call costs (lazy imports, caches) are not per-case latency
    rows = []
    for case in cases:
        multi = case.messages is not None
        t0 = time.perf_counter_ns()
        if case.answer is not None:  # an answer the output check keeps (allow) or replaces (defer)
            decision = guard.check_output(case.answer)
        else:
            decision = guard.check_conversation(case.messages) if multi else guard.check_input(case.text)
        latency_ns = time.perf_counter_ns() - t0
        predicted = "defer" if decision.action == "defer" else "allow"
        rows.append(
            {
                "id": case.id,
                "source": case.source,
                "split": case.split,
                "category": case.category,
                "urgency": case.urgency,
                "expected": case.expected,
                "predicted": predicted,
                "correct": predicted == case.expected,
                "outcome": _outcome(case.expected, predicted),
                "action": decision.action,
                "decision_category": decision.category,
                "fired": [match_summary(m) for m in decision.matches if not m.negated and m.context is None],
                "reason": explain_decision(decision),
                "latency_us": latency_ns / 1000,
                "text": case.shown_text(),
                "multi_turn": multi,
                "kind": case.kind,
                "note": case.note,
                "decision": decision.to_dict(),
            }
        )
    return rows


def _outcome(expected: str, predicted: str) -> str:
    return {("defer", "defer"): "TP", ("defer", "allow"): "FN", ("allow", "defer"): "FP", ("allow", "allow"): "TN"}[
        (expected, predicted)
    ]


def proportion(k: int, n: int) -> dict:
    """A rate with its Wilson 95% interval; value and interval are null when n is 0."""
    if n == 0:
        return {"k": 0, "n": 0, "value": None, "ci95": None}
    lo, hi = wilson_interval(k, n)
    return {"k": k, "n": n, "value": k / n, "ci95": [lo, hi]}


def rates(rows: Sequence[dict]) -> dict:
    """Confusion matrix and rates, 'defer' being the positive class.

    F1 is a ratio of rates, not a binomial proportion, so it has no Wilson interval.
    """
    c = {o: sum(r["outcome"] == o for r in rows) for o in ("TP", "FN", "FP", "TN")}
    sens = proportion(c["TP"], c["TP"] + c["FN"])
    prec = proportion(c["TP"], c["TP"] + c["FP"])
    f1 = None
    if sens["value"] is not None and prec["value"] is not None and sens["value"] + prec["value"] > 0:
        f1 = 2 * sens["value"] * prec["value"] / (sens["value"] + prec["value"])
    return {
        "n": len(rows),
        "confusion": c,
        "sensitivity": sens,
        "false_deferral_rate": proportion(c["FP"], c["FP"] + c["TN"]),
        "precision": prec,
        "f1": f1,
        "accuracy": proportion(c["TP"] + c["TN"], len(rows)),
    }


def grouped(rows: Sequence[dict], key: str, fn: Callable[[Sequence[dict]], dict] = rates) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r[key] or NONE_GROUP, []).append(r)
    order = {"split": SPLITS, "urgency": URGENCY}.get(key, ())
    names = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g))
    return {g: fn(groups[g]) for g in names}


def latency(rows: Sequence[dict]) -> dict:
    us = [r["latency_us"] for r in rows]
    return {
        "n": len(us),
        "p50_us": percentile(us, 50),
        "p99_us": percentile(us, 99),
        "max_us": max(us),
        "mean_us": sum(us) / len(us),
        "clock": "time.perf_counter_ns around one guard call",
    }


def layer_section(rows: list[dict]) -> dict:
    missed_emergencies = [r["id"] for r in rows if r["outcome"] == "FN" and r["urgency"] == "emergency"]
    return {
        "overall": rates(rows),
        "by_split": grouped(rows, "split"),
        "by_category": grouped(rows, "category"),
        "by_urgency": grouped(rows, "urgency"),
        "by_kind": grouped(rows, "kind"),  # input: the user's messages; output: model answers
        "latency": latency(rows),
        "errors": {
            "missed_emergencies": missed_emergencies,
            "false_deferrals": [r["id"] for r in rows if r["outcome"] == "FP"],
            "other_misses": [r["id"] for r in rows if r["outcome"] == "FN" and r["id"] not in missed_emergencies],
        },
        "cases": rows,
    }

