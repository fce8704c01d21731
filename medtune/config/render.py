"""The resolved config as text: YAML annotated with each value's source, plain YAML for a run
directory, and the hash that says whether two configs are the same."""

from __future__ import annotations

import json
from typing import Any

import yaml

from medtune.config.layers import ResolvedConfig
from medtune.config.schema import Config


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
    # A long value keeps a space before its comment: YAML reads "text# x" as part of the value.
    lines = [(f"{text.ljust(width)}# {src}" if len(text) < width else f"{text}  # {src}") if src else text
             for text, src in rows]
    return "\n".join(lines)


def dump_config(cfg: Config) -> str:
    return yaml.safe_dump(cfg.to_dict(), sort_keys=False, allow_unicode=True, width=100)
