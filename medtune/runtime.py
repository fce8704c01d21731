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
- :func:`console_log`: what the console showed, as plain text without progress-bar redraws
  (each run's ``logs/train.log``).

An explicit environment variable always wins over these defaults.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
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
    # Said on every 8-bit matmul of every step (medtune says it once when it loads an 8-bit base).
    logging.getLogger("bitsandbytes.autograd._functions").setLevel(logging.ERROR)
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


# --------------------------------------------------------------------------------------------
# The console, kept as plain text (a run's logs/train.log)
# --------------------------------------------------------------------------------------------

_REDRAW = re.compile(r"\r\n|\r|\n")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class ConsoleLog:
    """What stdout and stderr showed, line by line, without progress-bar redraws.

    A progress bar redraws its line with ``\\r``: only the line as it finally stood is kept, so
    a bar becomes one line and the lines the trainer writes above it are kept whole. Lines are
    held in memory until :meth:`attach` names the file (the run directory exists only once
    setup succeeded), then written as they come.
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._partial = ""
        self._file = None

    def feed(self, text: str) -> None:
        clean = _ANSI.sub("", text)
        pieces, seps = _REDRAW.split(clean), _REDRAW.findall(clean)
        for piece, sep in zip(pieces, [*seps, None], strict=True):
            self._partial += piece
            if sep == "\r":
                self._partial = ""
            elif sep is not None:
                self._emit(self._partial)
                self._partial = ""

    def note(self, line: str) -> None:
        """A line for the file only (the console shows it by other means)."""
        if self._partial.strip():  # the progress bar as it stood
            self._emit(self._partial)
        self._partial = ""
        self._emit(line)

    def _emit(self, line: str) -> None:
        if self._file is not None:
            self._file.write(line.rstrip() + "\n")
            self._file.flush()
        elif len(self._lines) < 100_000:  # held until attach; a process that never attaches stays bounded
            self._lines.append(line.rstrip())

    def attach(self, path) -> None:
        """Write what was shown so far to ``path`` (appended: a resumed run continues its log)."""
        if self._file is not None:
            return
        self._file = open(path, "a", encoding="utf-8", errors="replace")
        for line in self._lines:
            self._file.write(line + "\n")
        self._lines.clear()
        self._file.flush()

    def close(self) -> None:
        if self._partial.strip():
            self._emit(self._partial)
        self._partial = ""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._lines.clear()


class _Tee:
    """A text stream that writes through to the console and into a :class:`ConsoleLog`."""

    def __init__(self, stream, log: ConsoleLog) -> None:
        self._stream, self._log = stream, log

    def write(self, text: str) -> int:
        n = self._stream.write(text)
        with contextlib.suppress(Exception):  # the log never breaks what the user sees
            self._log.feed(text)
        return n

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name):  # isatty, fileno, encoding...: the console's
        return getattr(self._stream, name)


@contextlib.contextmanager
def console_log():
    """Copy everything printed to stdout and stderr into a :class:`ConsoleLog` while inside."""
    log = ConsoleLog()
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Tee(out, log), _Tee(err, log)
    try:
        yield log
    finally:
        if isinstance(sys.stdout, _Tee):
            sys.stdout = out
        if isinstance(sys.stderr, _Tee):
            sys.stderr = err
        log.close()
