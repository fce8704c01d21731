"""Where every value comes from: the layers of a config, each value tagged with its source.

Layers, lowest first: base file (which may inherit from a ``base_template``) < environment file
(``{stem}.{env}.yaml`` beside the base, e.g. ``config.dev.yaml``) < ``.env`` file < environment
variables < ``--set key.path=value``. Every resolved value remembers which layer set it (file and
line, variable or flag), so ``medtune config`` can say why a run behaves as it does.

Nothing heavy is imported here: pydantic, yaml and the standard library only.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from medtune.config.checks import check_config, fused_targets
from medtune.config.schema import Config, validate_data
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


def _mapping_without_duplicates(loader: ConfigLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    """A YAML mapping; a key written twice is an error naming both lines (YAML would silently
    keep the last one, so a value the user set would be ignored)."""
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} on lines {seen[key]} and {line}", key_node.start_mark)
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


ConfigLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


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
    try:
        data = yaml_load(text)
    except yaml.YAMLError as exc:  # a duplicate key, or a tag such as !!python/object
        raise ConfigError([f"{filename}: {exc}"]) from None
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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: byte {exc.start} is not UTF-8; save the file as UTF-8"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read it: {exc.strerror or exc}"]) from None
    data, lines = _yaml_with_lines(text, path.name)
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
        if path in set_by and parse_value(set_by[path][1]) != parse_value(raw):
            other = set_by[path][0]
            problems.append(f"{path}: {other}={set_by[path][1]!r} and {name}={raw!r} ({label}) disagree; unset one")
            continue
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


def env_path_for(base: Path, env: str) -> Path:
    """The overlay for ``--env NAME``: ``{stem}.{NAME}.yaml`` beside the base file."""
    return base.with_name(f"{base.stem}.{env}.yaml")


def read_layers(
    config: str | os.PathLike | None = None,
    env: str | None = None,
    overrides: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    dotenv: str | os.PathLike | None | Literal[False] = None,
) -> tuple[dict, dict[str, str], list[Path], list[str]]:
    """Merge every layer into one dict: (data, source of each key path, files read, problems).

    Problems in the overrides are returned, not raised, so validation can list them with the rest;
    a missing or unreadable file is raised at once, since nothing else can be checked without it.
    """
    base_path = find_config(config)
    environ = os.environ if environ is None else environ
    data, sources = _load_file(base_path)
    files = [base_path]
    problems: list[str] = []

    if env:
        env_path = env_path_for(base_path, env)
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
    if dotenv and dotenv is not False and not Path(dotenv).is_file():
        raise ConfigError([f"--env-file {dotenv}: no such file"])
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
    return data, sources, files, problems


def resolve_config(
    config: str | os.PathLike | None = None,
    env: str | None = None,
    overrides: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    dotenv: str | os.PathLike | None | Literal[False] = None,
    check_paths: bool = True,
) -> tuple[ResolvedConfig | None, list[str]]:
    """Every layer resolved and checked, without raising: (config, problems).

    With problems the config is a best-effort one (offending values back at their defaults), so a
    caller can still run further checks on it; it is None only when even that cannot be built.
    """
    data, sources, files, problems = read_layers(config, env, overrides, environ, dotenv)
    cfg, schema_problems = validate_data(data, sources)
    problems += schema_problems
    if cfg is None:
        return None, problems
    cfg = cfg.with_root(files[0].parent)
    resolved = ResolvedConfig(cfg, sources, files, env)
    fused = fused_targets(cfg)
    if fused is not None:  # Phi-3 fuses q/k/v and gate/up: train the modules that exist, and say so
        cfg.lora.target_modules, note = fused
        resolved.warnings.append(note)
    errors, warnings = check_config(cfg, resolved.source_of, check_paths=check_paths)
    resolved.warnings += warnings
    flagged = {p.split(":")[0] for p in problems}  # one message per key: the schema's wins
    problems += [e for e in errors if e.split(":")[0] not in flagged]
    return resolved, problems


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
    All problems are collected and raised together as one :class:`ConfigError`; warnings are
    returned in ``ResolvedConfig.warnings`` for the caller to show.
    """
    resolved, problems = resolve_config(config, env, overrides, environ, dotenv, check_paths)
    if problems or resolved is None:
        raise ConfigError(problems)
    return resolved


def load_saved_config(path: Path) -> Config:
    """A run's own resolved config.yaml (used by resume, chat and evaluate)."""
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
        cfg = Config.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise MedtuneError(f"cannot read the run's config {path}: {exc}") from None
    return cfg
