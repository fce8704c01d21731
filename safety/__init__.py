"""Red-flag guard for the medtune assistant: allow, monitor, or defer to a professional.

Deliberately light: stdlib plus optional pyahocorasick (and pyyaml only to read a YAML
config), so it can run in front of the model without importing any ML stack.
"""
from .guard import Decision, Match, SafetyGuard
from .policy import LintIssue, Policy, PolicyError, lint_policy
from .stream import StreamGuard

__all__ = [
    "Decision", "LintIssue", "Match", "Policy", "PolicyError", "SafetyGuard",
    "StreamGuard", "lint_policy",
]
