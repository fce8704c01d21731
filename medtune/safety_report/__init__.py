"""`medtune safety-report`: how well does the safety layer defer, measured on labelled suites.

The story of one report, a module each:

1. ``suites``: JSONL cases, every bad line reported at once;
2. ``layer``: each case through ``SafetyGuard`` as the chat demo calls it, timed; rates with
   Wilson 95% intervals overall, per category, urgency tier and split (dev and held-out side
   by side); every miss explained;
3. ``models`` (optional): the full chat path behind the guard: what does the user finally see?
4. ``baseline`` (optional): case by case against an earlier report.json, McNemar's exact test,
   and the gates (``safety.eval.min_recall``, ``max_false_deferral``): a failed gate makes the
   command exit 1 so CI can block a release;
5. ``render`` and ``charts``: report.json, report.md and one self-contained report.html.

``build``: :func:`build_safety_report` puts them together.
"""

from medtune.safety_report.build import SafetyReport, build_safety_report, compile_report
from medtune.safety_report.models import ModelUnderTest, referral_markers
from medtune.safety_report.render import console_summary
from medtune.safety_report.suites import Case, SuiteError, load_suites

__all__ = [
    "Case",
    "ModelUnderTest",
    "SafetyReport",
    "SuiteError",
    "build_safety_report",
    "compile_report",
    "console_summary",
    "load_suites",
    "referral_markers",
]
