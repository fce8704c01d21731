"""The one bridge from ``cfg.safety`` to :class:`safety.SafetyGuard`.

Every place that puts the safety layer in front of text (the demo, the server, the data
pipeline's deferral-consistency check, the safety report) builds its guard here, so they all
enforce exactly the policy the config describes.
"""

from __future__ import annotations

from medtune.config import Config
from medtune.errors import MedtuneError


def guard_notes(cfg: Config) -> list[str]:
    """What the guard will do differently from what the config literally says, and why."""
    notes = []
    audit = cfg.safety.audit
    if audit.enabled and audit.store_text and not cfg.logging.log_phi:
        notes.append("safety.audit.store_text is ignored because logging.log_phi is false")
    if cfg.safety.redact_input:  # no offline name recogniser ships in a registry package (docs/safety.md)
        notes.append("safety.redact_input: e-mail, phone, SSN, MRN, dates of birth, addresses, URLs and IPs "
                     "are replaced before the model sees a message; names are not redacted")
    return notes


def build_guard(cfg: Config, *, audit: bool = True):
    """The guard of ``cfg.safety``.

    ``audit=False`` for text that is not live traffic (training data, suite cases), which must
    never land in the audit log. Message text is stored in the log only when both
    ``safety.audit.store_text`` and ``logging.log_phi`` say so; the audit path resolves against
    the project root like every other path.
    """
    try:
        from safety import PolicyError, SafetyGuard
    except ImportError as exc:  # pragma: no cover - the package ships with medtune
        raise MedtuneError(f"the safety package cannot be imported: {exc}") from None
    section = cfg.safety.model_dump()
    if audit:
        section["audit"]["path"] = str(cfg.resolve_path(section["audit"]["path"]))
        section["audit"]["store_text"] = bool(section["audit"]["store_text"] and cfg.logging.log_phi)
    else:
        section["audit"] = {"enabled": False}
    try:
        return SafetyGuard.from_config(section)
    except PolicyError as exc:
        raise MedtuneError(f"the safety policy in the config is invalid: {exc}") from None
