"""The training recipe behind `medtune train`, readable top to bottom:

1. plan     a new (locked) run name, or the run to resume and its newest complete checkpoint (medtune.plan),
            once the output directory is writable with room for the run (medtune.disk)
2. setup    tokenizer, data, pre-flight check of the labels, model (qlora / lora / full / spectrum)
            - nothing is written yet, so a run that fails here leaves no directory behind
3. run dir  config.yaml, experiment_metadata.json, preflight_example.txt, data report; logs/train.log
            from here on holds what the console showed since the start
4. train    TRL's SFTTrainer on our own labels; checkpoints sealed and Ctrl-C graceful (callbacks),
            optionally stopped early on eval_loss; a failed write fails the run cleanly (medtune.disk)
5. save     adapter/ (or model/ for full and spectrum), README.md model card, final metrics, summary

:func:`train` is the typed entry for the CLI and for Python alike; it does the process setup
itself (:func:`medtune.runtime.prepare_process`), so a notebook trains as fast as the command.
torch, transformers, trl and peft are imported inside the functions, so importing this module
is cheap, and it asks for sleeping OpenMP threads before torch can load.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medtune import disk, distributed, runs, runtime
from medtune.callbacks import StopOnSignal, final_divergence, make_callbacks
from medtune.config import Config, ConfigError, config_hash, dump_config
from medtune.errors import DataError
from medtune.model_card import write_run_cards
from medtune.plan import RunPlan, plan_run
from medtune.provenance import new_run_metadata, utc_now

runtime.set_thread_policy()  # on import, before anything here imports torch (medtune.runtime)

@dataclass
class TrainResult:
    """What a call to :func:`train` produced."""

    run_dir: Path
    output_dir: Path | None  # adapter/ or model/; None when the run was interrupted
    global_step: int
    metrics: dict
    interrupted: bool = False
    trainer: Any = field(default=None, repr=False)  # the live trainer (model in memory) for in-process callers


# --------------------------------------------------------------------------------------------
# The recipe
# --------------------------------------------------------------------------------------------


def train(cfg: Config, *, resume: str | None = None, allow_config_change: bool = False) -> TrainResult:
    """Fine-tune as ``cfg`` says; ``resume`` is a run directory, its name, or ``latest``."""
    started = time.time()
    with runtime.console_log() as log:  # the run's logs/train.log, once its directory exists
        try:
            for note in runtime.prepare_process():  # the CLI's process setup, for callers from Python too
                runtime.warn(note)
            check_environment(cfg)

            # 1. plan (the run's name is locked for this process from here on)
            plan = plan_run(cfg, resume, allow_config_change, note=say)
            try:
                return _train_planned(plan, started, log)
            finally:
                if plan.lock is not None:
                    plan.lock.release()
        except BaseException as exc:
            log.note(f"error: {exc}")  # what the CLI prints after train() returns
            raise


def _train_planned(plan: RunPlan, started: float, log: runtime.ConsoleLog) -> TrainResult:
    cfg = plan.cfg
    if plan.finished is not None:
        done = plan.finished.metadata.get("final_metrics") or {}
        say(f"{plan.run_dir.name} already finished (step {done.get('global_step', '?')}); its result is "
            f"{plan.finished.weights}: nothing to train")
        return TrainResult(plan.run_dir, plan.finished.weights, int(done.get("global_step") or 0), done)
    say(f"{'resuming' if plan.resuming else 'new run'}: {plan.run_dir}")
    if distributed.world_size() > 1:  # every process says it is there, and where it writes
        print(f"{distributed.rank_prefix()}pid {os.getpid()}, run directory {plan.run_dir}", flush=True)

    # 2. setup (nothing on disk yet)
    from medtune.chat_template import template_hash
    from medtune.data import prepare_data
    from medtune.model import load_tokenizer, resolve_model_source

    source = resolve_model_source(cfg)
    tokenizer = load_tokenizer(cfg, source)
    data = prepare_data(cfg, tokenizer)
    say(f"data: {len(data.train)} train, {len(data.eval) if data.eval is not None else 0} eval conversations")
    preflight_text = preflight(cfg, tokenizer, data.train)
    model, model_info = setup_model(cfg, source)
    args = training_arguments(cfg, plan.run_dir, has_eval=data.eval is not None and len(data.eval) > 0)
    say(
        f"effective batch size {distributed.effective_batch_size(args.per_device_train_batch_size, args.gradient_accumulation_steps)} "
        f"({args.per_device_train_batch_size} per device x {args.gradient_accumulation_steps} accumulation x "
        f"{distributed.world_size()} process(es)); learning rate {args.learning_rate:g}, not rescaled"
    )

    # 3. the run directory, now that everything loaded
    meta = run_metadata(cfg, plan, data, model_info, args, template_hash(tokenizer))
    stop = StopOnSignal()
    with run_directory(plan) as run_dir:
        if distributed.is_main_process():
            write_run_start(run_dir, cfg, plan, meta, preflight_text, data)
            log.attach(run_dir / runs.LOGS_DIR / runs.TRAIN_LOG)
        callbacks = make_callbacks(run_dir, cfg.training.save_total_limit, stop)
        trainer = build_trainer(cfg, model, tokenizer, data, args, run_dir, callbacks)

    # 4. train; Ctrl-C (or SIGTERM) saves a checkpoint and stops after the current step
    try:
        with stop.installed():
            if plan.at_last_step:
                output = load_final_checkpoint(trainer, plan.checkpoint)
            else:
                output = trainer.train(resume_from_checkpoint=str(plan.checkpoint) if plan.checkpoint else None)
    except BaseException as exc:
        disk.fail_run(run_dir, exc)
    metrics = final_metrics(trainer, output, started)

    if stop.requested:
        if distributed.is_main_process():
            runs.update_metadata(run_dir, status="interrupted", end_time=utc_now(), final_metrics=metrics)
        say(
            f"stopped at step {metrics['global_step']}: checkpoint saved in {run_dir / runs.CHECKPOINTS_DIR}\n"
            f"  continue with: medtune train --resume {run_dir}"
        )
        return TrainResult(run_dir, None, metrics["global_step"], metrics, interrupted=True, trainer=trainer)

    # 5. save the result, the model card and the summary
    if args.eval_strategy != "no":
        metrics["eval_loss"] = trainer.evaluate().get("eval_loss")
    problem = final_divergence(trainer.model, metrics)
    if problem is not None:  # never write a NaN adapter as the result
        if distributed.is_main_process():
            runs.update_metadata(run_dir, status="failed", end_time=utc_now(), error=str(problem), final_metrics=metrics)
        raise problem
    try:
        out_dir = save_result(cfg, trainer, tokenizer, run_dir)
        metrics["wall_time_s"] = round(time.time() - started, 2)
        if distributed.is_main_process():
            meta = runs.update_metadata(run_dir, status="completed", end_time=utc_now(), final_metrics=metrics)
            write_run_cards(run_dir, meta, cfg)
            if args.push_to_hub:
                push_result(trainer.hub_model_id, out_dir, run_dir)
    except BaseException as exc:  # e.g. a full or read-only disk at the last save
        disk.fail_run(run_dir, exc)
    if distributed.is_main_process():
        print_summary(run_dir, out_dir, metrics)
    return TrainResult(run_dir, out_dir, metrics["global_step"], metrics, trainer=trainer)


# --------------------------------------------------------------------------------------------
# 2. Setup: checks, pre-flight, model
# --------------------------------------------------------------------------------------------


def check_environment(cfg: Config) -> None:
    """Hardware checks, and the speed switches this installation cannot honour."""
    from medtune.config import check_hardware
    from medtune.config.hardware import is_local_mlflow_store

    errors, warnings = check_hardware(cfg)  # also: use_liger_kernel without liger-kernel or a GPU
    t = cfg.training
    if t.torch_compile and cfg.fine_tuning.method == "qlora":
        warnings.append("training.torch_compile with 4-bit weights: bitsandbytes layers break the graph; expect little gain")
    for w in warnings:
        runtime.warn(w)
    if errors:
        raise ConfigError(errors)
    if "mlflow" in t.report_to and is_local_mlflow_store(os.environ.get("MLFLOW_TRACKING_URI", "")):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 refuses a local directory unless asked


def preflight(cfg: Config, tokenizer, dataset) -> str:
    """Render one training example with its trained parts marked, and refuse to train on bad labels.

    Fails when the example's labels are all masked or no ``<|end|>`` carries a label (the model
    would never learn to stop). Counts other examples with the same problem as a warning.
    """
    from medtune.chat_template import IGNORE_INDEX, check_labels, render_masked

    if len(dataset) == 0:
        raise DataError("no training examples left after data preparation; see `medtune data` for why")
    example = dataset[0]
    text = render_masked(tokenizer, example["input_ids"], example["labels"])
    try:
        check_labels(tokenizer, example)
    except DataError as exc:
        end_id = tokenizer.convert_tokens_to_ids("<|end|>")
        ids, labels = example["input_ids"], example["labels"]
        facts = (
            f"the first training example has {len(ids)} tokens (data.max_seq_length {cfg.data.max_seq_length}), "
            f"{sum(lab != IGNORE_INDEX for lab in labels)} labelled; <|end|> occurs {ids.count(end_id)} time(s), "
            f"{sum(1 for i, lab in zip(ids, labels, strict=True) if i == end_id and lab != IGNORE_INDEX)} labelled"
        )
        shown = f"\n{text[-600:]}" if cfg.logging.log_phi else " (set logging.log_phi=true to print the example)"
        raise DataError(f"{exc}\n  {facts}{shown}") from None
    end_id = tokenizer.convert_tokens_to_ids("<|end|>")
    longest = max(len(x) for x in dataset["input_ids"])
    if longest > cfg.data.max_seq_length:
        raise DataError(f"a training example has {longest} tokens, above data.max_seq_length {cfg.data.max_seq_length}")
    bad = sum(
        1
        for ids, labels in zip(dataset["input_ids"], dataset["labels"], strict=True)
        if not any(i == end_id and lab != IGNORE_INDEX for i, lab in zip(ids, labels, strict=True))
    )
    if bad:
        runtime.warn(f"{bad} of {len(dataset)} training examples have no labelled <|end|> (cut by max_seq_length?)")
    return (
        "# One training example as the model sees it. Text inside [[TRAIN: ...]] carries loss;\n"
        "# everything else is context only. Each assistant turn must end with a trained <|end|>.\n\n" + text + "\n"
    )


def setup_model(cfg: Config, source: str):
    """The base model, made trainable by the configured method. Returns ``(model, info)``."""
    from transformers import set_seed

    from medtune.methods import make_trainable
    from medtune.model import load_model

    set_seed(cfg.training.seed)  # LoRA's initial weights are random: seed before creating them
    model = load_model(cfg, source)
    model.config.use_cache = False
    info: dict[str, Any] = {"attn_implementation": model.config._attn_implementation, "dtype": str(model.dtype)}
    model, method_info, notes = make_trainable(cfg, model)
    for note in notes:
        say(note)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    info.update(method_info, trainable_parameters=trainable, total_parameters=total)
    say(
        f"model: {cfg.model.base_model_name} ({cfg.fine_tuning.method}), {trainable:,} of {total:,} parameters "
        f"trainable ({100 * trainable / total:.2f}%)"
    )
    return model, info


# training.* keys that are TrainingArguments / SFTConfig fields of the same name and meaning.
SAME_AS_HF = (
    "num_train_epochs", "max_steps", "per_device_train_batch_size", "per_device_eval_batch_size",
    "gradient_accumulation_steps", "learning_rate", "lr_scheduler_type", "optim", "weight_decay", "max_grad_norm",
    "logging_steps", "save_strategy", "save_steps", "eval_steps", "fp16", "seed", "data_seed",
    "dataloader_num_workers", "packing", "use_liger_kernel", "torch_compile",
)  # fmt: skip


def training_arguments(cfg: Config, run_dir: Path, has_eval: bool):
    """TRL's SFTConfig from training.* (Hugging Face names), with max_length set explicitly."""
    import torch
    from trl import SFTConfig

    from medtune.model import compute_dtype, has_cuda

    t = cfg.training
    cuda = has_cuda()
    # bf16 autocast on GPUs that support it (the weights load in bf16 there); fp32 on CPU.
    bf16 = t.bf16 or (cuda and not t.fp16 and compute_dtype(cfg) == torch.bfloat16)
    evaluate = has_eval and cfg.evaluation.do_eval and t.eval_strategy != "no"
    report_to = [r for r in t.report_to if r not in ("tensorboard", "none")] or "none"  # tensorboard: ours, in logs/
    extra = dict(t.model_extra or {})
    # Early stopping ends on the best checkpoint, by eval_loss unless the user named another metric
    # (validate checks a checkpoint is saved at each evaluation).
    # greater_is_better None: transformers' rule, lower is better for a metric named *loss.
    best = {"load_best_model_at_end": True, "metric_for_best_model": "eval_loss", "greater_is_better": None}
    best = {k: extra.pop(k, v) for k, v in best.items()} if evaluate and t.early_stopping_patience is not None else {}
    return SFTConfig(
        **{name: getattr(t, name) for name in SAME_AS_HF},
        **extra,  # other real TrainingArguments/SFTConfig fields (medtune.config.trainer_args)
        output_dir=str(run_dir / runs.CHECKPOINTS_DIR),
        run_name=run_dir.name,
        warmup_steps=t.warmup_steps if t.warmup_steps > 0 else min(t.warmup_ratio, 0.999),  # a float < 1 is a ratio
        save_total_limit=None,  # pruned by CheckpointMarker after each new checkpoint is complete
        eval_strategy=t.eval_strategy if evaluate else "no",
        prediction_loss_only=True,
        activation_checkpointing=t.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False} if t.gradient_checkpointing else None,
        bf16=bf16,
        dataloader_pin_memory=t.dataloader_pin_memory and cuda,
        report_to=report_to,
        **best,
        push_to_hub=t.push_to_hub,  # checkpoints as the Trainer saves them; the result by push_result
        hub_model_id=(t.hub_model_id or run_dir.name) if t.push_to_hub else None,  # not "checkpoints"
        disable_tqdm=False,
        include_num_input_tokens_seen="non_padding",
        logging_nan_inf_filter=False,  # a NaN loss must reach the divergence check, not be averaged away
        use_cpu=not cuda,
        # TRL
        max_length=cfg.data.max_seq_length,  # TRL's default is 1024
        # TRL >= 1.0 computes nll through its chunked, fused LM head (the full logits are never built);
        # its other loss (dft) is a different objective, so the config has no loss_type to choose.
        loss_type="nll",
        # Liger's RoPE kernel rotates the whole head dim; Phi-4-mini rotates 75% of it. TRL turns
        # Liger's fused cross-entropy off itself (its fused LM head already does that job).
        liger_kernel_config={"rope": False} if t.use_liger_kernel else None,
        # Our datasets are tokenized and labelled already; TRL only needs to pack them. training.packing
        # is best-fit-decreasing packing, which TRL makes padding-free: one flattened row per batch with
        # position_ids restarting at each sequence (flash-attention varlen, or a block-diagonal mask
        # under sdpa); our labels go through unchanged (tests/test_speed_switches.py).
        dataset_kwargs={"skip_prepare_dataset": not t.packing},
        dataset_num_proc=None,
        trust_remote_code=cfg.model.trust_remote_code,
    )


# --------------------------------------------------------------------------------------------
# 3. The run directory
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def run_directory(plan: RunPlan):
    """Create a new run's directory; if setting up the trainer inside fails, remove it again."""
    run_dir = plan.run_dir
    created = False
    if distributed.is_main_process() and not plan.resuming:
        run_dir.mkdir(parents=True, exist_ok=bool(os.environ.get(distributed.RUN_DIR_ENV)) or distributed.world_size() > 1)
        created = True
    try:
        yield run_dir
    except BaseException as exc:
        if created:
            shutil.rmtree(run_dir, ignore_errors=True)
        reason = disk.write_failure(exc)
        if reason is not None:
            raise disk.write_error(run_dir, reason) from exc
        raise
    for stale in plan.stale if distributed.is_main_process() else []:  # checkpoints newer than the one we resume from
        say(f"removing {stale.name}: training continues from {plan.checkpoint.name if plan.checkpoint else 'step 0'}, before it")
        shutil.rmtree(stale, ignore_errors=True)


def run_metadata(cfg: Config, plan: RunPlan, data, model_info: dict, args, template_sha: str) -> dict:
    """A new run's metadata, or the resumed run's with this resumption appended."""
    if not plan.resuming:
        from medtune.data.split import split_digest

        return new_run_metadata(
            cfg, plan.run_dir.name, data, model_info, args,
            template_sha=template_sha,
            eval_sha=split_digest(data.eval) if data.eval is not None and len(data.eval) else None,
            processes=distributed.world_size(),
            backend=distributed.launched_backend(cfg.distributed.backend),
        )  # fmt: skip
    meta = runs.read_metadata(plan.run_dir)
    meta.setdefault("resumes", []).append(
        {
            "time": utc_now(),
            "from_checkpoint": plan.checkpoint.name if plan.checkpoint else None,
            "config_changes": plan.config_changes,
            "config_sha256": config_hash(cfg),
        }
    )
    meta.update(status="running", config_sha256=config_hash(cfg), end_time=None)
    return meta


def write_run_start(run_dir: Path, cfg: Config, plan: RunPlan, meta: dict, preflight_text: str, data) -> None:
    runs.write_atomic(run_dir / runs.CONFIG_FILE, dump_config(cfg))
    runs.write_metadata(run_dir, meta)
    (run_dir / runs.PREFLIGHT_FILE).write_text(preflight_text, encoding="utf-8")
    (run_dir / runs.LOGS_DIR).mkdir(exist_ok=True)
    data.write_report(run_dir)


# --------------------------------------------------------------------------------------------
# 4. Train: the trainer and its callbacks
# --------------------------------------------------------------------------------------------


def build_trainer(cfg: Config, model, tokenizer, data, args, run_dir: Path, callbacks: list):
    import torch
    from trl import SFTTrainer

    callbacks = list(callbacks)
    if "tensorboard" in cfg.training.report_to:
        from transformers.integrations import TensorBoardCallback

        tb = TensorBoardCallback()
        tb.logging_dir = str(run_dir / runs.LOGS_DIR)
        callbacks.append(tb)
    if args.metric_for_best_model and args.eval_strategy != "no" and cfg.training.early_stopping_patience is not None:
        from transformers import EarlyStoppingCallback

        callbacks.append(EarlyStoppingCallback(cfg.training.early_stopping_patience, cfg.training.early_stopping_threshold))
    evals = data.eval if args.eval_strategy != "no" else None
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=data.train,
        eval_dataset=evals,
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    quantized = getattr(model, "is_loaded_in_4bit", False) or getattr(model, "is_loaded_in_8bit", False)
    if quantized and not (args.bf16 or args.fp16):
        # TRL stores adapters on a 4- or 8-bit base in bf16, for bf16 training; with fp32 compute (CPU) keep them fp32.
        for p in trainer.model.parameters():
            if p.requires_grad and p.dtype != torch.float32:
                p.data = p.data.float()
    return trainer


def load_final_checkpoint(trainer, checkpoint: Path):
    """The weights and state of a checkpoint taken at the last step, without training a step."""
    from transformers.trainer_callback import TrainerState
    from transformers.trainer_utils import TrainOutput

    say(f"{checkpoint.name} is the run's last step: writing the result from it without training")
    trainer._load_from_checkpoint(str(checkpoint))
    trainer.state = TrainerState.load_from_json(str(checkpoint / "trainer_state.json"))
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return TrainOutput(trainer.state.global_step, losses[-1] if losses else None, {"train_runtime": 0.0})


def final_metrics(trainer, output, started: float) -> dict:
    state = trainer.state
    runtime = float(output.metrics.get("train_runtime", 0.0))
    tokens = int(state.num_input_tokens_seen - getattr(trainer, "_initial_num_input_tokens_seen", 0))
    losses = [h["loss"] for h in state.log_history if "loss" in h]
    return {
        "global_step": state.global_step,
        "epoch": round(state.epoch or 0.0, 4),
        "train_loss": output.training_loss,
        "final_loss": losses[-1] if losses else output.training_loss,
        "first_loss": losses[0] if losses else None,
        "eval_loss": None,
        "train_runtime_s": round(runtime, 2),
        "tokens": tokens,
        "total_tokens": int(state.num_input_tokens_seen),
        "tokens_per_second": round(tokens / runtime, 1) if runtime > 0 else None,
        "wall_time_s": round(time.time() - started, 2),
    }


# --------------------------------------------------------------------------------------------
# 5. Save
# --------------------------------------------------------------------------------------------


def save_result(cfg: Config, trainer, tokenizer, run_dir: Path) -> Path:
    """adapter/ (PEFT) or model/ (full, spectrum), with the tokenizer and a two-eos generation config.

    Written beside the run as a hidden directory and renamed into place, so a run never shows a
    half-written result.
    """
    from medtune.model import generation_config_for

    is_adapter = cfg.fine_tuning.method in ("qlora", "lora")
    out = run_dir / (runs.ADAPTER_DIR if is_adapter else runs.MODEL_DIR)
    tmp = run_dir / f".{out.name}.partial"
    if distributed.is_main_process():
        shutil.rmtree(tmp, ignore_errors=True)
    # gathers sharded weights; safetensors; PEFT saves the adapter alone. Internal: with push_to_hub the
    # Trainer would push checkpoints/ here; push_result pushes this result with the run's card instead.
    trainer.save_model(str(tmp), _internal_call=True)
    if distributed.is_main_process():
        (tmp / "training_args.bin").unlink(missing_ok=True)  # a pickle: results hold safetensors and JSON only
        tokenizer.save_pretrained(str(tmp))
        model = trainer.model.get_base_model() if is_adapter else trainer.model
        generation_config_for(model, tokenizer).save_pretrained(str(tmp))
        if is_adapter and (tmp / "README.md").is_file():
            (tmp / "README.md").unlink()  # PEFT's empty template; the run's README.md is the card
        if out.exists():  # a resumed run saves again
            shutil.rmtree(out)
        os.replace(tmp, out)
    return out


def push_result(repo_id: str, out_dir: Path, run_dir: Path) -> None:
    """The result (adapter/ or model/) and the model card to the hub repository the Trainer
    created (OWNER/NAME) and pushed checkpoints to."""
    from transformers.utils.hub import hf_api

    api = hf_api()
    api.upload_folder(repo_id=repo_id, folder_path=str(out_dir), commit_message=f"medtune: {run_dir.name}")
    api.upload_file(path_or_fileobj=str(run_dir / runs.CARD_FILE), path_in_repo="README.md", repo_id=repo_id)
    say(f"pushed {out_dir.name}/ and the model card to https://huggingface.co/{repo_id}")


def print_summary(run_dir: Path, out_dir: Path, m: dict) -> None:
    eval_part = f", eval {m['eval_loss']:.4f}" if m.get("eval_loss") is not None else ""
    first = f" (first logged {m['first_loss']:.4f})" if m.get("first_loss") is not None else ""
    print(
        "\n".join(
            [
                "",
                "training finished",
                f"  run         {run_dir}",
                f"  result      {out_dir}",
                f"  steps       {m['global_step']} ({m['epoch']:g} epochs)",
                f"  time        {m['train_runtime_s']:.1f} s training, {m['wall_time_s']:.1f} s in all",
                f"  tokens/s    {m['tokens_per_second']} ({m['tokens']:,} tokens)",
                f"  final loss  {m['final_loss']:.4f}{first}{eval_part}",
                f"  next        medtune evaluate --run {run_dir}   |   medtune export {run_dir} --merge",
            ]
        ),
        flush=True,
    )


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def say(msg: str) -> None:
    """Progress lines, from the main process only; prefixed ``[rank 0/N]`` when several run."""
    if distributed.is_main_process():
        prefix = distributed.rank_prefix()
        print(prefix + msg.replace("\n", "\n" + prefix) if prefix else msg, flush=True)
