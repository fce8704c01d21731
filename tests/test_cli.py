"""The CLI starts fast, explains user errors in one message, and shows where values came from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "gradio", "peft", "trl", "bitsandbytes", "datasets")


def run_cli(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "medtune", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def modules_loaded_by(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_lists_every_command():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("train", "config", "validate", "name", "data", "chat", "evaluate", "safety-report", "export"):
        assert command in out.stdout


def test_help_and_config_import_no_heavy_library():
    code = (
        "from medtune.cli import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['config', '--env', 'prod'])\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    loaded = modules_loaded_by(code)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_the_python_api_is_light_to_import_and_every_name_resolves():
    """A notebook imports medtune for free; torch loads only when a name that needs it is used."""
    loaded = modules_loaded_by("import medtune\nfrom medtune import load_config, open_run\nload_config")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    code = "import medtune\nmissing = [n for n in medtune.__all__ if not callable(getattr(medtune, n)) and n != '__version__']\nprint(missing)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr[-2000:]


def test_a_commands_flags_become_config_overrides_resolved_with_the_rest():
    """--host/--port style flags go through the one resolution (and its checks), values verbatim."""
    from medtune.cli import build_parser, flag_overrides, resolve

    args = build_parser().parse_args(["chat", "--env", "dev", "--port", "7999", "--auth", "me: [x]", "--set", "demo.port=1"])
    overrides = flag_overrides(args, {"host": "demo.host", "port": "demo.port", "auth": "demo.auth", "share": "demo.share"})
    assert overrides == {"demo.port": 7999, "demo.auth": "me: [x]"}  # unset flags are no overrides
    demo = resolve(args, check_paths=False, extra_overrides=overrides).config.demo
    assert (demo.port, demo.auth, demo.host, demo.share) == (7999, "me: [x]", "127.0.0.1", False)


def test_config_prints_each_value_with_its_source():
    out = run_cli("config", "--env", "prod", "--set", "lora.r=8")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any("base_model_name: microsoft/Phi-4-mini-instruct" in line and "# config.prod.yaml" in line for line in lines)
    assert any(line.strip().startswith("r: 8") and "# --set lora.r" in line for line in lines)


def test_config_json_is_machine_readable():
    out = run_cli("config", "--env", "dev", "--format", "json")
    data = json.loads(out.stdout)
    assert data["config"]["model"]["base_model_name"] == "embedded:tiny-phi4-mini"
    assert data["sources"]["model.base_model_name"].startswith("config.dev.yaml")


def test_a_user_error_exits_2_with_one_message_and_no_traceback():
    out = run_cli("config", "--env", "dev", "--set", "training.learning_rat=1e-4")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "did you mean training.learning_rate?" in out.stderr


def test_validate_lists_every_problem_at_once():
    out = run_cli("validate", "--env", "dev", "--set", "lora.r=0", "--set", "data.dataset_path=nope.jsonl")
    assert out.returncode == 2
    assert "lora.r" in out.stderr and "nope.jsonl does not exist" in out.stderr
    assert "Traceback" not in out.stderr


def test_validate_rejects_bf16_on_a_machine_without_it():
    import torch

    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        import pytest

        pytest.skip("this machine supports bf16")
    out = run_cli("validate", "--env", "dev", "--set", "training.bf16=true")
    assert out.returncode == 2
    assert "training.bf16" in out.stderr


def test_validate_reports_a_hardware_problem_and_a_schema_problem_together():
    """The hardware checks see the same --set values as the rest: both problems in one run."""
    import torch

    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        import pytest

        pytest.skip("this machine supports bf16")
    out = run_cli("validate", "--env", "dev", "--set", "training.bf16=true", "--set", "lora.r=0")
    assert out.returncode == 2
    assert "2 problems" in out.stderr
    assert "lora.r: input should be greater than 0" in out.stderr
    assert "training.bf16: this machine has no CUDA GPU" in out.stderr


def test_validate_prints_a_memory_estimate_for_a_valid_config():
    out = run_cli("validate", "--env", "dev")
    assert out.returncode == 0, out.stderr
    assert "estimated peak GPU memory" in out.stdout
    assert "ok:" in out.stdout


def test_name_previews_the_run_directory_name():
    out = run_cli("name", "--env", "prod")
    assert out.returncode == 0, out.stderr
    import re

    assert re.fullmatch(r"phi4mini-medqa-r32-a64-e3-\d{8}-\d{6}", out.stdout.strip())


def test_missing_config_file_is_explained(tmp_path):
    out = run_cli("config", cwd=tmp_path)
    assert out.returncode == 2
    assert "config file not found" in out.stderr and "--config" in out.stderr
