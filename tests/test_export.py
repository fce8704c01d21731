"""`medtune export`: a trained run leaves medtune, as an adapter or as a standalone merged model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medtune import runs
from medtune.cli import main
from medtune.errors import RunError

# A fresh interpreter: first the merged export through plain transformers (medtune never imported),
# then the run's adapter through medtune's loader; prints logits and a greedy answer as JSON.
FRESH_PROCESS = r"""
import json, sys
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

merged_dir, run_dir, ids, prompt, n_new = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4]), int(sys.argv[5])
merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
merged_tok = AutoTokenizer.from_pretrained(merged_dir)
sample = "<|user|>Is 38.5 C a fever? It's  been 2 days.<|end|><|assistant|>"
with torch.no_grad():
    merged_logits = merged(torch.tensor([ids])).logits[0].tolist()
medtune_was_imported = "medtune" in sys.modules

from medtune.model import load_for_inference
from medtune.runs import load_run_config, open_run
run = open_run(load_run_config(run_dir), run_dir)
model, tok = load_for_inference(run.config, adapter_dir=run.adapter_dir, merged_dir=run.model_dir)
with torch.no_grad():
    adapter_logits = model(input_ids=torch.tensor([ids])).logits[0].tolist()
    out = model.generate(input_ids=torch.tensor([prompt]), max_new_tokens=n_new, do_sample=False)
print(json.dumps({"merged": merged_logits, "adapter": adapter_logits, "medtune_was_imported": medtune_was_imported,
                  "merged_tokens": merged_tok(sample, add_special_tokens=True)["input_ids"], "run_tokens": tok(sample, add_special_tokens=True)["input_ids"],
                  "generated": out[0, len(prompt):].tolist(), "quantized": bool(getattr(model.get_base_model(), "is_loaded_in_4bit", False))}))
"""


def _first_example(trainer):
    row = trainer.train_dataset[0]
    ids, labels = row["input_ids"], row["labels"]
    start = next(i for i, lab in enumerate(labels) if lab != -100)
    return ids, ids[:start], [t for t, lab in zip(ids, labels, strict=True) if lab != -100]


@pytest.mark.slow
def test_the_adapter_and_the_merged_model_reload_in_a_fresh_process(tiny_run, tiny_run_result, tmp_path):
    import torch
    from huggingface_hub import ModelCard
    from peft import PeftModel
    from safetensors import safe_open

    from medtune.model import load_model

    project = tiny_run.parent.parent
    merged_dir = tmp_path / "merged"
    assert main(["export", str(tiny_run), "--merge", "--out", str(merged_dir), "--config", str(project / "config.yaml")]) == 0
    for name in ("model.safetensors", "config.json", "tokenizer.json", "generation_config.json", "README.md"):
        assert (merged_dir / name).is_file(), name
    assert not [p for p in merged_dir.iterdir() if p.suffix in (".bin", ".pt", ".pth")], "safetensors only"
    with safe_open(str(merged_dir / "model.safetensors"), "pt") as f:
        assert {f.get_slice(k).get_dtype() for k in f.keys()} == {"BF16"}
    gen = json.loads((merged_dir / "generation_config.json").read_text())
    assert len(gen["eos_token_id"]) == 2, "stops on <|end|> and <|endoftext|>"
    # Phi-4-mini's own tokenizer class, which llama.cpp's converter reads as BPE (transformers 5
    # would write its generic TokenizersBackend, and the converter would look for tokenizer.model).
    tok_cfg = json.loads((merged_dir / "tokenizer_config.json").read_text())
    assert tok_cfg["tokenizer_class"] == "GPT2Tokenizer" and tok_cfg["add_bos_token"] is False
    assert "<|end|>" in tok_cfg["additional_special_tokens"] and not isinstance(tok_cfg.get("extra_special_tokens"), list), (
        "transformers 4 reads additional_special_tokens and breaks on a list under extra_special_tokens"
    )
    assert not (merged_dir / "tokenizer.model").exists()
    card = ModelCard.load(merged_dir / "README.md")
    assert card.data.library_name == "transformers" and "medical" in card.data.tags
    assert "standalone model" in card.text and "PEFT adapter" not in card.text, "the card describes the merged layout"

    trainer = tiny_run_result.trainer
    ids, prompt, answer = _first_example(trainer)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTUNE")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])  # this checkout's medtune, whatever is installed
    child = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(merged_dir), str(tiny_run), json.dumps(ids), json.dumps(prompt), str(len(answer))],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    got = json.loads(child.stdout.strip().splitlines()[-1])
    assert got["medtune_was_imported"] is False, "the merged export loads with plain transformers"
    assert got["merged_tokens"] == got["run_tokens"], "and tokenizes exactly as the run's tokenizer does"

    # 1. The adapter on its 4-bit base, in a new process, gives the logits the trained model gives here.
    assert got["quantized"], "a QLoRA adapter is reloaded on the NF4 base it was trained against"
    with torch.no_grad():
        trained = trainer.model.eval()(input_ids=torch.tensor([ids]), use_cache=False).logits[0]
    assert (torch.tensor(got["adapter"]) - trained).abs().max() < 1e-4
    assert got["generated"] == answer[: len(got["generated"])], "and it still answers as trained"

    # 2. The merged export equals base + adapter (unquantized, as merged) up to bf16 rounding.
    cfg = runs.load_run_config(tiny_run)
    base = load_model(cfg, quantize=False, dtype=torch.float32)
    with torch.no_grad():
        base_only = base(input_ids=torch.tensor([ids]), use_cache=False).logits[0]
        reference = PeftModel.from_pretrained(base, str(tiny_run / "adapter")).eval()(input_ids=torch.tensor([ids])).logits[0]
    merged = torch.tensor(got["merged"])
    effect = (reference - base_only).abs().max()
    error = (merged - reference).abs().max()
    assert effect > 1.0, "the adapter changes the model"
    assert error < 0.05 * effect, f"merge error {error:.4f} vs adapter effect {effect:.4f}"
    assert (merged.argmax(-1) == reference.argmax(-1)).float().mean() > 0.95


@pytest.mark.slow
def test_exporting_the_adapter_alone(tiny_run, tmp_path):
    from huggingface_hub import ModelCard

    from medtune.export import export_run

    run = runs.open_run(runs.load_run_config(tiny_run), tiny_run)
    out = export_run(run, tmp_path / "adapter-only")
    for name in ("adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "generation_config.json", "README.md"):
        assert (out / name).is_file(), name
    assert "Medical disclaimer" in (out / "README.md").read_text()
    with pytest.raises(RunError, match="not empty"):
        export_run(run, out)
    # Every card opens with Hugging Face front matter: the run's, its adapter/'s, and the export's.
    for card_path in (tiny_run / "README.md", tiny_run / "adapter" / "README.md", out / "README.md"):
        data = ModelCard.load(card_path).data
        assert data.library_name == "peft" and data.pipeline_tag == "text-generation", card_path
        assert {"medical", "qlora", "lora"} <= set(data.tags), card_path
        assert data.base_model is None, "the embedded dev model is not a Hub model"


def test_model_card_front_matter_names_the_base_the_licence_and_the_datasets(tiny_project, load_tiny_config):
    from huggingface_hub import ModelCard

    from medtune.model_card import model_card

    cfg = load_tiny_config(tiny_project, "model.base_model_name=microsoft/Phi-4-mini-instruct")
    provenance = [
        {"dataset": "keivalya/MedQuad-MedicalQnADataset", "path": "data/medquad.jsonl", "rows": 10, "license": "CC BY 4.0"},
        {"dataset": "data/train.jsonl", "path": "data/train.jsonl", "rows": 6, "license": "cc-by-4.0"},
    ]
    meta = {"run_name": "phi4mini-test", "dataset": {"provenance": provenance}}
    adapter = ModelCard(model_card(meta, cfg, "adapter")).data
    assert adapter.base_model == "microsoft/Phi-4-mini-instruct" and adapter.library_name == "peft"
    assert adapter.license == "cc-by-4.0", "one licence, written two ways"
    assert adapter.datasets == ["keivalya/MedQuad-MedicalQnADataset"], "a local file is not a Hub dataset"
    merged = ModelCard(model_card(meta, cfg, "model")).data
    assert merged.library_name == "transformers" and "lora" not in merged.tags and "medical" in merged.tags

    mixed = [dict(provenance[0]), {"dataset": "x", "path": "x.jsonl", "rows": 1, "license": "Apache-2.0"}]
    data = ModelCard(model_card({"dataset": {"provenance": mixed}}, cfg)).data
    assert data.license == "other" and data.license_name == "Apache-2.0, CC BY 4.0"
    unknown = [dict(provenance[0]), {"dataset": "y", "path": "y.jsonl", "rows": 1}]
    assert ModelCard(model_card({"dataset": {"provenance": unknown}}, cfg)).data.license is None, "a source without a licence"


def test_an_unfinished_run_cannot_be_exported(tiny_project, load_tiny_config, capsys):
    from medtune.config import dump_config

    run = tiny_project / "runs" / "unfinished"
    run.mkdir(parents=True)
    (run / "config.yaml").write_text(dump_config(load_tiny_config(tiny_project)))
    rc = main(["export", "latest", "--config", str(tiny_project / "config.yaml")])
    err = capsys.readouterr().err
    assert rc == 2 and "did not finish" in err and "--resume" in err


def test_phi4_minis_own_pre_tokenizer_survives_the_portable_tokenizer_config(tmp_path):
    """Phi-4-mini splits text with the o200k pattern before BPE. Naming GPT2Tokenizer must not
    swap that for GPT-2's split when transformers 5 loads the merged directory (it does, for a
    tokenizer directory without config.json beside it)."""
    import shutil

    from transformers import AutoTokenizer

    from medtune.embedded import ensure_embedded_model
    from medtune.export import portable_tokenizer_config
    from medtune.gguf_export import O200K_SPLIT

    model_dir = tmp_path / "phi4-like"
    shutil.copytree(ensure_embedded_model("embedded:tiny-phi4-mini"), model_dir)
    tok_json = json.loads((model_dir / "tokenizer.json").read_text())
    tok_json["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": O200K_SPLIT}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
    (model_dir / "tokenizer.json").write_text(json.dumps(tok_json))
    text = "<|user|>I'VE had 38.5C fever for 2 days\n\nand   it's worse<|end|><|assistant|>"
    before = AutoTokenizer.from_pretrained(model_dir)(text)["input_ids"]

    portable_tokenizer_config(model_dir)
    after = AutoTokenizer.from_pretrained(model_dir)
    assert json.loads((model_dir / "tokenizer_config.json").read_text())["tokenizer_class"] == "GPT2Tokenizer"
    assert "Split" in after.backend_tokenizer.pre_tokenizer.__getstate__().decode()
    assert after(text)["input_ids"] == before
