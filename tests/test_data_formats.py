"""Every input format reads to the same conversations; malformed rows are reported by file, line
and reason and never lost silently. No tokenizer needed here: these run in well under a second."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from medtune.config import Config, DatasetSpec
from medtune.data.clean import clean_turns
from medtune.data.formats import conversations, detect_format
from medtune.data.pipeline import _with_format
from medtune.data.records import RowError
from medtune.data.sources import SourceFile, read_rows, resolve_files
from medtune.errors import DataError

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"

QA = [
    ("How long should I wash my hands?", "At least 20 seconds, with soap, then rinse and dry."),
    ("Why take vitamin D in winter?", "There is too little sunlight in winter for the skin to make enough."),
    ("What lowers blood pressure?", "Less salt, regular exercise, a healthy weight and less alcohol."),
]
EXPECTED = [[{"role": "user", "content": q}, {"role": "assistant", "content": a}] for q, a in QA]
QA_FIELDS = {"user": "question", "assistant": "answer"}


def read(path: Path, fmt: str = "auto", fields: dict | None = None) -> tuple[list, list]:
    """(conversations, [(line, reason)]) as the pipeline's load stage sees them."""
    sf = SourceFile(path, path.name, "")
    fmt, fields, rows = _with_format(sf, fmt, fields)
    good, bad = [], []
    for line, _raw, conv in conversations(fmt, rows, fields):
        if isinstance(conv, RowError):
            bad.append((line, conv.reason))
            continue
        try:
            good.append(clean_turns(conv)[0])
        except RowError as exc:
            bad.append((line, exc.reason))
    return good, bad


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def oasst_tree(q: str, a: str, prefix: str, best_second: bool) -> dict:
    good = {"message_id": f"{prefix}-a0", "role": "assistant", "text": a, "rank": 0, "replies": []}
    poor = {"message_id": f"{prefix}-a1", "role": "assistant", "text": "A poor answer.", "rank": 1, "replies": []}
    replies = [poor, good] if best_second else [good, poor]
    return {"message_id": f"{prefix}-q", "role": "prompter", "text": q, "lang": "en", "replies": replies}


def write_format(tmp: Path, fmt: str) -> tuple[Path, dict | None]:
    """The QA conversations in ``fmt``; returns the path and the field mapping it needs."""
    if fmt == "messages":
        return write_jsonl(tmp / "m.jsonl", [{"messages": c} for c in EXPECTED]), None
    if fmt == "sharegpt":
        rows = [{"conversations": [{"from": "human", "value": q}, {"from": "gpt", "value": a}]} for q, a in QA]
        (tmp / "s.json").write_text(json.dumps(rows, indent=2))
        return tmp / "s.json", None
    if fmt == "alpaca":
        rows = [{"instruction": q, "input": "", "output": a} for q, a in QA]
        (tmp / "a.json").write_text(json.dumps({"data": rows}))
        return tmp / "a.json", None
    if fmt == "oasst":
        return write_jsonl(tmp / "o.jsonl", [oasst_tree(q, a, f"t{i}", i > 0) for i, (q, a) in enumerate(QA)]), None
    if fmt == "prompt_completion":
        return write_jsonl(tmp / "p.jsonl", [{"prompt": q, "completion": a} for q, a in QA]), None
    if fmt == "custom_csv":
        with open(tmp / "c.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["question", "answer", "qtype", "focus"])
            for q, a in QA:
                w.writerow([q, a, "information", "x, y"])
        return tmp / "c.csv", QA_FIELDS
    if fmt == "custom_parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"question": [q for q, _ in QA], "answer": [a for _, a in QA], "source": ["x"] * 3}), tmp / "c.parquet")
        return tmp / "c.parquet", QA_FIELDS
    raise AssertionError(fmt)


ALL = ["messages", "sharegpt", "alpaca", "oasst", "prompt_completion", "custom_csv", "custom_parquet"]


@pytest.mark.parametrize("fmt", ALL)
def test_each_format_reads_to_the_same_conversations(tmp_path, fmt):
    path, fields = write_format(tmp_path, fmt)
    named = fmt.split("_")[0] if fmt.startswith("custom") else fmt
    assert read(path, named, fields) == (EXPECTED, [])
    assert read(path, "auto", fields) == (EXPECTED, [])  # auto detects from the first row's keys


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="data/examples/ is not in this checkout")
@pytest.mark.parametrize(
    "name,fields",
    [("messages.jsonl", None), ("alpaca.json", None), ("sharegpt.json", None), ("oasst.jsonl", None),
     ("prompt_completion.jsonl", None), ("custom_medquad_style.csv", QA_FIELDS), ("custom.jsonl", QA_FIELDS)],
)  # fmt: skip
def test_shipped_examples_parse_identically(name, fields):
    if not (EXAMPLES / name).is_file():
        pytest.skip(f"data/examples/{name} is not in this checkout")
    expected, bad = read(EXAMPLES / "messages.jsonl")
    assert len(expected) == 3 and not bad
    assert read(EXAMPLES / name, "auto", fields) == (expected, [])


@pytest.mark.skipif(not (EXAMPLES / "malformed.jsonl").is_file(), reason="data/examples/malformed.jsonl is not in this checkout")
def test_shipped_malformed_example_reports_lines_3_6_9():
    good, bad = read(EXAMPLES / "malformed.jsonl")
    assert len(good) == 7
    assert bad == [(3, "invalid_json"), (6, "empty_turn"), (9, "role_order")]


def test_malformed_rows_report_line_and_reason_and_lose_nothing(tmp_path):
    lines = [
        json.dumps({"messages": EXPECTED[0]}),
        '{"messages": [{"role": "user", "content": "cut off"',  # bad JSON
        json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "  "}]}),
        json.dumps({"messages": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "q"}]}),
        json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "tool", "content": "x"}]}),
        json.dumps({"text": "no messages key"}),
        json.dumps([1, 2]),
        "",  # blank lines are not rows
        json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}, {"role": "user", "content": "q2"}]}),
        json.dumps({"messages": EXPECTED[1]}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    good, bad = read(path, "messages")
    assert good == EXPECTED[:2]
    assert bad == [(2, "invalid_json"), (3, "empty_turn"), (4, "role_order"), (5, "role_order"),
                   (6, "missing_field"), (7, "not_an_object"), (9, "role_order")]  # fmt: skip
    assert len(good) + len(bad) == sum(1 for line in lines if line.strip())


def test_json_list_items_know_their_line(tmp_path):
    path = tmp_path / "list.json"
    path.write_text('[\n  {"prompt": "a", "completion": "b"},\n\n  {"prompt": "c",\n   "completion": ""},\n  {"prompt": "e", "completion": "f"}\n]\n')
    good, bad = read(path)
    assert [c[0]["content"] for c in good] == ["a", "e"]
    assert bad == [(4, "empty_turn")]


def test_json_lines_in_a_json_file_still_read(tmp_path):
    path = tmp_path / "actually_lines.json"
    write_jsonl(path, [{"messages": c} for c in EXPECTED])
    assert read(path) == (EXPECTED, [])


def test_csv_rows_know_their_line_with_multiline_cells(tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text('question,answer\n"two\nlines",ok\nq2,\nq3,a3\n')
    good, bad = read(path, "custom", QA_FIELDS)
    assert [c[0]["content"] for c in good] == ["two\nlines", "q3"]
    assert bad == [(4, "empty_turn")]


def test_custom_mapping_reads_nested_fields_and_a_system_column(tmp_path):
    path = write_jsonl(tmp_path / "n.jsonl", [{"q": {"text": "Q?"}, "a": "A.", "sys": "Be brief."}])
    good, bad = read(path, "custom", {"user": "q.text", "assistant": "a", "system": "sys"})
    assert good == [[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]]


def test_custom_without_user_and_assistant_mapping_is_a_config_error(tmp_path):
    path = write_jsonl(tmp_path / "n.jsonl", [{"question": "Q", "answer": "A"}])
    with pytest.raises(DataError, match="user and assistant"):
        read(path, "custom", {"user": "question"})


def test_auto_detection_explains_unknown_keys():
    with pytest.raises(DataError, match="format: custom with fields"):
        detect_format({"foo": 1, "bar": 2}, None)


def test_multi_turn_formats_agree(tmp_path):
    conv = [{"role": "system", "content": "Sys."}, {"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"},
            {"role": "user", "content": "Q2"}, {"role": "assistant", "content": "A2"}]  # fmt: skip
    m = write_jsonl(tmp_path / "m.jsonl", [{"messages": conv}])
    s = write_jsonl(tmp_path / "s.jsonl", [{"conversations": [{"from": {"system": "system", "user": "human", "assistant": "gpt"}[t["role"]], "value": t["content"]} for t in conv]}])
    a = write_jsonl(tmp_path / "a.jsonl", [{"system": "Sys.", "history": [["Q1", "A1"]], "instruction": "Q2", "input": "", "output": "A2"}])
    p = write_jsonl(tmp_path / "p.jsonl", [{"prompt": conv[:4], "completion": conv[4:]}])
    for path in (m, s, a, p):
        assert read(path) == ([conv], []), path.name


def test_message_content_parts_are_joined(tmp_path):
    parts = [{"type": "text", "text": "Line one."}, {"type": "text", "text": "Line two."}]
    path = write_jsonl(tmp_path / "parts.jsonl", [{"messages": [{"role": "user", "content": parts}, {"role": "assistant", "content": "OK."}]}])
    good, _ = read(path)
    assert good[0][0]["content"] == "Line one.\nLine two."


def test_oasst_paths_best_ranked_by_default_all_on_request(tmp_path):
    follow_up = {"message_id": "f", "role": "prompter", "text": "And then?", "replies": [
        {"message_id": "fa", "role": "assistant", "text": "Then rest.", "rank": 0, "replies": []}]}  # fmt: skip
    deleted_best = {"message_id": "d", "role": "assistant", "text": "deleted", "rank": -1, "deleted": True, "replies": []}
    tree = {"message_tree_id": "t", "prompt": {"message_id": "q", "role": "prompter", "text": "Q?", "replies": [
        {"message_id": "a1", "role": "assistant", "text": "Worse.", "rank": 1, "replies": []},
        {"message_id": "a0", "role": "assistant", "text": "Best.", "rank": 0, "replies": [follow_up,
            {"message_id": "u", "role": "prompter", "text": "Unanswered?", "replies": []}]},
        deleted_best]}}  # fmt: skip
    path = write_jsonl(tmp_path / "tree.jsonl", [tree])
    good, bad = read(path, "oasst")
    assert bad == []
    assert [[t["content"] for t in c] for c in good] == [["Q?", "Best.", "And then?", "Then rest."], ["Q?", "Best."]]
    everything, _ = read(path, "oasst", {"replies": "all"})
    assert ["Q?", "Worse."] in [[t["content"] for t in c] for c in everything]


def test_oasst_flat_rows_linked_by_parent_id(tmp_path):
    rows = [
        {"message_id": "q", "parent_id": None, "role": "prompter", "text": "Q?"},
        {"message_id": "a1", "parent_id": "q", "role": "assistant", "text": "Worse.", "rank": 1},
        {"message_id": "a0", "parent_id": "q", "role": "assistant", "text": "Best.", "rank": 0},
        {"message_id": "x", "parent_id": "missing", "role": "assistant", "text": "Orphan.", "rank": 0},
    ]
    good, bad = read(write_jsonl(tmp_path / "flat.jsonl", rows))
    assert good == [[{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "Best."}]]
    assert bad == [(4, "missing_field")]


def test_directory_and_glob_resolve_to_data_files(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/a.jsonl", "d/sub/b.csv", "d/notes.txt", "d/c.parquet"):
        (tmp_path / name).write_text("x")
    (tmp_path / "config.yaml").write_text("{}")
    cfg = Config()
    cfg._root = tmp_path
    assert [p.name for p in resolve_files(cfg, "d")] == ["a.jsonl", "c.parquet", "b.csv"]
    assert [p.name for p in resolve_files(cfg, "d/*.jsonl")] == ["a.jsonl"]
    with pytest.raises(DataError, match="matches no"):
        resolve_files(cfg, "d/*.xml")
    with pytest.raises(DataError, match="does not exist"):
        resolve_files(cfg, "nowhere.jsonl")


def test_read_rows_reports_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"messages": [1, 2')
    rows = list(read_rows(path))
    assert len(rows) == 1 and isinstance(rows[0][1], RowError) and rows[0][1].reason == "invalid_json"


def test_dataset_spec_accepts_every_format():
    for fmt in ("auto", "messages", "alpaca", "sharegpt", "oasst", "prompt_completion", "custom"):
        DatasetSpec(path="x.jsonl", format=fmt, fields=QA_FIELDS if fmt == "custom" else None)
