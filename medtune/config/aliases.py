"""The names people bring from other tools, read as medtune's own: one table of environment short
names, one of keys in the other common YAML shape (``base_model``, ``fine_tuning.lora.alpha``,
``training.epochs``, ``output.push_to_hub`` ...) and of values written another way
(``safety.content_filter: true``, ``fine_tuning.snr_threshold: 0.5``).

Each layer (a file, ``.env``, the environment, ``--set``) is read through the table before the
layers merge, so precedence is the same whichever spelling a layer used, and every mapping comes
back as a note (```training.epochs` read as `training.num_train_epochs` (old.yaml:12)``) for
``medtune config`` to show once. A key of that shape with no meaning in medtune is still an error
naming it: nothing is silently dropped.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from medtune.config.schema import Config, LoraConfig, QuantizationConfig

# -- environment short names ---------------------------------------------------------------------


def _bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("true", "1", "yes", "on"):
        return True
    if word in ("false", "0", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


def _float(raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ValueError("expected a number") from None


def _str(raw: str) -> str:
    return raw  # as written: a system prompt may hold ': ' or '#'


def _modules(raw: str) -> str | list[str]:
    """``q_proj,v_proj`` (or ``[q_proj, v_proj]``) as a list; ``all-linear`` as itself."""
    text = raw.strip()
    if text == "all-linear":
        return text
    names = [n.strip().strip("'\"") for n in text.strip("[]").split(",")]
    if not all(names):
        raise ValueError("expected module names separated by commas, e.g. qkv_proj,o_proj")
    return names


def _list(raw: str) -> list[str]:
    return [n.strip() for n in raw.strip().strip("[]").split(",") if n.strip()]


class ShortName(NamedTuple):
    path: str  # a medtune key path, or a key of the other shape below (read through its table)
    parse: Callable[[str], Any]
    default: str  # as .env.example shows it


# Short names users already type, each mapped to one key. Listed, with these defaults, in .env.example.
ENV_SHORT_NAMES: dict[str, ShortName] = {
    "MODEL_ID": ShortName("model.base_model_name", _str, "microsoft/Phi-4-mini-instruct"),
    "LOAD_IN_4BIT": ShortName("model.quantization_config.load_in_4bit", _bool, "true"),
    "LOAD_IN_8BIT": ShortName("model.load_in_8bit", _bool, "false"),
    "BNB_4BIT_COMPUTE_DTYPE": ShortName("model.quantization_config.bnb_4bit_compute_dtype", _str, "bfloat16"),
    "BNB_4BIT_QUANT_TYPE": ShortName("model.quantization_config.bnb_4bit_quant_type", _str, "nf4"),
    "BNB_4BIT_USE_DOUBLE_QUANT": ShortName("model.quantization_config.bnb_4bit_use_double_quant", _bool, "true"),
    "USE_FLASH_ATTENTION": ShortName("model.use_flash_attention", _bool, ""),  # unset: attn_implementation auto
    "FINETUNE_METHOD": ShortName("fine_tuning.method", _str, "qlora"),
    "LORA_RANK": ShortName("lora.r", _int, "16"),
    "LORA_ALPHA": ShortName("lora.lora_alpha", _int, "32"),
    "LORA_DROPOUT": ShortName("lora.lora_dropout", _float, "0.05"),
    "LORA_TARGET_MODULES": ShortName("lora.target_modules", _modules, "qkv_proj,o_proj,gate_up_proj,down_proj"),
    "LEARNING_RATE": ShortName("training.learning_rate", _float, "2e-4"),
    "LORA_LEARNING_RATE": ShortName("training.learning_rate", _float, "2e-4"),
    "TRAIN_BATCH_SIZE": ShortName("training.per_device_train_batch_size", _int, "4"),
    "LORA_BATCH_SIZE": ShortName("training.per_device_train_batch_size", _int, "4"),
    "EVAL_BATCH_SIZE": ShortName("training.per_device_eval_batch_size", _int, "4"),
    "GRADIENT_ACCUMULATION_STEPS": ShortName("training.gradient_accumulation_steps", _int, "4"),
    "NUM_TRAIN_EPOCHS": ShortName("training.num_train_epochs", _float, "3"),
    "MAX_STEPS": ShortName("training.max_steps", _int, "-1"),
    "WARMUP_RATIO": ShortName("training.warmup_ratio", _float, "0.03"),
    "WARMUP_STEPS": ShortName("training.warmup_steps", _int, "0"),
    "LR_SCHEDULER_TYPE": ShortName("training.lr_scheduler_type", _str, "cosine"),
    "OPTIM": ShortName("training.optim", _str, "adamw_torch"),
    "WEIGHT_DECAY": ShortName("training.weight_decay", _float, "0.0"),
    "MAX_GRAD_NORM": ShortName("training.max_grad_norm", _float, "1.0"),
    "LOGGING_STEPS": ShortName("training.logging_steps", _int, "10"),
    "SAVE_STRATEGY": ShortName("training.save_strategy", _str, "steps"),
    "SAVE_STEPS": ShortName("training.save_steps", _int, "100"),
    "SAVE_TOTAL_LIMIT": ShortName("training.save_total_limit", _int, "3"),
    "EVAL_STRATEGY": ShortName("training.eval_strategy", _str, "steps"),
    "EVAL_STEPS": ShortName("training.eval_steps", _int, "100"),
    "GRADIENT_CHECKPOINTING": ShortName("training.gradient_checkpointing", _bool, "true"),
    "USE_FP16": ShortName("training.fp16", _bool, "false"),
    "USE_BF16": ShortName("training.bf16", _bool, "false"),
    "REPORT_TO": ShortName("training.report_to", _list, "tensorboard"),
    "OUTPUT_DIR": ShortName("training.output_dir", _str, "runs"),
    "SEED": ShortName("training.seed", _int, "42"),
    "MAX_LENGTH": ShortName("data.max_seq_length", _int, "2048"),
    "MAX_SEQ_LENGTH": ShortName("data.max_seq_length", _int, "2048"),
    "DATASET_PATH": ShortName("data.dataset_path", _str, "data/medical_conversations.jsonl"),
    "EVAL_PATH": ShortName("data.eval_path", _str, ""),
    "SYSTEM_PROMPT": ShortName("safety.system_prompt", _str, ""),
    "PUSH_TO_HUB": ShortName("training.push_to_hub", _bool, "false"),
    "HUB_MODEL_ID": ShortName("training.hub_model_id", _str, ""),
    "MEDTUNE_DEMO_AUTH": ShortName("demo.auth", _str, ""),
    "MEDTUNE_SERVE_API_KEY": ShortName("serve.api_key", _str, ""),
    "MEDTUNE_SERVE_UPSTREAM_API_KEY": ShortName("serve.upstream_api_key", _str, ""),
}

# MEDTUNE_* variables that are not config keys: set by medtune's own launcher or scripts.
PROCESS_VARIABLES = frozenset({"MEDTUNE_RUN_DIR", "MEDTUNE_VENV", "MEDTUNE_BENCH_DIR"})


def unknown_variable(name: str, prefix: str) -> str | None:
    """Why ``name`` looks like a medtune variable but is none (``MEDTUNE_LEARNING_RATE``), or None."""
    if not name.startswith("MEDTUNE_") or name.startswith(prefix) or name in ENV_SHORT_NAMES or name in PROCESS_VARIABLES:
        return None
    rest = name.removeprefix("MEDTUNE_")
    near = difflib.get_close_matches(rest, list(ENV_SHORT_NAMES), n=1, cutoff=0.8)
    hint = f"did you mean {near[0]}, or {prefix}SECTION__KEY?" if near else (
        f"set a key as {prefix}SECTION__KEY (e.g. {prefix}TRAINING__LEARNING_RATE) or use a short name from .env.example")
    return f"{name}: not a medtune variable; {hint}"


# -- keys of the other shape ------------------------------------------------------------------------


@dataclass(frozen=True)
class Alias:
    """How medtune reads one key written another way.

    ``to(value)`` gives the medtune keys and values it means (empty: nothing to set) or raises
    ValueError saying why the value cannot be honoured; ``when(value)`` limits the alias to such
    values (``content_filter`` only as a boolean); ``check(cfg, value)`` says, once the whole
    config is resolved, why the value does not hold (``tokenizer`` must be the model's own).
    """

    to: Callable[[Any], dict[str, Any]]
    when: Callable[[Any], bool] = lambda _v: True
    check: Callable[[Config, Any], str | None] | None = None
    why: str = ""  # said in the note when nothing is set


def rename(target: str) -> Alias:
    return Alias(lambda v: {target: v})


def _mixed_precision(v: Any) -> dict[str, Any]:
    word = str(v).lower() if v is not False else "no"
    if word in ("bf16", "bfloat16"):
        return {"training.bf16": True, "training.fp16": False}
    if word in ("fp16", "float16"):
        return {"training.fp16": True, "training.bf16": False}
    if word in ("no", "none", "fp32", "float32"):
        return {"training.bf16": False, "training.fp16": False}
    raise ValueError("expected bf16, fp16 or no")


def _flash(v: Any) -> dict[str, Any]:
    if not isinstance(v, bool):
        raise ValueError("expected true or false")
    return {"model.attn_implementation": "flash_attention_2" if v else "sdpa"}


def _eos(v: Any) -> dict[str, Any]:
    if v is not True:
        raise ValueError("medtune always ends each turn with Phi-4-mini's <|end|> token; remove the key")
    return {}


def _deepspeed(v: Any) -> dict[str, Any]:
    if not isinstance(v, bool):
        raise ValueError("expected true or false")
    return {"distributed.backend": "deepspeed"} if v else {}


def _same_tokenizer(cfg: Config, v: Any) -> str | None:
    if str(v) == cfg.model.base_model_name:
        return None
    return (f"model.tokenizer: {v} is not model.base_model_name ({cfg.model.base_model_name}); medtune trains "
            "with the model's own tokenizer and chat template, so remove model.tokenizer")


def _not_deepspeed(cfg: Config, v: Any) -> str | None:
    if v is False and cfg.distributed.backend == "deepspeed":
        return "distributed.use_deepspeed is false but distributed.backend is deepspeed; keep one"
    return None


def _is_fraction(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1


SEQ_LENGTH = "data.max_seq_length"

ALIASES: dict[str, Alias] = {
    # model
    "model.base_model": rename("model.base_model_name"),
    "model.model_name": rename("model.base_model_name"),
    "model.tokenizer": Alias(lambda v: {}, check=_same_tokenizer, why="checked against model.base_model_name"),
    "model.use_flash_attention": Alias(_flash),
    "model.use_liger_kernels": rename("training.use_liger_kernel"),
    "model.use_liger_kernel": rename("training.use_liger_kernel"),
    # fine_tuning.lora.* and fine_tuning.quantization.* (the rest of each table is PREFIXES below)
    "fine_tuning.lora.alpha": rename("lora.lora_alpha"),
    "fine_tuning.lora.dropout": rename("lora.lora_dropout"),
    "fine_tuning.lora.rank": rename("lora.r"),
    "fine_tuning.quantization.load_in_8bit": rename("model.load_in_8bit"),
    "fine_tuning.snr_threshold": Alias(lambda v: {"fine_tuning.snr_threshold": round(v * 100, 6)}, when=_is_fraction,
                                       why="a fraction; medtune's is a percentile, 0-100"),
    # training
    "training.epochs": rename("training.num_train_epochs"),
    "training.micro_batch_size": rename("training.per_device_train_batch_size"),
    "training.eval_batch_size": rename("training.per_device_eval_batch_size"),
    "training.optimizer": rename("training.optim"),
    "training.lr_scheduler": rename("training.lr_scheduler_type"),
    "training.mixed_precision": Alias(_mixed_precision),
    "training.max_seq_length": rename(SEQ_LENGTH),
    "training.max_length": rename(SEQ_LENGTH),
    "training.use_liger_kernels": rename("training.use_liger_kernel"),
    "training.load_in_8bit": rename("model.load_in_8bit"),
    # data: one sequence length, one name
    "data.max_length": rename(SEQ_LENGTH),
    "dataset.train_path": rename("data.dataset_path"),
    "dataset.path": rename("data.dataset_path"),
    "dataset.eval_path": Alias(lambda v: {"data.eval_path": v, "data.eval_dataset_size": 0}, why="the file, not a split"),
    "dataset.format": rename("data.format"),
    "dataset.max_seq_length": rename(SEQ_LENGTH),
    "dataset.max_length": rename(SEQ_LENGTH),
    "dataset.eval_size": rename("data.eval_dataset_size"),
    "dataset.val_set_size": rename("data.eval_dataset_size"),
    "dataset.preprocessing.add_eos_token": Alias(_eos, why="medtune ends every turn with <|end|>"),
    "preprocessing.add_eos_token": Alias(_eos, why="medtune ends every turn with <|end|>"),
    # distributed (zero_stage is medtune's own name)
    "distributed.use_deepspeed": Alias(_deepspeed, check=_not_deepspeed, why="distributed.backend decides"),
    # output
    "output.output_dir": rename("training.output_dir"),
    "output.push_to_hub": rename("training.push_to_hub"),
    "output.hub_model_id": rename("training.hub_model_id"),
    "output.hub_private_repo": rename("training.hub_private_repo"),
    # evaluation
    "evaluation.eval_strategy": rename("training.eval_strategy"),
    "evaluation.eval_steps": rename("training.eval_steps"),
    "evaluation.early_stopping_patience": rename("training.early_stopping_patience"),
    "evaluation.early_stopping_threshold": rename("training.early_stopping_threshold"),
    # values written another way
    "safety.content_filter": Alias(lambda v: {"safety.content_filter.enabled": v}, when=lambda v: isinstance(v, bool)),
}

# Whole tables under another name: each of the target section's own keys, read there.
PREFIXES: dict[str, tuple[str, type]] = {
    "fine_tuning.lora.": ("lora.", LoraConfig),
    "fine_tuning.quantization.": ("model.quantization_config.", QuantizationConfig),
}

# Sections that exist only in the other shape: a key left in one after mapping means nothing here.
FOREIGN = ("dataset.", "output.", "preprocessing.", *PREFIXES)


def alias_for(path: str, value: Any) -> Alias | None:
    alias = ALIASES.get(path)
    if alias is not None:
        return alias if alias.when(value) else None
    for prefix, (target, model) in PREFIXES.items():
        leaf = path.removeprefix(prefix)
        if path.startswith(prefix) and leaf in model.model_fields:
            return rename(target + leaf)
    return None


@dataclass
class Reading:
    """What reading one layer through the tables found: notes to show, problems, checks to run on
    the resolved config."""

    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checks: list[Callable[[Config], str | None]] = field(default_factory=list)


def _show(value: Any) -> str:
    import json

    return json.dumps(value) if not isinstance(value, str) else value


def read_aliases(leaves: dict[str, Any], sources: dict[str, str], reading: Reading) -> dict[str, Any]:
    """One layer's leaf key paths, each read as the medtune key it means.

    ``sources`` (path -> where it was set) is updated in place for the moved keys; problems,
    notes and checks are added to ``reading``. Two spellings of one key in one layer must agree.
    """
    out: dict[str, Any] = {}
    written: dict[str, str] = {}  # medtune path -> the path the user wrote
    method_path = None
    for path, value in leaves.items():
        src = sources.get(path, "")
        alias = alias_for(path, value)
        if alias is None:
            if path.startswith(FOREIGN):
                reading.problems.append(f"{path}: unknown key{_foreign_hint(path)}{_from(src)}")
                continue
            targets = {path: value}
        else:
            try:
                targets = alias.to(value)
            except ValueError as exc:
                reading.problems.append(f"{path}: {exc}; got {value!r}{_from(src)}")
                continue
            if alias.check is not None:
                reading.checks.append(lambda cfg, a=alias, v=value: a.check(cfg, v))
            reading.notes.append(_note(path, value, targets, alias.why) + _where(src))
        for target, new in targets.items():
            if target in out and out[target] != new:
                first = written[target]
                reading.problems.append(
                    f"{target}: {first}{_where(sources.get(first, ''))} and {path}{_where(src)} both set it, "
                    f"to {out[target]!r} and {new!r}; keep one")
                continue
            out[target] = new
            written[target] = path
            if target != path and src:
                sources[target] = src
        if path == "fine_tuning.method":
            method_path = path
    four_bit = "model.quantization_config.load_in_4bit"
    if method_path and out.get("fine_tuning.method") == "lora" and written.get(four_bit, "").startswith("fine_tuning.") \
            and out.get(four_bit) is True:
        out["fine_tuning.method"] = "qlora"  # the other shape's QLoRA: LoRA over a 4-bit base
        reading.notes.append("`fine_tuning.method: lora` with `fine_tuning.quantization.load_in_4bit: true` "
                             "read as `fine_tuning.method: qlora`" + _where(sources.get(method_path, "")))
    return out


def _from(src: str) -> str:
    return f" (from {src})" if src else ""


def _where(src: str) -> str:
    return f" ({src})" if src else ""


def _note(path: str, value: Any, targets: dict[str, Any], why: str) -> str:
    if len(targets) == 1 and next(iter(targets.values())) is value and path not in targets:
        note = f"`{path}` read as `{next(iter(targets))}`"
    elif targets:
        shown = ", ".join(f"{t}: {_show(v)}" for t, v in targets.items())
        note = f"`{path}: {_show(value)}` read as `{shown}`"
    else:
        note = f"`{path}: {_show(value)}` sets nothing"
    return f"{note} ({why})" if why else note


def _foreign_hint(path: str) -> str:
    section = path.split(".")[0] + "."
    known = [p for p in ALIASES if p.startswith(section)]
    for prefix, (_, model) in PREFIXES.items():
        if prefix.startswith(section):
            known += [prefix + f for f in model.model_fields]
    near = difflib.get_close_matches(path, known, n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else "; medtune has no key that means it"
