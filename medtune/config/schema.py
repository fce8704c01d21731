"""The typed configuration: one pydantic model per section, and dict -> :class:`Config` with
messages that name the key, the nearest valid key and the layer that set the value.

Hugging Face names wherever Hugging Face has one, so users can move settings across. Unknown
keys are errors, never silently ignored.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from medtune import phi4

PHI3_FUSED_TARGETS = phi4.LLAMA_TO_FUSED  # Llama's module names -> Phi-4-mini's fused ones
PHI3_TARGETS = phi4.LINEAR_MODULES

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful medical information assistant. Give clear, accurate, general health "
    "information in plain language. You do not diagnose or prescribe. When a message describes "
    "a possible emergency, tell the person to call their local emergency number now; for anything "
    "that needs an examination, a diagnosis or a dosing decision, advise them to see a doctor, "
    "nurse or pharmacist."
)


class Section(BaseModel):
    """A config section: unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), allow_inf_nan=False)  # .inf trains nothing


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
    # LoRA on an 8-bit (bitsandbytes LLM.int8) base: method lora only; qlora is the 4-bit one.
    load_in_8bit: bool = False
    # Pickled weights (.bin, .pt) run code when loaded; a run's weights must be safetensors unless this is true.
    allow_pickle_weights: bool = False


class FineTuningConfig(Section):
    method: Literal["qlora", "lora", "full", "spectrum"] = "qlora"
    snr_threshold: float = Field(50.0, ge=0, le=100, description="Spectrum: percentile of SNR to keep")
    layers_to_finetune: Literal["auto"] | list[str] = "auto"


class LoraConfig(Section):
    r: int = Field(16, gt=0, le=4096)  # larger than any layer of the model: a typo
    lora_alpha: int = Field(32, gt=0)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: Literal["all-linear"] | list[str] = Field(default_factory=lambda: list(PHI3_TARGETS))
    bias: Literal["none", "all", "lora_only"] = "none"
    task_type: Literal["CAUSAL_LM"] = "CAUSAL_LM"
    use_rslora: bool = False
    modules_to_save: list[str] | None = None


class TrainingConfig(Section):
    """Hugging Face names. Any other real TrainingArguments / SFTConfig field passes through to the
    trainer (``training.neftune_noise_alpha``), checked in :func:`validate_data` against the
    installed classes (medtune.config.trainer_args); a typo is still an unknown key."""

    model_config = ConfigDict(extra="allow")

    output_dir: str = "runs"
    task_name: str = Field("medqa", pattern=r"^[A-Za-z0-9_.]+$")
    num_train_epochs: float = Field(3.0, gt=0, le=10000)
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
    seed: int = Field(42, ge=0, le=2**32 - 1)  # numpy's seed range
    data_seed: int = Field(42, ge=0, le=2**32 - 1)
    dataloader_num_workers: int = Field(0, ge=0)
    dataloader_pin_memory: bool = True
    report_to: list[str] = Field(default_factory=lambda: ["tensorboard"])
    push_to_hub: bool = False  # the Trainer pushes checkpoints to hub_model_id, medtune the result at the end
    hub_model_id: str | None = None
    # Stop after this many evaluations without an eval_loss improvement larger than the threshold.
    early_stopping_patience: int | None = Field(None, ge=1)
    early_stopping_threshold: float = Field(0.0, ge=0)
    # Speed switches (issue: GPU training speed); each is tested on CPU against the plain path. There is
    # no loss_type: TRL >= 1.0 always computes nll through its fused, chunked LM head.
    packing: bool = False
    use_liger_kernel: bool = False
    torch_compile: bool = False


class DatasetSpec(Section):
    path: str
    format: Literal["auto", "messages", "alpaca", "sharegpt", "oasst", "prompt_completion", "custom"] = "auto"
    fields: dict[str, str] | None = None
    weight: float = Field(1.0, gt=0)
    license: str | None = None
    name: str | None = None
    eval_path: str | None = None  # this dataset's evaluation file, read as path is (no hash split)


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
    eval_path: str | None = None  # a separate evaluation file instead of the hash split (not both)
    min_length: int = Field(8, ge=0)
    truncation: Literal["drop", "truncate"] = "drop"
    system_prompt_mode: Literal["replace", "prepend", "keep"] = "replace"
    max_invalid_fraction: float = Field(0.05, ge=0, le=1)
    pii_scrub: bool = True
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    cache_dir: str = ".cache/medtune/data"
    num_proc: int = Field(1, ge=1)

    @property
    def max_length(self) -> int:
        """One sequence length with one meaning: ``data.max_length`` is read as ``data.max_seq_length``."""
        return self.max_seq_length


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
    # Key of the log's text HMAC; unset: $SAFETY_AUDIT_SECRET, else <path>.key (0600, made once).
    secret: str | None = None


class SafetyEvalConfig(Section):
    suites: list[str] = Field(default_factory=lambda: ["data/safety_eval.jsonl"])
    min_recall: float = Field(0.9, ge=0, le=1)
    max_false_deferral: float = Field(0.1, ge=0, le=1)
    max_new_tokens: int = Field(64, ge=1)
    batch_size: int = Field(32, ge=1, description="generation batch for safety-report --run/--base")


class ConversationConfig(Section):
    # After an emergency: follow-ups keep deferring; 'remind' answers a message clearly about
    # something else with the reminder kept visible, 'strict' defers every later message.
    after_emergency: Literal["strict", "remind"] = "remind"


class SafetyConfig(Section):
    enabled: bool = True
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    use_default_policy: bool = True
    negation: bool = True
    triage: bool = True  # combination rules over findings (safety/triage.py); false: phrases only
    redact_input: bool = False  # identifiers replaced by typed placeholders before the model sees them
    dose_check: bool = True  # amounts in messages and answers against adult OTC limits (safety/dose.py)
    language_detection: bool = True  # Spanish policy; other languages get a notice (safety/language.py)
    stream_review: bool = True  # streamed answers that refer to care are kept (safety/screen.py)
    conversation: ConversationConfig = Field(default_factory=ConversationConfig)
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
    # lm-evaluation-harness tasks (the [lm-eval] extra), run on the base and the fine-tuned model: a task
    # defined in benchmark_tasks_dir works offline, lm-eval's own (medqa_4options, medmcqa, pubmedqa,
    # mmlu_clinical_knowledge...) download their data from the Hugging Face hub.
    benchmarks: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$")]] = Field(default_factory=list)
    benchmark_tasks_dir: str = "data/lm_eval_tasks"
    benchmark_limit: int | None = Field(None, ge=1)  # questions per task; None: every question


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


class ServeConfig(Section):
    """`medtune serve`: the OpenAI-compatible API behind the guard (docs/serving.md)."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    api_key: str | None = None  # Bearer key ($MEDTUNE_SERVE_API_KEY); required for a non-loopback host
    model_name: str | None = None  # the id /v1/models reports; default: the run's name
    upstream: str | None = None  # base URL (…/v1) of an OpenAI-compatible engine to guard instead of a model
    upstream_api_key: str | None = None  # sent upstream as Bearer ($MEDTUNE_SERVE_UPSTREAM_API_KEY)
    upstream_model: str | None = None  # model id sent upstream; default: the first one it lists
    batching: Literal["continuous", "generate"] = "continuous"  # transformers' continuous batching, else generate()
    max_concurrent_requests: int = Field(32, ge=1)  # more at once: 429
    max_batch: int = Field(16, ge=1)  # generations sharing the model at once
    max_request_bytes: int = Field(1_000_000, ge=1024)  # larger bodies: 413
    max_input_chars: int = Field(8000, ge=1)  # a longer last message: 400
    max_tokens: int = Field(256, ge=1)  # when the request gives none
    max_tokens_limit: int = Field(1024, ge=1, le=2048)  # a request asking for more: 400
    temperature: float = Field(0.7, ge=0, le=2)
    top_p: float = Field(0.9, gt=0, le=1)
    request_timeout_s: float = Field(120.0, gt=0)


class FSDPConfig(Section):
    sharding_strategy: Literal["FULL_SHARD", "SHARD_GRAD_OP", "HYBRID_SHARD", "NO_SHARD"] = "FULL_SHARD"
    auto_wrap_policy: Literal["TRANSFORMER_BASED_WRAP", "SIZE_BASED_WRAP", "NO_WRAP"] = "TRANSFORMER_BASED_WRAP"
    transformer_layer_cls_to_wrap: str | None = phi4.DECODER_LAYER
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
    serve: ServeConfig = Field(default_factory=ServeConfig)
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
# dict -> Config: schema errors with key path, nearest key and source.
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
    same_leaf = [p for p in valid if p.rpartition(".")[2] == leaf]  # the exact name, in another section
    if same_leaf:
        return same_leaf[0]
    siblings = [p for p in valid if p.rpartition(".")[0] == parent]
    close = difflib.get_close_matches(path, siblings, n=1, cutoff=0.6)
    if close:
        return close[0]
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


def _source_for(sources: dict[str, str], path: str, keys: dict[str, str] | None = None) -> str:
    """The layer that set ``path``: its own value's source, else where the key itself was written
    (an unknown section, a value some layer turned into a mapping), else its parent's."""
    key = re.sub(r"\[\d+\]", "", path)
    if key not in sources and key in (keys or {}):
        return keys[key]
    while key:
        if key in sources:
            return sources[key]
        key = key.rpartition(".")[0]
    return "default"


def _schema_problems(
    exc: ValidationError, sources: dict[str, str], keys: dict[str, str] | None = None
) -> tuple[list[str], list[tuple]]:
    problems, locs = [], []
    for err in exc.errors():
        # Union members repeat the same complaint per member; drop the member tags from the path.
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and _UNION_TAG.fullmatch(p)))
        locs.append(loc)
        path = _loc_to_path(loc)
        src = _source_for(sources, path, keys)
        if err["type"] == "extra_forbidden":
            hint = nearest_key(path)
            msg = f"{path}: unknown key" + (f"; did you mean {hint}?" if hint else "")
            problems.append(f"{msg} (from {src})")
        else:
            value = err.get("input")
            shown = repr(value) if not isinstance(value, dict) else "a mapping"
            msg = err["msg"][:1].lower() + err["msg"][1:]  # the user's case: 'DEBUG' and patterns as written
            problems.append(f"{path}: {msg}; got {shown} (from {src})")
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


def _passthrough_problems(cfg: Config, sources: dict[str, str]) -> tuple[list[str], list[tuple]]:
    """training.* keys that are not medtune's own: real trainer fields pass (as the field takes
    them), anything else is an unknown key or a field medtune sets itself, with the reason."""
    from medtune.config.trainer_args import check_extra

    problems, locs = [], []
    for name, value in (cfg.training.model_extra or {}).items():
        path = f"training.{name}"
        value, why = check_extra(name, value)
        if why is None:
            cfg.training.model_extra[name] = value
            continue
        if why == "unknown key":
            from medtune.config.trainer_args import trainer_fields

            near = difflib.get_close_matches(name, [*TrainingConfig.model_fields, *trainer_fields()], n=1, cutoff=0.7)
            hint = f"training.{near[0]}" if near else nearest_key(path)
            why += f"; did you mean {hint}?" if hint else ""
        else:
            why += f"; got {value!r}" if not why.startswith("medtune sets") else ""
        problems.append(f"{path}: {why} (from {_source_for(sources, path)})")
        locs.append(("training", name))
    return problems, locs


def validate_data(
    data: dict, sources: dict[str, str], keys: dict[str, str] | None = None
) -> tuple[Config | None, list[str]]:
    """The typed config and the schema problems. With problems, the config is a best-effort one
    (offending values dropped back to defaults) so the cross-field checks can still report theirs.
    ``keys`` says where each key was written (sections too), for problems no value's source covers."""
    try:
        cfg, problems = Config.model_validate(data), []
    except ValidationError as exc:
        problems, locs = _schema_problems(exc, sources, keys)
        trimmed = copy.deepcopy(data)
        for loc in locs:
            if loc:
                _drop(trimmed, loc)
        try:
            cfg = Config.model_validate(trimmed)
        except ValidationError:
            return None, problems
    extra_problems, extra_locs = _passthrough_problems(cfg, sources)
    for _, name in extra_locs:
        cfg.training.model_extra.pop(name)
    return cfg, problems + extra_problems
