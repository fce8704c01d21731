"""Story: the policy can be tried from a shell and run over whole datasets."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cli(*args, cwd, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "safety", *args], cwd=cwd, env=env,
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_check_prints_a_readable_decision(tmp_path):
    run = cli("check", "my dad's face is drooping and he can't lift his arm", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("DEFER (emergency)")
    assert "'face is drooping'" in run.stdout and "call your local emergency number" in run.stdout


def test_check_json_and_config_from_the_current_folder(tmp_path):
    (tmp_path / "config.yaml").write_text("safety:\n  defer_keywords: [purple elephant syndrome]\n")
    run = cli("check", "--json", "I have purple elephant syndrome", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["category"] == "defer_keywords"


def test_check_with_explicit_config_and_env(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "config.yaml").write_text("safety: {negation: true}\n")
    (conf / "config.dev.yaml").write_text("safety: {negation: false}\n")
    args = ["check", "--json", "I have no chest pain", "--config", str(conf / "config.yaml")]
    assert json.loads(cli(*args, cwd=tmp_path).stdout)["action"] == "allow"
    assert json.loads(cli(*args, "--env", "dev", cwd=tmp_path).stdout)["action"] == "defer"


def test_scan_writes_one_decision_per_line_and_survives_bad_lines(tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join([
        json.dumps({"id": "a", "text": "I can't breathe"}),
        "{not json",
        json.dumps({"id": "c", "messages": [{"role": "user", "content": "I took too many pills"},
                                            {"role": "user", "content": "thanks"}]}),
        json.dumps({"id": "d", "prompt": "no text field"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "What foods are high in iron?"}),
    ]) + "\n")
    run = cli("scan", str(data), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "c", "d", None, None]
    assert rows[0]["action"] == "defer" and rows[0]["matches"][0]["text"] == "can't breathe"
    assert rows[1]["line"] == 2 and "error" in rows[1]
    assert rows[2]["category"] == "poisoning_overdose" and rows[2]["matches"][0]["message_index"] == 0
    assert "error" in rows[3] and "error" in rows[4]
    assert rows[5]["action"] == "allow" and rows[5]["matches"] == []


def test_scan_reads_stdin_and_another_field(tmp_path):
    run = cli("scan", "--field", "prompt", "-", cwd=tmp_path,
              stdin=json.dumps({"id": 7, "prompt": "my baby is floppy"}) + "\n")
    row = json.loads(run.stdout)
    assert (row["id"], row["action"], row["category"]) == (7, "defer", "infant_red_flags")


def test_a_broken_config_is_reported_not_a_traceback(tmp_path):
    (tmp_path / "config.yaml").write_text("safety:\n  defer_keywords: [od]\n")
    run = cli("check", "hello", cwd=tmp_path)
    assert run.returncode == 2
    assert "safety.defer_keywords[0]" in run.stderr and "Traceback" not in run.stderr


def test_scan_keeps_going_after_a_lone_surrogate_and_a_deeply_nested_line(tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join([
        '{"id": "s", "text": "chest pain \\ud800 since lunch"}',  # lone surrogate escape
        '{"id": "n", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "[" * 100_000,
        b"\xed\xa0\x80 broken bytes".decode("utf-8", "replace"),
        json.dumps({"id": "after", "text": "I can't breathe"}),
    ]) + "\n", encoding="utf-8")
    run = cli("scan", str(data), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["action"] == "defer"  # the surrogate is carried, escaped, not fatal
    assert all("error" in r for r in rows[1:4])
    assert rows[4]["id"] == "after" and rows[4]["action"] == "defer"
