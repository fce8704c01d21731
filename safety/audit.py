"""Append-only JSON-lines audit log of safety decisions.

By default the log holds a keyed hash of the text, not the text: enough to prove what
was decided for a given message and to find repeats, without storing health information.
The hash is HMAC-SHA256 with a per-deployment secret, because a plain sha256 of a short
message ("I can't breathe") is recovered by hashing guesses. The secret comes from the
config (`safety.audit.secret`), else the SAFETY_AUDIT_SECRET environment variable, else
a file beside the log (`<log>.key`, created once with 0600 permissions and reused).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from datetime import datetime, timezone
from pathlib import Path

SECRET_ENV = "SAFETY_AUDIT_SECRET"
KEY_SUFFIX = ".key"


def text_sha256(text: str) -> str:
    """Unkeyed digest (not used in the log: guessable for short texts)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def audit_secret(log_path: str | os.PathLike, secret: str | None = None) -> bytes:
    """The deployment's audit key: `secret`, else $SAFETY_AUDIT_SECRET, else the key file
    beside the log (created with mode 0600 on first use)."""
    secret = secret or os.environ.get(SECRET_ENV)
    if secret:
        return secret.encode("utf-8")
    key_path = Path(f"{log_path}{KEY_SUFFIX}")
    try:
        return key_path.read_text(encoding="ascii").strip().encode("ascii")
    except FileNotFoundError:
        pass
    key_path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return key_path.read_text(encoding="ascii").strip().encode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value.encode("ascii")


class AuditLog:
    """One JSON object per line; safe to share between threads."""

    def __init__(self, path: str | os.PathLike, store_text: bool = False,
                 secret: str | None = None):
        self.path = Path(path)
        self.store_text = store_text
        self._key = audit_secret(self.path, secret)
        self._lock = threading.Lock()

    def text_hash(self, text: str) -> str:
        """HMAC-SHA256 of the text under this deployment's key."""
        return hmac.new(self._key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

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
            "text_hmac": self.text_hash(text),
        }
        if self.store_text:
            entry["text"] = text
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in stored text: escape it
            line = json.dumps(entry) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
        return entry
