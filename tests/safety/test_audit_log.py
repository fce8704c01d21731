"""Story: every decision can be audited without the log becoming a store of health data."""
from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime

from safety import SafetyGuard, StreamGuard


def make_guard(tmp_path, store_text=False):
    return SafetyGuard.from_config({"audit": {"enabled": True, "store_text": store_text,
                                              "path": str(tmp_path / "logs" / "audit.jsonl")}})


def read(tmp_path):
    return [json.loads(line) for line in (tmp_path / "logs" / "audit.jsonl").read_text().splitlines()]


def test_one_line_per_decision_without_the_text(tmp_path):
    guard = make_guard(tmp_path)
    text = "I have crushing chest pain"
    guard.check_input(text)
    guard.check_output("Rest and drink water.")
    first, second = read(tmp_path)
    assert first["action"] == "defer" and first["category"] == "emergency"
    assert first["rule_ids"] == ["emergency.1"]
    assert first["kind"] == "input" and second["kind"] == "output"
    assert first["policy_hash"] == guard.policy.hash and len(first["policy_hash"]) == 64
    # keyed: a guessed message hashed with plain sha256 does not reveal it
    assert first["text_hmac"] != hashlib.sha256(text.encode()).hexdigest()
    assert first["text_hmac"] == guard.audit.text_hash(text) and len(first["text_hmac"]) == 64
    assert first["latency_us"] >= 0
    assert datetime.fromisoformat(first["time"]).utcoffset().total_seconds() == 0
    assert "text" not in first and text not in json.dumps(first)


def test_text_is_stored_only_when_asked(tmp_path):
    make_guard(tmp_path, store_text=True).check_input("I have crushing chest pain")
    assert read(tmp_path)[0]["text"] == "I have crushing chest pain"


def test_conversations_and_streams_are_logged_once(tmp_path):
    guard = make_guard(tmp_path)
    guard.check_conversation([{"role": "user", "content": "hi"}])
    stream = StreamGuard(guard)
    for chunk in ["Take ", "some ", "rest."]:
        stream.feed(chunk)
    stream.finish()
    assert [e["kind"] for e in read(tmp_path)] == ["conversation", "stream"]


def test_concurrent_writers_do_not_interleave_lines(tmp_path):
    guard = make_guard(tmp_path, store_text=True)
    long_text = "I can't breathe " + "x" * 5000

    def work():
        for _ in range(25):
            guard.check_input(long_text)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = read(tmp_path)
    assert len(entries) == 200 and all(e["text"] == long_text for e in entries)


def test_the_text_hash_is_keyed_by_a_secret_created_once_and_kept_private(tmp_path):
    import os
    import stat

    from safety.audit import AuditLog

    log = tmp_path / "logs" / "audit.jsonl"
    first = AuditLog(log)
    key = tmp_path / "logs" / "audit.jsonl.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    again = AuditLog(log)  # reused, so repeats of one message still match
    assert first.text_hash("I can't breathe") == again.text_hash("I can't breathe")
    other = AuditLog(tmp_path / "elsewhere.jsonl")  # another deployment, another key
    assert other.text_hash("I can't breathe") != first.text_hash("I can't breathe")


def test_the_secret_can_come_from_config_or_the_environment(tmp_path, monkeypatch):
    from safety.audit import SECRET_ENV, AuditLog

    path = tmp_path / "audit.jsonl"
    from_config = SafetyGuard.from_config({"audit": {"enabled": True, "path": str(path),
                                                     "secret": "s3cret"}}).audit
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    from_env = AuditLog(tmp_path / "other.jsonl")
    assert from_config.text_hash("x") == from_env.text_hash("x")
    assert not (tmp_path / "audit.jsonl.key").exists() and not (tmp_path / "other.jsonl.key").exists()


def test_a_lone_surrogate_in_stored_text_does_not_break_the_log(tmp_path):
    from safety.audit import AuditLog
    from safety.guard import Decision

    log = AuditLog(tmp_path / "logs" / "audit.jsonl", store_text=True)
    log.record(Decision("defer"), "chest pain \ud800", kind="input", policy_hash="x", latency_us=1)
    assert read(tmp_path)[0]["text"] == "chest pain \ud800"
