"""Run directories: names a user can read, runs found again, and checkpoints that can be trusted."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from medtune import runs
from medtune.config import dump_config
from medtune.errors import RunError
from medtune.model_card import model_card

NOW = datetime(2026, 3, 1, 14, 5, 9)


def test_a_run_is_named_after_model_task_shape_length_and_time(tiny_project, load_tiny_config):
    cfg = load_tiny_config(tiny_project, "training.max_steps=-1", "training.num_train_epochs=3")
    assert runs.run_name(cfg, NOW) == "tinyphi4mini-test-r16-a32-e3-20260301-140509"
    pattern = r"^[a-z0-9]+-[A-Za-z0-9_.]+-r\d+-a\d+-e[\d.]+-\d{8}-\d{6}$"
    assert re.match(pattern, runs.run_name(cfg))
    # Phi-4-mini's hub id gets a short slug; a step cap says s{steps}; full and spectrum carry the method.
    cfg.model.base_model_name = "microsoft/Phi-4-mini-instruct"
    cfg.training.max_steps = 500
    assert runs.run_name(cfg, NOW) == "phi4mini-test-r16-a32-s500-20260301-140509"
    cfg.fine_tuning.method = "full"
    assert runs.run_name(cfg, NOW).startswith("phi4mini-test-full-s500-")
    cfg.fine_tuning.method = "spectrum"
    assert runs.run_name(cfg, NOW).startswith("phi4mini-test-spectrum50-s500-")


def test_two_runs_started_in_the_same_second_get_different_directories(tiny_project, load_tiny_config):
    cfg = load_tiny_config(tiny_project)
    first = runs.new_run_dir(cfg, NOW)
    assert not first.exists(), "new_run_dir only names the directory; train creates it lazily"
    first.mkdir(parents=True)
    second = runs.new_run_dir(cfg, NOW)
    assert second.name == first.name + "-2" and second.parent == first.parent


def _fake_run(root: Path, name: str, cfg) -> Path:
    run = root / "runs" / name
    run.mkdir(parents=True)
    (run / runs.CONFIG_FILE).write_text(dump_config(cfg))
    return run


def test_runs_are_found_by_path_name_or_latest(tiny_project, load_tiny_config):
    import os
    import time

    cfg = load_tiny_config(tiny_project)
    with pytest.raises(RunError, match="no runs under"):
        runs.find_run(cfg, "latest")
    old = _fake_run(tiny_project, "a-old", cfg)
    new = _fake_run(tiny_project, "b-new", cfg)
    past = time.time() - 60
    os.utime(old / runs.CONFIG_FILE, (past, past))
    assert runs.find_run(cfg, "latest") == new
    assert runs.find_run(cfg, "a-old") == old.resolve()
    assert runs.find_run(cfg, "runs/a-old") == old.resolve()
    assert runs.find_run(cfg, str(old)) == old.resolve()
    with pytest.raises(RunError, match="not a run directory"):
        runs.find_run(cfg, "nope")


def test_a_saved_run_config_resolves_paths_against_its_project(tiny_project, load_tiny_config):
    cfg = load_tiny_config(tiny_project)
    run = _fake_run(tiny_project, "r", cfg)
    loaded = runs.load_run_config(run)
    assert loaded.root == tiny_project.resolve()
    assert loaded.resolve_path(loaded.data.dataset_path) == (tiny_project / "data" / "train.jsonl").resolve()
    runs.write_metadata(run, {"project_root": str(tiny_project)})
    assert runs.load_run_config(run).root == tiny_project.resolve()


def test_an_unfinished_run_says_how_to_continue(tmp_path):
    with pytest.raises(RunError, match="medtune train --resume"):
        runs.artifact_dir(tmp_path)
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    assert runs.artifact_dir(tmp_path) == tmp_path / "model"


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


def _checkpoint(run: Path, step: int, complete: bool = True) -> Path:
    ckpt = run / runs.CHECKPOINTS_DIR / f"checkpoint-{step}"
    (ckpt / "sub").mkdir(parents=True)
    (ckpt / "adapter_model.safetensors").write_bytes(bytes(range(256)) * (step + 1))
    (ckpt / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    (ckpt / "sub" / "extra.bin").write_bytes(b"x" * step)
    if complete:
        runs.mark_checkpoint_complete(ckpt)
    return ckpt


def test_a_checkpoint_is_trusted_only_with_its_marker_and_matching_files(tmp_path):
    good = _checkpoint(tmp_path, 2)
    assert runs.checkpoint_problem(good) is None
    marker = json.loads((good / runs.COMPLETE_MARKER).read_text())
    assert set(marker["files"]) == {"adapter_model.safetensors", "trainer_state.json", "sub/extra.bin"}

    cut = _checkpoint(tmp_path, 4, complete=False)
    assert "no COMPLETE marker" in runs.checkpoint_problem(cut)

    truncated = _checkpoint(tmp_path, 6)
    data = (truncated / "adapter_model.safetensors").read_bytes()
    (truncated / "adapter_model.safetensors").write_bytes(data[: len(data) // 2])
    assert "bytes" in runs.checkpoint_problem(truncated)

    flipped = _checkpoint(tmp_path, 8)
    data = bytearray((flipped / "adapter_model.safetensors").read_bytes())
    data[10] ^= 0xFF
    (flipped / "adapter_model.safetensors").write_bytes(bytes(data))
    assert "checksum" in runs.checkpoint_problem(flipped)

    missing = _checkpoint(tmp_path, 10)
    (missing / "sub" / "extra.bin").unlink()
    assert "missing" in runs.checkpoint_problem(missing)

    garbled = _checkpoint(tmp_path, 12)
    (garbled / runs.COMPLETE_MARKER).write_text("{not json")
    assert "unreadable" in runs.checkpoint_problem(garbled)

    notes: list[str] = []
    assert runs.latest_complete_checkpoint(tmp_path, note=notes.append) == good
    assert [n.split(":")[0] for n in notes] == [f"skipping checkpoint-{s}" for s in (12, 10, 8, 6, 4)]


def test_pruning_keeps_the_newest_complete_checkpoints(tmp_path):
    for step in (2, 4, 6):
        _checkpoint(tmp_path, step)
    _checkpoint(tmp_path, 3, complete=False)  # an old leftover below the kept ones
    newest = _checkpoint(tmp_path, 8)
    removed = runs.prune_checkpoints(tmp_path, keep=2, protect=newest)
    assert sorted(p.name for p in removed) == ["checkpoint-2", "checkpoint-3", "checkpoint-4"]
    assert [p.name for p in runs.list_checkpoints(tmp_path)] == ["checkpoint-6", "checkpoint-8"]
    assert runs.prune_checkpoints(tmp_path, keep=None) == []


def test_metadata_is_replaced_atomically(tmp_path):
    runs.write_metadata(tmp_path, {"status": "running"})
    runs.update_metadata(tmp_path, status="completed", final_metrics={"global_step": 3})
    assert runs.read_metadata(tmp_path) == {"status": "completed", "final_metrics": {"global_step": 3}}
    assert [p.name for p in tmp_path.iterdir()] == [runs.METADATA_FILE], "no temporary files left behind"


def test_the_model_card_carries_a_medical_disclaimer_and_the_recipe(tiny_project, load_tiny_config):
    cfg = load_tiny_config(tiny_project)
    meta = {
        "run_name": "tinyphi4mini-test-r16-a32-s40-20260301-140509",
        "effective_batch_size": 4,
        "dataset": {"rows": {"train": 4, "eval": 2}, "fingerprint": "abc", "provenance": [{"path": "data/train.jsonl", "rows": 6}]},
        "final_metrics": {"global_step": 40, "final_loss": 0.12, "eval_loss": 3.5, "tokens_per_second": 1234.5},
        "config_sha256": "f" * 64,
        "git": {"commit": "deadbeef", "dirty": True},
    }
    card = model_card(meta, cfg)
    for needle in ("Medical disclaimer", "embedded:tiny-phi4-mini", "qlora", "LoRA rank / alpha / dropout: 16 / 32 / 0.0",
                   "final training loss: 0.12", "eval loss: 3.5", "Intended use", "Limitations", "4 train, 2 eval",
                   "deadbeef", "(dirty)", "emergency"):
        assert needle in card, needle
