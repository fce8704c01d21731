"""Every real Hugging Face ``TrainingArguments`` / TRL ``SFTConfig`` field is a ``training.*`` key.

A ``training`` key that is not one of medtune's own is checked against the fields of the
installed classes, as torchtune checks a config against real signatures: a typo is still an
unknown key, a field medtune sets itself is refused with the reason, and a value is checked
against the field's annotation. The fields are read from the classes' source with ``ast``, so
``medtune config`` stays light (importing TRL costs seconds); ``validate`` and ``train`` then
build the real ``SFTConfig`` with them (:func:`trainer_problems`) before any model loads.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib.util
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

# (package, file inside it, class): the dataclasses SFTConfig is built from, base class first.
CLASSES = (
    ("transformers", "training_args.py", "TrainingArguments"),
    ("trl", "trainer/base_config.py", "_BaseConfig"),
    ("trl", "trainer/sft_config.py", "SFTConfig"),
)

# Fields medtune sets itself (medtune/train.py:training_arguments) or that another section owns.
MEDTUNE_SETS: dict[str, str] = {
    "output_dir": "checkpoints go to the run directory's checkpoints/; set training.output_dir for where runs live",
    "run_name": "the run is named after its directory (see `medtune name`)",
    "logging_dir": "logs go to the run directory's logs/",
    "overwrite_output_dir": "every run gets a directory of its own",
    "resume_from_checkpoint": "handled by medtune (training.resume_from_checkpoint or --resume)",
    "do_train": "`medtune train` always trains",
    "do_eval": "set evaluation.do_eval or training.eval_strategy",
    "do_predict": "use `medtune evaluate`",
    "prediction_loss_only": "evaluation during training measures the loss; `medtune evaluate` does the rest",
    "max_length": "set data.max_seq_length",
    "max_seq_length": "set data.max_seq_length",
    "loss_type": "medtune always trains nll through TRL's fused, chunked LM head",
    "dataset_text_field": "medtune renders and tokenizes conversations itself (data.*)",
    "dataset_kwargs": "medtune renders and tokenizes conversations itself (data.*)",
    "dataset_num_proc": "set data.num_proc",
    "remove_unused_columns": "medtune's tokenized columns are all used",
    "label_names": "medtune labels the assistant's tokens itself",
    "completion_only_loss": "medtune labels the assistant's tokens itself",
    "assistant_only_loss": "medtune labels the assistant's tokens itself",
    "chat_template_path": "medtune uses Phi-4-mini's own chat template",
    "eos_token": "medtune uses Phi-4-mini's <|end|>",
    "pad_token": "medtune sets the pad token from the tokenizer",
    "padding_free": "set training.packing (packed batches are padding-free)",
    "packing_strategy": "training.packing is best-fit-decreasing packing",
    "activation_checkpointing": "set training.gradient_checkpointing",
    "activation_checkpointing_kwargs": "set training.gradient_checkpointing",
    "gradient_checkpointing_kwargs": "set training.gradient_checkpointing",
    "liger_kernel_config": "set training.use_liger_kernel",
    "trust_remote_code": "set model.trust_remote_code",
    "model_init_kwargs": "set the model.* keys",
    "use_cpu": "medtune uses the GPU when there is one",
    "disable_tqdm": "medtune shows the progress bar",
    "include_num_input_tokens_seen": "medtune counts tokens for its throughput report",
    "logging_nan_inf_filter": "a non-finite loss must stop the run (divergence check)",
    "save_safetensors": "medtune saves safetensors only",
    "deepspeed": "set distributed.backend=deepspeed (and distributed.deepspeed_config)",
    "fsdp": "set distributed.backend=fsdp and distributed.fsdp.*",
    "fsdp_config": "set distributed.fsdp.*",
    "parallelism_config": "set the distributed.* keys",
    "local_rank": "set by the launcher",
    "ddp_backend": "set the distributed.* keys",
    "hub_token": "keep tokens out of config files: use HF_TOKEN or `hf auth login`",
}


def _source_file(package: str, relative: str) -> Path | None:
    spec = importlib.util.find_spec(package)  # finds a top-level package without importing it
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / relative
    return path if path.is_file() else None


def _annotation(node: ast.expr | None) -> Any:
    """A field's annotation as a type pydantic can check; ``Any`` for what it cannot (enums, classes)."""
    simple = {"float": float, "int": int, "str": str, "bool": bool, "dict": dict, "list": list, "None": type(None)}
    if node is None:
        return Any
    if isinstance(node, ast.Constant) and node.value is None:
        return type(None)
    if isinstance(node, ast.Name):
        return simple.get(node.id, Any)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([_annotation(node.left), _annotation(node.right)])
    if isinstance(node, ast.Subscript):
        name = ast.unparse(node.value).split(".")[-1]
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if name == "Optional":
            return _union([_annotation(args[0]), type(None)])
        if name == "Union":
            return _union([_annotation(a) for a in args])
        if name in ("list", "List"):
            return list[_annotation(args[0])]
        if name in ("dict", "Dict"):
            return dict
        if name == "Literal" and all(isinstance(a, ast.Constant) for a in args):
            return Literal[tuple(a.value for a in args)]
    return Any


def _union(members: list[Any]) -> Any:
    if any(m is Any for m in members):
        return Any
    out = members[0]
    for m in members[1:]:
        out = typing.Union[out, m]  # noqa: UP007 - built from parts at run time
    return out


@functools.lru_cache(maxsize=1)
def trainer_fields() -> dict[str, Any]:
    """Name -> annotation of every init field of the installed SFTConfig (TrainingArguments included)."""
    fields: dict[str, Any] = {}
    for package, relative, cls in CLASSES:
        path = _source_file(package, relative)
        body = None
        if path is not None:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            body = next((n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls), None)
        if body is None:
            return _imported_fields()  # the classes moved: ask them, at the cost of importing TRL
        for node in body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and _is_init(node):
                fields[node.target.id] = _annotation(node.annotation)
    return fields


def _is_init(node: ast.AnnAssign) -> bool:
    if node.target.id.startswith("_") or "ClassVar" in ast.unparse(node.annotation):
        return False
    call = node.value
    if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("field"):
        return not any(k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False
                       for k in call.keywords)
    return True


def _imported_fields() -> dict[str, Any]:
    from trl import SFTConfig

    return {f.name: Any for f in dataclasses.fields(SFTConfig) if f.init}


def check_extra(name: str, value: Any) -> tuple[Any, str | None]:
    """(the value as the field takes it, or why ``training.NAME: value`` cannot be passed through).

    The reason starts with "unknown key" when NAME is no field of the installed classes.
    """
    if name in MEDTUNE_SETS:
        return value, f"medtune sets this itself: {MEDTUNE_SETS[name]}"
    fields = trainer_fields()
    if name not in fields:
        return value, "unknown key"
    try:
        return TypeAdapter(fields[name]).validate_python(value), None
    except ValidationError as exc:
        err = exc.errors()[0]
        return value, err["msg"][:1].lower() + err["msg"][1:]
    except Exception:  # noqa: BLE001 - an annotation pydantic cannot build: the real class judges it
        return value, None


def trainer_problems(t) -> list[str]:
    """Build the real SFTConfig with the passed-through fields (and the strategy keys they depend on),
    so a combination TrainingArguments refuses (load_best_model_at_end with mismatched strategies)
    fails in `validate` and before `train` loads anything. ``t`` is ``cfg.training``."""
    extra = {k: v for k, v in (t.model_extra or {}).items() if k != "push_to_hub" and not k.startswith("hub_")}
    if not extra:  # the hub keys are judged by hub_problems (network and token), not by building the class
        return []
    import tempfile
    import warnings

    from trl import SFTConfig

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the real run shows the trainer's own warnings; a check adds none
        try:
            SFTConfig(output_dir=tmp, use_cpu=True, report_to="none", eval_strategy=t.eval_strategy,
                      save_strategy=t.save_strategy, eval_steps=t.eval_steps, save_steps=t.save_steps,
                      logging_steps=t.logging_steps, **extra)
        except (ValueError, TypeError) as exc:
            names = ", ".join(f"training.{n}" for n in extra)
            return [f"{names}: TrainingArguments refuses them: {str(exc).strip().splitlines()[0]}"]
    return []

