"""Story: medtune hands its config to the guard, and the guard decides per message."""
from __future__ import annotations

import json

import pytest

from safety import Decision, Policy, PolicyError, SafetyGuard

SECTION = {
    "enabled": True,
    "system_prompt": "You are a careful assistant.",
    "use_default_policy": True,
    "negation": True,
    "default_message": "Please talk to a clinician.",
    "safety_keywords": ["antibiotics"],
    "defer_keywords": ["purple elephant syndrome"],
    "categories": {
        "emergency": {"message": "Call 112 now.", "phrases": ["my toes are glowing"]},
        "veterinary": {"action": "defer", "priority": 5, "phrases": ["my dog ate chocolate"]},
    },
    "content_filter": {"anything": True},
    "training_policy": "flag",
    "audit": {"enabled": False, "path": "logs/safety_audit.jsonl", "store_text": False},
    "eval": {"whatever": 1},
}


def test_the_issue_example_defers_with_the_emergency_message(guard):
    decision = guard.check_input("my dad's face is drooping and he can't lift his arm")
    assert (decision.action, decision.category) == ("defer", "emergency")
    assert "emergency" in decision.message
    assert [m.text for m in decision.matches] == ["face is drooping", "can't lift his arm"]


def test_a_harmless_question_is_allowed(guard):
    decision = guard.check_input("What foods are high in iron?")
    assert decision == Decision("allow", None, None, [])


@pytest.mark.parametrize("source", [SECTION, {"model": {"name": "phi"}, "safety": SECTION}])
def test_config_section_or_whole_config(source):
    guard = SafetyGuard.from_config(source)
    emergency = guard.check_input("help, my toes are glowing")
    assert (emergency.action, emergency.message) == ("defer", "Call 112 now.")
    assert guard.check_input("crushing chest pain").message == "Call 112 now."  # defaults kept
    assert guard.check_input("my dog ate chocolate").message == "Please talk to a clinician."
    assert guard.check_input("Purple-Elephant syndrome?").category == "defer_keywords"
    monitor = guard.check_input("do I need antibiotics")
    assert (monitor.action, monitor.category) == ("monitor", "monitor_keywords")


def test_defaults_can_be_left_out():
    guard = SafetyGuard.from_config({"use_default_policy": False,
                                     "defer_keywords": ["purple elephant syndrome"]})
    assert set(guard.policy.categories) == {"defer_keywords"}
    assert guard.check_input("crushing chest pain").action == "allow"


def test_disabled_guard_allows_everything():
    guard = SafetyGuard.from_config({"enabled": False})
    assert guard.check_input("I can't breathe").action == "allow"


def test_no_source_means_the_built_in_policy():
    assert SafetyGuard.from_config().policy.hash == Policy.default().hash


def test_yaml_file_with_environment_overlay(tmp_path):
    (tmp_path / "config.yaml").write_text(
        "model: {base_model_name: phi}\n"
        "safety:\n  negation: true\n  defer_keywords: [purple elephant syndrome]\n"
        "  audit: {enabled: false}\n")
    (tmp_path / "config.strict.yaml").write_text("safety:\n  negation: false\n")
    relaxed = SafetyGuard.from_config(tmp_path / "config.yaml")
    strict = SafetyGuard.from_config(str(tmp_path / "config.yaml"), env="strict")
    assert relaxed.check_input("no purple elephant syndrome").action == "allow"
    assert strict.check_input("no purple elephant syndrome").action == "defer"
    with pytest.raises(FileNotFoundError):
        SafetyGuard.from_config(tmp_path / "config.yaml", env="missing")


def test_a_broken_policy_fails_at_start_up():
    with pytest.raises(PolicyError) as err:
        SafetyGuard.from_config({"defer_keywords": ["ok phrase", "od"]})
    assert err.value.issues[0].path == "safety.defer_keywords[1]"


def test_an_earlier_red_flag_in_the_conversation_still_defers(guard):
    messages = [
        {"role": "system", "content": "I can't breathe (system text is not checked)"},
        {"role": "user", "content": "I've had crushing chest pain for an hour"},
        {"role": "assistant", "content": "That could be serious."},
        {"role": "user", "content": "Anyway, what should I eat tonight?"},
    ]
    decision = guard.check_conversation(messages)
    assert (decision.action, decision.category) == ("defer", "emergency")
    assert [(m.message_index, m.text) for m in decision.matches] == [(1, "crushing chest pain")]
    later = guard.check_conversation(messages[2:])
    assert later.action == "allow"


def test_multimodal_content_parts_are_read(guard):
    messages = [{"role": "user", "content": [{"type": "image"},
                                             {"type": "text", "text": "my lips are blue"}]}]
    assert guard.check_conversation(messages).action == "defer"


def test_decisions_serialize_to_json(guard):
    data = json.loads(json.dumps(guard.check_input("No fever but crushing chest pain").to_dict()))
    assert data["action"] == "defer" and data["category"] == "emergency"
    assert data["matches"][0] == {
        "phrase": "crushing chest pain", "category": "emergency", "rule_id": "emergency.1",
        "span": [13, 32], "text": "crushing chest pain", "negated": False, "context": None,
        "message_index": None,
    }


def test_defer_beats_a_higher_priority_monitor_category():
    guard = SafetyGuard.from_config({"categories": {
        "chatter": {"action": "monitor", "priority": 1000, "phrases": ["chest"]}}})
    decision = guard.check_input("chest pain")
    assert (decision.action, decision.category) == ("defer", "emergency")


def test_model_answers_are_checked_with_the_same_policy(guard):
    assert guard.check_output("You should stop taking your pills and overdose").action == "defer"


def test_policy_hash_ignores_spelling_but_not_content():
    a = Policy.from_section({"defer_keywords": ["Purple Elephant"]}).hash
    b = Policy.from_section({"defer_keywords": ["purple-elephant"]}).hash
    c = Policy.from_section({"defer_keywords": ["purple giraffe"]}).hash
    assert a == b != c


def test_the_pure_python_engine_agrees_with_pyahocorasick(guard):
    slow = SafetyGuard(guard.policy, native=False)
    for text in ["No fever but crushing chest pain", "I have no chest pain", "what is anaphylaxis",
                 "my dad's face is drooping and he can't lift his arm", "hello", "",
                 "I took too many pills because I want to die"]:
        assert slow.check_input(text) == guard.check_input(text), text
