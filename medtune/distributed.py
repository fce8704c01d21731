"""Several processes: `medtune train --nproc N` launches itself through `accelerate launch`.

The config's ``distributed`` section says how (backend ddp | fsdp | deepspeed, ZeRO stage, FSDP
wrapping, machines). :func:`launch_command` turns it into an ``accelerate launch`` command line
that runs ``-m medtune train`` with the user's own arguments (minus ``--nproc``) in every process.
Users may also start the processes themselves (``accelerate launch -m medtune train ...`` or
``torchrun --nproc_per_node N -m medtune train ...``); then :func:`shared_run_dir` agrees on one
run directory by broadcasting rank 0's choice.

Counting: ``--nproc`` is the number of processes on this machine (torchrun's nproc_per_node);
``distributed.num_processes`` is the total over all machines (accelerate's meaning). The learning
rate is never rescaled with the process count: the effective batch size
(per device x accumulation x processes) is printed and recorded instead.

Nothing heavy is imported at module level.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from medtune.config import Config, process_problems
from medtune.errors import ConfigError

RUN_DIR_ENV = "MEDTUNE_RUN_DIR"  # set by the launcher: every process uses this run directory


# --------------------------------------------------------------------------------------------
# Where this process stands (torchrun / accelerate set these variables; read only here)
# --------------------------------------------------------------------------------------------


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def local_rank() -> int:
    """This process's device index on its machine."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def is_main_process() -> bool:
    """Rank 0 writes the run directory and prints progress; the others train quietly."""
    return rank() == 0


def is_launched() -> bool:
    """True inside a process started by torchrun or accelerate launch."""
    return "LOCAL_RANK" in os.environ or world_size() > 1


def rank_prefix() -> str:
    """``[rank 1/4] `` when several processes run, else empty."""
    return f"[rank {rank()}/{world_size()}] " if world_size() > 1 else ""


def launched_backend(configured: str) -> str | None:
    """The backend these processes actually run under (accelerate's environment says for fsdp and
    deepspeed, whatever the config's distributed.backend), or None for a single process."""
    if world_size() <= 1:
        return None
    if os.environ.get("ACCELERATE_USE_FSDP", "").lower() in ("1", "true"):
        return "fsdp"
    if os.environ.get("ACCELERATE_USE_DEEPSPEED", "").lower() in ("1", "true"):
        return "deepspeed"
    return "ddp" if configured == "ddp" else f"ddp (distributed.backend {configured} was not launched)"


def effective_batch_size(per_device: int, accumulation: int, processes: int | None = None) -> int:
    return per_device * accumulation * (processes or world_size())


# --------------------------------------------------------------------------------------------
# The launcher
# --------------------------------------------------------------------------------------------


def processes_requested(nproc: int | None, cfg: Config) -> int:
    """Processes to start on this machine: ``--nproc``, else the config's total spread over its machines."""
    if nproc:
        return nproc
    d = cfg.distributed
    return max(1, d.num_processes // d.num_machines)


def check_launch(cfg: Config, nproc: int, cuda: bool | None = None, n_gpu: int | None = None) -> list[str]:
    """Problems that make an N-process launch impossible on this machine."""
    if cuda is None:
        import torch

        cuda = torch.cuda.is_available()
        n_gpu = torch.cuda.device_count() if cuda else 0
    problems = [f"--nproc: {nproc} processes; need at least 1"] if nproc < 1 else []
    return problems + process_problems(cfg, nproc, cuda, n_gpu or 0, "--nproc")


def deepspeed_config(cfg: Config) -> dict:
    """A DeepSpeed config for ``distributed.zero_stage``; "auto" values are filled in by the Trainer
    from training.* so batch size, accumulation, learning rate and precision have one source."""
    d = cfg.distributed
    zero: dict = {
        "stage": d.zero_stage,
        "overlap_comm": True,
        "contiguous_gradients": True,
        "reduce_bucket_size": "auto",
    }
    if d.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
    if d.zero_stage == 3:
        zero.update(
            stage3_prefetch_bucket_size="auto",
            stage3_param_persistence_threshold="auto",
            stage3_gather_16bit_weights_on_model_save=True,
        )
    return {
        "train_micro_batch_size_per_gpu": "auto",
        "train_batch_size": "auto",
        "gradient_accumulation_steps": "auto",
        "gradient_clipping": "auto",
        "bf16": {"enabled": "auto"},
        "fp16": {"enabled": "auto"},
        "zero_optimization": zero,
    }


def write_deepspeed_config(cfg: Config, folder: Path) -> Path:
    """``distributed.deepspeed_config`` when given, else a generated one written under ``folder``."""
    d = cfg.distributed
    if d.deepspeed_config:
        path = cfg.resolve_path(d.deepspeed_config)
        if not path.is_file():
            raise ConfigError([f"distributed.deepspeed_config: {path} does not exist"])
        return path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"deepspeed_zero{d.zero_stage}.json"
    path.write_text(json.dumps(deepspeed_config(cfg), indent=2) + "\n", encoding="utf-8")
    return path


def backend_flags(cfg: Config, cuda: bool, deepspeed_file: Path | None = None) -> list[str]:
    """``accelerate launch`` flags for distributed.backend."""
    d = cfg.distributed
    if d.backend == "deepspeed":
        flags = ["--use_deepspeed"]
        if deepspeed_file is not None:
            flags += ["--deepspeed_config_file", str(deepspeed_file)]
        else:
            flags += ["--zero_stage", str(d.zero_stage)]
            flags += ["--offload_optimizer_device", "cpu" if d.offload_optimizer else "none"]
        return flags
    if d.backend == "fsdp":
        f = d.fsdp
        flags = [
            "--use_fsdp",
            "--fsdp_sharding_strategy", f.sharding_strategy,
            "--fsdp_auto_wrap_policy", f.auto_wrap_policy,
            "--fsdp_offload_params", str(f.offload_params).lower(),
            "--fsdp_use_orig_params", str(f.use_orig_params).lower(),
            "--fsdp_cpu_ram_efficient_loading", str(f.cpu_ram_efficient_loading).lower(),
            "--fsdp_sync_module_states", str(f.cpu_ram_efficient_loading).lower(),  # required by it
            "--fsdp_state_dict_type", f.state_dict_type,
        ]
        if f.auto_wrap_policy == "TRANSFORMER_BASED_WRAP" and f.transformer_layer_cls_to_wrap:
            flags += ["--fsdp_transformer_layer_cls_to_wrap", f.transformer_layer_cls_to_wrap]
        if f.auto_wrap_policy == "SIZE_BASED_WRAP":
            flags += ["--fsdp_min_num_params", str(f.min_num_params)]
        return flags
    # ddp: torchrun under accelerate's multi-process launcher. On CPU too: `--cpu` would make
    # accelerate start a single process; the Trainer (use_cpu) then picks the gloo backend itself.
    return ["--multi_gpu"]


def launch_command(
    cfg: Config,
    nproc: int,
    train_args: list[str],
    cuda: bool,
    deepspeed_file: Path | None = None,
    python: str | None = None,
) -> list[str]:
    """The full ``accelerate launch ... -m medtune train ...`` command line."""
    d = cfg.distributed
    argv = [python or sys.executable, "-m", "accelerate.commands.launch"]
    argv += ["--num_processes", str(nproc * d.num_machines), "--num_machines", str(d.num_machines)]
    argv += ["--mixed_precision", "no", "--dynamo_backend", "no"]  # the Trainer sets precision from training.*
    if d.num_machines > 1:
        argv += ["--machine_rank", str(d.machine_rank), "--main_process_ip", str(d.main_process_ip)]
        argv += ["--main_process_port", str(d.main_process_port), "--same_network"]
    elif d.main_process_port != 29500:
        argv += ["--main_process_port", str(d.main_process_port)]
    argv += backend_flags(cfg, cuda, deepspeed_file)
    return argv + ["-m", "medtune", "train", *train_args]


def train_args(
    *,
    config: str | None = None,
    env: str | None = None,
    env_file: str | None = None,
    overrides: list[str] = (),
    resume: str | None = None,
    allow_config_change: bool = False,
) -> list[str]:
    """The user's `medtune train` arguments again, without --nproc: what every process runs.

    Each process resolves the same layers itself (files, .env, environment, --set), so all of them
    hold the same config and the run's provenance says where each value came from.
    """
    out: list[str] = []
    for flag, value in (("--config", config), ("--env", env), ("--env-file", env_file), ("--resume", resume)):
        if value:
            out += [flag, str(value)]
    for item in overrides:
        out += ["--set", item]
    if allow_config_change:
        out.append("--allow-config-change")
    return out


def launch(cfg: Config, nproc: int, argv_train: list[str], resume: str | None = None) -> int:
    """Start ``nproc`` processes running ``medtune train ARGV_TRAIN`` (see :func:`train_args`) on
    this machine and wait for them; their exit status. A new run (no ``resume``) gets its
    directory name chosen here, once, for all of them."""
    import torch

    from medtune import runs

    cuda = torch.cuda.is_available()
    problems = check_launch(cfg, nproc, cuda, torch.cuda.device_count() if cuda else 0)
    if problems:
        raise ConfigError(problems)
    env = dict(os.environ)
    if not resume:
        env[RUN_DIR_ENV] = str(runs.new_run_dir(cfg))  # one name for all processes, chosen once
    if cuda:
        env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    ds_file = None
    if cfg.distributed.backend == "deepspeed":
        ds_file = write_deepspeed_config(cfg, runs.runs_root(cfg) / ".launch")
    argv = launch_command(cfg, nproc, argv_train, cuda, ds_file)
    print(f"launching {nproc * cfg.distributed.num_machines} processes ({cfg.distributed.backend}"
          f"{', gloo on CPU' if not cuda else ''}): accelerate launch {' '.join(argv[3:])}", flush=True)
    rc = subprocess.call(argv, env=env)
    if rc not in (0, 130):
        print(
            f"error: training failed (exit status {rc}); the failing process's own error is above, "
            "prefixed with its [rank R/N]",
            file=sys.stderr,
        )
    return rc


# --------------------------------------------------------------------------------------------
# Inside the processes
# --------------------------------------------------------------------------------------------


def shared_run_dir(new_dir) -> Path:
    """One new run directory for every process.

    ``MEDTUNE_RUN_DIR`` when the launcher set it; otherwise (user-launched accelerate or torchrun)
    rank 0 picks the name with ``new_dir()`` and broadcasts it, since each process reading its own
    clock could straddle a second and name a different directory.
    """
    shared = os.environ.get(RUN_DIR_ENV)
    if shared:
        return Path(shared)
    if world_size() <= 1:
        return new_dir()
    import torch
    from accelerate import PartialState
    from accelerate.utils import broadcast_object_list

    # The same process group the Trainer would start (gloo on CPU, nccl on GPUs); it reuses it.
    PartialState(cpu=not torch.cuda.is_available())
    chosen = [str(new_dir()) if rank() == 0 else None]
    broadcast_object_list(chosen, from_process=0)
    return Path(chosen[0])
