"""What `medtune chat` serves: the base model, a run, or a merged export, loaded as it was trained.

The run is opened with :func:`medtune.runs.open_run` like every other command does; this module
adds only the chat's own rules: no ``--run`` means the latest run, else the base model with a
note, and a run's chat template is checked by hash so replies never use a prompt format the
model was not trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

from medtune import runs
from medtune.config import Config
from medtune.errors import MedtuneError, RunError


@dataclass(frozen=True)
class ChatTarget:
    """The weights to chat with and the config they were trained with."""

    config: Config  # the run's own config, else the current one
    label: str  # shown at the top of the page
    run: runs.Run | None = None  # None: the base model
    notes: tuple[str, ...] = ()


def select_target(cfg: Config, run: str | None, base: bool) -> ChatTarget:
    """``base``, ``run`` (runs/NAME, a run directory, 'latest' or a merged export), or by
    default the latest run, else the base model with a note."""
    if base and run:
        raise MedtuneError("pass either --run or --base, not both")
    model = cfg.model.base_model_name
    if base:
        return ChatTarget(cfg, f"Base model `{model}` (no fine-tuning)")
    notes: tuple[str, ...] = ()
    if run is None:
        try:
            opened = runs.open_run(cfg, "latest", require_weights=False)
        except RunError:
            note = f"no runs under {runs.runs_root(cfg)}: chatting with the base model {model}"
            return ChatTarget(cfg, f"Base model `{model}` (no runs yet)", notes=(note,))
        opened.require_weights()  # the latest run has not finished: say so, don't chat with the base
        notes = (f"no --run given: using the latest run, {opened.name}",)
    else:
        opened = runs.open_run(cfg, run)
    if opened.adapter_dir is not None:
        label = f"Fine-tuned: run `{opened.name}` (adapter)"
    elif opened.dir is not None and opened.model_dir == opened.dir / runs.MODEL_DIR:
        label = f"Fine-tuned: run `{opened.name}` (full model)"
    else:
        label = f"Fine-tuned: merged export `{opened.model_dir.name}`"
    return ChatTarget(opened.config, label, opened, notes + opened.notes)


def load_target(target: ChatTarget):
    """Model and tokenizer of ``target``, its chat template checked."""
    from medtune.model import load_for_inference

    run = target.run
    model, tokenizer = load_for_inference(
        target.config,
        adapter_dir=run.adapter_dir if run else None,
        merged_dir=run.model_dir if run else None,
    )
    check_template(target, tokenizer)
    return model, tokenizer


def check_template(target: ChatTarget, tokenizer) -> None:
    """Refuse to chat with a prompt format the model was not trained on."""
    from medtune.chat_template import template_hash

    run = target.run
    if run is None or run.dir is None:
        return
    expected = run.metadata.get("chat_template_sha256")
    if not expected:
        raise RunError(
            f"{run.file(runs.METADATA_FILE)} has no chat_template_sha256, so the prompt format this run was "
            "trained with cannot be checked; is the run finished? (train it again with this medtune version)"
        )
    actual = template_hash(tokenizer)
    if actual != expected:
        raise RunError(
            f"the tokenizer's chat template (sha256 {actual[:12]}) differs from the one {run.name} was "
            f"trained with ({expected[:12]}): replies would use a prompt format the model never saw. Load the "
            f"tokenizer saved with the run ({runs.ADAPTER_DIR}/ or {runs.MODEL_DIR}/), or retrain."
        )
