"""The two things that flow through the pipeline: a conversation being cleaned (``Record``) and
a row that was dropped, with where it came from and why (``Drop``).

Drops are never silent: every one is written to the rejects file and counted in the report.
The rejects file holds the file, line, reason and a hash of the raw row; the row's text only
when ``logging.log_phi`` is true, and then scrubbed of PII.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# Reasons a row is dropped, in the order the report lists them. The first group are malformed
# rows: they count towards data.max_invalid_fraction.
INVALID_REASONS = (
    "invalid_json",
    "invalid_csv",
    "not_an_object",
    "missing_field",
    "unknown_role",
    "not_text",
    "empty_turn",
    "role_order",
    "train_flag",
    "multimodal",
    "tool_call",
)
DROP_REASONS = INVALID_REASONS + (
    "content_filter",
    "deferral_inconsistent",
    "too_short",
    "too_long",
    "nothing_trained",
    "exact_duplicate",
    "near_duplicate",
    "eval_contamination",
)


def raw_hash(raw: str) -> str:
    """Identifies a raw row in the rejects file without storing its content."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class Record:
    """One conversation from one row (or, for oasst, one path through a message tree)."""

    messages: list[dict]
    source: int  # index of the dataset spec it came from
    file: str
    line: int  # 1-based line (jsonl, csv), item (json) or row (parquet) number
    row_hash: str
    flags: list[str] = field(default_factory=list)
    key: str = ""  # normalized content used for exact dedup and the split hash


@dataclass
class Drop:
    file: str
    line: int
    reason: str
    detail: str = ""
    row_hash: str = ""
    source: int = -1
    text: str | None = None  # only kept when logging.log_phi is true (already scrubbed)

    @property
    def invalid(self) -> bool:
        return self.reason in INVALID_REASONS

    def where(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" + (f" ({self.detail})" if self.detail else "")

    def to_dict(self) -> dict:
        d = {"file": self.file, "line": self.line, "reason": self.reason, "detail": self.detail, "sha256": self.row_hash}
        if self.text is not None:
            d["text"] = self.text
        return d


class RowError(ValueError):
    """A row cannot become a conversation; ``reason`` is one of ``INVALID_REASONS``."""

    def __init__(self, reason: str, detail: str = ""):
        assert reason in INVALID_REASONS, reason
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)
