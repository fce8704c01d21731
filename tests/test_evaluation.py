"""`medtune evaluate`: metrics against known values and hand computations, and the command end to end."""

from __future__ import annotations

import json
import math

import pytest

from medtune.errors import DataError
from medtune.metrics import corpus_bleu, load_mcq, masked_loss, rouge, score_mcq, tokenize_13a
from medtune.metrics.likelihood import MCQItem, mcq_conversation

NAME = "embedded:tiny-phi4-mini"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------------------------
# Text metrics: known values
# --------------------------------------------------------------------------------------------


def test_bleu_matches_the_published_corpus_example():
    # The corpus_bleu example from NLTK's documentation (Papineni's), whitespace tokens: 0.5920778868801042.
    hyp1 = "It is a guide to action which ensures that the military always obeys the commands of the party"
    ref1 = [
        "It is a guide to action that ensures that the military will forever heed Party commands",
        "It is the guiding principle which guarantees the military forces always being under the command of the Party",
        "It is the practical guide for the army always to heed the directions of the party",
    ]
    hyp2 = "he read the book because he was interested in world history"
    ref2 = ["he was interested in world history because he read the book"]
    out = corpus_bleu([hyp1, hyp2], [ref1, ref2], tokenize=str.split)
    assert out["bleu"] == pytest.approx(0.5920778868801042, abs=1e-12)
    assert out["translation_length"] == 29 and out["brevity_penalty"] == 1.0


def test_bleu_by_hand_brevity_penalty_and_smoothing():
    # evaluate's documented example: a perfect match scores 1.0 (13a tokens, "!" split off).
    assert corpus_bleu(["hello there general kenobi"], [["hello there general kenobi", "hello there !"]])["bleu"] == 1.0
    # "the cat sat" against "the cat sat on the mat": every n-gram matches, 4-grams impossible.
    out = corpus_bleu(["the cat sat"], ["the cat sat on the mat"])
    assert out["precisions"] == [1.0, 1.0, 1.0, 0.0]
    assert out["bleu"] == 0.0  # unsmoothed: an order with no candidates gives 0
    assert out["brevity_penalty"] == pytest.approx(math.exp(1 - 6 / 3))
    smoothed = corpus_bleu(["the cat sat"], ["the cat sat on the mat"], smooth=True)
    # add-one: (3+1)/(3+1), (2+1)/(2+1), (1+1)/(1+1), (0+1)/(0+1) -> geometric mean 1, times BP e^-1.
    assert smoothed["bleu"] == pytest.approx(math.exp(-1))
    # Partial match, by hand: "the cat is on the mat" vs "the cat sat on the mat", smoothed.
    p = [(5 + 1) / (6 + 1), (3 + 1) / (5 + 1), (1 + 1) / (4 + 1), (0 + 1) / (3 + 1)]
    expected = math.exp(sum(math.log(x) for x in p) / 4)
    assert corpus_bleu(["the cat is on the mat"], ["the cat sat on the mat"], smooth=True)["bleu"] == pytest.approx(expected)
    assert corpus_bleu([""], ["anything"])["bleu"] == 0.0


def test_13a_tokenizer_splits_punctuation_but_not_decimals():
    assert tokenize_13a("Take 2.5 mg, twice daily (max. 10 mg).") == [
        "Take", "2.5", "mg", ",", "twice", "daily", "(", "max", ".", "10", "mg", ")", "."
    ]


def test_rouge_known_values():
    # LCS("the cat sat on the mat", "the cat is on the mat") = 5 of 6 tokens each way.
    out = rouge(["the cat is on the mat"], ["the cat sat on the mat"])
    assert out["rougeL"] == pytest.approx(5 / 6)
    assert out["rouge2"] == pytest.approx(3 / 5)
    assert rouge(["Identical answer."], ["identical answer"])["rougeL"] == 1.0
    assert rouge(["nothing shared"], ["completely different"])["rougeL"] == 0.0
    # Mean over pairs, and stemming: "fevers" matches "fever".
    both = rouge(["the cat is on the mat", "fevers"], ["the cat sat on the mat", "fever"])
    assert both["rougeL"] == pytest.approx((5 / 6 + 1) / 2)


# --------------------------------------------------------------------------------------------
# Multiple-choice files
# --------------------------------------------------------------------------------------------


def test_mcq_files_in_medqa_and_medmcqa_shapes(tmp_path):
    path = tmp_path / "mcq.jsonl"
    rows = [
        {"question": "Q1?", "options": {"A": "one", "B": "two", "C": "three"}, "answer": "B"},
        {"question": "Q2?", "options": ["x", "y", "z", "w"], "answer": 3},
        {"question": "Q3?", "options": {"A": "aa", "B": "bb"}, "answer": "bb", "answer_idx": "B"},  # MedQA
        {"question": "Q4?", "options": ["p", "q"], "answer": "q"},
        {"question": "Q5?", "options": {"a": "lower", "b": "case"}, "answer": "a)"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    items = load_mcq(path)
    assert [i.answer for i in items] == [1, 3, 1, 1, 0]
    assert items[1].options[3] == ("D", "w")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "Q?", "options": ["a", "b"], "answer": "E"}) + "\n")
    with pytest.raises(DataError, match=r"bad.jsonl:1: answer 'E'"):
        load_mcq(bad)
    bad.write_text(json.dumps({"question": "Q?", "options": ["a", "b"], "answer": 2}) + "\n")
    with pytest.raises(DataError, match="0-based"):
        load_mcq(bad)


# --------------------------------------------------------------------------------------------
# Likelihood on the embedded model
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base():
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from medtune.embedded import ensure_embedded_model

    path = ensure_embedded_model(NAME)
    torch.manual_seed(0)
    return AutoModelForCausalLM.from_pretrained(path, use_safetensors=True).eval(), AutoTokenizer.from_pretrained(path)


CONVERSATIONS = [
    [{"role": "user", "content": "What is a fever?"}, {"role": "assistant", "content": "A body temperature above normal."}],
    [
        {"role": "system", "content": "Be careful."},
        {"role": "user", "content": "How much water should I drink each day?"},
        {"role": "assistant", "content": "Most adults need about two litres, more in hot weather or when exercising."},
        {"role": "user", "content": "And children?"},
        {"role": "assistant", "content": "Less, depending on age and size."},
    ],
    [{"role": "user", "content": "Is a cold the same as flu?"}, {"role": "assistant", "content": "No. Flu is usually more severe."}],
]


def test_perplexity_is_exp_of_the_mean_masked_token_loss_computed_by_hand(base):
    import torch

    from medtune.chat_template import tokenize_conversation

    model, tok = base
    examples = [tokenize_conversation(tok, c) for c in CONVERSATIONS]
    assert len({len(e["input_ids"]) for e in examples}) == 3  # different lengths: batching pads

    total, count = 0.0, 0
    with torch.no_grad():
        for e in examples:  # one at a time, no padding, no shared code
            ids = torch.tensor([e["input_ids"]])
            logprobs = torch.log_softmax(model(input_ids=ids).logits[0].double(), dim=-1)
            for pos in range(1, len(e["labels"])):
                if e["labels"][pos] != -100:
                    total -= logprobs[pos - 1, e["labels"][pos]].item()
                    count += 1
    expected = total / count

    result = masked_loss(model, examples, batch_size=2, pad_id=tok.pad_token_id)
    assert result.tokens == count == sum(sum(1 for x in e["labels"][1:] if x != -100) for e in examples)
    assert result.loss == pytest.approx(expected, rel=1e-5)
    assert result.perplexity == pytest.approx(math.exp(expected), rel=1e-5)
    # Batch size does not change the number.
    assert masked_loss(model, examples, batch_size=3, pad_id=tok.pad_token_id).loss == pytest.approx(result.loss, rel=1e-5)


def _train(model, examples, steps, lr, pad_id):
    """A few optimizer steps on full batches of tokenized examples (the training masking)."""
    import torch

    width = max(len(e["input_ids"]) for e in examples)
    ids = torch.tensor([e["input_ids"] + [pad_id] * (width - len(e["input_ids"])) for e in examples])
    mask = torch.tensor([[1] * len(e["input_ids"]) + [0] * (width - len(e["input_ids"])) for e in examples])
    labels = torch.tensor([e["labels"] + [-100] * (width - len(e["labels"])) for e in examples])
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    return model


QUESTIONS = [
    MCQItem("Which organ pumps blood?", [("A", "the heart"), ("B", "the liver"), ("C", "the kidney")], -1),
    MCQItem("Which vitamin comes from sunlight?", [("A", "vitamin C"), ("B", "vitamin D"), ("C", "vitamin B12")], -1),
    MCQItem("What does insulin lower?", [("A", "blood pressure"), ("B", "heart rate"), ("C", "blood sugar")], -1),
    MCQItem("Where is the femur?", [("A", "in the thigh"), ("B", "in the arm"), ("C", "in the skull")], -1),
]


@pytest.mark.slow
@pytest.mark.parametrize("planted", [[0, 1, 2, 0], [2, 0, 1, 1]])
def test_multiple_choice_picks_the_option_the_model_was_trained_to_prefer(base, planted):
    import copy

    from medtune.chat_template import tokenize_conversation

    model, tok = copy.deepcopy(base[0]), base[1]
    items = [MCQItem(q.question, q.options, a) for q, a in zip(QUESTIONS, planted, strict=True)]
    system = "You answer medical questions."
    train = [tokenize_conversation(tok, mcq_conversation(q, q.answer, system)) for q in items]
    assert score_mcq(model, tok, items, system).predictions != planted  # the untrained model does not already agree
    _train(model, train, steps=24, lr=1e-3, pad_id=tok.pad_token_id)
    result = score_mcq(model, tok, items, system, batch_size=5)
    assert result.predictions == planted  # two plantings, two different answer keys: the scorer follows the model
    assert result.correct == result.total == 4 and result.accuracy == 1.0


# --------------------------------------------------------------------------------------------
# The command, end to end, on a run trained by the real trainer
# --------------------------------------------------------------------------------------------

TOPICS = ["a fever", "a cough", "a headache", "back pain", "a sore throat", "heartburn", "a rash", "hay fever"]
ADVICE = ["rest and drink plenty of fluids", "see a doctor if it lasts more than a week", "ask a pharmacist"]
# Held-out conversations share the training ones' shape, so learning shows on the eval split too
# (conftest's tiny conversations are all different: a run trained to memorise them need not).
TEMPLATED = [
    [
        {"role": "user", "content": f"What should I do about {TOPICS[i % 8]}? (case {i})"},
        {"role": "assistant", "content": f"For {TOPICS[i % 8]}, {ADVICE[i % 3]}. Get urgent help if it is severe."},
    ]
    for i in range(32)
]

MCQ_ROWS = [
    {"question": "What helps with a cough?", "options": {"A": "Rest and fluids.", "B": "Nothing ever.", "C": "Ice."}, "answer": "A"},
    {"question": "Who can advise on heartburn?", "options": ["A painter.", "A pharmacist."], "answer": 1},
    {"question": "When is a rash urgent?", "options": {"A": "Never.", "B": "When it is severe."}, "answer": "B"},
]


@pytest.mark.slow
def test_evaluate_after_training_writes_metrics_report_and_valid_plots(
    make_tiny_project, load_tiny_config, tmp_path, capsys, monkeypatch
):
    from PIL import Image

    from medtune.cli import main
    from medtune.train import train

    project = make_tiny_project(
        tmp_path / "project",
        conversations=TEMPLATED,
        config={
            "data": {"eval_dataset_size": 6},
            "training": {"max_steps": 24, "learning_rate": 3e-3, "logging_steps": 5, "eval_steps": 20},
            "evaluation": {"generation_samples": 3, "max_new_tokens": 16},
        },
    )
    (project / "mcq.jsonl").write_text("\n".join(json.dumps(r) for r in MCQ_ROWS) + "\n")
    # The dataset fingerprint hashes the pipeline's source files; pin it so an edit to them while
    # this test runs (a shared working tree) does not read as a changed split.
    monkeypatch.setattr("medtune.data.cache.code_version", lambda: "pinned")
    run = train(load_tiny_config(project)).run_dir
    capsys.readouterr()

    args = ["evaluate", "--config", str(project / "config.yaml"), "--run", "latest", "--base"]
    assert main([*args, "--set", "evaluation.mcq_path=mcq.jsonl"]) == 0
    out = capsys.readouterr().out
    assert "fine-tuned" in out and "eval loss" in out and "MCQ accuracy" in out  # the terminal summary

    metrics = json.loads((run / "eval" / "metrics.json").read_text())
    base, tuned = metrics["models"]["base"], metrics["models"]["fine_tuned"]
    assert metrics["eval_split"]["examples"] == 6 and metrics["eval_split"]["mcq_questions"] == 3
    assert metrics["eval_split"]["split_check"] == "identical"  # the split training held out
    for m in (base, tuned):
        assert m["loss"]["perplexity"] == pytest.approx(math.exp(m["loss"]["eval_loss"]))
        gen = m["generation"]
        assert 0 <= gen["rougeL"] <= 1 and 0 <= gen["bleu"] <= 1 and 0 <= gen["ended_share"] <= 1
        assert gen["samples"] == 3 and gen["mean_answer_tokens"] <= 16
        assert m["mcq"]["total"] == 3 and m["mcq"]["ci95"][0] <= m["mcq"]["accuracy"] <= m["mcq"]["ci95"][1]
    assert base["loss"]["tokens"] == tuned["loss"]["tokens"] > 0  # the same split, the same masking
    assert tuned["loss"]["eval_loss"] < base["loss"]["eval_loss"]
    assert metrics["comparison"]["fine_tuned_loss_lower"] is True
    assert metrics["evaluation_config"]["mcq_path"] == "mcq.jsonl"
    history = metrics["training_history"]
    assert history["source"] == "tensorboard" and history["train_points"] > 1 and history["eval_points"] >= 1

    report = (run / "eval" / "report.md").read_text()
    assert "| eval loss |" in report and "**lower**" in report and "![loss_curves.png](loss_curves.png)" in report
    assert set(metrics["plots"]) == {"loss_curves.png", "base_vs_fine_tuned.png"}
    for name in metrics["plots"]:
        path = run / "eval" / name
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        with Image.open(path) as img:
            img.verify()
            assert img.format == "PNG" and img.size[0] > 300 and img.size[1] > 200


def test_evaluate_uses_the_runs_config_and_only_todays_evaluation_settings(make_tiny_project, load_tiny_config, tmp_path):
    from medtune.config import dump_config, load_config
    from medtune.evaluate import with_current_evaluation
    from medtune.runs import open_run

    project = make_tiny_project(tmp_path / "project")
    run_dir = project / "runs" / "some-run"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text(dump_config(load_tiny_config(project)))
    current = load_config(
        project / "config.yaml", overrides=["evaluation.generation_samples=5", "data.eval_dataset_size=3"],
        environ={}, dotenv=False, check_paths=False,
    )
    run, warnings = with_current_evaluation(open_run(current.config, "runs/some-run", require_weights=False), current)
    assert run.config.evaluation.generation_samples == 5
    assert run.config.data.eval_dataset_size == 2  # the split is the run's, whatever the command line says
    assert run.config.root == current.config.root
    assert warnings == ["--set data.eval_dataset_size ignored: evaluate uses the run's saved config"]


def test_a_bad_evaluation_override_stops_evaluate_with_exit_2(tiny_project, capsys):
    from medtune.cli import main

    args = ["evaluate", "--config", str(tiny_project / "config.yaml"), "--run", "latest"]
    assert main([*args, "--set", "evaluation.generation_samples=-1"]) == 2
    assert "evaluation.generation_samples" in capsys.readouterr().err


def test_the_eval_split_is_checked_against_what_training_recorded(tmp_path):
    from types import SimpleNamespace

    from medtune.data.split import split_digest
    from medtune.evaluate.loading import check_split

    rows = [{"input_ids": [1, 2, 3], "labels": [-100, 2, 3]}, {"input_ids": [4, 5], "labels": [-100, 5]}]
    prepared = SimpleNamespace(eval=rows, fingerprint="fp-now")
    assert split_digest(rows) == split_digest(rows[::-1]) != split_digest(rows[:1])

    def check(dataset):
        return check_split({"dataset": dataset}, prepared)

    # The recorded digest decides, whatever the fingerprint says (pipeline code edits change it).
    assert check({"fingerprint": "fp-then", "eval_sha256": split_digest(rows)}) == ("identical", [])
    verdict, notes = check({"fingerprint": "fp-now", "eval_sha256": split_digest(rows[:1]), "rows": {"eval": 1}})
    assert verdict == "different" and "2 conversations now, 1 at training" in notes[0]
    assert check({"fingerprint": "fp-now"}) == ("identical", [])
    assert check({"fingerprint": "fp-then"})[0] == "unverified"
    assert check({})[0] == "unknown"


def test_loss_history_falls_back_to_trainer_state(tmp_path):
    from medtune.evaluate.loading import read_loss_history

    for n, log in ((10, [{"step": 5, "loss": 2.0}]), (20, [{"step": 5, "loss": 2.0}, {"step": 10, "loss": 1.5}, {"step": 10, "eval_loss": 1.7}])):
        ckpt = tmp_path / "checkpoints" / f"checkpoint-{n}"
        ckpt.mkdir(parents=True)
        (ckpt / "trainer_state.json").write_text(json.dumps({"log_history": log}))
    history, source = read_loss_history(tmp_path)
    assert source == "trainer_state"
    assert history == {"train": [(5, 2.0), (10, 1.5)], "eval": [(10, 1.7)]}
    assert read_loss_history(tmp_path / "nothing") == ({"train": [], "eval": []}, None)
