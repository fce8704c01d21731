"""PII scrubbing for training data: e-mail addresses, phone numbers, US social security numbers,
dates of birth, medical record numbers and street addresses become placeholders before anything
is trained, cached or logged.

The rules live in :mod:`safety.redact`, the one implementation shared with the guard's
``redact_input`` (so inference and training agree on what an identifier is and on its
placeholder). Training data leaves URLs and IP addresses alone: answers cite public sources
("www.cdc.gov"), and those are not about the person.
"""

from __future__ import annotations

from collections import Counter

from safety.redact import PLACEHOLDERS as _ALL_PLACEHOLDERS
from safety.redact import TOLL_FREE  # noqa: F401  (part of this module's API)
from safety.redact import scrub as _scrub

TRAINING_KINDS = ("EMAIL", "SSN", "MRN", "DOB", "ADDRESS", "PHONE")
PLACEHOLDERS = {k: _ALL_PLACEHOLDERS[k] for k in TRAINING_KINDS}


def scrub(text: str, counts: Counter) -> str:
    """``text`` with PII replaced by placeholders; ``counts`` gains one per replacement, by kind."""
    return _scrub(text, counts, TRAINING_KINDS)


def scrub_messages(messages: list[dict], counts: Counter) -> bool:
    """Scrub user and assistant turns in place; True when anything was replaced."""
    before = sum(counts.values())
    for m in messages:
        if m["role"] != "system":
            m["content"] = scrub(m["content"], counts)
    return sum(counts.values()) != before
