"""Trainer callbacks that make a run safe to stop: Ctrl-C (or SIGTERM) finishes the current step
and saves a checkpoint, and every checkpoint is sealed with a COMPLETE marker (file checksums,
written last) before older ones are pruned, so a crash mid-write never costs the last good one.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path

from medtune import runs


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
                    runs.prune_checkpoints(run_dir, keep, protect=ckpt)
            return control

    class SaveAndStopOnSignal(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if stop.requested:
                control.should_save = True
                control.should_training_stop = True
            return control

    return [CheckpointMarker(), SaveAndStopOnSignal()]
