"""Story: identifiers are replaced with typed placeholders before the model or the log sees
them, by the same code that scrubs training data; public health numbers stay."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from medtune.data import pii
from safety import SafetyGuard
from safety.audit import AuditLog
from safety.redact import PLACEHOLDERS, redact

MESSAGE = ("My SSN is 123-45-6789, email jo.doe@example.com, DOB: 04/12/1980. "
           "I live at 42 Elm Street, Springfield. See https://myportal.example.org/u/77 "
           "or ping 192.168.1.20. MRN: A1234567. Call me on (555) 123-4567.")


def test_every_kind_becomes_its_placeholder_with_its_span():
    result = redact(MESSAGE)
    kinds = [item.kind for item in result.items]
    assert sorted(set(kinds)) == sorted(PLACEHOLDERS)
    for item in result.items:
        assert item.placeholder in result.text
    assert "123-45-6789" not in result.text and "jo.doe" not in result.text
    ssn = next(i for i in result.items if i.kind == "SSN")
    assert MESSAGE[ssn.span[0]:ssn.span[1]] == "123-45-6789"


@pytest.mark.parametrize("text", [
    "Call 911 now", "Poison Control is 1-800-222-1222", "call or text 988",
    "Samaritans 116 123", "take 500 mg every 6 hours", "my blood pressure is 140/90",
])
def test_public_health_numbers_and_clinical_numbers_stay(text):
    assert redact(text).text == text


def test_the_training_data_scrubber_is_the_same_code_without_urls():
    counts = Counter()
    out = pii.scrub(MESSAGE, counts)
    assert out == redact(MESSAGE, pii.TRAINING_KINDS).text
    assert "URL" not in counts and "https://myportal" in out  # public sources stay in answers
    assert counts["SSN"] == 1 and counts["EMAIL"] == 1


def test_redact_input_gives_the_text_to_pass_on_and_keeps_the_original_out_of_the_log(tmp_path):
    log = tmp_path / "audit.jsonl"
    guard = SafetyGuard(redact_input=True, audit=AuditLog(log, store_text=True))
    decision = guard.check_input(MESSAGE + " I have crushing chest pain")
    assert decision.deferred  # the checks read the original; only what is passed on is redacted
    assert "[SSN]" in decision.redacted and "123-45-6789" not in decision.redacted
    assert decision.to_dict()["redactions"][0]["placeholder"].startswith("[")
    entry = json.loads(log.read_text())
    assert "123-45-6789" not in log.read_text() and "jo.doe" not in log.read_text()
    assert entry["text_hmac"] == guard.audit.text_hash(decision.redacted)


def test_redaction_is_off_by_default(guard):
    assert guard.check_input(MESSAGE).redacted is None


def test_the_config_key_turns_it_on():
    assert SafetyGuard.from_config({"safety": {"redact_input": True}}).redact_input
