"""Cross-field checks the schema cannot express: pure functions that return problems and
warnings, and never change the config they look at.

Checks that need torch (GPUs, bf16, process counts) live in :mod:`medtune.config.hardware`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from medtune.config.schema import PHI3_FUSED_TARGETS, Config


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


def fused_targets(cfg: Config) -> tuple[list[str], str] | None:
    """For a Phi-3-family model given Llama-style LoRA targets (q_proj, gate_proj, ...): the fused
    module names it really has, and a warning saying so. None when there is nothing to map.

    The names are unambiguous, so the resolution applies this rather than refusing the config.
    """
    targets = cfg.lora.target_modules
    if cfg.fine_tuning.method not in ("qlora", "lora") or not isinstance(targets, list) or not targets:
        return None
    renamed = sorted({t for t in targets if t in PHI3_FUSED_TARGETS})
    if not renamed or not is_phi3_family(cfg):
        return None
    fused = sorted({PHI3_FUSED_TARGETS[t] for t in renamed})
    note = (
        f"lora.target_modules: {', '.join(renamed)} do not exist in Phi-3/Phi-4-mini, which fuse "
        f"them; training {', '.join(fused)} instead"
    )
    return list(dict.fromkeys(PHI3_FUSED_TARGETS.get(t, t) for t in targets)), note


def check_config(
    cfg: Config, source_of: Callable[[str], str] | None = None, check_paths: bool = True
) -> tuple[list[str], list[str]]:
    """Cross-field checks the schema cannot express. Returns (errors, warnings); changes nothing.

    ``source_of(key_path)`` names the layer that set a value, for messages that say where to look.
    """
    src = source_of or (lambda _p: "default")
    errors: list[str] = []
    warnings: list[str] = []
    errors += report_to_problems(cfg.training.report_to)
    method = cfg.fine_tuning.method
    q = cfg.model.quantization_config

    if method == "qlora" and not q.load_in_4bit:
        errors.append(
            "fine_tuning.method: qlora needs 4-bit loading; set model.quantization_config.load_in_4bit=true "
            f"(it is false, from {src('model.quantization_config.load_in_4bit')}) or use method lora"
        )
    if cfg.model.load_in_8bit:
        errors += _eight_bit_problems(cfg, src)
    elif method != "qlora" and q.load_in_4bit:
        warnings.append(
            f"model.quantization_config.load_in_4bit is ignored for fine_tuning.method={method}: "
            "weights load unquantized"
        )
    if cfg.training.bf16 and cfg.training.fp16:
        errors.append("training.bf16 and training.fp16 are both true; pick one")
    if cfg.model.trust_remote_code:
        warnings.append("model.trust_remote_code is true: the checkpoint's own Python code will run")

    targets = cfg.lora.target_modules
    if method in ("qlora", "lora") and isinstance(targets, list) and not targets:
        errors.append("lora.target_modules: empty; list module names or use all-linear")

    t = cfg.training
    errors += _early_stopping_problems(cfg, src)
    eval_files = [("data.eval_path", cfg.data.eval_path)] if cfg.data.eval_path else []
    eval_files += [(f"data.datasets[{i}].eval_path", d.eval_path) for i, d in enumerate(cfg.data.datasets) if d.eval_path]
    if eval_files and cfg.data.eval_dataset_size > 0 and src("data.eval_dataset_size") != "default":
        errors.append(
            f"{eval_files[0][0]}: an eval file ({eval_files[0][1]}) and data.eval_dataset_size "
            f"({cfg.data.eval_dataset_size:g}, from {src('data.eval_dataset_size')}) both choose the eval rows; keep one: "
            f"remove data.eval_dataset_size (or set it to 0) to evaluate on the file, or remove {eval_files[0][0]} "
            "to hold out a hash split of the training data"
        )
    if t.eval_strategy != "no" and cfg.data.eval_dataset_size == 0 and cfg.evaluation.do_eval and not eval_files:
        errors.append(
            "training.eval_strategy: evaluation is on but data.eval_dataset_size is 0; "
            "set data.eval_dataset_size or training.eval_strategy=no"
        )
    if cfg.data.eval_dataset_size >= 1 and cfg.data.eval_dataset_size != int(cfg.data.eval_dataset_size):
        errors.append(
            f"data.eval_dataset_size: {cfg.data.eval_dataset_size} is neither a fraction below 1 nor a whole count"
        )
    if cfg.data.min_length >= cfg.data.max_seq_length:
        errors.append("data.min_length must be below data.max_seq_length")
    if cfg.data.dataset_path is None and not cfg.data.datasets:
        errors.append("data.dataset_path: no training data; set data.dataset_path or data.datasets")
    if cfg.data.datasets and cfg.data.dataset_path:
        warnings.append(f"data.dataset_path ({cfg.data.dataset_path}) is not used: data.datasets is set")
    if check_paths:
        single = cfg.data.dataset_path and not cfg.data.datasets
        specs = [("data.dataset_path", cfg.data.dataset_path)] if single else []
        specs += [(f"data.datasets[{i}].path", d.path) for i, d in enumerate(cfg.data.datasets)] + eval_files
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
    if demo.auth:  # empty means not set (MEDTUNE_DEMO_AUTH= in .env)
        user, colon, password = demo.auth.partition(":")
        if not colon or not user.strip() or not password:
            errors.append("demo.auth: expected user:password, with neither part empty")
    if demo.share and not demo.auth and not demo.allow_public:
        errors.append(
            "demo.share: a share link makes the demo public and demo.auth is not set; "
            "set demo.auth (user:password) or demo.allow_public=true if you really mean it"
        )

    serve = cfg.serve
    if not _is_loopback(serve.host) and not serve.api_key:
        errors.append(
            f"serve.host: {serve.host} is reachable from other machines and serve.api_key is not set; "
            "set serve.api_key (or MEDTUNE_SERVE_API_KEY)"
        )
    if serve.max_tokens > serve.max_tokens_limit:
        errors.append(f"serve.max_tokens: {serve.max_tokens} is above serve.max_tokens_limit ({serve.max_tokens_limit})")
    if serve.upstream and not re.match(r"^https?://[^/\s]+", serve.upstream):
        errors.append(f"serve.upstream: expected an http(s):// URL such as http://127.0.0.1:8001/v1, got {serve.upstream!r}")

    lint = _lint_safety(cfg)
    errors += lint[0]
    warnings += lint[1]
    return errors, warnings


def _eight_bit_problems(cfg: Config, src: Callable[[str], str]) -> list[str]:
    """model.load_in_8bit is LoRA on an LLM.int8 base: not with qlora's 4-bit base, and not a base to train whole."""
    method = cfg.fine_tuning.method
    if method == "qlora":
        return ["model.load_in_8bit: 8-bit and qlora's 4-bit loading are mutually exclusive; use "
                "fine_tuning.method=lora for LoRA on an 8-bit base, or set model.load_in_8bit=false for qlora"]
    if method in ("full", "spectrum"):
        return [f"model.load_in_8bit: fine_tuning.method={method} trains the base weights, which 8-bit "
                "weights cannot be; use fine_tuning.method=lora, or set model.load_in_8bit=false"]
    if cfg.model.quantization_config.load_in_4bit and src("model.quantization_config.load_in_4bit") != "default":
        return ["model.load_in_8bit and model.quantization_config.load_in_4bit are both true; they are mutually "
                "exclusive: keep load_in_8bit (LoRA on an 8-bit base) or use fine_tuning.method=qlora (4-bit)"]
    return []


def _early_stopping_problems(cfg: Config, src: Callable[[str], str]) -> list[str]:
    """Early stopping judges eval_loss at each evaluation and ends on the best checkpoint, so it
    needs evaluations and a checkpoint at every one of them."""
    t = cfg.training
    if t.early_stopping_patience is None:
        return []
    key = "training.early_stopping_patience"
    if t.eval_strategy == "no" or not cfg.evaluation.do_eval:
        off = "training.eval_strategy is no" if t.eval_strategy == "no" else "evaluation.do_eval is false"
        return [f"{key}: early stopping needs evaluations, but {off}; set training.eval_strategy=steps "
                "(and evaluation.do_eval=true) or remove training.early_stopping_patience"]
    if cfg.data.eval_dataset_size == 0 and not cfg.data.eval_path and not any(d.eval_path for d in cfg.data.datasets):
        return [f"{key}: early stopping needs eval data; set data.eval_dataset_size (or data.eval_path)"]
    if t.save_strategy != t.eval_strategy:
        return [f"{key}: the best checkpoint is kept at each evaluation, so training.save_strategy "
                f"({t.save_strategy}) must equal training.eval_strategy ({t.eval_strategy})"]
    if t.eval_strategy == "steps" and t.save_steps % t.eval_steps:
        return [f"{key}: training.save_steps ({t.save_steps}) must be a multiple of training.eval_steps "
                f"({t.eval_steps}), so every evaluation that can be the best has a checkpoint"]
    return []


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


# Logger names transformers' report_to accepts, and the package each needs.
LOGGERS = {
    "tensorboard": "tensorboard", "none": None, "all": None, "wandb": "wandb", "mlflow": "mlflow",
    "comet_ml": "comet_ml", "clearml": "clearml", "dvclive": "dvclive", "neptune": "neptune",
    "codecarbon": "codecarbon", "azure_ml": "azureml", "flyte": "flytekit", "dagshub": "dagshub",
    "swanlab": "swanlab", "trackio": "trackio",
}


def report_to_problems(names: list[str]) -> list[str]:
    """An unknown logger, or one whose package is not installed, fails now rather than after the
    model has loaded."""
    import difflib
    import importlib.util

    problems = []
    for name in names:
        if name not in LOGGERS:
            near = difflib.get_close_matches(name, list(LOGGERS), n=1)
            hint = f"did you mean {near[0]}?" if near else f"one of: {', '.join(LOGGERS)}"
            problems.append(f"training.report_to: unknown logger {name!r}; {hint}")
        elif LOGGERS[name] and importlib.util.find_spec(LOGGERS[name]) is None:
            problems.append(f"training.report_to: {name} is not installed (pip install {LOGGERS[name]}); "
                            f"remove it from training.report_to or install it")
    return problems
