"""Trainer callbacks that make a run safe to stop: Ctrl-C (or SIGTERM) finishes the current step
and saves a checkpoint, and every checkpoint is sealed with a COMPLETE marker (file checksums,
written last) before older ones are pruned, so a crash mid-write never costs the last good one.
A run whose loss, gradients or trained weights stop being finite fails at that step, before
anything non-finite is saved as a checkpoint or a result.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path

from medtune import runs
from medtune.errors import MedtuneError


class StopOnSignal:
    """Ctrl-C / SIGTERM: finish the current step, save a checkpoint, stop. A second Ctrl-C aborts."""

    def __init__(self) -> None:
        self.requested = False

    def _handler(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(
            f"\n{signal.Signals(signum).name}: saving a checkpoint after this step, then stopping "
            "(press Ctrl-C again to abort without saving)",
            file=sys.stderr,
            flush=True,
        )

    @contextlib.contextmanager
    def installed(self):
        previous = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                previous[sig] = signal.signal(sig, self._handler)
            except ValueError:  # not the main thread: leave signals alone
                pass
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class DivergedError(MedtuneError):
    """Training produced a non-finite loss, gradient norm or weight."""


def nonfinite_parameters(model) -> list[str]:
    """Names of trainable parameters holding NaN or infinity (the adapter, or the whole model)."""
    import torch

    return [name for name, p in model.named_parameters() if p.requires_grad and not torch.isfinite(p).all()]


def nonfinite_value(values: dict, keys: tuple[str, ...]) -> str | None:
    """``"loss is nan"`` for the first of ``keys`` whose number is not finite, else None."""
    import math

    for key in keys:
        value = values.get(key)
        if isinstance(value, (int, float)) and not math.isfinite(value):
            return f"{key} is {value}"
    return None


def diverged(step: int, what: str) -> DivergedError:
    return DivergedError(
        f"training diverged at step {step}: {what}. Nothing non-finite was saved; lower "
        "training.learning_rate (or raise warmup), then resume from the last checkpoint or start again"
    )


def final_divergence(model, metrics: dict) -> DivergedError | None:
    """Before the result is written: a non-finite final loss, eval loss or trained weight."""
    step = metrics.get("global_step", 0)
    found = nonfinite_value(metrics, ("train_loss", "eval_loss"))
    if found:
        return diverged(step, found)
    bad = nonfinite_parameters(model)
    if bad:
        return diverged(step, f"{len(bad)} trained tensor(s) are not finite, e.g. {bad[0]}")
    return None


def make_callbacks(run_dir: Path, keep: int | None, stop: StopOnSignal) -> list:
    """The Trainer callbacks that make checkpoints trustworthy and Ctrl-C graceful."""
    from transformers import TrainerCallback

    class CheckpointMarker(TrainerCallback):
        """After checkpoint-N is saved: fsync, write COMPLETE (file checksums) last, then prune old ones."""

        def on_save(self, args, state, control, **kwargs):
            if state.is_world_process_zero:
                ckpt = Path(args.output_dir) / f"checkpoint-{state.global_step}"
                if ckpt.is_dir():
                    runs.mark_checkpoint_complete(ckpt)
                    # early stopping ends on the best checkpoint, which must outlive the pruning
                    best = Path(state.best_model_checkpoint) if state.best_model_checkpoint else None
                    runs.prune_checkpoints(run_dir, keep, protect=(ckpt, best))
            return control

    class SaveAndStopOnSignal(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if stop.requested:
                control.should_save = True
                control.should_training_stop = True
            return control

    class FailOnDivergence(TrainerCallback):
        """Stop with a clear error at the first non-finite loss or gradient norm, and never let a
        checkpoint with non-finite weights be written."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            found = nonfinite_value(logs or {}, ("loss", "grad_norm"))
            if found:
                raise diverged(state.global_step, found)
            return control

        def on_step_end(self, args, state, control, model=None, **kwargs):
            if control.should_save and model is not None:
                bad = nonfinite_parameters(model)
                if bad:
                    raise diverged(state.global_step, f"{len(bad)} trained tensor(s) are not finite, e.g. {bad[0]}")
            return control

    return [CheckpointMarker(), SaveAndStopOnSignal(), FailOnDivergence()]
