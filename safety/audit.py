"""Append-only JSON-lines audit log of safety decisions.

By default the log holds a sha256 of the text, not the text: enough to prove what was
decided for a given message and to find repeats, without storing health information.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class AuditLog:
    """One JSON object per line; safe to share between threads."""

    def __init__(self, path: str | os.PathLike, store_text: bool = False):
        self.path = Path(path)
        self.store_text = store_text
        self._lock = threading.Lock()

    def record(self, decision, text: str, *, kind: str, policy_hash: str,
               latency_us: float) -> dict:
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            "kind": kind,
            "action": decision.action,
            "category": decision.category,
            "rule_ids": sorted({m.rule_id for m in decision.matches if not m.negated}),
            "policy_hash": policy_hash,
            "latency_us": round(latency_us, 1),
            "text_sha256": text_sha256(text),
        }
        if self.store_text:
            entry["text"] = text
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
        return entry
