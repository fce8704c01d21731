"""Shapes people download from other fine-tuning projects: each one trains exactly what it means
(labels checked token by token) or is refused with the file, line and reason. The files are
written here, in those shapes; none is a copy of another project's data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from medtune.chat_template import IGNORE_INDEX
from medtune.config import Config, load_config
from medtune.data import prepare_data
from medtune.data.formats import conversations
from medtune.data.sources import read_rows
from medtune.errors import DataError

U, A = {"role": "user", "content": "How much water should I drink?"}, {"role": "assistant", "content": "About two litres a day."}


def write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read(path: Path, fmt: str = "messages", fields: dict | None = None) -> list:
    """(line, turns or reason) per conversation."""
    return [(line, c if isinstance(c, list) else c.reason) for line, _, c in conversations(fmt, read_rows(path, path.name), fields, path.name)]


@pytest.fixture(scope="module")
def tok():
    from medtune.model import load_tokenizer

    return load_tokenizer(Config.model_validate({"model": {"base_model_name": "embedded:tiny-phi4-mini"}}))


def prepare(tmp_path: Path, rows: list[dict], tok, **data):
    write(tmp_path / "data" / "train.jsonl", rows)
    return prepare_file(tmp_path, tok, **data)


def prepare_file(tmp_path: Path, tok, **data):
    """The pipeline on data/train.jsonl as it is."""
    cfg = {
        "model": {"base_model_name": "embedded:tiny-phi4-mini"},
        "training": {"eval_strategy": "no"},
        "evaluation": {"mcq_path": None},
        "data": {"dataset_path": "data/train.jsonl", "eval_dataset_size": 0, "cache_dir": ".cache/data",
                 "dedup": {"near": False}, "system_prompt_mode": "keep", **data},
        "safety": {"system_prompt": ""},
    }  # fmt: skip
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return prepare_data(load_config(tmp_path / "config.yaml", overrides=[], environ={}, dotenv=False).config, tok)


def trained_text(tok, row: dict) -> str:
    return tok.decode([t for t, lab in zip(row["input_ids"], row["labels"], strict=True) if lab != IGNORE_INDEX])


# -- preference data is not conversations to imitate -----------------------------------------------


def test_a_dpo_file_is_refused_as_preference_data_with_what_to_do(tmp_path):
    path = write(tmp_path / "dpo.jsonl", [{"prompt": "Is salt bad?", "chosen": "In excess, yes.", "rejected": "No, eat lots."}])
    with pytest.raises(DataError, match=r"^dpo.jsonl:1: this is preference data \(DPO/ORPO style.*fields \{user: prompt, assistant: chosen\}"):
        read(path, "prompt_completion")


def test_format_auto_recognises_a_dpo_file_as_preference_data(tmp_path, tok):
    rows = [{"prompt": "Is salt bad?", "chosen": "In excess, yes.", "rejected": "No, eat lots."}]
    with pytest.raises(DataError, match=r"^data/train.jsonl:1: this is preference data \(DPO/ORPO style"):
        prepare(tmp_path, rows, tok)


def test_the_chosen_answers_of_a_dpo_file_train_when_the_fields_say_so(tmp_path):
    path = write(tmp_path / "dpo.jsonl", [{"prompt": "Is salt bad?", "chosen": "In excess, yes.", "rejected": "No, eat lots."}])
    assert read(path, "custom", {"user": "prompt", "assistant": "chosen"}) == [
        (1, [{"role": "user", "content": "Is salt bad?"}, {"role": "assistant", "content": "In excess, yes."}])
    ]


@pytest.mark.parametrize("fmt", ["prompt_completion", "messages", "custom"])
def test_a_kto_file_with_label_false_never_trains_as_good_answers(tmp_path, fmt):
    rows = [{"prompt": "Can I stop my tablets?", "completion": "Ask your doctor first.", "label": True},
            {"prompt": "Can I stop my tablets?", "completion": "Sure, stop whenever.", "label": False}]  # fmt: skip
    if fmt == "messages":
        rows = [{"messages": [{"role": "user", "content": r["prompt"]}, {"role": "assistant", "content": r["completion"]}],
                 "label": r["label"]} for r in rows]  # fmt: skip
    path = write(tmp_path / "kto.jsonl", rows)
    fields = {"user": "prompt", "assistant": "completion"} if fmt == "custom" else None
    with pytest.raises(DataError, match=r"^kto.jsonl:1: this is KTO-style preference data .*label: false rows would be trained as good"):
        read(path, fmt, fields)


def test_a_kto_csv_with_text_labels_is_refused_too(tmp_path):
    path = tmp_path / "kto.csv"
    path.write_text("prompt,completion,label\nq,a,False\n")
    with pytest.raises(DataError, match="KTO-style"):
        read(path, "prompt_completion")


def test_rated_answers_are_refused(tmp_path):
    path = write(tmp_path / "rated.jsonl", [{"prompt": "q", "completion": "a", "score": 2.5}])
    with pytest.raises(DataError, match=r"rated answer data \(a 'score' per answer"):
        read(path, "prompt_completion")


def test_the_command_refuses_preference_data_with_exit_2(tmp_path, run_medtune):
    path = write(tmp_path / "kto.jsonl", [{"prompt": "q", "completion": "a", "label": False}])
    proc = run_medtune("data", "--env", "dev", "--set", f"data.dataset_path={path}", "--set", f"data.cache_dir={tmp_path}/c",
                       "--out", str(tmp_path / "report"))  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{path}:1: this is KTO-style preference data" in proc.stderr


# -- training flags per turn and per content part --------------------------------------------------


def test_turns_marked_train_false_or_weight_0_are_context_not_answers(tmp_path, tok):
    bad = {"role": "assistant", "content": "Drink nothing at all."}
    rows = [
        {"messages": [U, dict(bad, train=False), {"role": "user", "content": "Really?"}, A]},
        {"conversations": [{"from": "human", "value": "Is tea fine?"}, {"from": "gpt", "value": "Tea is mostly water.", "weight": 0},
                           {"from": "human", "value": "And coffee?"}, {"from": "gpt", "value": "In moderation."}]},
    ]  # fmt: skip
    write(tmp_path / "data" / "train.jsonl", rows[:1])
    write(tmp_path / "sg" / "train.jsonl", rows[1:])
    p = prepare(tmp_path, rows[:1], tok)
    row = p.train.to_list()[0]
    assert trained_text(tok, row) == "About two litres a day.<|end|><|endoftext|>"
    assert "Drink nothing at all." in tok.decode(row["input_ids"])  # still there, as context
    assert "[[TRAIN:" not in p.report["examples"][0]["text"].split("Really?")[0]  # the pre-flight example shows it unmarked
    (sg,) = [c for _, c in read(tmp_path / "sg" / "train.jsonl", "sharegpt")]
    assert sg[1] == {"role": "assistant", "content": "Tea is mostly water.", "train": False} and "train" not in sg[3]


def test_content_parts_with_text_or_value_and_their_flags(tmp_path, tok):
    parts = [{"type": "text", "value": "About two litres"}, {"type": "text", "text": "a day."}]
    untrained = [dict(p, train=False) for p in parts]
    rows = [{"messages": [U, {"role": "assistant", "content": untrained}, {"role": "user", "content": "Thanks?"},
                          {"role": "assistant", "content": parts}]}]  # fmt: skip
    p = prepare(tmp_path, rows, tok)
    assert trained_text(tok, p.train.to_list()[0]) == "About two litres\na day.<|end|><|endoftext|>"
    assert p.train.to_list()[0]["messages"][1]["content"] == "About two litres\na day."


@pytest.mark.parametrize(
    "turn,detail",
    [
        ({"role": "assistant", "content": [{"type": "text", "text": "a", "train": False}, {"type": "text", "text": "b"}]},
         "some parts are trained and some not"),
        ({"role": "assistant", "content": "a", "weight": 0.5}, "weight is 0.5; medtune trains a turn or not"),
        ({"role": "assistant", "content": "a", "train": "no"}, "train is 'no'; use true or false"),
    ],
)  # fmt: skip
def test_flags_medtune_cannot_honour_are_refused_by_row(tmp_path, turn, detail):
    path = write(tmp_path / "f.jsonl", [{"messages": [U, turn]}])
    ((line, _, err),) = list(conversations("messages", read_rows(path), None))
    assert (line, err.reason) == (1, "train_flag") and detail in err.detail


def test_a_conversation_with_nothing_trained_is_dropped_and_counted(tmp_path, tok):
    rows = [{"messages": [U, dict(A, train=False)]}, {"messages": [U, {"role": "assistant", "content": "Two litres or so."}]}]
    p = prepare(tmp_path, rows, tok)
    assert p.report["rows"]["kept"] == 1 and p.report["rows"]["dropped"]["nothing_trained"] == 1


# -- images and tool calls: refused with the right reason ------------------------------------------


@pytest.mark.parametrize(
    "row,detail",
    [
        ({"messages": [U, A], "images": ["x.png"]}, "the row has 'images'"),
        ({"messages": [{"role": "user", "content": "<image>What is this rash?"}, A]}, "turn 1 has a <image> placeholder"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}, A]},
         "messages[0].content[0] is an image_url part"),
    ],
)  # fmt: skip
def test_multimodal_rows_are_refused_because_medtune_trains_a_text_model(tmp_path, row, detail):
    path = write(tmp_path / "mm.jsonl", [row])
    ((line, _, err),) = list(conversations("messages", read_rows(path), None))
    assert err.reason == "multimodal" and detail in err.detail and "text model" in err.detail


BMI_TOOLS = [{"name": "bmi", "description": "body mass index", "parameters": {"kg": "number", "m": "number"}}]
CALL = '<|tool_call|>[{"name": "bmi", "arguments": {"kg": 70, "m": 1.75}}]<|/tool_call|>'
TOOL_ROWS = {
    "messages": {"messages": [{"role": "user", "content": "BMI for 70 kg, 1.75 m?"},
                              {"role": "assistant", "content": None, "tool_calls": [
                                  {"type": "function", "function": {"name": "bmi", "arguments": '{"kg": 70, "m": 1.75}'}}]},
                              {"role": "tool", "content": "22.9"}, {"role": "assistant", "content": "About 22.9."}],
                 "tools": BMI_TOOLS},
    "sharegpt": {"conversations": [{"from": "human", "value": "BMI for 70 kg, 1.75 m?"},
                                   {"from": "function_call", "value": '[{"name": "bmi", "arguments": {"kg": 70, "m": 1.75}}]'},
                                   {"from": "observation", "value": "22.9"}, {"from": "gpt", "value": "About 22.9."}],
                 "tools": json.dumps(BMI_TOOLS)},
}  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(TOOL_ROWS))
def test_tool_calls_train_in_phi4_minis_own_rendering_and_tool_results_do_not(tmp_path, tok, fmt):
    p = prepare(tmp_path, [TOOL_ROWS[fmt]], tok, format=fmt)
    row = p.train.to_list()[0]
    tools = json.dumps(BMI_TOOLS)
    # exactly what the chat template renders for a system turn with tools and a tool turn
    expected = tok.apply_chat_template([{"role": "system", "content": "", "tools": tools},
                                        {"role": "user", "content": "BMI for 70 kg, 1.75 m?"}, {"role": "assistant", "content": CALL},
                                        {"role": "tool", "content": "22.9"}, {"role": "assistant", "content": "About 22.9."}],
                                       tokenize=False)  # fmt: skip
    assert tok.decode(row["input_ids"]) == expected
    assert expected.startswith(f"<|system|><|tool|>{tools}<|/tool|><|end|><|user|>")
    assert trained_text(tok, row) == f"{CALL}<|end|>About 22.9.<|end|><|endoftext|>"  # the result 22.9 is context
    assert tok.convert_tokens_to_ids("<|tool_call|>") in row["input_ids"]


def test_the_pre_flight_example_shows_a_tool_conversation_when_the_data_has_one(tmp_path, tok):
    plain = [{"messages": [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]} for i in range(5)]
    p = prepare(tmp_path, plain + [TOOL_ROWS["messages"]], tok)
    texts = [ex["text"] for ex in p.report["examples"]]
    assert len(texts) == 3 and "<|tool|>22.9<|end|>" in texts[-1] and "[[TRAIN:<|tool_call|>" in texts[-1]


def test_a_configured_system_prompt_keeps_the_tools(tmp_path, tok):
    write(tmp_path / "data" / "train.jsonl", [TOOL_ROWS["messages"]])
    p = prepare(tmp_path, [TOOL_ROWS["messages"]], tok, system_prompt_mode="replace")
    assert p.train.to_list()[0]["messages"][0]["content"].endswith(f"<|tool|>{json.dumps(BMI_TOOLS)}<|/tool|>")


def test_a_tool_call_without_a_function_name_is_one_dropped_row(tmp_path):
    row = {"messages": [U, {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {}}]}]}
    path = write(tmp_path / "t.jsonl", [row])
    ((line, _, err),) = list(conversations("messages", read_rows(path), None))
    assert err.reason == "tool_call" and "messages[1].tool_calls[0] has no function name" in err.detail


def test_a_tool_result_renders_as_the_real_template_does_never_as_tool_response(tmp_path, tok):
    """Phi-4-mini-instruct's tokenizer_config.json template (the one in medtune.phi4) renders every
    non-system turn as <|ROLE|>content<|end|>: a tool result is <|tool|>...<|end|>, and
    <|tool_response|> is a token the template never writes."""
    from medtune import phi4

    assert tok.chat_template == phi4.CHAT_TEMPLATE
    assert hashlib.sha256(phi4.CHAT_TEMPLATE.encode()).hexdigest() == PHI4_MINI_TEMPLATE_SHA256
    row = {"messages": [{"role": "system", "content": "Use tools when they help."}, U,
                        {"role": "assistant", "content": "Let me check.", "function_call": {"name": "bmi", "arguments": {"kg": 70}}},
                        {"role": "function", "content": {"bmi": 22.9}}, {"role": "assistant", "content": "About 22.9."}],
           "tools": BMI_TOOLS}  # fmt: skip
    p = prepare(tmp_path, [row], tok)
    call = '<|tool_call|>[{"name": "bmi", "arguments": {"kg": 70}}]<|/tool_call|>'
    native = [{"role": "system", "content": "Use tools when they help.", "tools": json.dumps(BMI_TOOLS)}, U,
              {"role": "assistant", "content": f"Let me check.\n{call}"}, {"role": "tool", "content": '{"bmi": 22.9}'},
              {"role": "assistant", "content": "About 22.9."}]  # fmt: skip
    rendered = tok.decode(p.train.to_list()[0]["input_ids"])
    assert rendered == tok.apply_chat_template(native, tokenize=False)
    assert '<|tool|>{"bmi": 22.9}<|end|><|assistant|>' in rendered and "<|tool_response|>" not in rendered


PHI4_MINI_TEMPLATE_SHA256 = "febf589225c9728ab791f52e8897d7607a823d45368f0a4c92fa68997b40cce9"  # microsoft/Phi-4-mini-instruct


# -- OpenAssistant trees: every row counted -------------------------------------------------------


def test_every_row_of_a_flat_openassistant_file_is_counted_with_what_became_of_it(tmp_path, tok):
    m = lambda mid, parent, role, text, **kw: {"message_id": mid, "parent_id": parent, "role": role, "text": text, **kw}  # noqa: E731
    rows = [
        m("q1", None, "prompter", "Is a daily walk good for the heart?"),
        m("a1", "q1", "assistant", "Yes, thirty minutes a day helps.", rank=0),
        m("a1b", "q1", "assistant", "It depends.", rank=1),
        m("a1c", "q1", "assistant", "Deleted answer.", rank=2, deleted=True),
        m("a1d", "q1", "assistant", "Rejected in review.", rank=3, review_result=False),
        m("f1", "a1b", "prompter", "On what?"),  # under a reply that is not followed
        m("u1", "a1", "prompter", "And swimming?"),  # nobody answered
        m("x", "gone", "assistant", "Orphan."),
        m("xc", "x", "prompter", "Under the orphan."),
        m("q2", None, "prompter", "A question without a reply?"),
        m("a1", "q1", "assistant", "The same id again.", rank=0),
    ]
    path = tmp_path / "data" / "train.jsonl"
    write(path, rows)
    path.write_text(path.read_text() + "{broken\n")
    p = prepare_file(tmp_path, tok, format="oasst", max_invalid_fraction=1)
    (src,) = p.report["sources"]
    assert src["rows_read"] == 12
    assert src["row_fates"] == {"conversation": 2, "invalid": 3, "deleted": 1, "review_failed": 1, "lower_ranked": 1,
                                "unanswered": 1, "below_skipped": 2, "repeated_id": 1}  # fmt: skip
    assert sum(src["row_fates"].values()) == src["rows_read"]
    rows_rep = p.report["rows"]  # conversations: the one path kept, the three malformed rows dropped
    assert rows_rep["kept"] == 1 and {k: v for k, v in rows_rep["dropped"].items() if v} == {"missing_field": 2, "invalid_json": 1}


def test_every_row_of_a_nested_openassistant_export_is_counted(tmp_path, tok):
    good = {"message_tree_id": "t1", "prompt": {"message_id": "q", "role": "prompter", "text": "Is salt bad for blood pressure?", "replies": [
        {"message_id": "a", "role": "assistant", "text": "Too much raises it.", "rank": 0, "replies": [
            {"message_id": "f", "role": "prompter", "text": "How much is too much?", "replies": [
                {"message_id": "fa", "role": "assistant", "text": "Above about five grams a day.", "rank": 0}]}]}]}}  # fmt: skip
    deleted = {"message_tree_id": "t2", "prompt": {"message_id": "q2", "role": "prompter", "text": "Q?", "replies": [
        {"message_id": "d", "role": "assistant", "text": "gone", "deleted": True}]}}  # fmt: skip
    write(tmp_path / "data" / "train.jsonl", [good, deleted])
    p = prepare_file(tmp_path, tok, format="oasst", max_invalid_fraction=1)
    (src,) = p.report["sources"]
    assert src["rows_read"] == 2 and src["row_fates"] == {"conversation": 1, "invalid": 1}
    assert p.report["rows"]["kept"] == 1 and p.report["rows"]["dropped"]["missing_field"] == 1
