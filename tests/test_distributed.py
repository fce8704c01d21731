"""Several processes: `medtune train --nproc N` through accelerate (gloo on CPU), one run directory,
the same loss as one process with the same effective batch size, resume, and the checks that refuse
combinations that cannot work.

The real runs use the dev config (the embedded tiny model, QLoRA: bitsandbytes' CPU 4-bit layers
work under DDP) for 4 steps with 2 conversations per process, against 1 process with 4.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from medtune import distributed, runs
from medtune.config import ConfigError, check_hardware, load_config

REPO = Path(__file__).resolve().parents[1]
STEPS = [
    "--set", "training.max_steps=4",
    "--set", "training.save_steps=2",
    "--set", "training.eval_strategy='no'",
    "--set", "training.logging_steps=1",
    "--set", "training.warmup_ratio=0",
    "--set", "training.report_to=[]",
]


def child_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDTUNE", "ACCELERATE_"))}
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    return env


def medtune(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "medtune", "train", *args], cwd=REPO, env=child_env(),
        capture_output=True, text=True, timeout=timeout,
    )


def only_run_dir(root: Path) -> Path:
    dirs = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(dirs) == 1, f"expected one run directory under {root}, got {[p.name for p in dirs]}"
    return dirs[0]


@pytest.fixture(scope="module")
def two_process_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("two-proc")
    args = ["--env", "dev", *STEPS, "--set", "training.per_device_train_batch_size=2", "--set", f"training.output_dir={out}"]
    proc = medtune("--nproc", "2", *args)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, args, proc


@pytest.mark.slow
def test_two_processes_write_one_run_directory_and_record_the_effective_batch(two_process_run):
    out, _, proc = two_process_run
    run_dir = only_run_dir(out)
    meta = runs.read_metadata(run_dir)
    assert meta["status"] == "completed"
    assert meta["num_processes"] == 2 and meta["distributed_backend"] == "ddp"
    assert meta["effective_batch_size"] == 4 and meta["per_device_train_batch_size"] == 2
    assert meta["learning_rate"] == 3.0e-3  # as configured, not multiplied by the process count
    assert (run_dir / "adapter" / "adapter_model.safetensors").is_file() and (run_dir / "README.md").is_file()
    # every process names itself and the same run directory
    for r in (0, 1):
        assert f"[rank {r}/2] pid" in proc.stdout and f"run directory {run_dir}" in proc.stdout
    assert "effective batch size 4 (2 per device x 1 accumulation x 2 process(es))" in proc.stdout


@pytest.mark.slow
def test_two_processes_match_one_process_with_the_same_effective_batch(two_process_run, tmp_path):
    """DistributedSampler gives the 2 processes the halves of the batch 1 process sees whole (same
    seed, same shuffled order), dropout is 0, and the loss is normalised by the tokens of the whole
    global batch: the losses agree up to float summation order."""
    from medtune.train import train

    out, args, _ = two_process_run
    two = runs.read_metadata(only_run_dir(out))["final_metrics"]
    overrides = [a for a in args[2:] if a != "--set"]
    overrides = [o for o in overrides if not o.startswith(("training.output_dir", "training.per_device_train_batch_size"))]
    cfg = load_config(
        REPO / "config.yaml", "dev",
        [*overrides, "training.per_device_train_batch_size=4", f"training.output_dir={tmp_path}"],
        environ={}, dotenv=False,
    ).config
    one = train(cfg).metrics
    assert one["global_step"] == two["global_step"] == 4
    assert one["first_loss"] == pytest.approx(two["first_loss"], rel=1e-3)
    assert one["final_loss"] == pytest.approx(two["final_loss"], rel=1e-2)


@pytest.mark.slow
def test_resume_two_processes_from_a_checkpoint(two_process_run, tmp_path):
    """Cut the finished run back to its step-2 checkpoint (as if killed there), resume it with 2
    processes: it continues from checkpoint-2 into the same directory and ends at the same loss."""
    out, args, _ = two_process_run
    original = only_run_dir(out)
    run_dir = tmp_path / original.name
    shutil.copytree(original, run_dir)
    for leftover in ("checkpoints/checkpoint-4", "adapter", "README.md"):
        path = run_dir / leftover
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    runs.update_metadata(run_dir, status="failed", final_metrics=None)

    proc = medtune("--nproc", "2", *args, "--resume", str(run_dir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "resuming from checkpoint-2" in proc.stdout
    assert only_run_dir(tmp_path) == run_dir and only_run_dir(out) == original  # nothing new anywhere
    meta = runs.read_metadata(run_dir)
    assert meta["status"] == "completed" and meta["resumes"][-1]["from_checkpoint"] == "checkpoint-2"
    before = runs.read_metadata(original)["final_metrics"]
    assert meta["final_metrics"]["global_step"] == 4
    assert meta["final_metrics"]["final_loss"] == pytest.approx(before["final_loss"], rel=1e-3)


@pytest.mark.slow
def test_a_failing_process_names_its_rank(tmp_path):
    """Every process fails here (no such run to resume); each says which rank it is."""
    proc = medtune("--env", "dev", "--nproc", "2", "--set", f"training.output_dir={tmp_path}", "--resume", "no-such-run", timeout=180)
    assert proc.returncode != 0
    assert "[rank 0/2] failed: RunError: no-such-run" in proc.stderr or "[rank 1/2] failed: RunError" in proc.stderr
    assert "prefixed with its [rank R/N]" in proc.stderr
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# The launcher's command lines, without launching
# --------------------------------------------------------------------------------------------


def config(project, *overrides):
    return load_config(project / "config.yaml", overrides=list(overrides), environ={}, dotenv=False).config


def test_ddp_on_cpu_uses_the_multi_process_launcher_not_cpu(tiny_project):
    argv = distributed.launch_command(config(tiny_project), 2, ["--env", "dev"], cuda=False, python="py")
    assert argv[:3] == ["py", "-m", "accelerate.commands.launch"]
    assert "--cpu" not in argv  # accelerate's --cpu starts a single process
    assert argv[argv.index("--num_processes") + 1] == "2" and "--multi_gpu" in argv
    assert argv[-5:] == ["-m", "medtune", "train", "--env", "dev"]


def test_multi_node_fsdp_and_deepspeed_flags(tiny_project, tmp_path):
    cfg = config(
        tiny_project, "distributed.num_machines=2", "distributed.machine_rank=1",
        "distributed.main_process_ip=10.0.0.1", "distributed.backend=fsdp", "fine_tuning.method=lora",
    )
    argv = distributed.launch_command(cfg, 8, [], cuda=True)
    flag = lambda name: argv[argv.index(name) + 1]  # noqa: E731
    assert flag("--num_processes") == "16" and flag("--num_machines") == "2" and flag("--machine_rank") == "1"
    assert flag("--main_process_ip") == "10.0.0.1" and "--use_fsdp" in argv
    assert flag("--fsdp_transformer_layer_cls_to_wrap") == "Phi3DecoderLayer"

    cfg = config(tiny_project, "distributed.backend=deepspeed", "distributed.offload_optimizer=true", "fine_tuning.method=lora")
    ds = distributed.write_deepspeed_config(cfg, tmp_path)
    assert json.loads(ds.read_text())["zero_optimization"]["offload_optimizer"]["device"] == "cpu"
    argv = distributed.launch_command(cfg, 4, [], cuda=True, deepspeed_file=ds)
    assert "--use_deepspeed" in argv and argv[argv.index("--deepspeed_config_file") + 1] == str(ds)


def test_train_args_are_passed_through_without_nproc():
    from medtune.cli import build_parser

    args = build_parser().parse_args(
        ["train", "--env", "prod", "--nproc", "8", "--set", "a.b=1", "--config", "c.yaml", "--resume", "latest", "--allow-config-change"]
    )
    passed = dict(config=args.config, env=args.env, env_file=args.env_file, overrides=args.overrides)
    passed |= dict(resume=args.resume, allow_config_change=args.allow_config_change)
    assert distributed.train_args(**passed) == [
        "--config", "c.yaml", "--env", "prod", "--resume", "latest", "--set", "a.b=1", "--allow-config-change"
    ]
    assert distributed.processes_requested(args.nproc, None) == 8


def test_examples_are_valid_accelerate_and_deepspeed_configs():
    from accelerate.commands.config.config_args import ClusterConfig

    files = sorted((REPO / "examples" / "accelerate").glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        ClusterConfig.from_yaml_file(path)  # unknown keys raise
        ds = (yaml.safe_load(path.read_text()).get("deepspeed_config") or {}).get("deepspeed_config_file")
        if ds:
            assert (REPO / ds).is_file()
    for path in (REPO / "examples" / "deepspeed").glob("*.json"):
        assert json.loads(path.read_text())["zero_optimization"]["stage"] in (2, 3)


# --------------------------------------------------------------------------------------------
# validate: combinations that cannot work
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (["distributed.backend=deepspeed", "distributed.zero_stage=3"], "distributed.zero_stage: ZeRO-3"),
        (["distributed.backend=fsdp", "distributed.fsdp.transformer_layer_cls_to_wrap=null"], "transformer_layer_cls_to_wrap"),
        (["distributed.backend=fsdp", "distributed.fsdp.auto_wrap_policy=SIZE_BASED_WRAP"], "distributed.fsdp.min_num_params"),
        (["distributed.backend=fsdp"], "bnb_4bit_quant_storage: QLoRA under FSDP"),
        (["distributed.num_processes=3", "distributed.num_machines=2", "distributed.main_process_ip=h"], "do not split evenly"),
        (["distributed.machine_rank=2", "distributed.num_machines=2", "distributed.main_process_ip=h"], "machine_rank"),
        (["distributed.num_machines=2"], "main_process_ip"),
        (["distributed.backend=deepspeed", "distributed.deepspeed_config=nope.json"], "nope.json does not exist"),
    ],
)
def test_validate_rejects_impossible_combinations(tiny_project, overrides, expected):
    with pytest.raises(ConfigError) as exc:
        config(tiny_project, *overrides)
    assert expected in str(exc.value)


def test_fsdp_qlora_passes_with_matching_quant_storage(tiny_project):
    config(
        tiny_project, "distributed.backend=fsdp", "model.quantization_config.bnb_4bit_compute_dtype=bfloat16",
        "model.quantization_config.bnb_4bit_quant_storage=bfloat16",
    )


def test_hardware_checks_on_cpu(tiny_project):
    import torch

    if torch.cuda.is_available():
        pytest.skip("checks what a CPU-only machine refuses")
    cfg = config(tiny_project, "distributed.backend=fsdp", "fine_tuning.method=lora", f"distributed.num_processes={(os.cpu_count() or 1) + 1}")
    errors, _ = check_hardware(cfg)
    assert any("distributed.backend: fsdp needs CUDA GPUs" in e for e in errors)
    assert any("distributed.num_processes" in e and "CPU core(s)" in e for e in errors)
    if importlib.util.find_spec("deepspeed") is None:
        errors, _ = check_hardware(config(tiny_project, "distributed.backend=deepspeed", "fine_tuning.method=lora"))
        assert any("deepspeed is not installed" in e for e in errors)
    assert distributed.check_launch(config(tiny_project), 64, cuda=True, n_gpu=8) == [
        "--nproc: 64 processes but only 8 GPU(s) here; one process per GPU"
    ]


def test_validate_command_reports_the_distributed_problem(tiny_project, run_medtune):
    proc = run_medtune("validate", "--config", str(tiny_project / "config.yaml"), "--set", "distributed.backend=fsdp", cwd=tiny_project)
    assert proc.returncode == 2
    assert "bnb_4bit_quant_storage" in proc.stderr


# --------------------------------------------------------------------------------------------
# GPU only
# --------------------------------------------------------------------------------------------

def _gpus() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


@pytest.mark.skipif(_gpus() < 2, reason="NCCL data parallel needs 2 CUDA GPUs; the CPU tests cover the same code path with gloo")
def test_nccl_two_gpus(tmp_path):
    proc = medtune("--env", "dev", "--nproc", "2", *STEPS, "--set", f"training.output_dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert runs.read_metadata(only_run_dir(tmp_path))["num_processes"] == 2


@pytest.mark.skipif(
    _gpus() < 2 or importlib.util.find_spec("deepspeed") is None,
    reason="DeepSpeed ZeRO-3 with CPU optimizer offload needs 2 CUDA GPUs and deepspeed installed",
)
def test_deepspeed_zero3_offload_lora(tmp_path):
    proc = medtune(
        "--env", "dev", "--nproc", "2", *STEPS, "--set", f"training.output_dir={tmp_path}",
        "--set", "fine_tuning.method=lora", "--set", "distributed.backend=deepspeed",
        "--set", "distributed.zero_stage=3", "--set", "distributed.offload_optimizer=true",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert runs.read_metadata(only_run_dir(tmp_path))["distributed_backend"] == "deepspeed"
