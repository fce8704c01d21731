"""Where rows come from: dataset specs to files (a file, a directory, a glob), files to rows.

Readers yield ``(line, row, raw)`` where ``row`` is a dict or a ``RowError`` (bad JSON or CSV,
not an object) and ``raw`` is the row as text, for the rejects file's hash. ``line`` is the 1-based
line in JSONL and CSV files (where the record starts), the line where the item starts in a JSON
list, and the row number in Parquet files.

Every row of a file is yielded exactly once, broken ones included, so ``kept + dropped`` always
equals the rows in the file: a broken item of a JSON list or a CSV row with a stray quote is
one invalid row and reading goes on after it. What makes a whole file unreadable (permissions,
an encoding that is not UTF-8/16/32, a corrupt Parquet file) is a ``DataError`` naming the file
and, where there is one, the line and byte.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import json
import re
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


def eval_specs(cfg: Config) -> list[DatasetSpec]:
    """The separate evaluation files: ``data.eval_path`` (read with ``data.format`` and ``fields``)
    and the ``eval_path`` of each ``data.datasets`` entry (read as that entry's ``path``). When
    there are any, they are the eval split; the config checks refuse a hash split beside them."""
    d = cfg.data
    out = [DatasetSpec(path=d.eval_path, format=d.format, fields=d.fields, license=d.license)] if d.eval_path else []
    for spec in d.datasets:
        if spec.eval_path:
            name = f"{spec.name} (eval)" if spec.name else None
            out.append(spec.model_copy(update={"path": spec.eval_path, "eval_path": None, "weight": 1.0, "name": name}))
    return out


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
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
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


def read_rows(path: Path, name: str | None = None) -> Iterator[tuple[int, dict | RowError, str]]:
    """The rows of one file. A file that cannot be read at all (missing permission, not UTF-8,
    not Parquet) raises ``DataError`` naming it; a row that cannot be read is a ``RowError``
    row, and the rows after it are still read."""
    name = name or str(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from _read_parquet(path, name)
        return
    text = read_text(path, name)
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(text)
    elif suffix == ".json":
        yield from _read_json(text)
    elif suffix == ".csv":
        yield from _read_csv(text, name)
    else:  # pragma: no cover - resolve_files only returns known suffixes
        raise DataError(f"{name}: unsupported file type {suffix}")


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{name}: cannot read the file: {exc.strerror or exc}") from None


# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)  # fmt: skip


def read_text(path: Path, name: str) -> str:
    """The file as text: UTF-8, or UTF-16/32 told by a byte-order mark or by the zero bytes of
    mostly-ASCII text (what Excel and PowerShell write). Anything else is an error naming the
    first byte that is not UTF-8, with its line, rather than a silently garbled row."""
    data = _read_bytes(path, name)
    encoding, skip = "utf-8", 0
    for bom, codec, _ in _BOMS:
        if data.startswith(bom):
            encoding, skip = codec, len(bom)
            break
    else:
        head = data[:4096]
        if len(head) >= 4 and head.count(0) * 4 >= len(head):
            even, odd = head[0::2].count(0), head[1::2].count(0)
            encoding = "utf-16-be" if even > odd else "utf-16-le"
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        pos = skip + exc.start
        line = data.count(b"\n", 0, pos) + 1
        column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
        if encoding == "utf-8":
            hint = _guess_encoding(data)
            raise DataError(
                f"{name}: line {line}, column {column}: byte 0x{data[pos]:02x} (file offset {pos}) is not UTF-8"
                f"{hint}; save the file as UTF-8"
            ) from None
        raise DataError(f"{name}: line {line}: bytes at file offset {pos} are not valid {encoding.upper()}; save the file as UTF-8") from None


def _guess_encoding(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        return " (it holds zero bytes: a binary file, or UTF-16 without a byte-order mark?)"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return " (the file looks like Windows-1252/Latin-1)"


def _object(obj) -> dict | RowError:
    return obj if isinstance(obj, dict) else RowError("not_an_object", f"got a JSON {type(obj).__name__}")


def _loads_row(text: str) -> dict | RowError:
    try:
        return _object(json.loads(text))
    except RecursionError:
        return RowError("invalid_json", "nested too deeply to read (more than about 1,000 levels)")
    except ValueError as exc:
        return RowError("invalid_json", str(exc))


def _read_jsonl(text: str) -> Iterator[tuple[int, dict | RowError, str]]:
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield n, _loads_row(line), line


_DATA_ARRAY = re.compile(r'\s*\{\s*"data"\s*:\s*\[')


def _read_json(text: str) -> Iterator[tuple[int, dict | RowError, str]]:
    """A list of objects, ``{"data": [...]}``, one object, or (misnamed) JSON Lines.

    Lists are read item by item, so a broken item is one invalid row and the items after it
    are still read and counted."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        yield from _read_json_array(text, text.index("["))
        return
    data = _DATA_ARRAY.match(text)
    if data:
        yield from _read_json_array(text, data.end() - 1, after="}")
        return
    try:
        doc = json.loads(text)
    except RecursionError:
        yield 1, RowError("invalid_json", "nested too deeply to read (more than about 1,000 levels)"), text
        return
    except ValueError as exc:
        if "Extra data" in str(exc) or sum(1 for line in text.split("\n") if line.startswith("{")) > 1:
            yield from _read_jsonl(text)  # JSON Lines in a .json file
            return
        line = text.count("\n", 0, getattr(exc, "pos", 0)) + 1
        yield line, RowError("invalid_json", f"the file is not valid JSON: {exc}"), text
        return
    items = doc.get("data") if isinstance(doc, dict) and isinstance(doc.get("data"), list) else None
    if items is None:
        yield 1, _object(doc), text
        return
    for i, item in enumerate(items, 1):
        yield i, _object(item), json.dumps(item, sort_keys=True)


_WS = " \t\r\n"
# What can end a broken item: string and nesting delimiters, and the line ends that a JSON string
# can never contain (so a stray quote stops at its line).
_STRUCTURE = re.compile(r'[\\"\[\]{},\n]')
_FIRST_KEY = re.compile(r'\{\s*("[^"\\\n]{1,100}")\s*:')


def _read_json_array(text: str, pos: int, after: str = "") -> Iterator[tuple[int, dict | RowError, str]]:
    """Decode the array that opens at ``pos`` item by item, so each item knows the line it
    starts on and a broken item costs one row, not the rest of the file."""
    decoder = json.JSONDecoder()
    n = len(text)
    last = text.rfind("]")  # the array's end, found once: a broken item never reads past it
    if last < 0 or text[last + 1 :].strip() != after:
        last = n  # not closed (a cut-off file), or more keys after {"data": [...]}
    line, counted = 1, 0
    i = pos + 1
    while True:
        while i < n and text[i] in _WS:
            i += 1
        if i >= n or text[i] == "]":
            return
        line += text.count("\n", counted, i)
        counted = i
        # An item that begins its line ends before the next line that begins one at its indentation
        # (a JSON string cannot hold a line break): decoding just that piece keeps the cost of a
        # broken item to its own length (a decode error counts the lines before it).
        bound = _line_item_bound(text, i, last)
        base = i if bound is not None else 0
        try:
            item, end = decoder.raw_decode(text[i:bound]) if bound is not None else decoder.raw_decode(text, i)
            end += base
            row = _object(item)
        except RecursionError:
            end = _broken_item_end(text, i, last, bound)
            row = RowError("invalid_json", "nested too deeply to read (more than about 1,000 levels)")
        except ValueError as exc:
            end = _broken_item_end(text, i, last, bound)
            at = base + getattr(exc, "pos", 0)
            row = RowError("invalid_json", f"{getattr(exc, 'msg', exc)} at line {line + text.count(chr(10), i, max(at, i))}")
        yield line, row, text[i:end]
        i = end
        while i < n and text[i] in _WS:
            i += 1
        if i < n and text[i] == ",":
            i += 1
        elif i < n and text[i] == "]":
            return
        # anything else: the next item starts here (after a broken item, or a missing comma)


def _line_item_bound(text: str, start: int, last: int) -> int | None:
    """For an item that begins its line: where the next line starting an item at the same
    indentation begins (or the array's last ``]``); None for an item in the middle of a line."""
    line_start = text.rfind("\n", max(0, start - 200), start) + 1
    indent = text[line_start:start]
    if line_start == 0 or indent.strip():
        return None
    nxt = re.compile("\n" + re.escape(indent) + r"[\[{]").search(text, start, max(last, start))
    return nxt.start() if nxt else (last if last > start else None)


def _broken_item_end(text: str, start: int, last: int, bound: int | None) -> int:
    """Where a broken array item ends: the ``,`` or ``]`` that closes it at the array's own
    depth (outside strings), but never past the next line that starts an item at this item's
    indentation (pretty-printed files), the next object that opens with this item's first key
    (a list on one line), or the array's last ``]``."""
    stop = len(text) if last <= start else last
    if bound is not None:
        stop = bound
    elif first_key := _FIRST_KEY.match(text, start):  # a list on one line: its items start with the same key
        nxt = re.compile(r",\s*(\{\s*" + re.escape(first_key.group(1)) + r"\s*:)").search(text, start + 1, stop)
        if nxt:
            stop = nxt.start(1)
    depth, in_string, j = 0, False, start
    while (m := _STRUCTURE.search(text, j, stop)) is not None:
        c, j = m.group(), m.end()
        if in_string:
            if c == "\\":
                j += 1  # an escaped character, whatever it is
            elif c in '"\n':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            if depth == 0:
                return max(m.start(), start + 1)
            depth -= 1
        elif depth == 0:  # a comma at the array's own depth
            return max(m.start(), start + 1)
    return max(stop, start + 1)


CSV_FIELD_LIMIT = 1 << 26  # 64 MiB: Python's default (128 KiB) refuses long answers that are real data


def _read_csv(text: str, name: str) -> Iterator[tuple[int, dict | RowError, str]]:
    """Rows of a CSV file with a header line. A row the csv module cannot parse (an unclosed
    or stray quote), or one with more cells than the header, is one invalid row; reading
    starts again on the line after where it began, so a stray quote never swallows the rows
    after it."""
    lines = text.split("\n")
    physical = [s + "\n" for s in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    header: list[str] | None = None
    k = 0  # index of the physical line the current reader starts at
    old_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        while k < len(physical):
            reader = csv.reader(_lines_from(physical, k), strict=True)
            begin = k  # index of the line where the next record starts
            restart = None
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    if header is None:
                        raise DataError(f"{name}: line {begin + 1}: the header line cannot be read as CSV ({exc})") from None
                    yield begin + 1, RowError("invalid_csv", f"{exc} (an unclosed or stray quote?)"), physical[begin]
                    restart = begin + 1
                    break
                end = k + reader.line_num  # lines consumed so far
                if header is None:
                    header = cells
                    if len(set(header)) != len(header):
                        dupes = sorted({h for h in header if header.count(h) > 1})
                        raise DataError(f"{name}: line {begin + 1}: the header repeats the column names {dupes}")
                elif cells:
                    raw = "".join(physical[begin:end])
                    if len(cells) > len(header) or (end - begin > 1 and len(cells) < len(header)):
                        spans = f" over lines {begin + 1}-{end}" if end - begin > 1 else ""
                        yield begin + 1, RowError(
                            "invalid_csv", f"{len(cells)} cells{spans}, the header has {len(header)} (an unquoted comma or a stray quote?)"
                        ), physical[begin]
                        if end - begin > 1:  # a stray quote joined lines: read them again one by one
                            restart = begin + 1
                            break
                    else:
                        yield begin + 1, dict(itertools.zip_longest(header, cells[: len(header)])), raw
                begin = end
            if restart is None:
                break
            k = restart
    finally:
        csv.field_size_limit(old_limit)


def _lines_from(lines: list[str], k: int) -> Iterator[str]:
    """``lines[k:]`` without copying or skipping k lines: a restart costs nothing."""
    for j in range(k, len(lines)):
        yield lines[j]


def _read_parquet(path: Path, name: str) -> Iterator[tuple[int, dict | RowError, str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        path.open("rb").close()  # an unreadable file says so, not pyarrow's OSError
    except OSError as exc:
        raise DataError(f"{name}: cannot read the file: {exc.strerror or exc}") from None
    i = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                i += 1
                yield i, row, json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    except (pa.ArrowException, OSError, ValueError) as exc:
        where = f" after row {i}" if i else ""
        raise DataError(f"{name}: not a readable Parquet file{where} ({exc})") from None
