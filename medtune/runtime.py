"""Process-wide setup, done once, whoever starts the work: the CLI or a notebook calling
``medtune.train.train(cfg)``, so both run equally fast and say the same things.

- OpenMP threads that sleep rather than spin while they wait (``OMP_WAIT_POLICY=PASSIVE``). On a
  busy machine (CI runners, shared dev boxes) spinning threads fight the threads doing the work:
  the dev run took about three times as long. The OpenMP runtime reads the variable once, when
  torch loads it, so it must be set before ``import torch``; ``import medtune.train`` does that,
  and a process that imported torch earlier is told how to get the fast path.
- ``TOKENIZERS_PARALLELISM=false``: no fork warnings from the tokenizers' Rust thread pool.
- Start-up chatter that is not ours to fix, silenced.
- medtune's own warnings (:func:`warn`) through Python's ``warnings``, shown as ``warning: ...``
  on stderr like every other medtune message; callers can filter or record them as usual.

An explicit environment variable always wins over these defaults.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

_prepared = False


class MedtuneWarning(UserWarning):
    """Something the user should know that does not stop the work."""


def warn(message: str) -> None:
    """The one way library modules warn: shown as ``warning: MESSAGE`` after :func:`prepare_process`."""
    warnings.warn(message, MedtuneWarning, stacklevel=2)


def set_thread_policy() -> bool:
    """Ask for sleeping OpenMP threads; True when it can still take effect (torch not loaded yet)."""
    if "torch" in sys.modules:
        return os.environ.get("OMP_WAIT_POLICY", "").upper() == "PASSIVE"
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return True


def prepare_process() -> list[str]:
    """Set up this process for medtune's work. Idempotent: cheap to repeat (and repeated, since
    ``warnings.catch_warnings`` blocks can reset filters); the notes come back the first time only."""
    global _prepared
    notes = []
    if not set_thread_policy() and "OMP_WAIT_POLICY" not in os.environ and not _prepared:
        notes.append(
            "torch was imported before medtune, so its OpenMP threads spin while they wait, which is slow "
            "on a busy machine: import medtune.train before torch, or set OMP_WAIT_POLICY=PASSIVE"
        )
    _prepared = True
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)  # its optional CPU kernel hub
    # PEFT still asks for the old name; transformers 5 warns on every call.
    warnings.filterwarnings("ignore", message=r".*is_gradient_checkpointing.*", category=FutureWarning)
    warnings.filterwarnings("always", category=MedtuneWarning)  # each one, like a print
    if not getattr(warnings.showwarning, "_medtune", False):
        warnings.showwarning = _plain(warnings.showwarning)
    return notes


def _plain(default):
    """``warning: MESSAGE`` for medtune's warnings, the usual format for everyone else's."""

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, MedtuneWarning):
            print(f"warning: {message}", file=file or sys.stderr, flush=True)
        else:
            default(message, category, filename, lineno, file, line)

    show._medtune = True
    return show
