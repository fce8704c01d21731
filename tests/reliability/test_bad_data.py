"""Bad training data, as users really bring it: every row of every file is counted (kept + each
reason dropped = rows in the file), and what cannot be read at all is one clean error naming the
file and the line or byte, never a traceback and never rows lost uncounted.

Most cases call the pipeline in this process (fast); a few run ``python -m medtune data`` the
way a user would, and check the exit code and that no traceback reaches the terminal.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
import yaml

from medtune.config import Config, load_config
from medtune.data import prepare_data
from medtune.data.sources import CSV_FIELD_LIMIT, read_rows
from medtune.errors import DataError

WORDS = (
    "asthma inhaler fever rash cough sleep diet salt sugar insulin thyroid kidney liver heart lung skin bone joint "
    "muscle nerve blood pressure vitamin iron calcium water exercise walking stretching vaccine flu cold allergy "
    "pollen dust mould eczema acne migraine headache nausea dizziness fatigue stress anxiety mood appetite weight"
).split()


def qa(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    say = lambda k: " ".join(rng.choice(WORDS) for _ in range(k))  # noqa: E731
    return [(f"Question {i}: {say(6)}?", f"Answer {i}: {say(12)}.") for i in range(n)]


def item(q: str, a: str) -> dict:
    return {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}


def pretty_array(items: list[str]) -> str:
    """A JSON array as json.dump(indent=2) writes it, from items already as text."""
    return "[\n" + ",\n".join("  " + x.replace("\n", "\n  ") for x in items) + "\n]\n"


def project(root: Path, dataset: str, logging: dict | None = None, **data) -> Config:
    cfg = {
        "model": {"base_model_name": "embedded:tiny-phi4-mini"},
        "training": {"eval_strategy": "no", "data_seed": 3},
        "evaluation": {"mcq_path": None},
        "data": {"dataset_path": dataset, "max_seq_length": 512, "max_length": 512, "eval_dataset_size": 0,
                 "cache_dir": ".cache/data", "dedup": {"near": False}, **data},
        "safety": {"system_prompt": "You are a careful test assistant."},
        "logging": logging or {},
    }  # fmt: skip
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return load_config(root / "config.yaml", overrides=[], environ={}, dotenv=False).config


@pytest.fixture(scope="module")
def tok():
    from medtune.model import load_tokenizer

    return load_tokenizer(Config.model_validate({"model": {"base_model_name": "embedded:tiny-phi4-mini"}}))


def prepare(tmp_path: Path, name: str, content: str | bytes, tok, **data) -> tuple[dict, list[dict]]:
    """Write ``data/<name>``, run the pipeline, and return the report and the rejects."""
    path = tmp_path / "data" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    p = prepare_data(project(tmp_path, f"data/{name}", **data), tok, report_dir=tmp_path / "report")
    rejects = [json.loads(line) for line in (tmp_path / "report" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return p.report, rejects


def assert_counted(report: dict, rows_in_file: int, kept: int, dropped: dict[str, int]) -> None:
    rows = report["rows"]
    assert sum(s["rows_read"] for s in report["sources"]) == rows_in_file
    assert rows["input"] == rows_in_file
    assert rows["kept"] == kept
    assert {k: v for k, v in rows["dropped"].items() if v} == dropped
    assert rows["kept"] + sum(rows["dropped"].values()) == rows_in_file


def reasons(path: Path) -> list[tuple[int, str]]:
    """(line, "ok" or the reason) for every row the reader yields."""
    return [(line, "ok" if isinstance(row, dict) else row.reason) for line, row, _ in read_rows(path, path.name)]


# -- JSON arrays: one broken element costs one row ------------------------------------------------


BREAKAGES = {
    "unclosed quote": lambda s: s.replace('"Question 30', '"Question 30 \\"', 1).replace('?"', "?", 1),
    "missing comma": lambda s: s.replace('"role": "user",', '"role": "user"', 1),
    "trailing comma": lambda s: s.replace('"role": "user",', '"role": "user",,', 1),
    "NaN-like bare word": lambda s: s.replace('"role": "user"', '"role": user', 1),
    "cut off": lambda s: s[: s.index('"assistant"')],
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_json_array_with_one_broken_element_keeps_and_counts_every_other_row(tmp_path, tok, breakage):
    items = [json.dumps(item(q, a), indent=2) for q, a in qa(61)]
    items[30] = BREAKAGES[breakage](items[30])
    report, rejects = prepare(tmp_path, "train.json", pretty_array(items), tok)
    assert_counted(report, 61, 60, {"invalid_json": 1})
    assert [(r["line"], r["reason"]) for r in rejects] == [(2 + 12 * 30, "invalid_json")]  # each item is 12 lines


def test_a_one_line_json_array_with_broken_elements_reads_the_rest(tmp_path):
    items = [json.dumps(item(q, a)) for q, a in qa(10)]
    items[3] = items[3].replace("}]}", "},]}")  # a trailing comma inside the item
    items[6] = items[6][:-2]  # an item that lost its closing braces, followed by the next item
    path = tmp_path / "one_line.json"
    path.write_text("[" + ", ".join(items) + "]")
    got = reasons(path)
    assert [r for _, r in got].count("ok") == 8 and len(got) == 10
    assert [i for i, (_, r) in enumerate(got) if r != "ok"] == [3, 6]


def test_a_json_array_cut_off_after_a_whole_item_keeps_that_item(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text("[\n" + ",\n".join(json.dumps(item(q, a)) for q, a in qa(3)) + "\n")  # no closing ]
    assert reasons(path) == [(2, "ok"), (3, "ok"), (4, "ok")]


def test_many_broken_items_cost_time_in_proportion_to_the_file(tmp_path):
    import time

    items = [json.dumps(item(q, a), indent=2) for q, a in qa(20_000)]
    for i in range(0, len(items), 4):
        items[i] = items[i].replace('"role": "user",', '"role": "user"')
    path = tmp_path / "big.json"
    path.write_text(pretty_array(items))
    start = time.process_time()
    got = [r for _, r in reasons(path)]
    assert (len(got), got.count("invalid_json")) == (20_000, 5_000)
    assert time.process_time() - start < 15  # about 1 s; a decode error per item counting every line before it took minutes


def test_a_broken_element_of_a_data_object_costs_one_row(tmp_path):
    items = [json.dumps(item(q, a)) for q, a in qa(5)]
    items[2] = items[2].replace('"role": "user"', '"role": "user" "x"')
    path = tmp_path / "data.json"
    path.write_text('{"data": [\n' + ",\n".join(items) + "\n]}\n")
    assert reasons(path) == [(2, "ok"), (3, "ok"), (4, "invalid_json"), (5, "ok"), (6, "ok")]


def test_json_lines_in_a_json_file_with_a_broken_first_line_are_still_read_line_by_line(tmp_path):
    lines = [json.dumps(item(q, a)) for q, a in qa(4)]
    lines[0] = lines[0][:-5]
    path = tmp_path / "lines.json"
    path.write_text("\n".join(lines) + "\n")
    assert reasons(path) == [(1, "invalid_json"), (2, "ok"), (3, "ok"), (4, "ok")]


def test_broken_json_lines_are_each_one_counted_row(tmp_path, tok):
    lines = [json.dumps(item(q, a)) for q, a in qa(20)]
    lines[4] = lines[4][:-3]  # cut off
    lines[9] = lines[9].replace('"user"', "'user'")  # single quotes
    lines[14] = "[" * 5000 + "]" * 5000  # deeper than Python's JSON reader goes
    report, rejects = prepare(tmp_path, "train.jsonl", "\n".join(lines) + "\n", tok, max_invalid_fraction=0.2)
    assert_counted(report, 20, 17, {"invalid_json": 3})
    assert [r["line"] for r in rejects] == [5, 10, 15]
    assert "nested too deeply" in rejects[2]["detail"]


def test_deeply_nested_json_in_an_array_is_one_invalid_row(tmp_path):
    deep = '{"a": ' * 3000 + "1" + "}" * 3000
    path = tmp_path / "deep.json"
    path.write_text("[" + deep + ", " + json.dumps(item("q?", "a.")) + "]")
    assert reasons(path) == [(1, "invalid_json"), (1, "ok")]


def test_an_openassistant_tree_nested_too_deeply_is_one_invalid_row(tmp_path, tok):
    deep = "".join(f'{{"message_id": "m{i}", "role": "{"prompter" if i % 2 == 0 else "assistant"}", "text": "turn {i}", "replies": ['
                   for i in range(600))
    deep += '{"message_id": "leaf", "role": "assistant", "text": "Deep answer."}' + "]}" * 600
    good = {"message_id": "g0", "role": "prompter", "text": "A normal question?", "replies": [
        {"message_id": "g1", "role": "assistant", "text": "A normal answer."}]}  # fmt: skip
    report, rejects = prepare(tmp_path, "trees.jsonl", json.dumps(good) + "\n" + deep + "\n", tok, format="oasst",
                              max_invalid_fraction=0.5)  # fmt: skip
    assert_counted(report, 2, 1, {"invalid_json": 1})
    assert rejects[0]["line"] == 2 and "nested too deeply" in rejects[0]["detail"]


# -- CSV ------------------------------------------------------------------------------------------


def csv_text(rows: list[tuple[str, str]]) -> str:
    return "question,answer\n" + "".join(f"{q},{a}\n" for q, a in rows)


def test_csv_rows_with_extra_cells_or_stray_quotes_are_each_one_counted_row(tmp_path, tok):
    rows = [(q.replace(",", ""), a.replace(",", "")) for q, a in qa(12)]
    text = csv_text(rows).split("\n")
    text[3] += ",an extra cell"  # line 4
    text[6] = text[6].replace("Question", '"Question', 1)  # line 7: a quote that is never closed
    text[9] = text[9].replace("Answer", 'An"swer', 1)  # line 10: a stray quote inside a field
    report, rejects = prepare(tmp_path, "train.csv", "\n".join(text), tok, format="custom",
                              fields={"user": "question", "assistant": "answer"}, max_invalid_fraction=0.5)  # fmt: skip
    bad = [(r["line"], r["reason"]) for r in rejects]
    assert bad == [(4, "invalid_csv"), (7, "invalid_csv")]
    # a quote inside an unquoted field is read as text (as spreadsheets do), not an error
    assert_counted(report, 12, 10, {"invalid_csv": 2})


def test_an_unclosed_quote_at_the_end_of_a_csv_file_costs_only_its_row(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text('question,answer\nq1,a1\nq2,"a2 and then the file\nq3,a3\nq4,a4\n')
    assert reasons(path) == [(2, "ok"), (3, "invalid_csv"), (4, "ok"), (5, "ok")]


def test_a_csv_field_over_128_kb_is_read(tmp_path):
    long_answer = "word " * 40_000  # 200 KB, over Python's default csv field limit
    path = tmp_path / "long.csv"
    path.write_text(f'question,answer\nq1,"{long_answer}"\nq2,a2\n')
    rows = list(read_rows(path, path.name))
    assert [r[1]["answer"] for r in rows] == [long_answer, "a2"]
    import csv

    assert csv.field_size_limit() < CSV_FIELD_LIMIT  # restored for the rest of the process


def test_a_csv_header_with_a_repeated_column_is_an_error(tmp_path):
    path = tmp_path / "dupe.csv"
    path.write_text("question,answer,answer\nq,a,b\n")
    with pytest.raises(DataError, match=r"dupe.csv: line 1: the header repeats the column names \['answer'\]"):
        list(read_rows(path, path.name))


# -- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_and_byte_order_marks_are_read(tmp_path, encoding):
    rows = [item("Qu'est-ce que la fièvre ?", "Une température élevée."), item("Was ist Fieber?", "Erhöhte Temperatur.")]
    path = tmp_path / "enc.jsonl"
    path.write_bytes("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode(encoding))
    assert [r[1] for r in read_rows(path, path.name)] == rows
    csv_path = tmp_path / "enc.csv"
    csv_path.write_bytes("question,answer\nfièvre ?,température\n".encode(encoding))
    assert [r[1] for r in read_rows(csv_path, csv_path.name)] == [{"question": "fièvre ?", "answer": "température"}]


def test_a_latin1_file_names_the_line_column_and_byte(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"a": "ok"}\n{"a": "fi\xe8vre"}\n')
    with pytest.raises(DataError) as exc:
        list(read_rows(path, "data/latin1.jsonl"))
    assert str(exc.value) == (
        "data/latin1.jsonl: line 2, column 10: byte 0xe8 (file offset 21) is not UTF-8 "
        "(the file looks like Windows-1252/Latin-1); save the file as UTF-8"
    )


def test_a_binary_file_is_named_as_one(tmp_path):
    path = tmp_path / "image.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(DataError, match=r"image.jsonl: line 1, column 1: byte 0x89 .* is not UTF-8"):
        list(read_rows(path, path.name))


def test_a_lone_surrogate_in_one_row_drops_that_row_and_the_run_goes_on(tmp_path, tok):
    lines = [json.dumps(item(q, a)) for q, a in qa(30)]
    lines[7] = lines[7].replace("Answer 7", "Answer \\ud83d 7")  # half of an emoji, as JSON can spell it
    report, rejects = prepare(tmp_path, "train.jsonl", "\n".join(lines), tok, eval_dataset_size=0.2)
    assert_counted(report, 30, 29, {"not_text": 1})
    assert rejects[0]["line"] == 8 and "lone surrogate U+D83D" in rejects[0]["detail"]


def test_a_lone_surrogate_with_phi_logging_on_still_writes_the_rejects_file(tmp_path, tok):
    lines = [json.dumps(item(q, a)) for q, a in qa(30)]
    lines[2] = json.dumps(item("bad \ud800 question?", "fine"), ensure_ascii=True)
    lines[3] = '{"data": "\\udfff' + "cut off"
    path = tmp_path / "data" / "train.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    cfg = project(tmp_path, "data/train.jsonl", logging={"log_phi": True}, max_invalid_fraction=0.2)
    p = prepare_data(cfg, tok, report_dir=tmp_path / "report")
    rejects = [json.loads(x) for x in (tmp_path / "report" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [(3, "not_text"), (4, "invalid_json")]
    assert p.report["rows"]["kept"] == 28


# -- files that cannot be read at all -------------------------------------------------------------


def test_a_corrupt_parquet_file_is_named(tmp_path, tok):
    with pytest.raises(DataError, match=r"^data/train.parquet: not a readable Parquet file \(.*magic bytes"):
        prepare(tmp_path, "train.parquet", b"PAR1 this is not really parquet", tok)


def test_a_truncated_parquet_file_is_named(tmp_path, tok):
    import pyarrow as pa
    import pyarrow.parquet as pq

    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"question": [q for q, _ in qa(50)], "answer": [a for _, a in qa(50)]}), good)
    data = good.read_bytes()
    with pytest.raises(DataError, match=r"^data/train.parquet: not a readable Parquet file"):
        prepare(tmp_path, "train.parquet", data[: len(data) // 2], tok)


def test_an_unreadable_file_is_named(tmp_path, monkeypatch):
    path = tmp_path / "secret.jsonl"
    path.write_text(json.dumps(item("q?", "a.")) + "\n")
    real = Path.read_bytes

    def denied(self):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 000 does not stop root, who runs CI here
    with pytest.raises(DataError, match="^data/secret.jsonl: cannot read the file: Permission denied$"):
        list(read_rows(path, "data/secret.jsonl"))


# -- the command, as a user runs it ---------------------------------------------------------------


def data_args(tmp_path: Path, path: Path) -> list[str]:
    return [
        "data", "--env", "dev", "--set", f"data.dataset_path={path}", "--set", f"data.cache_dir={tmp_path / 'cache'}",
        "--set", "data.eval_dataset_size=0", "--set", "training.eval_strategy=no", "--set", "data.dedup.near=false", "--out", str(tmp_path / "report"),
    ]  # fmt: skip


def run_data(run_medtune, tmp_path: Path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return run_medtune(*data_args(tmp_path, path))


def test_cli_counts_every_row_of_a_broken_json_array(tmp_path, run_medtune):
    items = [json.dumps(item(q, a), indent=2) for q, a in qa(61)]
    items[30] = BREAKAGES["unclosed quote"](items[30])
    proc = run_data(run_medtune, tmp_path, "train.json", pretty_array(items).encode())
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    report = json.loads((tmp_path / "report" / "data_report.json").read_text())
    assert_counted(report, 61, 60, {"invalid_json": 1})


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("latin1.jsonl", b'{"messages": "fi\xe8vre"}\n', "latin1.jsonl: line 1, column 17: byte 0xe8 (file offset 16) is not UTF-8"),
        ("broken.parquet", b"PAR1 not parquet", "broken.parquet: not a readable Parquet file"),
    ],
)
def test_cli_refuses_an_unreadable_file_with_exit_2_and_no_traceback(tmp_path, run_medtune, name, content, message):
    proc = run_data(run_medtune, tmp_path, name, content)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


# -- the matrix, as a user runs it: each class of bad data through `medtune data` -----------------


def jsonl(n: int, seed: int) -> str:
    return "".join(json.dumps(item(q, a)) + "\n" for q, a in qa(n, seed))


def with_line(text: str, index: int, line: str) -> str:
    lines = text.splitlines()
    lines[index] = line
    return "\n".join(lines) + "\n"


def csv_rows(n: int, seed: int) -> str:
    return "question,answer\n" + "".join(f"{q},{a}\n" for q, a in qa(n, seed))


CSV = {"format": "custom", "fields": {"user": "question", "assistant": "answer"}}
# Read, every row counted: name -> (file name, bytes, dataset keys, rows in the file, kept, dropped by reason)
READABLE = {
    "broken JSON Lines": ("a.jsonl", with_line(jsonl(21, 1), 4, '{"messages": [').encode(), {}, 21, 20, {"invalid_json": 1}),
    "deeply nested JSON": ("b.jsonl", with_line(jsonl(21, 2), 9, "[" * 5000 + "]" * 5000).encode(), {}, 21, 20, {"invalid_json": 1}),
    "lone surrogate": ("c.jsonl", jsonl(21, 3).replace("Answer 7", "Answer \\udc00 7").encode(), {}, 21, 20, {"not_text": 1}),
    "UTF-16 without a byte-order mark": ("d.jsonl", jsonl(21, 4).encode("utf-16-le"), {}, 21, 21, {}),
    "CSV field over 128 KB": ("e.csv", (csv_rows(20, 5) + 'q,"' + "word " * 30_000 + '"\n').encode(), CSV, 21, 20, {"too_long": 1}),
    "CSV extra cells and stray quote": ("f.csv", csv_rows(40, 6).replace("Question 3:", "Question 3:,extra", 1)
                                        .replace("Question 9:", '"Question 9:', 1).encode(), CSV, 40, 38, {"invalid_csv": 2}),
}  # fmt: skip


def test_every_readable_class_of_bad_data_counts_each_row_through_the_command(tmp_path, run_medtune):
    datasets = []
    for case, (name, content, keys, *_) in READABLE.items():
        (tmp_path / name).write_bytes(content)
        datasets.append({"path": str(tmp_path / name), "name": case, **keys})
    proc = run_medtune(
        "data", "--env", "dev", "--set", f"data.datasets={json.dumps(datasets)}", "--set", f"data.cache_dir={tmp_path / 'cache'}",
        "--set", "data.eval_dataset_size=0", "--set", "training.eval_strategy=no", "--set", "data.dedup.near=false",
        "--set", "data.max_length=1024", "--out", str(tmp_path / "report"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    report = json.loads((tmp_path / "report" / "data_report.json").read_text())
    rejects = [json.loads(x) for x in (tmp_path / "report" / "rejects.jsonl").read_text().splitlines()]
    for source, (case, (name, _, _, rows, kept, dropped)) in zip(report["sources"], READABLE.items(), strict=True):
        assert (source["name"], source["rows_read"], source["kept"]) == (case, rows, kept)
        assert Counter(r["reason"] for r in rejects if r["file"] == str(tmp_path / name)) == Counter(dropped), case
    assert_counted(report, 145, 139, {"invalid_json": 2, "not_text": 1, "too_long": 1, "invalid_csv": 2})


# Refused as a whole, exit 2, naming the file and the line or byte (Latin-1 and Parquet: above)
UNREADABLE = {
    "binary file": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "train.jsonl: line 1, column 1: byte 0x89 (file offset 0) is not UTF-8"),
    "invalid UTF-16": (b"\xff\xfe" + jsonl(2, 7).encode("utf-16-le") + b"\x00\xd8A\x00", "train.jsonl: line 3: bytes at file offset"),
    "unreadable file": (None, "train.jsonl: cannot read the file: Input/output error"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_a_file_that_cannot_be_read_stops_the_command_with_exit_2_naming_it(tmp_path, run_medtune, case):
    content, message = UNREADABLE[case]
    if content is None:  # a file the kernel refuses to read (root ignores chmod): /proc/self/mem gives EIO
        (tmp_path / "train.jsonl").symlink_to("/proc/self/mem")
        proc = run_medtune(*data_args(tmp_path, tmp_path / "train.jsonl"))
    else:
        proc = run_data(run_medtune, tmp_path, "train.jsonl", content)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "report" / "data_report.json").exists()
