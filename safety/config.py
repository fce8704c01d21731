"""Reading a medtune YAML config (plus its per-environment overlay) without medtune.

pyyaml is imported here, lazily, so `import safety` stays light and the built-in
policy works on machines without it.
"""
from __future__ import annotations

import os
from pathlib import Path


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


def load_config(path: str | os.PathLike, env: str | None = None) -> dict:
    """The config at `path`, with `config.<env>.yaml` from the same folder merged over it."""
    config = load_yaml(path)
    if env:
        overlay = Path(path).parent / f"config.{env}.yaml"
        if not overlay.is_file():
            raise FileNotFoundError(f"no config for environment {env!r}: {overlay} not found")
        config = deep_merge(config, load_yaml(overlay))
    return config
