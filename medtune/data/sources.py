"""Where rows come from: dataset specs to files (a file, a directory, a glob), files to rows.

Readers yield ``(line, row, raw)`` where ``row`` is a dict or a ``RowError`` (bad JSON, not an
object) and ``raw`` is the row as text, for the rejects file's hash. ``line`` is the 1-based line
in JSONL and CSV files (where the record starts), the line where the item starts in a JSON
list, and the row number in Parquet files.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medtune.config import Config, DatasetSpec
from medtune.data.records import RowError
from medtune.errors import DataError

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")


@dataclass
class SourceFile:
    path: Path
    shown: str  # how reports and rejects name it: relative to the config root when inside it
    sha256: str


def dataset_specs(cfg: Config) -> list[DatasetSpec]:
    """``data.datasets`` when given, otherwise the single ``data.dataset_path`` dataset."""
    d = cfg.data
    if d.datasets:
        return list(d.datasets)
    if not d.dataset_path:
        raise DataError("data.dataset_path: no training data; set data.dataset_path or data.datasets")
    return [DatasetSpec(path=d.dataset_path, format=d.format, fields=d.fields, license=d.license)]


def spec_name(spec: DatasetSpec) -> str:
    return spec.name or spec.path


def resolve_files(cfg: Config, pattern: str) -> list[Path]:
    """A file, every data file under a directory (sorted, recursive), or a glob's data files."""
    if any(ch in pattern for ch in "*?["):
        p = Path(pattern)
        base, rel = (Path(p.anchor), str(p.relative_to(p.anchor))) if p.is_absolute() else (cfg.root, pattern)
        found = sorted(q for q in base.glob(rel) if q.is_file() and q.suffix.lower() in SUFFIXES)
    else:
        path = cfg.resolve_path(pattern)
        if path.is_dir():
            found = sorted(q for q in path.rglob("*") if q.is_file() and q.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found = [path]
        else:
            raise DataError(f"data: {pattern} does not exist (relative to {cfg.root})")
    if not found:
        raise DataError(f"data: {pattern} matches no {', '.join(SUFFIXES)} files (relative to {cfg.root})")
    return found


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def source_files(cfg: Config, spec: DatasetSpec) -> list[SourceFile]:
    out = []
    for p in resolve_files(cfg, spec.path):
        try:
            shown = str(p.resolve().relative_to(cfg.root))
        except ValueError:
            shown = str(p)
        out.append(SourceFile(p, shown, file_sha256(p)))
    return out


def read_rows(path: Path) -> Iterator[tuple[int, dict | RowError, str]]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path.read_text(encoding="utf-8-sig"))
    elif suffix == ".json":
        yield from _read_json(path.read_text(encoding="utf-8-sig"))
    elif suffix == ".csv":
        yield from _read_csv(path)
    elif suffix == ".parquet":
        yield from _read_parquet(path)
    else:  # pragma: no cover - resolve_files only returns known suffixes
        raise DataError(f"{path}: unsupported file type {suffix}")


def _object(obj) -> dict | RowError:
    return obj if isinstance(obj, dict) else RowError("not_an_object", f"got a JSON {type(obj).__name__}")


def _read_jsonl(text: str) -> Iterator[tuple[int, dict | RowError, str]]:
    loads = json.loads
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = _object(loads(line))
        except ValueError as exc:
            row = RowError("invalid_json", str(exc))
        yield n, row, line


def _read_json(text: str) -> Iterator[tuple[int, dict | RowError, str]]:
    """A list of objects, ``{"data": [...]}``, one object, or (misnamed) JSON Lines."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        yield from _read_json_array(text, text.index("["))
        return
    try:
        doc = json.loads(text)
    except ValueError as exc:
        if "Extra data" in str(exc):  # JSON Lines in a .json file
            yield from _read_jsonl(text)
            return
        line = text.count("\n", 0, getattr(exc, "pos", 0)) + 1
        yield line, RowError("invalid_json", f"the file is not valid JSON: {exc}"), text
        return
    items = doc.get("data") if isinstance(doc, dict) and isinstance(doc.get("data"), list) else None
    if items is None:
        yield 1, _object(doc), text
        return
    for i, item in enumerate(items, 1):
        yield i, _object(item), json.dumps(item, sort_keys=True, ensure_ascii=False)


def _read_json_array(text: str, pos: int) -> Iterator[tuple[int, dict | RowError, str]]:
    """Decode a top-level array item by item, so each item knows the line it starts on."""
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    line, counted = 1, 0
    i = pos + 1
    n = len(text)
    while True:
        while i < n and text[i] in ws:
            i += 1
        if i < n and text[i] == "]":
            return
        line += text.count("\n", counted, i)
        counted = i
        try:
            item, end = decoder.raw_decode(text, i)
        except ValueError as exc:
            yield line, RowError("invalid_json", f"{exc}; the rest of the file cannot be read"), text[i:]
            return
        yield line, _object(item), text[i:end]
        i = end
        while i < n and text[i] in ws:
            i += 1
        if i < n and text[i] == ",":
            i += 1
        elif i < n and text[i] == "]":
            return
        else:
            line += text.count("\n", counted, i)
            yield line, RowError("invalid_json", "expected ',' or ']' after an item; the rest of the file cannot be read"), text[i:]
            return


def _read_csv(path: Path) -> Iterator[tuple[int, dict | RowError, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        start = reader.line_num + 2  # the header is line 1
        for row in reader:
            raw = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
            if None in row:  # more cells than header columns
                yield start, RowError("missing_field", "more values than header columns"), raw
            else:
                yield start, {k: v for k, v in row.items() if k is not None}, raw
            start = reader.line_num + 1


def _read_parquet(path: Path) -> Iterator[tuple[int, dict | RowError, str]]:
    import pyarrow.parquet as pq

    for i, row in enumerate(pq.read_table(path).to_pylist(), 1):
        yield i, row, json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
