"""The data pipeline, in the order it runs:

load (every format) -> check and normalize turns -> system prompt -> PII scrub -> content filter
-> deferral consistency -> exact dedup -> tokenize (assistant-only labels) and length filter
-> eval split (by content hash, or the eval files) -> near-dedup and train/eval contamination -> dataset weights.

Every row that does not make it is counted under one reason and listed in the rejects file, so
``input == kept + sum(dropped)`` always holds. The result is cached by a fingerprint of the
inputs, the settings and the code (cache.py).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medtune.chat_template import IGNORE_INDEX, render_masked
from medtune.config import Config
from medtune.data import cache
from medtune.data import report as report_mod
from medtune.data.clean import ContentFilter, apply_system_prompt, clean_turns, dedup_key
from medtune.data.dedup import NearResult, exact_duplicates, near_duplicates
from medtune.data.deferral import DeferralCheck, find_all
from medtune.data.formats import ROW_FATES, check_fields, conversations, detect_format
from medtune.data.pii import scrub, scrub_messages
from medtune.data.records import INVALID_REASONS, Drop, Record, RowError, raw_hash
from medtune.data.sources import SourceFile, dataset_specs, eval_specs, read_rows, source_files, spec_name
from medtune.data.split import copies, eval_mask
from medtune.data.tokenize import tokenize_many
from medtune.errors import DataError

log = logging.getLogger("medtune.data")
N_EXAMPLES = 3
MAX_LISTED = 100  # flagged rows listed by file:line in the report


@dataclass
class PreparedData:
    """Tokenized train/eval splits (``datasets.Dataset`` with input_ids, attention_mask, labels,
    messages) plus what the run metadata and the data report need."""

    train: Any
    eval: Any | None
    fingerprint: str
    provenance: list[dict]
    report: dict = field(default_factory=dict)
    rejects_path: Path | None = None

    def write_report(self, out_dir: Path) -> None:
        """data_report.json, data_report.md, token_lengths.png and rejects.jsonl into ``out_dir``."""
        report_mod.write(Path(out_dir), self.report, self.rejects_path)


def prepare_data(cfg: Config, tokenizer, report_dir: Path | None = None) -> PreparedData:
    """Load, clean, deduplicate, split and tokenize the configured training data (cached)."""
    start = time.perf_counter()
    train_specs = dataset_specs(cfg)
    specs = train_specs + eval_specs(cfg)  # eval files go through the same stages, counted as theirs
    files = [source_files(cfg, spec) for spec in specs]
    fp = cache.fingerprint(cfg, [{"dataset": i, "path": f.shown, "sha256": f.sha256} for i, fs in enumerate(files) for f in fs], tokenizer)
    hit = cache.load(cfg, fp)
    if hit is not None:
        train, evals, meta, entry = hit
        rep = meta["report"]
        rep["cache"] = {"hit": True, "entry": str(entry), "seconds": round(time.perf_counter() - start, 3)}
        prepared = PreparedData(train, evals, fp, meta["provenance"], rep, entry / "rejects.jsonl")
        log.info("data: cache hit %s (%d train, %d eval)", entry, len(train), len(evals) if evals is not None else 0)
    else:
        prepared, rejects = _Pipeline(cfg, tokenizer, specs, files, fp, report_dir, len(train_specs)).run()
        rep = prepared.report
        rep["timings"]["total"] = round(time.perf_counter() - start, 3)
        meta = {"fingerprint": fp, "report": rep, "provenance": prepared.provenance}
        entry = cache.save(cfg, fp, prepared.train, prepared.eval, meta, rejects)
        prepared.rejects_path = entry / "rejects.jsonl"
        rep["cache"] = {"hit": False, "entry": str(entry)}
    if report_dir is not None:
        prepared.write_report(Path(report_dir))
    return prepared


class _Pipeline:
    def __init__(self, cfg: Config, tokenizer, specs, files: list[list[SourceFile]], fp: str, report_dir: Path | None, n_train: int):
        self.cfg, self.tok, self.specs, self.files, self.fp = cfg, tokenizer, specs, files, fp
        self.n_train = n_train  # specs[n_train:] are eval files
        self.report_dir = report_dir
        self.log_phi = cfg.logging.log_phi
        self.drops: list[Drop] = []
        self.timings: dict[str, float] = {}  # wall seconds per stage
        self.cpu: dict[str, float] = {}  # CPU seconds per stage (all threads): comparable on a busy machine
        self._t, self._c = time.perf_counter(), time.process_time()

    def _lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.timings[name] = round(now - self._t, 3)
        self.cpu[name] = round(cpu - self._c, 3)
        self._t, self._c = now, cpu

    def _drop(self, rec: Record, reason: str, detail: str = "") -> None:
        text = None
        if self.log_phi:  # already scrubbed; the system prompt is config, not data
            text = json.dumps([m for m in rec.messages if m["role"] != "system"], ensure_ascii=False)
        self.drops.append(Drop(rec.file, rec.line, reason, detail, rec.row_hash, rec.source, text))

    def _invalid(self, sf: SourceFile, source: int, line: int, err: RowError, raw: str, row_hash: str) -> None:
        # a lone surrogate (a JSON "\ud800" escape) cannot be written as UTF-8: keep it escaped
        text = scrub(raw, Counter()).encode("utf-8", "backslashreplace").decode("utf-8") if self.log_phi else None
        self.drops.append(Drop(sf.shown, line, err.reason, err.detail, row_hash, source, text))

    def run(self) -> tuple[PreparedData, list[dict]]:
        records, provenance, formats = self.load()
        self._lap("load")
        self.check_invalid(len(records))
        system = self.system_prompt(records)
        pii = self.scrub(records)
        self._lap("clean")
        records, content = self.content_filter(records)
        records, deferral = self.deferral(records)
        self._lap("safety")
        for r in records:
            r.key = dedup_key(r.messages)
        records, n_exact = self.exact_dedup(records)
        records, ids, labels, length, tok_info = self.tokenize(records)
        self._lap("tokenize")
        is_eval = self.eval_rows(records)
        near = self.near_dedup(records, is_eval)
        keep = [i for i in range(len(records)) if i not in near.dropped]
        self._lap("dedup_split")
        train_idx = [i for i in keep if not is_eval[i]]
        eval_idx = [i for i in keep if is_eval[i]]
        weighted = self.weight(train_idx, records)
        train = _dataset(records, ids, labels, weighted, f"{self.fp[:32]}-train")
        evals = _dataset(records, ids, labels, eval_idx, f"{self.fp[:32]}-eval") if eval_idx else None
        self._lap("build")
        eval_files = self.eval_files_report(eval_idx)

        n_input = self.loaded + sum(1 for x in self.drops if x.invalid)
        assert len(keep) + len(self.drops) == n_input, "every row is either kept or dropped for one reason"
        rep = {
            "fingerprint": self.fp,
            "config": self.config_summary(),
            "sources": self.sources_report(provenance, formats, records, train_idx, eval_idx, weighted),
            "rows": self.rows_report(n_input, len(keep)),
            "normalized_rows": self.normalized,
            "system_prompt": system,
            "pii": pii,
            "content_filter": content,
            "deferral": deferral,
            "duplicates": self.duplicates_report(records, n_exact, near),
            "length": length,
            "split": {"train": len(train_idx), "eval": len(eval_idx), "train_weighted": len(weighted)},
            "eval_files": eval_files,
            "token_lengths": {
                "train": report_mod.length_stats([len(ids[i]) for i in train_idx]),
                "eval": report_mod.length_stats([len(ids[i]) for i in eval_idx]),
                "histogram": report_mod.histogram([len(ids[i]) for i in train_idx], [len(ids[i]) for i in eval_idx]),
            },
            "trained_tokens": int(sum(int((labels[i] != IGNORE_INDEX).sum()) for i in weighted)),
            "tokenization": tok_info,
            "examples": [
                {"source": f"{records[i].file}:{records[i].line}", "text": render_masked(self.tok, ids[i].tolist(), labels[i].tolist())}
                for i in _example_rows(records, train_idx)
            ],
            "rejects": {"count": len(self.drops), "file": "rejects.jsonl", "log_phi": self.log_phi, "first": [x.where() for x in self.drops[:10]]},
            "timings": self.timings,
            "cpu_timings": self.cpu,
        }
        self._lap("report")
        return PreparedData(train, evals, self.fp, provenance, rep), [x.to_dict() for x in self.drops]

    # -- stages ---------------------------------------------------------------------------------

    def load(self) -> tuple[list[Record], list[dict], list[str]]:
        records: list[Record] = []
        provenance: list[dict] = []
        formats: list[str] = []
        self.loaded_per_source: Counter = Counter()
        self.normalized = 0
        for si, (spec, files) in enumerate(zip(self.specs, self.files, strict=True)):
            seen_formats = []
            for sf in files:
                fmt, fields, rows = _with_format(sf, spec.format, spec.fields)
                read, fates = Counter(), Counter()
                for line, raw, conv in conversations(fmt, progress(_counting(rows, read), f"reading {sf.shown}"), fields, sf.shown, fates):
                    row_hash = raw_hash(raw)
                    if isinstance(conv, RowError):
                        self._invalid(sf, si, line, conv, raw, row_hash)
                        continue
                    try:
                        messages, changed = clean_turns(conv)
                    except RowError as exc:
                        self._invalid(sf, si, line, exc, raw, row_hash)
                        continue
                    self.normalized += changed
                    records.append(Record(messages, si, sf.shown, line, row_hash))
                    self.loaded_per_source[si] += 1
                provenance.append(
                    {"dataset": spec_name(spec), "path": sf.shown, "sha256": sf.sha256, "rows": read["rows"],
                     "format": fmt, "license": spec.license, "weight": spec.weight, "role": "train" if si < self.n_train else "eval"}
                )  # fmt: skip
                if fmt == "oasst":  # a row is a tree or one message of one: what became of each
                    assert sum(fates.values()) == read["rows"], "every OpenAssistant row is counted once"
                    provenance[-1]["row_fates"] = {k: fates[k] for k in ROW_FATES if fates[k]}
                if fmt not in seen_formats:
                    seen_formats.append(fmt)
            formats.append("/".join(seen_formats))
        self.loaded = len(records)
        return records, provenance, formats

    def check_invalid(self, n_valid: int) -> None:
        invalid = [x for x in self.drops if x.invalid]
        total = n_valid + len(invalid)
        names = ", ".join(spec.path for spec in self.specs)
        if total == 0:
            raise DataError(f"data: no rows in {names}")
        limit = self.cfg.data.max_invalid_fraction
        if len(invalid) / total > limit:
            path = self._write_early_rejects()
            first = "\n".join(f"  {x.where()}" for x in invalid[:5])
            more = f"\n  ... and {len(invalid) - 5} more" if len(invalid) > 5 else ""
            raise DataError(
                f"{len(invalid)} of {total} rows ({len(invalid) / total:.1%}) are malformed, above "
                f"data.max_invalid_fraction ({limit:.1%}):\n{first}{more}\nevery one, with its reason, is in {path}; "
                "fix those rows or raise data.max_invalid_fraction"
            )
        if n_valid == 0:
            raise DataError(f"data: no usable conversations in {names}")

    def _write_early_rejects(self) -> Path:
        if self.report_dir is not None:
            Path(self.report_dir).mkdir(parents=True, exist_ok=True)
            path = Path(self.report_dir) / "rejects.jsonl"
        else:
            root = cache.cache_root(self.cfg)
            root.mkdir(parents=True, exist_ok=True)
            path = root / f"rejects-{self.fp[:12]}.jsonl"
        cache.write_rejects(path, [x.to_dict() for x in self.drops])
        return path

    def system_prompt(self, records: list[Record]) -> dict:
        mode = self.cfg.data.system_prompt_mode
        prompt = self.cfg.safety.system_prompt
        done: Counter = Counter()
        for r in records:
            r.messages, action = apply_system_prompt(r.messages, prompt, mode)
            done[action] += 1
        out = {"mode": mode, **{k: done[k] for k in ("inserted", "replaced", "prepended", "kept", "unchanged")}}
        out["changed"] = out["inserted"] + out["replaced"] + out["prepended"]
        return out

    def scrub(self, records: list[Record]) -> dict:
        if not self.cfg.data.pii_scrub:
            return {"enabled": False, "rows": 0, "replacements": {}}
        counts: Counter = Counter()
        rows = sum(scrub_messages(r.messages, counts) for r in records)
        return {"enabled": True, "rows": rows, "replacements": dict(counts.most_common())}

    def content_filter(self, records: list[Record]) -> tuple[list[Record], dict]:
        cf = self.cfg.safety.content_filter
        terms = cf.blocked_terms if cf.enabled else []
        flt = ContentFilter(terms)
        kept, flagged, matched = [], [], 0
        for r in records:
            term = flt.find(r.messages)
            if term is not None:
                matched += 1
                if cf.action == "drop":
                    self._drop(r, "content_filter", f"blocked term {term!r}")
                    continue
                r.flags.append("content_filter")
                if len(flagged) < MAX_LISTED:
                    flagged.append({"source": f"{r.file}:{r.line}", "term": term})
            kept.append(r)
        return kept, {"enabled": cf.enabled, "action": cf.action, "terms": len(terms), "matched": matched, "flagged": flagged}

    def deferral(self, records: list[Record]) -> tuple[list[Record], dict]:
        check, status = DeferralCheck.from_config(self.cfg)
        policy = self.cfg.safety.training_policy
        rep = {"status": status, "checked": check is not None, "policy": policy, "inconsistent": 0,
               "by_category": {}, "rewritten": 0, "dropped": 0, "flagged": []}  # fmt: skip
        if check is None:
            log.warning("data: deferral consistency %s", status)
            return records, rep
        kept: list[Record] = []
        categories: Counter = Counter()
        found_all = find_all(check, [r.messages for r in records], self.cfg.data.num_proc, progress)
        for r, found in zip(records, found_all, strict=True):
            if not found:
                kept.append(r)
                continue
            rep["inconsistent"] += 1
            cats = sorted({str(x.category) for x in found})
            categories.update(cats)
            if len(rep["flagged"]) < MAX_LISTED:
                rep["flagged"].append({"source": f"{r.file}:{r.line}", "categories": cats})
            if policy == "drop":
                self._drop(r, "deferral_inconsistent", ", ".join(cats))
                rep["dropped"] += 1
                continue
            if policy == "rewrite":
                for x in found:
                    if x.message:
                        r.messages[x.turn] = {"role": "assistant", "content": x.message}
                rep["rewritten"] += 1
            r.flags.append("deferral_inconsistent")
            kept.append(r)
        rep["by_category"] = dict(categories.most_common())
        return kept, rep

    def tokenize(self, records: list[Record]):
        d = self.cfg.data
        ids, labels, info = tokenize_many(self.tok, [r.messages for r in records], progress=progress)
        limit = min(d.max_length, d.max_seq_length)
        out_r, out_i, out_l = [], [], []
        counts = Counter()
        for r, i, lab in zip(records, ids, labels, strict=True):
            n = len(i)
            if not (lab != IGNORE_INDEX).any():
                self._drop(r, "nothing_trained", "every assistant turn is marked train: false or weight: 0")
                counts["nothing_trained"] += 1
                continue
            if n < d.min_length:
                self._drop(r, "too_short", f"{n} tokens, min_length {d.min_length}")
                counts["too_short"] += 1
                continue
            if n > limit:
                if d.truncation == "drop":
                    self._drop(r, "too_long", f"{n} tokens, limit {limit}")
                    counts["too_long"] += 1
                    continue
                i, lab = i[:limit], lab[:limit]
                if not (lab != IGNORE_INDEX).any():
                    self._drop(r, "too_long", f"{n} tokens; no answer token within the first {limit}")
                    counts["too_long"] += 1
                    continue
                counts["truncated"] += 1
            out_r.append(r)
            out_i.append(i)
            out_l.append(lab)
        length = {k: counts[k] for k in ("too_short", "too_long", "truncated")}
        return out_r, out_i, out_l, length, info

    def exact_dedup(self, records: list[Record]) -> tuple[list[Record], int]:
        if not self.cfg.data.dedup.exact:
            return records, 0
        # eval files first: a training row that repeats an eval row is the one dropped
        order = sorted(range(len(records)), key=lambda i: records[i].source < self.n_train)
        dupes = {order[a]: order[b] for a, b in exact_duplicates([records[i].key for i in order]).items()}
        for i, j in sorted(dupes.items()):
            self._drop(records[i], "exact_duplicate", f"same as {records[j].file}:{records[j].line}")
        return [r for i, r in enumerate(records) if i not in dupes], len(dupes)

    def eval_rows(self, records: list[Record]) -> list[bool]:
        """Which rows are eval: those of the eval files when there are any, else the hash split."""
        if self.n_train < len(self.specs):
            return [r.source >= self.n_train for r in records]
        return eval_mask([r.key for r in records], self.cfg.data.eval_dataset_size, self.cfg.training.data_seed)

    def near_dedup(self, records: list[Record], is_eval: list[bool]) -> NearResult:
        dd = self.cfg.data.dedup
        if not dd.near:
            return NearResult({}, 0, 0)
        result = near_duplicates([r.key for r in records], is_eval, dd.threshold, dd.num_perm, progress=progress)
        for i, (reason, j, sim) in sorted(result.dropped.items()):
            self._drop(records[i], reason, f"near-twin of {records[j].file}:{records[j].line} (similarity {sim:.2f})")
        return result

    def weight(self, train_idx: list[int], records: list[Record]) -> list[int]:
        seed = self.cfg.training.data_seed
        out: list[int] = []
        for i in train_idx:
            w = self.specs[records[i].source].weight
            out.extend([i] * (1 if w == 1 else copies(w, seed, records[i].key)))
        return out

    # -- report pieces ----------------------------------------------------------------------------

    def config_summary(self) -> dict:
        d = self.cfg.data
        return {
            "min_length": d.min_length,
            "max_length": min(d.max_length, d.max_seq_length),
            "truncation": d.truncation,
            "eval_dataset_size": 0 if self.n_train < len(self.specs) else d.eval_dataset_size,
            "eval_files": [s.path for s in self.specs[self.n_train :]],
            "data_seed": self.cfg.training.data_seed,
            "max_invalid_fraction": d.max_invalid_fraction,
            "system_prompt_mode": d.system_prompt_mode,
            "pii_scrub": d.pii_scrub,
        }

    def eval_files_report(self, eval_idx: list[int]) -> dict | None:
        """The eval files' own count (kept + each reason dropped = their conversations); an eval
        file none of whose rows survive is an error, not a run that silently evaluates nothing."""
        if self.n_train == len(self.specs):
            return None
        sources = range(self.n_train, len(self.specs))
        dropped = Counter(x.reason for x in self.drops if x.source >= self.n_train)
        n_input = sum(self.loaded_per_source[si] for si in sources) + sum(1 for x in self.drops if x.invalid and x.source >= self.n_train)
        assert len(eval_idx) + sum(dropped.values()) == n_input, "every eval row is either kept or dropped for one reason"
        paths = [self.specs[si].path for si in sources]
        if not eval_idx:
            why = ", ".join(f"{k} {v}" for k, v in dropped.most_common()) or "no rows"
            raise DataError(f"data: no eval conversation left in {', '.join(paths)} ({n_input} read; dropped: {why})")
        return {"paths": paths, "input": n_input, "kept": len(eval_idx), "dropped": {k: v for k, v in report_mod.drop_counts(dropped).items() if v}}

    def rows_report(self, n_input: int, kept: int) -> dict:
        counts = Counter(x.reason for x in self.drops)
        invalid = sum(counts[r] for r in INVALID_REASONS)
        return {
            "input": n_input,
            "kept": kept,
            "dropped": report_mod.drop_counts(counts),
            "invalid": invalid,
            "invalid_fraction": round(invalid / max(n_input, 1), 6),
        }

    def sources_report(self, provenance, formats, records, train_idx, eval_idx, weighted) -> list[dict]:
        invalid = Counter(x.source for x in self.drops if x.invalid)
        train = Counter(records[i].source for i in train_idx)
        evals = Counter(records[i].source for i in eval_idx)
        weighted_n = Counter(records[i].source for i in weighted)
        out = []
        for si, spec in enumerate(self.specs):
            mine = [p for p, f in zip(provenance, _file_sources(self.files), strict=True) if f == si]
            fates = sum((Counter(p["row_fates"]) for p in mine if "row_fates" in p), Counter())
            out.append({
                "name": spec_name(spec),
                "role": "train" if si < self.n_train else "eval",
                "path": spec.path,
                "format": formats[si],
                "files": len(self.files[si]),
                "rows_read": sum(p["rows"] for p in mine),
                **({"row_fates": {k: fates[k] for k in ROW_FATES if fates[k]}} if fates else {}),
                "conversations": self.loaded_per_source[si] + invalid[si],
                "invalid": invalid[si],
                "kept": train[si] + evals[si],
                "train": train[si],
                "eval": evals[si],
                "weight": spec.weight,
                "train_weighted": weighted_n[si],
                "license": spec.license,
            })  # fmt: skip
        return out

    def duplicates_report(self, records: list[Record], n_exact: int, near: NearResult) -> dict:
        dd = self.cfg.data.dedup
        reasons = Counter(reason for reason, _, _ in near.dropped.values())
        examples = [
            {"row": f"{records[i].file}:{records[i].line}", "twin": f"{records[j].file}:{records[j].line}",
             "similarity": round(sim, 3), "reason": reason}
            for i, (reason, j, sim) in sorted(near.dropped.items())[:5]
        ]  # fmt: skip
        return {
            "exact": n_exact,
            "near": reasons["near_duplicate"],
            "eval_contamination": reasons["eval_contamination"],
            "exact_enabled": dd.exact,
            "near_enabled": dd.near,
            "threshold": dd.threshold,
            "num_perm": dd.num_perm,
            "lsh_bands": near.bands,
            "lsh_rows_per_band": near.rows_per_band,
            "examples": examples,
        }


def _example_rows(records: list[Record], train_idx: list[int]) -> list[int]:
    """The first train rows, with the first tool-calling conversation among them when there is one."""
    shown = train_idx[:N_EXAMPLES]
    uses_tools = lambda i: any(m["role"] == "tool" for m in records[i].messages)  # noqa: E731
    if shown and not any(uses_tools(i) for i in shown):
        tool = next((i for i in train_idx if uses_tools(i)), None)
        if tool is not None:
            shown = shown[: N_EXAMPLES - 1] + [tool]
    return shown


def progress(items, desc: str, total: int | None = None, unit: str = "rows"):
    """A tqdm bar over ``items`` on a terminal (as the trainer's), nothing when not on one."""
    from tqdm.auto import tqdm

    return tqdm(items, desc=f"data: {desc}", total=total, unit=unit, disable=None, leave=False, mininterval=0.5, dynamic_ncols=True)


def _file_sources(files: list[list[SourceFile]]) -> list[int]:
    return [si for si, fs in enumerate(files) for _ in fs]


def _counting(rows, counter: Counter) -> Iterator:
    for item in rows:
        counter["rows"] += 1
        yield item


def _with_format(sf: SourceFile, fmt: str, fields: dict | None):
    """The file's format (detected from its first object row for auto), fields, and its rows."""
    rows = read_rows(sf.path, sf.shown)
    if fmt == "auto":
        head = []
        for item in rows:
            head.append(item)
            if isinstance(item[1], dict):
                break
        first = head[-1][1] if head and isinstance(head[-1][1], dict) else None
        try:
            fmt, fields = detect_format(first, fields) if first is not None else ("messages", None)
        except DataError as exc:
            raise DataError(f"{sf.shown}:{head[-1][0]}: {exc}") from None
        rows = itertools.chain(head, rows)
    if fmt == "custom":
        check_fields(fields)
    return fmt, fields, rows


def _offsets(lengths: np.ndarray):
    import pyarrow as pa

    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.array(offsets if offsets[-1] >= 2**31 else offsets.astype(np.int32)), offsets[-1] >= 2**31


def _list_array(offsets, large: bool, values: np.ndarray):
    import pyarrow as pa

    cls = pa.LargeListArray if large else pa.ListArray
    return cls.from_arrays(offsets, pa.array(values.astype(np.int64, copy=False)))


def _dataset(records: list[Record], ids: list[np.ndarray], labels: list[np.ndarray], order: list[int], fingerprint: str):
    """A ``datasets.Dataset`` built straight from Arrow arrays (no per-token Python objects).

    The fingerprint is given: otherwise ``datasets`` hashes the whole table to make one."""
    import pyarrow as pa
    from datasets import Dataset
    from datasets.table import InMemoryTable

    message = pa.struct([("role", pa.string()), ("content", pa.string())])
    offsets, large = _offsets(np.fromiter((len(ids[i]) for i in order), dtype=np.int64, count=len(order)))
    flat_ids = np.concatenate([ids[i] for i in order]) if order else np.zeros(0, dtype=np.int64)
    flat_labels = np.concatenate([labels[i] for i in order]) if order else np.zeros(0, dtype=np.int64)
    table = pa.table(
        {
            "input_ids": _list_array(offsets, large, flat_ids),
            "attention_mask": _list_array(offsets, large, np.ones(len(flat_ids), dtype=np.int64)),
            "labels": _list_array(offsets, large, flat_labels),
            "messages": pa.array([records[i].messages for i in order], type=pa.list_(message)),
        }
    )
    return Dataset(InMemoryTable(table), fingerprint=fingerprint)
