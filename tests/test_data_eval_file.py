"""A separate evaluation file (``data.eval_path``, or ``eval_path`` in a ``data.datasets`` entry):
it goes through the same pipeline as the training data and is counted on its own, its kept rows
are exactly the eval split, and it cannot be combined with a hash split."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml

from medtune.config import Config, load_config
from medtune.data import prepare_data
from medtune.errors import ConfigError

WORDS = "asthma inhaler fever rash cough sleep diet salt sugar insulin thyroid kidney liver heart lung skin bone joint".split()


def qa(n: int, seed: int, tag: str) -> list[dict]:
    rng = random.Random(seed)
    say = lambda k: " ".join(rng.choice(WORDS) for _ in range(k))  # noqa: E731
    return [{"messages": [{"role": "user", "content": f"{tag} question {i}: {say(6)}?"},
                          {"role": "assistant", "content": f"{tag} answer {i}: {say(14)}."}]} for i in range(n)]  # fmt: skip


def write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def project(root: Path, data: dict) -> Path:
    cfg = {
        "model": {"base_model_name": "embedded:tiny-phi4-mini"},
        "training": {"eval_strategy": "steps"},
        "evaluation": {"mcq_path": None},
        "data": {"max_seq_length": 512, "max_length": 512, "cache_dir": ".cache/data", **data},
        "safety": {"system_prompt": "You are a careful test assistant."},
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return root / "config.yaml"


def load(path: Path, *overrides: str) -> Config:
    return load_config(path, overrides=list(overrides), environ={}, dotenv=False).config


@pytest.fixture(scope="module")
def tok():
    from medtune.model import load_tokenizer

    return load_tokenizer(Config.model_validate({"model": {"base_model_name": "embedded:tiny-phi4-mini"}}))


def user_turns(ds) -> list[str]:
    return sorted(r["messages"][1]["content"] for r in ds.to_list())  # [0] is the system prompt


def test_the_eval_rows_are_exactly_the_eval_files_kept_rows(tmp_path, tok):
    train, held_out = qa(40, 0, "train"), qa(12, 1, "eval")
    write(tmp_path / "data" / "train.jsonl", [json.dumps(r) for r in train + [held_out[0]]])  # a leaked eval row
    eval_lines = [json.dumps(r) for r in held_out] + [json.dumps(held_out[3]), "{broken", json.dumps({"messages": []})]
    write(tmp_path / "data" / "eval.jsonl", eval_lines)
    cfg = load(project(tmp_path, {"dataset_path": "data/train.jsonl", "eval_path": "data/eval.jsonl"}))

    p = prepare_data(cfg, tok, report_dir=tmp_path / "report")

    assert user_turns(p.eval) == sorted(r["messages"][0]["content"] for r in held_out)
    assert user_turns(p.train) == sorted(r["messages"][0]["content"] for r in train)  # the leaked copy is dropped from train
    ef = p.report["eval_files"]
    assert ef == {"paths": ["data/eval.jsonl"], "input": 15, "kept": 12,
                  "dropped": {"invalid_json": 1, "missing_field": 1, "exact_duplicate": 1}}  # fmt: skip
    rows = p.report["rows"]
    assert rows["input"] == 41 + 15 and rows["kept"] + sum(rows["dropped"].values()) == rows["input"]
    assert [(s["role"], s["rows_read"], s["train"], s["eval"]) for s in p.report["sources"]] == [("train", 41, 40, 0), ("eval", 15, 0, 12)]
    assert [(x["path"], x["role"]) for x in p.provenance] == [("data/train.jsonl", "train"), ("data/eval.jsonl", "eval")]
    assert p.report["config"]["eval_files"] == ["data/eval.jsonl"] and p.report["config"]["eval_dataset_size"] == 0
    assert "Eval rows come from the eval files (`data/eval.jsonl`), not a hash split: 15 conversations in, 12 kept" in (
        tmp_path / "report" / "data_report.md"
    ).read_text()


def test_each_dataset_can_bring_its_own_eval_file_in_its_own_format(tmp_path, tok):
    write(tmp_path / "data" / "chat.jsonl", [json.dumps(r) for r in qa(20, 2, "chat")])
    write(tmp_path / "data" / "chat_eval.jsonl", [json.dumps(r) for r in qa(4, 3, "chateval")])
    alpaca = lambda rows: [json.dumps({"instruction": r["messages"][0]["content"], "output": r["messages"][1]["content"]}) for r in rows]  # noqa: E731
    write(tmp_path / "data" / "qa.jsonl", alpaca(qa(20, 4, "qa")))
    write(tmp_path / "data" / "qa_eval.jsonl", alpaca(qa(5, 5, "qaeval")))
    cfg = load(project(tmp_path, {"dataset_path": None, "datasets": [
        {"path": "data/chat.jsonl", "eval_path": "data/chat_eval.jsonl", "name": "chat"},
        {"path": "data/qa.jsonl", "format": "alpaca", "eval_path": "data/qa_eval.jsonl", "weight": 2},
    ]}))  # fmt: skip

    p = prepare_data(cfg, tok)

    assert len(p.eval) == 9 and all("eval question" in m for m in user_turns(p.eval))
    assert [(s["name"], s["role"], s["format"], s["eval"]) for s in p.report["sources"]] == [
        ("chat", "train", "messages", 0), ("data/qa.jsonl", "train", "alpaca", 0),
        ("chat (eval)", "eval", "messages", 4), ("data/qa_eval.jsonl", "eval", "alpaca", 5),
    ]  # fmt: skip
    assert p.report["split"] == {"train": 40, "eval": 9, "train_weighted": 60}  # weights apply to training rows only


def test_an_eval_file_and_a_hash_split_together_are_a_config_error_naming_both(tmp_path):
    write(tmp_path / "data" / "train.jsonl", [json.dumps(r) for r in qa(5, 0, "t")])
    write(tmp_path / "data" / "eval.jsonl", [json.dumps(r) for r in qa(5, 1, "e")])
    path = project(tmp_path, {"dataset_path": "data/train.jsonl", "eval_path": "data/eval.jsonl", "eval_dataset_size": 0.2})
    with pytest.raises(ConfigError) as err:
        load(path)
    assert "data.eval_path: an eval file (data/eval.jsonl) and data.eval_dataset_size (0.2, from config.yaml" in str(err.value)
    assert load(path, "data.eval_dataset_size=0").data.eval_path == "data/eval.jsonl"  # 0: no split, the file alone


def test_a_missing_eval_file_is_named_before_anything_loads(tmp_path):
    write(tmp_path / "data" / "train.jsonl", [json.dumps(r) for r in qa(5, 0, "t")])
    with pytest.raises(ConfigError, match=r"data.datasets\[0\].eval_path: data/nope.jsonl does not exist"):
        load(project(tmp_path, {"dataset_path": None, "datasets": [{"path": "data/train.jsonl", "eval_path": "data/nope.jsonl"}]}))


def test_the_command_refuses_both_with_exit_2_and_no_traceback(tmp_path, run_medtune):
    write(tmp_path / "train.jsonl", [json.dumps(r) for r in qa(5, 0, "t")])
    write(tmp_path / "eval.jsonl", [json.dumps(r) for r in qa(5, 1, "e")])
    proc = run_medtune(
        "data", "--env", "dev", "--set", f"data.dataset_path={tmp_path / 'train.jsonl'}",
        "--set", f"data.eval_path={tmp_path / 'eval.jsonl'}", "--set", "data.eval_dataset_size=0.2",
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "data.eval_path" in proc.stderr and "data.eval_dataset_size" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
