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

from medtune.config.aliases import (
    ENV_SHORT_NAMES,
    FOREIGN,
    Reading,
    alias_for,
    read_aliases,
    unknown_variable,
)
from medtune.config.checks import check_config, fused_targets
from medtune.config.schema import Config, validate_data
from medtune.errors import ConfigError, MedtuneError

DEFAULT_CONFIG_NAME = "config.yaml"
ENV_PREFIX = "MEDTUNE__"
TEMPLATES_DIR = Path(__file__).parent / "templates"
RESUME_KEY = "training.resume_from_checkpoint"


class ResumeRef(str):
    """The value of ``training.resume_from_checkpoint``, remembering where it was written, so that
    `medtune train` names the key and its file:line when it cannot resume it (not ``--resume``)."""

    label: str

    def __new__(cls, value: str, label: str) -> ResumeRef:
        ref = super().__new__(cls, value)
        ref.label = label
        return ref


def named_templates() -> dict[str, str]:
    """The templates shipped with medtune, found by name (``--config quick_test``,
    ``base_template: default``): name -> the first line of its header comment."""
    found = {}
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        found[path.stem] = first.lstrip("# ").strip()
    return found


def template_path(name: str) -> Path | None:
    path = TEMPLATES_DIR / f"{name}.yaml"
    return path if "/" not in name and "\\" not in name and path.is_file() else None


@dataclass
class ResolvedConfig:
    """A validated config plus the provenance of every value and the non-fatal warnings.

    ``notes`` say how keys written another way were read (```training.epochs` read as
    `training.num_train_epochs` (old.yaml:12)``); ``resume`` is ``training.resume_from_checkpoint``,
    which says where `medtune train` starts and so is no part of the run's config.
    """

    config: Config
    sources: dict[str, str]
    files: list[Path]
    env: str | None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resume: str | None = None

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
        # A layer that replaces a whole subtree owns all of it: drop stale deeper sources, and a
        # value it turned into a mapping (--set training.learning_rate.x=1) is no longer the old layer's.
        parents = {path.rsplit(".", n)[0] for n in range(1, path.count(".") + 1)}
        for old in [s for s in sources if s.startswith(path + ".") or s in parents]:
            del sources[old]
        line = (lines or {}).get(path)
        sources[path] = f"{label}:{line}" if line else label


def parse_value(text: str) -> Any:
    """Parse a command-line or environment value as a YAML 1.2 scalar, list or mapping."""
    try:
        return yaml_load(text)
    except yaml.YAMLError:
        return text


def _read_layer(data: dict, sources: dict[str, str], reading: Reading) -> tuple[dict, dict[str, str]]:
    """One layer with every key written another way read as medtune's (see medtune.config.aliases).

    Only the keys read differently move; the rest of the layer stays exactly as written.
    """
    leaves = _flatten(data)
    if not any(alias_for(p, v) is not None or p.startswith(FOREIGN) for p, v in leaves.items()):
        return data, sources  # nothing to read differently
    sources = dict(sources)
    mapped = read_aliases(leaves, sources, reading)
    out = copy.deepcopy(data)
    missing = object()
    for path, value in leaves.items():  # read as another key, or refused: gone from where it was written
        if mapped.get(path, missing) is not value:
            _pop_path(out, path)
    for path, value in mapped.items():
        if leaves.get(path, missing) is not value:
            _set_path(out, path, value)
    kept = _flatten(out)
    return out, {p: s for p, s in sources.items() if p in kept}


def _pop_path(data: dict, path: str) -> None:
    """Remove one leaf, and the sections it leaves empty (``dataset:`` once its keys have moved)."""
    keys = path.split(".")
    trail = [data]
    for k in keys[:-1]:
        node = trail[-1].get(k)
        if not isinstance(node, dict):
            return
        trail.append(node)
    trail[-1].pop(keys[-1], None)
    for parent, k in zip(reversed(trail[:-1]), reversed(keys[:-1]), strict=True):
        if parent[k] == {}:
            del parent[k]


def _key_lines(keys: dict[str, str], label: str, lines: dict[str, int]) -> None:
    """Where each key (sections too) was written: an unknown section is named with its own line."""
    for path, line in lines.items():
        keys[path] = f"{label}:{line}"


def _load_file(
    path: Path, reading: Reading, keys: dict[str, str], seen: tuple[Path, ...] = (), label: str | None = None
) -> tuple[dict, dict[str, str]]:
    """Load one YAML file, following ``base_template:`` inheritance; returns data and sources.

    ``base_template`` is a file beside this one or the name of a shipped template (``default``).
    """
    if not path.is_file():
        named = ", ".join(named_templates())
        raise ConfigError([f"config file not found: {path} (named templates: {named})"])
    if path.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, path.resolve()))
        raise ConfigError([f"base_template loop: {chain}"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: byte {exc.start} is not UTF-8; save the file as UTF-8"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read it: {exc.strerror or exc}"]) from None
    label = label or path.name
    data, lines = _yaml_with_lines(text, path.name)
    if not isinstance(data, dict):
        raise ConfigError([f"{path.name}: the top level must be a mapping of sections, got {type(data).__name__}"])
    if "base_template" not in data:
        sources: dict[str, str] = {}
        _tag(sources, data, label, lines)
        _key_lines(keys, label, lines)
        return _read_layer(data, sources, reading)

    template = data.pop("base_template")
    overrides = data.pop("overrides", None) or {}
    if data:
        extra = ", ".join(sorted(data))
        raise ConfigError(
            [f"{path.name}: a file with base_template may only hold 'overrides:'; move {extra} under overrides"]
        )
    beside = path.parent / str(template)
    named = template_path(str(template)) if not beside.is_file() else None
    base, sources = _load_file(named or beside, reading, keys, (*seen, path.resolve()),
                               f"template {template}" if named else None)
    if not isinstance(overrides, dict):
        raise ConfigError([f"{path.name}: overrides must be a mapping"])
    over_lines = {k.removeprefix("overrides."): v for k, v in lines.items() if k.startswith("overrides.")}
    over_sources: dict[str, str] = {}
    _tag(over_sources, overrides, label, over_lines)
    _key_lines(keys, label, over_lines)
    overrides, over_sources = _read_layer(overrides, over_sources, reading)
    _tag(sources, overrides, "")
    sources.update(over_sources)
    sources = {k: v for k, v in sources.items() if v}
    return deep_merge(base, overrides), sources


def env_overrides(environ: Mapping[str, str], label: str) -> tuple[dict, dict[str, str], list[str]]:
    """Overrides from environment-style variables: short names first, then ``MEDTUNE__A__B``.

    A short name's value is parsed as its key's type (``WARMUP_RATIO=abc`` is an error naming the
    variable); an empty one (``SYSTEM_PROMPT=``) is unset. Two names that set the same key to
    different values are an error, not a coin toss; so is a ``MEDTUNE_`` variable medtune does not know.
    """
    data: dict = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    set_by: dict[str, tuple[str, str, Any]] = {}
    for name, short in ENV_SHORT_NAMES.items():
        raw = environ.get(name)
        if raw is None or not raw.strip():
            continue
        try:
            value = short.parse(raw)
        except ValueError as exc:
            problems.append(f"{short.path}: {exc}; got {raw!r} (from {label} {name})")
            continue
        path = short.path
        if path in set_by and set_by[path][2] != value:
            other, other_raw, _ = set_by[path]
            problems.append(f"{path}: {other}={other_raw!r} and {name}={raw!r} ({label}) disagree; unset one")
            continue
        set_by[path] = (name, raw, value)
        _set_path(data, path, value)
        sources[path] = f"{label} {name}"
    for name, raw in environ.items():
        why = unknown_variable(name, ENV_PREFIX)
        if why:
            problems.append(f"{why} ({label})")
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX:
            continue
        path = ".".join(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        if path in set_by and set_by[path][2] != parse_value(raw):
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
    """The base file: a path, the name of a shipped template (``--config quick_test``), or ./config.yaml."""
    path = Path(config) if config else Path.cwd() / DEFAULT_CONFIG_NAME
    if not path.is_file():
        named = template_path(str(config)) if config else None
        if named is not None:
            return named
        hint = "" if config else " (run from the project directory or pass --config PATH)"
        raise ConfigError([f"config file not found: {path}{hint}; named templates: {', '.join(named_templates())}"])
    return path


def available_envs(base: Path) -> list[str]:
    stem = base.stem
    return sorted(p.name[len(stem) + 1 : -len(".yaml")] for p in base.parent.glob(f"{stem}.*.yaml"))


def env_path_for(base: Path, env: str) -> Path:
    """The overlay for ``--env NAME``: ``{stem}.{NAME}.yaml`` beside the base file."""
    return base.with_name(f"{base.stem}.{env}.yaml")


@dataclass
class Layers:
    """Every layer merged: the data, the source of each value, and what reading them found."""

    data: dict
    sources: dict[str, str]
    files: list[Path]
    root: Path  # the project: the base file's directory (the working directory for a named template)
    problems: list[str] = field(default_factory=list)
    reading: Reading = field(default_factory=Reading)
    keys: dict[str, str] = field(default_factory=dict)  # every key written, sections too -> file:line
    warnings: list[str] = field(default_factory=list)
    resume: str | None = None


def read_layers(
    config: str | os.PathLike | None = None,
    env: str | None = None,
    overrides: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    dotenv: str | os.PathLike | None | Literal[False] = None,
) -> Layers:
    """Merge every layer into one dict, each read through medtune.config.aliases first.

    Problems in the overrides are returned, not raised, so validation can list them with the rest;
    a missing or unreadable file is raised at once, since nothing else can be checked without it.
    With a named template as the base, the project is the working directory: its
    ``config.{env}.yaml`` and ``.env`` apply.
    """
    base_path = find_config(config)
    named = config is not None and not Path(config).is_file()  # find_config found a shipped template
    root = Path.cwd() if named else base_path.parent
    environ = os.environ if environ is None else environ
    reading, keys = Reading(), {}
    data, sources = _load_file(base_path, reading, keys, label=f"template {base_path.stem}" if named else None)
    layers = Layers(data, sources, [base_path], root, reading=reading, keys=keys)

    env_file_label = None
    if env:
        env_path = env_path_for(root / DEFAULT_CONFIG_NAME if named else base_path, env)
        if not env_path.is_file():
            envs = available_envs(root / DEFAULT_CONFIG_NAME if named else base_path)
            raise ConfigError(
                [f"--env {env}: no {env_path.name} next to {base_path.name if not named else root}; "
                 f"available: {', '.join(envs) or 'none'}"]
            )
        env_data, env_sources = _load_file(env_path, reading, keys)
        _merge_layer(layers, env_data, env_sources)
        layers.files.append(env_path)
        env_file_label = env_path.name

    dotenv_path = None if dotenv is False else Path(dotenv) if dotenv else root / ".env"
    if dotenv and dotenv is not False and not Path(dotenv).is_file():
        raise ConfigError([f"--env-file {dotenv}: no such file"])
    if dotenv_path is not None and dotenv_path.is_file():
        dot_data, dot_sources, dot_problems = env_overrides(_read_dotenv(dotenv_path), dotenv_path.name)
        layers.problems += dot_problems
        dot_data, dot_sources = _read_layer(dot_data, dot_sources, reading)
        if env_file_label:  # .env outranks the --env file: say so wherever that changes a value
            for path, src in dot_sources.items():
                old = layers.sources.get(path, "")
                if old.startswith(env_file_label + ":"):
                    layers.warnings.append(
                        f"{path}: {src} overrides {old} (--env {env}); .env applies to every environment, "
                        f"so remove it there if {env_file_label} should decide")
        _merge_layer(layers, dot_data, dot_sources)
        layers.files.append(dotenv_path)
    for layer_data, layer_sources, layer_problems in (env_overrides(environ, "env"), cli_overrides(overrides or [])):
        layers.problems += layer_problems
        for path, src in layer_sources.items():  # an error on a section these made names the variable or flag
            parts = path.split(".")
            keys.update({".".join(parts[:n]): src for n in range(1, len(parts) + 1)})
        _merge_layer(layers, *_read_layer(layer_data, layer_sources, reading))
    layers.sources = {k: v for k, v in layers.sources.items() if v}
    layers.resume = _pop_resume(layers)
    return layers


def _merge_layer(layers: Layers, data: dict, sources: dict[str, str]) -> None:
    layers.data = deep_merge(layers.data, data)
    _tag(layers.sources, data, "")  # clear deeper stale sources
    layers.sources.update(sources)


def _pop_resume(layers: Layers) -> str | None:
    """``training.resume_from_checkpoint``: where `medtune train` starts (as --resume), not a setting of the run."""
    training = layers.data.get("training")
    if not isinstance(training, dict) or RESUME_KEY.split(".")[1] not in training:
        return None
    value = training.pop(RESUME_KEY.split(".")[1])
    src = layers.sources.pop(RESUME_KEY, "default")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        layers.problems.append(f"{RESUME_KEY}: expected a run directory, a checkpoint directory or latest; "
                               f"got {value!r} (from {src})")
        return None
    layers.reading.notes.append(f"`{RESUME_KEY}: {value}` ({src}): `medtune train` resumes it, as --resume does")
    return ResumeRef(value, f"{RESUME_KEY}: {value} ({src})")


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
    layers = read_layers(config, env, overrides, environ, dotenv)
    problems = layers.problems + layers.reading.problems
    cfg, schema_problems = validate_data(layers.data, layers.sources, layers.keys)
    problems += schema_problems
    if cfg is None:
        return None, problems
    cfg = cfg.with_root(layers.root)
    resolved = ResolvedConfig(cfg, layers.sources, layers.files, env, list(layers.warnings),
                              list(dict.fromkeys(layers.reading.notes)), layers.resume)
    problems += [p for p in (check(cfg) for check in layers.reading.checks) if p]
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
        section = data.get("data") if isinstance(data, dict) else None
        if isinstance(section, dict) and "max_length" in section:  # saved when it was a second length limit
            legacy = section.pop("max_length")
            section["max_seq_length"] = min(legacy, section.get("max_seq_length", legacy))
        cfg = Config.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise MedtuneError(f"cannot read the run's config {path}: {exc}") from None
    return cfg
