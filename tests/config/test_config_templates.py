"""A user starts from a shipped template by name: `--config quick_test`, or `base_template: default`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from medtune.cli import main
from medtune.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = ("default", "medical_qa", "low_memory", "quick_test")


def load(config, **kw):
    return load_config(config, environ={}, dotenv=False, check_paths=False, **kw)


def test_config_help_lists_the_named_templates():
    out = subprocess.run([sys.executable, "-m", "medtune", "config", "--help"], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0
    listed = out.stdout.split("named templates", 1)[1]
    for name in TEMPLATES:
        assert f"\n  {name} " in listed, name


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_is_found_by_name_and_valid(name, monkeypatch):
    monkeypatch.chdir(REPO)  # the project whose data the template's relative paths name
    r = load(name)
    assert r.files[0].name == f"{name}.yaml" and r.config.root == REPO
    assert r.notes == []


def test_the_default_template_is_the_shipped_config_yaml():
    assert load("default").config.to_dict() == load(REPO / "config.yaml").config.to_dict()


def test_base_template_finds_a_template_by_name(tmp_path):
    (tmp_path / "team.yaml").write_text(textwrap.dedent("""
        base_template: low_memory
        overrides:
          lora:
            r: 4
        """))
    r = load(tmp_path / "team.yaml")
    assert r.config.lora.r == 4 and r.config.training.gradient_accumulation_steps == 16
    assert r.source_of("training.gradient_accumulation_steps") == "template low_memory:9"
    assert r.source_of("model.base_model_name") == "template default:7"


def test_a_file_beside_the_config_wins_over_a_template_of_the_same_name(tmp_path):
    (tmp_path / "default").write_text("training:\n  seed: 7\n")
    (tmp_path / "team.yaml").write_text("base_template: default\noverrides: {}\n")
    assert load(tmp_path / "team.yaml").config.training.seed == 7


def test_an_unknown_template_name_lists_the_templates(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["config", "--config", "quick_tset"]) == 2
    err = capsys.readouterr().err
    assert "config file not found: quick_tset" in err and "named templates: default, low_memory, medical_qa, quick_test" in err
    (tmp_path / "team.yaml").write_text("base_template: nope\noverrides: {}\n")
    with pytest.raises(ConfigError, match="named templates: default, low_memory"):
        load(tmp_path / "team.yaml")


def test_low_memory_needs_less_memory_than_default():
    from medtune.memory import estimate_memory

    low, default = (estimate_memory(load(n).config) for n in ("low_memory", "default"))
    assert low.total < default.total


def test_quick_test_validates_in_the_project_with_its_overlay(capsys, monkeypatch):
    """A named template takes the working directory's config.ENV.yaml and .env, as config.yaml would."""
    monkeypatch.chdir(REPO)
    assert main(["validate", "--config", "quick_test"]) == 0, capsys.readouterr().err
    r = load("quick_test", env="prod")
    assert r.files[1] == REPO / "config.prod.yaml" and r.config.training.bf16


def test_the_top_level_help_reads_no_config_code():
    """Listing the templates is left to `medtune config --help`: `medtune --help` stays instant."""
    code = ("import sys, contextlib, io\nfrom medtune.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\nprint('medtune.config' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr
