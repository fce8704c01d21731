"""Reading a medtune YAML config for the safety layer, by the same rule as medtune.

With medtune installed, the config is resolved by ``medtune.config.load_config`` itself: the base
file, its ``base_template``, the ``{stem}.{env}.yaml`` overlay, ``.env``, environment variables.
So ``python -m safety check --config X --env E`` enforces exactly the policy ``medtune chat``
does on the same files. Without medtune (the safety package used on its own), a small reader
applies the same file rule: ``base_template`` inheritance and the ``{stem}.{env}.yaml`` overlay.

medtune and pyyaml are imported here, lazily, so ``import safety`` stays light and the built-in
policy works on machines without either.
"""
from __future__ import annotations

import os
from pathlib import Path


def load_config(path: str | os.PathLike, env: str | None = None) -> dict:
    """The whole config at ``path`` with the ``env`` overlay, as a plain dict.

    Raises ValueError for a config medtune rejects and FileNotFoundError for a missing file.
    """
    cfg = medtune_config(path, env)
    return read_layers(path, env) if cfg is None else cfg.to_dict()


def medtune_config(path: str | os.PathLike, env: str | None = None):
    """medtune's resolved ``Config`` for these files, or None when medtune is not installed."""
    overlay_path(path, env)  # a missing file is a FileNotFoundError on both paths
    try:
        from medtune.config import load_config as medtune_load_config
        from medtune.errors import MedtuneError
    except ImportError:
        return None
    try:
        # Paths (datasets, model cache) are not the safety layer's business; policy problems are.
        return medtune_load_config(path, env, check_paths=False).config
    except MedtuneError as exc:
        raise ValueError(str(exc)) from None


def read_layers(path: str | os.PathLike, env: str | None = None) -> dict:
    """Without medtune: the file (following ``base_template``) with ``{stem}.{env}.yaml`` over it."""
    overlay = overlay_path(path, env)
    config = load_file(Path(path))
    return deep_merge(config, load_file(overlay)) if overlay else config


def overlay_path(path: str | os.PathLike, env: str | None) -> Path | None:
    """``{stem}.{env}.yaml`` beside ``path`` (``config.dev.yaml`` for ``config.yaml``), checked to exist."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    if not env:
        return None
    overlay = path.with_name(f"{path.stem}.{env}.yaml")
    if not overlay.is_file():
        raise FileNotFoundError(f"no config for environment {env!r}: {overlay} not found")
    return overlay


def load_file(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """One YAML file; a file with ``base_template: OTHER`` is OTHER with its ``overrides:`` merged over."""
    if path.resolve() in seen:
        raise ValueError(f"base_template loop: {' -> '.join(str(p) for p in (*seen, path.resolve()))}")
    data = load_yaml(path)
    if "base_template" not in data:
        return data
    base = load_file(path.parent / str(data["base_template"]), (*seen, path.resolve()))
    overrides = data.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise ValueError(f"{path}: overrides must be a mapping")
    return deep_merge(base, overrides)


def load_yaml(path: str | os.PathLike) -> dict:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(f"reading {path} needs pyyaml (pip install pyyaml)") from exc
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: top level must be a mapping, not {type(data).__name__}")
    return data


def deep_merge(base: dict, overlay: dict) -> dict:
    """Overlay wins; nested mappings are merged key by key, everything else replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
