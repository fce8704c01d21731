"""Story: a run whose adapter/ holds only a pickle (adapter_model.bin) came from somewhere else, and
unpickling runs code. chat, serve, evaluate, export and resume all refuse it with one clear
message, unless this project's config says model.allow_pickle_weights=true.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medtune import runs
from medtune.cli import main
from medtune.config import dump_config
from medtune.errors import RunError


@pytest.fixture
def pickled_run(tiny_project: Path, load_tiny_config) -> Path:
    """A finished lora run whose adapter PEFT saved as adapter_model.bin (safe_serialization=False)."""
    from peft import LoraConfig, get_peft_model

    from medtune.model import load_model, load_tokenizer

    cfg = load_tiny_config(tiny_project, "fine_tuning.method=lora")
    run_dir = tiny_project / "runs" / "tinyphi4mini-test-r16-a32-s40-20261202-010000"
    adapter = run_dir / runs.ADAPTER_DIR
    model = get_peft_model(load_model(cfg), LoraConfig(r=4, target_modules=["qkv_proj"], task_type="CAUSAL_LM"))
    model.save_pretrained(str(adapter), safe_serialization=False)
    load_tokenizer(cfg).save_pretrained(str(adapter))
    runs.write_atomic(run_dir / runs.CONFIG_FILE, dump_config(cfg))
    runs.write_metadata(run_dir, {"status": "completed", "final_metrics": {"global_step": 40}})
    assert (adapter / "adapter_model.bin").is_file() and not list(adapter.glob("*.safetensors"))
    return run_dir


@pytest.mark.parametrize(
    "command",
    [
        ["chat", "--run", "{run}"],
        ["evaluate", "--run", "{run}"],
        ["export", "{run}"],
        ["train", "--resume", "{run}"],
    ],
)
def test_a_pickled_adapter_is_refused_by_every_command(pickled_run: Path, command, capsys, monkeypatch):
    monkeypatch.chdir(pickled_run.parent.parent)
    args = [a.replace("{run}", str(pickled_run)) for a in command]
    code = main([*args, "--config", "config.yaml"])
    err = capsys.readouterr().err
    assert code == 2, err[-2000:]
    assert "adapter_model.bin" in err and "safetensors only" in err and "model.allow_pickle_weights=true" in err
    assert "Traceback" not in err
    assert not (pickled_run / "export").exists()


def test_the_switch_is_read_from_this_project_not_from_the_run(pickled_run: Path, load_tiny_config):
    """A run that says allow_pickle_weights in its own saved config is still refused: the config came with the weights."""
    project = pickled_run.parent.parent
    saved = (pickled_run / runs.CONFIG_FILE).read_text().replace("allow_pickle_weights: false", "allow_pickle_weights: true")
    (pickled_run / runs.CONFIG_FILE).write_text(saved)
    with pytest.raises(RunError, match="its weights are pickles"):
        runs.open_run(load_tiny_config(project), str(pickled_run))


@pytest.mark.slow
def test_allow_pickle_weights_loads_it_when_the_user_says_so(pickled_run: Path, load_tiny_config):
    from medtune.model import load_for_inference

    project = pickled_run.parent.parent
    run = runs.open_run(load_tiny_config(project, "model.allow_pickle_weights=true"), str(pickled_run))
    assert run.adapter_dir == pickled_run / runs.ADAPTER_DIR
    allowed = run.config.with_root(project)
    allowed.model.allow_pickle_weights = True
    model, _ = load_for_inference(allowed, adapter_dir=run.adapter_dir)
    assert any("lora_A" in name for name, _ in model.named_parameters())
    with pytest.raises(RunError):
        load_for_inference(run.config, adapter_dir=run.adapter_dir)  # the run's own config does not allow it
    assert json.loads((pickled_run / runs.METADATA_FILE).read_text())["status"] == "completed"
