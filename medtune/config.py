"""Layered configuration, validated once at the edge.

Layers, lowest first: base file < environment file (``config.{env}.yaml``) < ``.env`` file <
environment variables < ``--set key.path=value``. Every resolved value remembers which layer
set it (file and line, variable or flag), so ``medtune config`` can say why a run behaves as it
does. Below this module, code receives a typed :class:`Config`, never a raw dict.

Nothing heavy is imported here: pydantic, yaml and the standard library only.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from medtune.errors import ConfigError, MedtuneError

DEFAULT_CONFIG_NAME = "config.yaml"
ENV_PREFIX = "MEDTUNE__"

# Short names users already type, mapped to key paths. Documented in the README and .env.example.
ENV_SHORT_NAMES: dict[str, str] = {
    "MODEL_ID": "model.base_model_name",
    "LOAD_IN_4BIT": "model.quantization_config.load_in_4bit",
    "FINETUNE_METHOD": "fine_tuning.method",
    "LORA_RANK": "lora.r",
    "LORA_ALPHA": "lora.lora_alpha",
    "LORA_DROPOUT": "lora.lora_dropout",
    "LEARNING_RATE": "training.learning_rate",
    "LORA_LEARNING_RATE": "training.learning_rate",
    "TRAIN_BATCH_SIZE": "training.per_device_train_batch_size",
    "LORA_BATCH_SIZE": "training.per_device_train_batch_size",
    "GRADIENT_ACCUMULATION_STEPS": "training.gradient_accumulation_steps",
    "NUM_TRAIN_EPOCHS": "training.num_train_epochs",
    "MAX_STEPS": "training.max_steps",
    "OUTPUT_DIR": "training.output_dir",
    "SEED": "training.seed",
    "MAX_LENGTH": "data.max_seq_length",
    "DATASET_PATH": "data.dataset_path",
    "SYSTEM_PROMPT": "safety.system_prompt",
    "MEDTUNE_DEMO_AUTH": "demo.auth",
}

PHI3_FUSED_TARGETS = {
    "q_proj": "qkv_proj",
    "k_proj": "qkv_proj",
    "v_proj": "qkv_proj",
    "gate_proj": "gate_up_proj",
    "up_proj": "gate_up_proj",
}
PHI3_TARGETS = ("qkv_proj", "o_proj", "gate_up_proj", "down_proj")

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful medical information assistant. Give clear, accurate, general health "
    "information in plain language. You do not diagnose or prescribe. When a message describes "
    "a possible emergency, tell the person to call their local emergency number now; for anything "
    "that needs an examination, a diagnosis or a dosing decision, advise them to see a doctor, "
    "nurse or pharmacist."
)


# --------------------------------------------------------------------------------------------
# Schema. Hugging Face names wherever Hugging Face has one, so users can move settings across.
# --------------------------------------------------------------------------------------------


class Section(BaseModel):
    """A config section: unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())


class QuantizationConfig(Section):
    load_in_4bit: bool = True
    bnb_4bit_compute_dtype: Literal["bfloat16", "float16", "float32"] = "bfloat16"
    bnb_4bit_quant_type: Literal["nf4", "fp4"] = "nf4"
    bnb_4bit_use_double_quant: bool = True
    # The dtype packed 4-bit weights are stored in. FSDP flattens parameters of one dtype only, so
    # QLoRA under FSDP needs it equal to the compute dtype (bfloat16); uint8 elsewhere.
    bnb_4bit_quant_storage: Literal["uint8", "bfloat16", "float16", "float32"] = "uint8"


class ModelConfig(Section):
    base_model_name: str = "microsoft/Phi-4-mini-instruct"
    revision: str | None = None
    trust_remote_code: bool = False
    device_map: str | None = "auto"
    torch_dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    attn_implementation: Literal["auto", "sdpa", "eager", "flash_attention_2"] = "auto"
    quantization_config: QuantizationConfig = Field(default_factory=QuantizationConfig)
    cache_dir: str | None = None
    local_files_only: bool = False


class FineTuningConfig(Section):
    method: Literal["qlora", "lora", "full", "spectrum"] = "qlora"
    snr_threshold: float = Field(50.0, ge=0, le=100, description="Spectrum: percentile of SNR to keep")
    layers_to_finetune: Literal["auto"] | list[str] = "auto"


class LoraConfig(Section):
    r: int = Field(16, gt=0)
    lora_alpha: int = Field(32, gt=0)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: Literal["all-linear"] | list[str] = Field(default_factory=lambda: list(PHI3_TARGETS))
    bias: Literal["none", "all", "lora_only"] = "none"
    task_type: Literal["CAUSAL_LM"] = "CAUSAL_LM"
    use_rslora: bool = False
    modules_to_save: list[str] | None = None


class TrainingConfig(Section):
    output_dir: str = "runs"
    task_name: str = Field("medqa", pattern=r"^[A-Za-z0-9_.]+$")
    num_train_epochs: float = Field(3.0, gt=0)
    max_steps: int = -1
    per_device_train_batch_size: int = Field(4, ge=1)
    per_device_eval_batch_size: int = Field(4, ge=1)
    gradient_accumulation_steps: int = Field(4, ge=1)
    learning_rate: float = Field(2e-4, gt=0)
    warmup_steps: int = Field(0, ge=0)
    warmup_ratio: float = Field(0.03, ge=0, le=1)
    lr_scheduler_type: Literal[
        "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup"
    ] = "cosine"
    optim: str = "adamw_torch"
    weight_decay: float = Field(0.0, ge=0)
    max_grad_norm: float = Field(1.0, ge=0)
    logging_steps: int = Field(10, ge=1)
    save_strategy: Literal["no", "steps", "epoch"] = "steps"
    save_steps: int = Field(100, ge=1)
    eval_strategy: Literal["no", "steps", "epoch"] = "steps"
    eval_steps: int = Field(100, ge=1)
    save_total_limit: int | None = Field(3, ge=1)
    gradient_checkpointing: bool = True
    bf16: bool = False
    fp16: bool = False
    seed: int = 42
    data_seed: int = 42
    dataloader_num_workers: int = Field(0, ge=0)
    dataloader_pin_memory: bool = True
    report_to: list[str] = Field(default_factory=lambda: ["tensorboard"])
    # Speed switches (issue: GPU training speed); each is tested on CPU against the plain path.
    packing: bool = False
    loss_type: Literal["nll", "chunked_nll"] = "nll"
    use_liger_kernel: bool = False
    torch_compile: bool = False


class DatasetSpec(Section):
    path: str
    format: Literal["auto", "messages", "alpaca", "sharegpt", "oasst", "prompt_completion", "custom"] = "auto"
    fields: dict[str, str] | None = None
    weight: float = Field(1.0, gt=0)
    license: str | None = None
    name: str | None = None


class DedupConfig(Section):
    exact: bool = True
    near: bool = True
    threshold: float = Field(0.85, gt=0, le=1)
    num_perm: int = Field(64, ge=16)


class DataConfig(Section):
    dataset_path: str | None = "data/medical_conversations.jsonl"
    format: Literal["auto", "messages", "alpaca", "sharegpt", "oasst", "prompt_completion", "custom"] = "auto"
    fields: dict[str, str] | None = None
    license: str | None = None
    datasets: list[DatasetSpec] = Field(default_factory=list)
    max_seq_length: int = Field(2048, ge=16)
    eval_dataset_size: float = Field(0.1, ge=0)
    min_length: int = Field(8, ge=0)
    max_length: int = Field(2048, ge=1)
    truncation: Literal["drop", "truncate"] = "drop"
    system_prompt_mode: Literal["replace", "prepend", "keep"] = "replace"
    max_invalid_fraction: float = Field(0.05, ge=0, le=1)
    pii_scrub: bool = True
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    cache_dir: str = ".cache/medtune/data"
    num_proc: int = Field(1, ge=1)


class SafetyCategoryConfig(Section):
    """A category of the safety policy. Unset fields keep the built-in category's values, so
    adding phrases to ``emergency`` never changes its action or priority."""

    action: Literal["defer", "monitor"] | None = None
    priority: int | None = None
    message: str | None = None
    phrases: list[str] = Field(default_factory=list)


class ContentFilterConfig(Section):
    enabled: bool = True
    blocked_terms: list[str] = Field(default_factory=list)
    action: Literal["drop", "flag"] = "drop"


class AuditConfig(Section):
    enabled: bool = False
    path: str = "logs/safety_audit.jsonl"
    store_text: bool = False


class SafetyEvalConfig(Section):
    suites: list[str] = Field(default_factory=lambda: ["data/safety_eval.jsonl"])
    min_recall: float = Field(0.9, ge=0, le=1)
    max_false_deferral: float = Field(0.1, ge=0, le=1)
    max_new_tokens: int = Field(64, ge=1)
    batch_size: int = Field(32, ge=1, description="generation batch for safety-report --run/--base")


class SafetyConfig(Section):
    enabled: bool = True
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    use_default_policy: bool = True
    negation: bool = True
    default_message: str | None = None
    safety_keywords: list[str] = Field(default_factory=list)
    defer_keywords: list[str] = Field(default_factory=list)
    categories: dict[str, SafetyCategoryConfig] = Field(default_factory=dict)
    content_filter: ContentFilterConfig = Field(default_factory=ContentFilterConfig)
    training_policy: Literal["flag", "drop", "rewrite"] = "flag"
    audit: AuditConfig = Field(default_factory=AuditConfig)
    eval: SafetyEvalConfig = Field(default_factory=SafetyEvalConfig)


class EvaluationConfig(Section):
    do_eval: bool = True
    generation_samples: int = Field(20, ge=0)
    max_new_tokens: int = Field(128, ge=1)
    batch_size: int = Field(4, ge=1)
    mcq_path: str | None = "data/mcq_sample.jsonl"


class DemoConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    auth: str | None = None
    share: bool = False
    allow_public: bool = False
    concurrency_limit: int = Field(4, ge=1)
    max_input_chars: int = Field(8000, ge=1)
    temperature: float = Field(0.7, ge=0)
    top_p: float = Field(0.9, gt=0, le=1)
    max_new_tokens: int = Field(256, ge=1)


class FSDPConfig(Section):
    sharding_strategy: Literal["FULL_SHARD", "SHARD_GRAD_OP", "HYBRID_SHARD", "NO_SHARD"] = "FULL_SHARD"
    auto_wrap_policy: Literal["TRANSFORMER_BASED_WRAP", "SIZE_BASED_WRAP", "NO_WRAP"] = "TRANSFORMER_BASED_WRAP"
    transformer_layer_cls_to_wrap: str | None = "Phi3DecoderLayer"
    min_num_params: int = Field(0, ge=0)
    offload_params: bool = False
    use_orig_params: bool = True
    cpu_ram_efficient_loading: bool = True
    state_dict_type: Literal["FULL_STATE_DICT", "SHARDED_STATE_DICT"] = "SHARDED_STATE_DICT"


class DistributedConfig(Section):
    backend: Literal["ddp", "fsdp", "deepspeed"] = "ddp"
    zero_stage: int = Field(2, ge=1, le=3)
    deepspeed_config: str | None = None
    offload_optimizer: bool = False
    fsdp: FSDPConfig = Field(default_factory=FSDPConfig)
    num_processes: int = Field(1, ge=1)
    num_machines: int = Field(1, ge=1)
    machine_rank: int = Field(0, ge=0)
    main_process_ip: str | None = None
    main_process_port: int = Field(29500, ge=1, le=65535)


class LoggingConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_phi: bool = Field(False, description="write message text (possible PHI) to logs")


class Config(Section):
    """The whole resolved configuration of a run."""

    model: ModelConfig = Field(default_factory=ModelConfig)
    fine_tuning: FineTuningConfig = Field(default_factory=FineTuningConfig)
    lora: LoraConfig = Field(default_factory=LoraConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    safety: SafetyConfig = Field(default_factory=SafetyConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    demo: DemoConfig = Field(default_factory=DemoConfig)
    distributed: DistributedConfig = Field(default_factory=DistributedConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)

    _root: Path = PrivateAttr(default_factory=Path.cwd)

    @property
    def root(self) -> Path:
        """The project directory: relative paths in the config resolve against it."""
        return self._root

    def with_root(self, root: str | os.PathLike) -> Config:
        """A copy whose relative paths resolve against ``root`` (a run's config read from elsewhere)."""
        cfg = self.model_copy(deep=True)
        cfg._root = Path(root).resolve()
        return cfg

    def resolve_path(self, path: str | os.PathLike) -> Path:
        p = Path(os.path.expanduser(str(path)))
        return p if p.is_absolute() else self._root / p

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# --------------------------------------------------------------------------------------------
# Loading: layers, each value tagged with where it came from.
# --------------------------------------------------------------------------------------------


@dataclass
class ResolvedConfig:
    """A validated config plus the provenance of every value and the non-fatal warnings."""

    config: Config
    sources: dict[str, str]
    files: list[Path]
    env: str | None
    warnings: list[str] = field(default_factory=list)

    def source_of(self, key_path: str) -> str:
        while key_path:
            if key_path in self.sources:
                return self.sources[key_path]
            key_path = key_path.rpartition(".")[0]
        return "default"


class ConfigLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars: only true/false are booleans (``eval_strategy: no`` stays
    the string "no") and ``2e-4`` is a float, as people write them in this field."""


ConfigLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


def yaml_load(text: str) -> Any:
    return yaml.load(text, Loader=ConfigLoader)


def _yaml_with_lines(text: str, filename: str) -> tuple[Any, dict[str, int]]:
    try:
        node = yaml.compose(text, Loader=ConfigLoader)
    except yaml.YAMLError as exc:
        raise ConfigError([f"{filename}: not valid YAML: {exc}"]) from None
    if node is None:
        return {}, {}
    lines: dict[str, int] = {}

    def walk(n: yaml.Node, prefix: str) -> None:
        if isinstance(n, yaml.MappingNode):
            for key_node, value_node in n.value:
                path = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                lines[path] = key_node.start_mark.line + 1
                walk(value_node, path)

    walk(node, "")
    data = yaml_load(text)
    return data, lines


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf key paths of a nested mapping (lists and empty dicts are leaves)."""
    if isinstance(data, Mapping) and data:
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: data} if prefix else {}


def deep_merge(base: dict, over: Mapping) -> dict:
    """Merge ``over`` into a copy of ``base``: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _set_path(data: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        if not isinstance(node.get(k), dict):
            node[k] = {}
        node = node[k]
    node[keys[-1]] = value


def _tag(sources: dict[str, str], data: Mapping, label: str, lines: dict[str, int] | None = None) -> None:
    """Record ``label`` as the source of every key path in ``data`` (and its parents' subtrees)."""
    for path in _flatten(data):
        # A layer that replaces a whole subtree owns all of it: drop stale deeper sources.
        for old in [s for s in sources if s.startswith(path + ".")]:
            del sources[old]
        line = (lines or {}).get(path)
        sources[path] = f"{label}:{line}" if line else label


def parse_value(text: str) -> Any:
    """Parse a command-line or environment value as a YAML 1.2 scalar, list or mapping."""
    try:
        return yaml_load(text)
    except yaml.YAMLError:
        return text


def _load_file(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict, dict[str, str]]:
    """Load one YAML file, following ``base_template:`` inheritance; returns data and sources."""
    if not path.is_file():
        raise ConfigError([f"config file not found: {path}"])
    if path.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, path.resolve()))
        raise ConfigError([f"base_template loop: {chain}"])
    data, lines = _yaml_with_lines(path.read_text(encoding="utf-8"), path.name)
    if not isinstance(data, dict):
        raise ConfigError([f"{path.name}: the top level must be a mapping of sections, got {type(data).__name__}"])
    if "base_template" not in data:
        sources: dict[str, str] = {}
        _tag(sources, data, path.name, lines)
        return data, sources

    template = data.pop("base_template")
    overrides = data.pop("overrides", None) or {}
    if data:
        extra = ", ".join(sorted(data))
        raise ConfigError(
            [f"{path.name}: a file with base_template may only hold 'overrides:'; move {extra} under overrides"]
        )
    base, sources = _load_file((path.parent / str(template)), (*seen, path.resolve()))
    if not isinstance(overrides, dict):
        raise ConfigError([f"{path.name}: overrides must be a mapping"])
    over_lines = {k.removeprefix("overrides."): v for k, v in lines.items() if k.startswith("overrides.")}
    _tag(sources, overrides, path.name, over_lines)
    return deep_merge(base, overrides), sources


def env_overrides(environ: Mapping[str, str], label: str) -> tuple[dict, dict[str, str], list[str]]:
    """Overrides from environment-style variables: short names first, then ``MEDTUNE__A__B``.

    Two short names that set the same key to different values are an error, not a coin toss.
    """
    data: dict = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    set_by: dict[str, tuple[str, str]] = {}
    for name, path in ENV_SHORT_NAMES.items():
        if name not in environ:
            continue
        raw = environ[name]
        if path in set_by and set_by[path][1] != raw:
            other = set_by[path][0]
            problems.append(
                f"{path}: {other}={set_by[path][1]!r} and {name}={raw!r} ({label}) disagree; unset one"
            )
            continue
        set_by[path] = (name, raw)
        _set_path(data, path, parse_value(raw))
        sources[path] = f"{label} {name}"
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX:
            continue
        path = ".".join(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        _set_path(data, path, parse_value(raw))
        sources[path] = f"{label} {name}"
    return data, sources, problems


def cli_overrides(assignments: list[str]) -> tuple[dict, dict[str, str], list[str]]:
    data: dict = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    for item in assignments:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or not re.fullmatch(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*", key):
            problems.append(f"--set {item!r}: expected key.path=value, e.g. --set training.learning_rate=1e-4")
            continue
        _set_path(data, key, parse_value(raw))
        sources[key] = f"--set {key}"
    return data, sources, problems


def _read_dotenv(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def find_config(config: str | os.PathLike | None) -> Path:
    path = Path(config) if config else Path.cwd() / DEFAULT_CONFIG_NAME
    if not path.is_file():
        hint = "" if config else " (run from the project directory or pass --config PATH)"
        raise ConfigError([f"config file not found: {path}{hint}"])
    return path


def available_envs(base: Path) -> list[str]:
    stem = base.stem
    return sorted(p.name[len(stem) + 1 : -len(".yaml")] for p in base.parent.glob(f"{stem}.*.yaml"))


def load_config(
    config: str | os.PathLike | None = None,
    env: str | None = None,
    overrides: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    dotenv: str | os.PathLike | None | Literal[False] = None,
    check_paths: bool = True,
) -> ResolvedConfig:
    """Resolve every layer, validate once, and return the typed config with its provenance.

    ``dotenv=None`` reads ``.env`` beside the base config when it exists; ``False`` skips it.
    All problems are collected and raised together as one :class:`ConfigError`.
    """
    base_path = find_config(config)
    environ = os.environ if environ is None else environ
    data, sources = _load_file(base_path)
    files = [base_path]
    problems: list[str] = []

    if env:
        env_path = base_path.with_name(f"{base_path.stem}.{env}.yaml")
        if not env_path.is_file():
            envs = available_envs(base_path)
            raise ConfigError(
                [f"--env {env}: no {env_path.name} next to {base_path.name}; available: {', '.join(envs) or 'none'}"]
            )
        env_data, env_sources = _load_file(env_path)
        data = deep_merge(data, env_data)
        _tag(sources, env_data, "")  # clear deeper stale sources
        sources.update(env_sources)
        files.append(env_path)

    dotenv_path = None if dotenv is False else Path(dotenv) if dotenv else base_path.parent / ".env"
    layers: list[tuple[dict, dict[str, str], list[str]]] = []
    if dotenv_path is not None and dotenv_path.is_file():
        layers.append(env_overrides(_read_dotenv(dotenv_path), f"{dotenv_path.name}"))
        files.append(dotenv_path)
    layers.append(env_overrides(environ, "env"))
    layers.append(cli_overrides(overrides or []))
    for layer_data, layer_sources, layer_problems in layers:
        problems += layer_problems
        data = deep_merge(data, layer_data)
        _tag(sources, layer_data, "")
        sources.update(layer_sources)
    for k in [k for k, v in sources.items() if v == ""]:
        del sources[k]

    cfg, schema_problems = _validate(data, sources)
    problems += schema_problems
    if cfg is None:
        raise ConfigError(problems)
    cfg._root = base_path.parent.resolve()
    resolved = ResolvedConfig(cfg, sources, files, env)
    errors, warnings = check_config(cfg, resolved, check_paths=check_paths)
    resolved.warnings = warnings
    problems += [e for e in errors if e.split(":")[0] not in {p.split(":")[0] for p in problems}]
    if problems:
        raise ConfigError(problems)
    return resolved


# --------------------------------------------------------------------------------------------
# Validation: schema errors with key path, nearest key and source; then cross-field checks.
# --------------------------------------------------------------------------------------------


def _all_key_paths(model: type[BaseModel] = Config, prefix: str = "") -> list[str]:
    paths = []
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        paths.append(path)
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            paths += _all_key_paths(ann, path)
    return paths


def nearest_key(path: str) -> str | None:
    """The valid key path most like ``path``: a typo in the leaf, or the right leaf in the wrong section."""
    valid = _all_key_paths()
    parent, _, leaf = path.rpartition(".")
    siblings = [p for p in valid if p.rpartition(".")[0] == parent]
    close = difflib.get_close_matches(path, siblings, n=1, cutoff=0.6)
    if close:
        return close[0]
    same_leaf = [p for p in valid if p.rpartition(".")[2] == leaf]
    if same_leaf:
        return same_leaf[0]
    close = difflib.get_close_matches(path, valid, n=1, cutoff=0.75)
    return close[0] if close else None


def _loc_to_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _source_for(sources: dict[str, str], path: str) -> str:
    key = re.sub(r"\[\d+\]", "", path)
    while key:
        if key in sources:
            return sources[key]
        key = key.rpartition(".")[0]
    return "default"


def _schema_problems(exc: ValidationError, sources: dict[str, str]) -> tuple[list[str], list[tuple]]:
    problems, locs = [], []
    for err in exc.errors():
        # Union members repeat the same complaint per member; drop the member tags from the path.
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and _UNION_TAG.fullmatch(p)))
        locs.append(loc)
        path = _loc_to_path(loc)
        src = _source_for(sources, path)
        if err["type"] == "extra_forbidden":
            hint = nearest_key(path)
            msg = f"{path}: unknown key" + (f"; did you mean {hint}?" if hint else "")
            problems.append(f"{msg} (from {src})")
        else:
            value = err.get("input")
            shown = repr(value) if not isinstance(value, dict) else "a mapping"
            problems.append(f"{path}: {err['msg'].lower()}; got {shown} (from {src})")
    return list(dict.fromkeys(problems)), locs


_UNION_TAG = re.compile(r"literal\[.*\]|list\[.*\]|dict\[.*\]|str|int|float|bool|none")


def _drop(data: dict, loc: tuple) -> None:
    node: Any = data
    for part in loc[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return
    if isinstance(node, dict):
        node.pop(loc[-1], None)
    elif isinstance(node, list) and isinstance(loc[-1], int) and loc[-1] < len(node):
        node.pop(loc[-1])


def _validate(data: dict, sources: dict[str, str]) -> tuple[Config | None, list[str]]:
    """The typed config and the schema problems. With problems, the config is a best-effort one
    (offending values dropped back to defaults) so the cross-field checks can still report theirs."""
    try:
        return Config.model_validate(data), []
    except ValidationError as exc:
        problems, locs = _schema_problems(exc, sources)
    trimmed = copy.deepcopy(data)
    for loc in locs:
        if loc:
            _drop(trimmed, loc)
    try:
        return Config.model_validate(trimmed), problems
    except ValidationError:
        return None, problems


def is_phi3_family(cfg: Config) -> bool:
    """Phi-3 / Phi-4-mini checkpoints fuse q/k/v and gate/up into single modules."""
    name = cfg.model.base_model_name
    if name.startswith("embedded:"):
        return True
    local = cfg.resolve_path(name) / "config.json"
    if local.is_file():
        try:
            return json.loads(local.read_text()).get("model_type") == "phi3"
        except (OSError, ValueError):
            return False
    return bool(re.search(r"phi-?[34]", name, re.IGNORECASE))


def check_config(cfg: Config, resolved: ResolvedConfig | None = None, check_paths: bool = True) -> tuple[list[str], list[str]]:
    """Cross-field checks the schema cannot express. Returns (errors, warnings).

    May adjust ``cfg`` in place where the fix is unambiguous (fused target names), and says so.
    """
    src = resolved.source_of if resolved else (lambda _p: "default")
    errors: list[str] = []
    warnings: list[str] = []
    method = cfg.fine_tuning.method
    q = cfg.model.quantization_config

    if method == "qlora" and not q.load_in_4bit:
        errors.append(
            "fine_tuning.method: qlora needs 4-bit loading; set model.quantization_config.load_in_4bit=true "
            f"(it is false, from {src('model.quantization_config.load_in_4bit')}) or use method lora"
        )
    if method != "qlora" and q.load_in_4bit:
        warnings.append(
            f"model.quantization_config.load_in_4bit is ignored for fine_tuning.method={method}: "
            "weights load unquantized"
        )
    if cfg.training.bf16 and cfg.training.fp16:
        errors.append("training.bf16 and training.fp16 are both true; pick one")
    if cfg.model.trust_remote_code:
        warnings.append("model.trust_remote_code is true: the checkpoint's own Python code will run")

    targets = cfg.lora.target_modules
    if method in ("qlora", "lora") and isinstance(targets, list):
        if not targets:
            errors.append("lora.target_modules: empty; list module names or use all-linear")
        elif is_phi3_family(cfg):
            mapped = [PHI3_FUSED_TARGETS.get(t, t) for t in targets]
            renamed = sorted({t for t in targets if t in PHI3_FUSED_TARGETS})
            if renamed:
                fused = sorted({PHI3_FUSED_TARGETS[t] for t in renamed})
                warnings.append(
                    f"lora.target_modules: {', '.join(renamed)} do not exist in Phi-3/Phi-4-mini, which fuse "
                    f"them; training {', '.join(fused)} instead"
                )
                cfg.lora.target_modules = list(dict.fromkeys(mapped))

    t = cfg.training
    if t.eval_strategy != "no" and cfg.data.eval_dataset_size == 0 and cfg.evaluation.do_eval:
        errors.append(
            "training.eval_strategy: evaluation is on but data.eval_dataset_size is 0; "
            "set data.eval_dataset_size or training.eval_strategy=no"
        )
    if cfg.data.eval_dataset_size >= 1 and cfg.data.eval_dataset_size != int(cfg.data.eval_dataset_size):
        errors.append(
            f"data.eval_dataset_size: {cfg.data.eval_dataset_size} is neither a fraction below 1 nor a whole count"
        )
    if cfg.data.max_length > cfg.data.max_seq_length:
        warnings.append(
            f"data.max_length ({cfg.data.max_length}) is above data.max_seq_length ({cfg.data.max_seq_length}); "
            "conversations are limited to max_seq_length"
        )
    if cfg.data.min_length >= min(cfg.data.max_length, cfg.data.max_seq_length):
        errors.append("data.min_length must be below data.max_length and data.max_seq_length")
    if cfg.data.dataset_path is None and not cfg.data.datasets:
        errors.append("data.dataset_path: no training data; set data.dataset_path or data.datasets")
    if cfg.data.datasets and cfg.data.dataset_path:
        warnings.append(f"data.dataset_path ({cfg.data.dataset_path}) is not used: data.datasets is set")
    if check_paths:
        single = cfg.data.dataset_path and not cfg.data.datasets
        specs = [("data.dataset_path", cfg.data.dataset_path)] if single else []
        specs += [(f"data.datasets[{i}].path", d.path) for i, d in enumerate(cfg.data.datasets)]
        for key, p in specs:
            if not _path_or_glob_exists(cfg, p):
                errors.append(f"{key}: {p} does not exist (from {src(key.split('[')[0])}; relative to {cfg.root})")

    if cfg.data.format == "custom" and not cfg.data.fields:
        errors.append("data.fields: format custom needs a field mapping, e.g. {user: question, assistant: answer}")
    for i, d in enumerate(cfg.data.datasets):
        if d.format == "custom" and not d.fields:
            errors.append(f"data.datasets[{i}].fields: format custom needs a field mapping")

    if not cfg.safety.system_prompt.strip():
        warnings.append("safety.system_prompt is empty: training conversations get no system prompt")

    d = cfg.distributed
    if d.backend == "deepspeed" and d.zero_stage == 3 and method == "qlora":
        errors.append(
            "distributed.zero_stage: ZeRO-3 shards weights that bitsandbytes 4-bit loading keeps whole; "
            "use zero_stage 2, backend fsdp, or fine_tuning.method lora"
        )
    if d.backend == "fsdp" and d.fsdp.auto_wrap_policy == "TRANSFORMER_BASED_WRAP" and not d.fsdp.transformer_layer_cls_to_wrap:
        errors.append(
            "distributed.fsdp.transformer_layer_cls_to_wrap: TRANSFORMER_BASED_WRAP needs the decoder layer "
            "class (Phi3DecoderLayer for Phi-3/Phi-4-mini)"
        )
    if d.backend == "fsdp" and method == "qlora" and d.fsdp.use_orig_params is False:
        errors.append("distributed.fsdp.use_orig_params: QLoRA under FSDP needs use_orig_params=true")
    if d.backend == "fsdp" and d.fsdp.auto_wrap_policy == "SIZE_BASED_WRAP" and d.fsdp.min_num_params <= 0:
        errors.append(
            "distributed.fsdp.min_num_params: SIZE_BASED_WRAP needs a parameter count per wrapped unit, "
            "e.g. 100000000; or use TRANSFORMER_BASED_WRAP with Phi3DecoderLayer"
        )
    if d.backend == "fsdp" and d.fsdp.auto_wrap_policy == "NO_WRAP" and d.fsdp.sharding_strategy != "NO_SHARD":
        warnings.append(
            "distributed.fsdp.auto_wrap_policy: NO_WRAP gathers the whole model at once, which saves no memory; "
            "use TRANSFORMER_BASED_WRAP"
        )
    if d.backend == "fsdp" and method == "qlora" and q.bnb_4bit_quant_storage != q.bnb_4bit_compute_dtype:
        errors.append(
            f"model.quantization_config.bnb_4bit_quant_storage: QLoRA under FSDP needs it equal to "
            f"bnb_4bit_compute_dtype ({q.bnb_4bit_compute_dtype}), since FSDP flattens one dtype per unit; "
            f"it is {q.bnb_4bit_quant_storage} (from {src('model.quantization_config.bnb_4bit_quant_storage')})"
        )
    if d.num_processes > 1 and d.num_processes % d.num_machines:
        errors.append(
            f"distributed.num_processes: {d.num_processes} processes do not split evenly over "
            f"{d.num_machines} machines (num_processes is the total over all machines)"
        )
    if check_paths and d.backend == "deepspeed" and d.deepspeed_config and not cfg.resolve_path(d.deepspeed_config).is_file():
        errors.append(f"distributed.deepspeed_config: {d.deepspeed_config} does not exist (relative to {cfg.root})")
    if d.machine_rank >= d.num_machines:
        errors.append(f"distributed.machine_rank: {d.machine_rank} is not below num_machines ({d.num_machines})")
    if d.num_machines > 1 and not d.main_process_ip:
        errors.append("distributed.main_process_ip: several machines need the main machine's address")
    if d.deepspeed_config and d.backend != "deepspeed":
        warnings.append("distributed.deepspeed_config is ignored unless distributed.backend is deepspeed")

    demo = cfg.demo
    if not _is_loopback(demo.host) and not demo.auth and not demo.allow_public:
        errors.append(
            f"demo.host: {demo.host} is reachable from other machines and demo.auth is not set; "
            "set demo.auth (user:password) or demo.allow_public=true if you really mean it"
        )
    if demo.auth and ":" not in demo.auth:
        errors.append("demo.auth: expected user:password")

    lint = _lint_safety(cfg)
    errors += lint[0]
    warnings += lint[1]
    return errors, warnings


def _lint_safety(cfg: Config) -> tuple[list[str], list[str]]:
    try:
        from safety.policy import lint_policy
    except ImportError:  # the safety package is optional for config checks
        return [], []
    errors, warnings = [], []
    for issue in lint_policy(cfg.safety.model_dump()):
        (errors if issue.level == "error" else warnings).append(f"{issue.path}: {issue.message}")
    return errors, warnings


def _path_or_glob_exists(cfg: Config, pattern: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        base = cfg.root if not Path(pattern).is_absolute() else Path("/")
        rel = pattern if not Path(pattern).is_absolute() else pattern.lstrip("/")
        return any(base.glob(rel))
    return cfg.resolve_path(pattern).exists()


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def check_hardware(cfg: Config) -> tuple[list[str], list[str]]:
    """Checks that need torch (CUDA, bf16, process count). Run by `validate` and `train` only."""
    import torch

    errors, warnings = [], []
    cuda = torch.cuda.is_available()
    n_gpu = torch.cuda.device_count() if cuda else 0
    if cfg.training.bf16 and not (cuda and torch.cuda.is_bf16_supported()):
        where = "this machine has no CUDA GPU" if not cuda else "this GPU does not support bf16"
        errors.append(f"training.bf16: {where}; set training.bf16=false (fp32 is used on CPU)")
    if cfg.training.fp16 and not cuda:
        errors.append("training.fp16: mixed fp16 needs a CUDA GPU; set training.fp16=false")
    q = cfg.model.quantization_config
    if cfg.fine_tuning.method == "qlora" and q.bnb_4bit_compute_dtype == "bfloat16" and not cuda:
        warnings.append("model.quantization_config.bnb_4bit_compute_dtype: bfloat16 on CPU is slow; float32 is used")
    if cfg.training.optim.startswith("paged_") and not cuda:
        errors.append(f"training.optim: {cfg.training.optim} needs a CUDA GPU; use adamw_torch on CPU")
    if cfg.model.attn_implementation == "flash_attention_2" and not cuda:
        errors.append("model.attn_implementation: flash_attention_2 needs a CUDA GPU; use auto or sdpa")
    if cfg.training.use_liger_kernel:
        import importlib.util

        if importlib.util.find_spec("liger_kernel") is None:
            errors.append(
                "training.use_liger_kernel: liger-kernel is not installed (pip install liger-kernel; it needs "
                "a CUDA GPU and Triton); set training.use_liger_kernel=false"
            )
        elif not cuda:
            errors.append("training.use_liger_kernel: Liger's Triton kernels need a CUDA GPU; set it to false on CPU")
    d = cfg.distributed
    errors += process_problems(cfg, d.num_processes // d.num_machines, cuda, n_gpu, "distributed.num_processes")
    return errors, warnings


def process_problems(cfg: Config, per_machine: int, cuda: bool, n_gpu: int, key: str) -> list[str]:
    """Why ``per_machine`` training processes cannot start here; shared by `validate` and `--nproc`."""
    import importlib.util

    problems = []
    if cuda and per_machine > n_gpu:
        problems.append(f"{key}: {per_machine} processes but only {n_gpu} GPU(s) here; one process per GPU")
    if not cuda and per_machine > (os.cpu_count() or 1):
        problems.append(f"{key}: {per_machine} processes but only {os.cpu_count()} CPU core(s) here")
    backend = cfg.distributed.backend
    if not cuda and backend != "ddp":
        problems.append(f"distributed.backend: {backend} needs CUDA GPUs; use ddp (gloo) on CPU")
    if backend == "deepspeed" and importlib.util.find_spec("deepspeed") is None:
        problems.append("distributed.backend: deepspeed is not installed (pip install deepspeed), or use fsdp")
    return problems


def validate_all(resolved: ResolvedConfig) -> list[str]:
    """Every problem `medtune validate` can find, including the hardware ones."""
    errors, warnings = check_hardware(resolved.config)
    resolved.warnings += warnings
    return errors


def config_hash(cfg: Config) -> str:
    import hashlib

    blob = json.dumps(cfg.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def render_with_sources(resolved: ResolvedConfig) -> str:
    """The resolved config as YAML, each value annotated with the layer that set it."""
    rows: list[tuple[str, str]] = []

    def scalar(v: Any) -> str:
        return yaml.safe_dump(v, default_flow_style=True, width=10_000, allow_unicode=True).strip().removesuffix("...").strip()

    def walk(node: Any, path: str, indent: int) -> None:
        pad = "  " * indent
        for k, v in node.items():
            p = f"{path}.{k}" if path else k
            if isinstance(v, dict) and v:
                rows.append((f"{pad}{k}:", ""))
                walk(v, p, indent + 1)
            else:
                rows.append((f"{pad}{k}: {scalar(v)}", resolved.source_of(p)))

    walk(resolved.config.to_dict(), "", 0)
    width = min(max(len(r[0]) for r in rows if r[1]) + 2, 72)
    lines = [f"{text.ljust(width)}# {src}" if src else text for text, src in rows]
    return "\n".join(lines)


def dump_config(cfg: Config) -> str:
    return yaml.safe_dump(cfg.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def load_saved_config(path: Path) -> Config:
    """A run's own resolved config.yaml (used by resume, chat and evaluate)."""
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
        cfg = Config.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise MedtuneError(f"cannot read the run's config {path}: {exc}") from None
    return cfg
