"""prepare_data end to end on tiny projects, with the embedded tokenizer: what the trainer gets,
what the report says, what is cached, and what never reaches a file (PII)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml

from medtune.chat_template import tokenize_conversation
from medtune.config import Config, load_config
from medtune.data import PreparedData, prepare_data
from medtune.data.clean import dedup_key
from medtune.data.dedup import _Shingles
from medtune.data.split import copies
from medtune.data.tokenize import tokenize_many
from medtune.errors import DataError

WORDS = (
    "asthma inhaler fever rash cough sleep diet salt sugar insulin thyroid kidney liver heart lung skin bone joint "
    "muscle nerve blood pressure vitamin iron calcium water exercise walking stretching vaccine flu cold allergy "
    "pollen dust mould eczema acne migraine headache nausea dizziness fatigue stress anxiety mood appetite weight "
    "screening check clinic nurse pharmacist tablet cream drops spray dose morning evening daily weekly rest fluids "
    "warm cool gentle regular mild severe common rare early late child adult older pregnant breastfeeding"
).split()
PROMPT = "You are a careful test assistant."


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def conversations(n: int, seed: int = 0, prefix: str = "") -> list[list[dict]]:
    rng = random.Random(seed)
    return [
        [{"role": "user", "content": f"{prefix}{sentence(rng, 8)[:-1]}?"}, {"role": "assistant", "content": sentence(rng, 30)}]
        for _ in range(n)
    ]


def write_jsonl(path: Path, convs: list[list[dict]], extra_lines: list[str] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"messages": c}) for c in convs] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def project(root: Path, data: dict | None = None, safety: dict | None = None, logging: dict | None = None) -> Path:
    cfg = {
        "model": {"base_model_name": "embedded:tiny-phi4-mini"},
        "training": {"eval_strategy": "no", "data_seed": 3},
        "evaluation": {"mcq_path": None},
        "data": {"dataset_path": "data/train.jsonl", "max_seq_length": 512, "max_length": 512, "eval_dataset_size": 0.25,
                 "cache_dir": ".cache/data", **(data or {})},
        "safety": {"system_prompt": PROMPT, **(safety or {})},
        "logging": logging or {},
    }  # fmt: skip
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return root / "config.yaml"


def config(path: Path, *overrides: str) -> Config:
    return load_config(path, overrides=list(overrides), environ={}, dotenv=False).config


@pytest.fixture(scope="module")
def tok():
    from medtune.model import load_tokenizer

    return load_tokenizer(Config.model_validate({"model": {"base_model_name": "embedded:tiny-phi4-mini"}}))


def rows_of(ds) -> list[dict]:
    return [] if ds is None else ds.to_list()


def check_counts(p: PreparedData) -> None:
    rows = p.report["rows"]
    assert rows["kept"] + sum(rows["dropped"].values()) == rows["input"]
    assert p.report["split"]["train"] + p.report["split"]["eval"] == rows["kept"]


def test_trainer_gets_tokenized_masked_splits_with_the_system_prompt(tmp_path, tok):
    convs = conversations(30)
    convs[0] = [{"role": "system", "content": "An old prompt."}] + convs[0]
    convs[1] = convs[1] + [{"role": "user", "content": "And at night?"}, {"role": "assistant", "content": "Rest and fluids."}]
    write_jsonl(tmp_path / "data" / "train.jsonl", convs)
    cfg = config(project(tmp_path, data={"license": "CC-BY-4.0"}))
    p = prepare_data(cfg, tok)

    assert set(p.train.column_names) == {"input_ids", "attention_mask", "labels", "messages"}
    assert len(p.train) + len(p.eval) == 30 and len(p.eval) > 0
    for row in rows_of(p.train) + rows_of(p.eval):
        assert row["messages"][0] == {"role": "system", "content": PROMPT}
        assert all(m["content"] != "An old prompt." for m in row["messages"])
        assert {k: row[k] for k in ("input_ids", "attention_mask", "labels")} == tokenize_conversation(tok, row["messages"])
        assert tok.decode(row["input_ids"]).startswith(f"<|system|>{PROMPT}<|end|><|user|>")
    sp = p.report["system_prompt"]
    assert (sp["inserted"], sp["replaced"], sp["changed"]) == (29, 1, 30)
    for ex in p.report["examples"]:
        assert ex["text"].startswith(f"<|system|>{PROMPT}<|end|><|user|>") and "[[TRAIN:" in ex["text"]
    assert p.provenance == [{"dataset": "data/train.jsonl", "path": "data/train.jsonl", "sha256": p.provenance[0]["sha256"],
                             "rows": 30, "format": "messages", "license": "CC-BY-4.0", "weight": 1.0, "role": "train"}]  # fmt: skip
    assert len(p.provenance[0]["sha256"]) == 64
    check_counts(p)


def test_tokenize_many_is_tokenize_conversation_even_when_the_template_changes_content(tok):
    convs = [[{"role": "system", "content": PROMPT}] + c for c in conversations(12, seed=5)]
    convs.append(convs[0] + [{"role": "user", "content": "Q2 <|end|> literal?"}, {"role": "assistant", "content": "A2."}])
    ids, labels, info = tokenize_many(tok, convs)
    assert info["fast_path"] and info["verified_rows"] >= 2
    for c, i, lab in zip(convs, ids, labels, strict=True):
        enc = tokenize_conversation(tok, c)
        assert (i.tolist(), lab.tolist()) == (enc["input_ids"], enc["labels"])

    import copy

    shouting = copy.deepcopy(tok)
    shouting.chat_template = tok.chat_template.replace("message['content']", "message['content'] | upper")
    ids, labels, info = tokenize_many(shouting, convs[:3])
    assert not info["fast_path"]
    for c, i, lab in zip(convs[:3], ids, labels, strict=True):
        enc = tokenize_conversation(shouting, c)
        assert (i.tolist(), lab.tolist()) == (enc["input_ids"], enc["labels"])


def test_pii_is_replaced_and_never_written_anywhere(tmp_path, tok):
    convs = conversations(10)
    convs[2][0]["content"] = "My email is jane.roe@example.com and my phone is (555) 123-4567, what now?"
    convs[3][1]["content"] += " Call 911 if it is an emergency, or poison control at 1-800-222-1222."
    bad = '{"messages": [{"role": "user", "content": "SSN 123-45-6789 jane.roe@example.com"'  # malformed, with PII
    write_jsonl(tmp_path / "data" / "train.jsonl", convs, [bad])
    out = tmp_path / "report"
    p = prepare_data(config(project(tmp_path, data={"max_invalid_fraction": 0.5})), tok, report_dir=out)

    texts = json.dumps(rows_of(p.train) + rows_of(p.eval))
    assert "[EMAIL]" in texts and "[PHONE]" in texts and "jane.roe" not in texts and "123-4567" not in texts
    assert "911" in texts and "1-800-222-1222" in texts  # public numbers stay
    assert p.report["pii"]["replacements"] == {"EMAIL": 1, "PHONE": 1}
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert rejects == [{"file": "data/train.jsonl", "line": 11, "reason": "invalid_json", "detail": rejects[0]["detail"],
                        "sha256": rejects[0]["sha256"]}]  # fmt: skip
    written = [f for f in list(out.rglob("*")) + list((tmp_path / ".cache").rglob("*")) if f.is_file()]
    assert any(f.suffix == ".arrow" for f in written)
    for f in written:
        blob = f.read_bytes()
        assert b"jane.roe" not in blob and b"123-45-6789" not in blob and b"123-4567" not in blob, f

    phi = tmp_path / "phi"
    write_jsonl(phi / "data" / "train.jsonl", convs, [bad])
    logged = prepare_data(config(project(phi, data={"max_invalid_fraction": 0.5}, logging={"log_phi": True})), tok)
    text = json.loads(logged.rejects_path.read_text().splitlines()[0])["text"]
    assert "[SSN]" in text and "[EMAIL]" in text and "jane.roe" not in text


def test_too_many_malformed_rows_stop_the_run_showing_the_first_few(tmp_path, tok):
    good = [json.dumps({"messages": c}) for c in conversations(7)]
    lines = good[:2] + ["{not json"] + good[2:4] + ['{"messages": []}'] + good[4:] + ['{"messages": [{"role": "assistant", "content": "x"}]}']
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text("\n".join(lines) + "\n")
    out = tmp_path / "report"
    with pytest.raises(DataError) as exc:
        prepare_data(config(project(tmp_path)), tok, report_dir=out)
    msg = str(exc.value)
    assert "3 of 10 rows (30.0%) are malformed" in msg and "data.max_invalid_fraction" in msg
    for where in ("data/train.jsonl:3: invalid_json", "data/train.jsonl:6: missing_field", "data/train.jsonl:10: role_order"):
        assert where in msg
    assert len((out / "rejects.jsonl").read_text().splitlines()) == 3

    p = prepare_data(config(project(tmp_path), "data.max_invalid_fraction=0.3"), tok)
    assert p.report["rows"]["invalid"] == 3 and p.report["rows"]["kept"] == 7
    check_counts(p)


def test_second_run_is_a_cache_hit_and_changes_invalidate_it(tmp_path, tok):
    path = write_jsonl(tmp_path / "data" / "train.jsonl", conversations(20))
    cfg_path = project(tmp_path)
    first = prepare_data(config(cfg_path), tok)
    second = prepare_data(config(cfg_path), tok)
    assert not first.report["cache"]["hit"] and second.report["cache"]["hit"]
    assert second.fingerprint == first.fingerprint
    assert second.train.to_list() == first.train.to_list() and second.eval.to_list() == first.eval.to_list()
    assert second.provenance == first.provenance

    changed = prepare_data(config(cfg_path, "data.min_length=9"), tok)
    assert not changed.report["cache"]["hit"] and changed.fingerprint != first.fingerprint
    write_jsonl(path, conversations(21))
    assert not prepare_data(config(cfg_path), tok).report["cache"]["hit"]


def test_eval_split_is_stable_when_rows_are_appended(tmp_path, tok):
    base = conversations(40, seed=1)
    write_jsonl(tmp_path / "data" / "train.jsonl", base)
    cfg_path = project(tmp_path)
    before = prepare_data(config(cfg_path), tok)
    write_jsonl(tmp_path / "data" / "train.jsonl", base + conversations(25, seed=2))
    after = prepare_data(config(cfg_path), tok)

    def users(ds):
        return {r["messages"][1]["content"] for r in rows_of(ds)}

    assert users(before.eval) <= users(after.eval)
    assert users(before.train) <= users(after.train)
    assert len(after.eval) > len(before.eval)


def test_near_twins_never_straddle_train_and_eval(tmp_path, tok):
    rng = random.Random(9)
    convs = []
    for _ in range(24):
        q, a = f"{sentence(rng, 8)[:-1]}?", sentence(rng, 40)
        convs.append([{"role": "user", "content": q}, {"role": "assistant", "content": a}])
        words = a.split()
        words[len(words) // 2] = "hydration"  # one word changed: a near-twin
        convs.append([{"role": "user", "content": q}, {"role": "assistant", "content": " ".join(words)}])
    write_jsonl(tmp_path / "data" / "train.jsonl", convs)
    out = tmp_path / "report"
    p = prepare_data(config(project(tmp_path, data={"eval_dataset_size": 0.3})), tok, report_dir=out)

    dup = p.report["duplicates"]
    assert dup["eval_contamination"] > 0 and dup["near"] > 0
    assert dup["eval_contamination"] + dup["near"] == 24 and p.report["rows"]["kept"] == 24
    train, evals = rows_of(p.train), rows_of(p.eval)
    sh = _Shingles([dedup_key(r["messages"]) for r in evals + train])
    for i in range(len(evals)):
        assert all(sh.jaccard(i, len(evals) + j) < 0.85 for j in range(len(train)))
    reasons = [json.loads(line)["reason"] for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert sorted(reasons) == sorted(["eval_contamination"] * dup["eval_contamination"] + ["near_duplicate"] * dup["near"])
    check_counts(p)


def test_exact_duplicates_after_case_and_whitespace(tmp_path, tok):
    convs = conversations(10)
    twin = [{"role": m["role"], "content": "  " + m["content"].upper().replace(" ", "   ")} for m in convs[4]]
    write_jsonl(tmp_path / "data" / "train.jsonl", convs + [twin])
    p = prepare_data(config(project(tmp_path, data={"dedup": {"near": False}})), tok)
    assert p.report["duplicates"]["exact"] == 1 and p.report["rows"]["dropped"]["exact_duplicate"] == 1
    assert p.report["rows"]["kept"] == 10


def test_weights_oversample_and_subsample_per_dataset(tmp_path, tok):
    write_jsonl(tmp_path / "data" / "a.jsonl", conversations(30, seed=1, prefix="A "))
    write_jsonl(tmp_path / "data" / "b" / "b1.jsonl", conversations(30, seed=2, prefix="B "))
    datasets = [
        {"path": "data/a.jsonl", "weight": 2.0, "license": "CC0", "name": "alpha"},
        {"path": "data/b", "weight": 0.5, "name": "beta"},
    ]
    p = prepare_data(config(project(tmp_path, data={"dataset_path": None, "datasets": datasets, "eval_dataset_size": 0})), tok)
    by_name = {s["name"]: s for s in p.report["sources"]}
    assert by_name["alpha"]["train"] == 30 and by_name["alpha"]["train_weighted"] == 60
    assert by_name["beta"]["train"] == 30 and 5 <= by_name["beta"]["train_weighted"] < 30
    assert len(p.train) == 60 + by_name["beta"]["train_weighted"] == p.report["split"]["train_weighted"]
    b_rows = [r for r in rows_of(p.train) if r["messages"][1]["content"].startswith("B ")]
    assert all(copies(0.5, 3, dedup_key(r["messages"])) == 1 for r in b_rows)  # the hash chose them
    assert [(x["dataset"], x["path"], x["license"]) for x in p.provenance] == [("alpha", "data/a.jsonl", "CC0"), ("beta", "data/b/b1.jsonl", None)]
    assert p.eval is None
    again = prepare_data(config(project(tmp_path, data={"dataset_path": None, "datasets": datasets, "eval_dataset_size": 0, "cache_dir": ".cache/other"})), tok)
    assert again.train.to_list() == p.train.to_list()  # deterministic, not a cache hit
    assert not again.report["cache"]["hit"]


def test_length_filters_drop_or_truncate(tmp_path, tok):
    convs = conversations(10)
    convs[0] = [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Yes."}]
    convs[1][1]["content"] = " ".join(["word"] * 400)
    write_jsonl(tmp_path / "data" / "train.jsonl", convs)
    cfg_path = project(tmp_path, data={"min_length": 25, "max_length": 200, "max_seq_length": 200, "eval_dataset_size": 0})
    dropped = prepare_data(config(cfg_path), tok)
    assert dropped.report["length"] == {"too_short": 1, "too_long": 1, "truncated": 0}
    assert all(len(x) <= 200 for x in dropped.train["input_ids"])
    truncated = prepare_data(config(cfg_path, "data.truncation=truncate"), tok)
    assert truncated.report["length"] == {"too_short": 1, "too_long": 0, "truncated": 1}
    assert max(len(x) for x in truncated.train["input_ids"]) == 200
    check_counts(dropped)
    check_counts(truncated)


def test_content_filter_drops_or_flags(tmp_path, tok):
    convs = conversations(10)
    convs[3][1]["content"] += " Ask about Forbiddenium at the clinic."
    write_jsonl(tmp_path / "data" / "train.jsonl", convs)
    cf = {"content_filter": {"blocked_terms": ["forbiddenium"], "action": "drop"}}
    p = prepare_data(config(project(tmp_path, safety=cf)), tok)
    assert p.report["rows"]["dropped"]["content_filter"] == 1 and p.report["rows"]["kept"] == 9
    cf["content_filter"]["action"] = "flag"
    p = prepare_data(config(project(tmp_path, safety=cf)), tok)
    assert p.report["content_filter"]["matched"] == 1 and p.report["rows"]["kept"] == 10
    assert p.report["content_filter"]["flagged"] == [{"source": "data/train.jsonl:4", "term": "forbiddenium"}]


def _guard_available() -> str | None:
    try:
        from safety import SafetyGuard  # noqa: F401
    except ImportError as exc:
        return f"the safety package's SafetyGuard is not importable here ({exc})"
    return None


@pytest.mark.skipif(_guard_available() is not None, reason=str(_guard_available()))
@pytest.mark.parametrize("policy", ["flag", "drop", "rewrite"])
def test_deferral_consistency_policies(tmp_path, tok, policy):
    convs = conversations(8)
    emergency = "I have crushing chest pain and my left arm is numb, what should I do?"
    convs.append([{"role": "user", "content": emergency}, {"role": "assistant", "content": "Try an antacid and lie down for a while."}])
    convs.append([{"role": "user", "content": emergency + " Really."}, {"role": "assistant", "content": "Call 911 or your local emergency number now."}])
    write_jsonl(tmp_path / "data" / "train.jsonl", convs)
    p = prepare_data(config(project(tmp_path, data={"eval_dataset_size": 0}, safety={"training_policy": policy})), tok)
    d = p.report["deferral"]
    assert d["checked"] and d["inconsistent"] == 1 and d["flagged"][0]["source"] == "data/train.jsonl:9"
    answers = [r["messages"][-1]["content"] for r in rows_of(p.train)]
    if policy == "flag":
        assert "Try an antacid and lie down for a while." in answers and len(answers) == 10
    elif policy == "drop":
        assert p.report["rows"]["dropped"]["deferral_inconsistent"] == 1 and len(answers) == 9
    else:
        assert d["rewritten"] == 1 and "Try an antacid and lie down for a while." not in answers
        assert sum("emergency" in a.lower() for a in answers) == 2
    check_counts(p)


@pytest.mark.skipif(_guard_available() is not None, reason=str(_guard_available()))
def test_deferral_check_in_forked_workers_finds_what_one_process_finds(tmp_path, tok, monkeypatch):
    from medtune.data import deferral

    emergency = "I have crushing chest pain and my left arm is numb, what should I do?"
    convs = conversations(9)
    convs[4] = [{"role": "user", "content": emergency}, {"role": "assistant", "content": "Try an antacid and lie down for a while."}]
    write_jsonl(tmp_path / "data" / "train.jsonl", convs)
    check, _ = deferral.DeferralCheck.from_config(config(project(tmp_path)))
    monkeypatch.setattr(deferral, "CHUNK", 2)  # 5 tasks over 2 workers
    alone, forked = deferral.find_all(check, convs, 1), deferral.find_all(check, convs, 2)
    assert forked == alone and [i for i, f in enumerate(forked) if f] == [4] and forked[4][0].turn == 1


def test_deferral_check_is_skipped_with_a_reason_when_safety_is_off(tmp_path, tok):
    write_jsonl(tmp_path / "data" / "train.jsonl", conversations(6))
    p = prepare_data(config(project(tmp_path, safety={"enabled": False})), tok)
    assert not p.report["deferral"]["checked"] and "safety.enabled is false" in p.report["deferral"]["status"]


def test_report_files_and_cli(tmp_path, tok, capsys):
    write_jsonl(tmp_path / "data" / "train.jsonl", conversations(12))
    cfg_path = project(tmp_path)
    (tmp_path / "config.dev.yaml").write_text("data:\n  min_length: 8\n")
    out = tmp_path / "reports" / "data"
    from medtune.cli import main

    assert main(["data", "--config", str(cfg_path), "--env", "dev", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "12 conversations in, 12 kept" in printed and "data_report.md" in printed
    for name in ("data_report.json", "data_report.md", "token_lengths.png", "rejects.jsonl"):
        assert (out / name).is_file(), name
    assert (out / "token_lengths.png").read_bytes()[:4] == b"\x89PNG"
    report = json.loads((out / "data_report.json").read_text())
    md = (out / "data_report.md").read_text()
    assert report["rows"]["input"] == 12 and len(report["examples"]) == 3
    assert "## Examples, exactly as the model sees them" in md and "[[TRAIN:" in md and PROMPT in md
    for key in ("train", "eval"):
        assert {"p50", "p90", "p99", "max"} <= set(report["token_lengths"][key])

    run_dir = tmp_path / "runs" / "r1"  # the trainer saves the same report into each run directory
    prepare_data(config(cfg_path), tok).write_report(run_dir)
    assert json.loads((run_dir / "data_report.json").read_text())["fingerprint"] == report["fingerprint"]
