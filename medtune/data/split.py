"""The eval split and dataset weights, both decided by hashes of the content, never by position.

A row goes to eval when ``hash(data_seed, content) < eval_dataset_size`` (a fraction), or when its
hash is among the ``eval_dataset_size`` smallest (a count). Adding rows to a file therefore never
moves an existing row between train and eval with a fraction; with a count, a new row can only
take an eval place from the row with the largest hash. Exact duplicates share a hash, so they
always land in the same split.

Weights oversample or subsample a dataset's train rows: weight 2.5 keeps every row twice and half
of them (chosen by hash) a third time; weight 0.3 keeps about 30%.
"""

from __future__ import annotations

import hashlib
import math

from medtune.errors import DataError


def unit_hash(seed: int, salt: str, key: str) -> float:
    """A number in [0, 1) from the content: stable across runs, machines and row order."""
    digest = hashlib.blake2b(f"{seed}\0{salt}\0{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def eval_mask(keys: list[str], size: float, seed: int) -> list[bool]:
    if size <= 0 or not keys:
        return [False] * len(keys)
    hashes = [unit_hash(seed, "split", k) for k in keys]
    if size < 1:
        return [h < size for h in hashes]
    count = int(size)
    if count >= len(keys):
        raise DataError(
            f"data.eval_dataset_size: {count} eval rows asked for, but only {len(keys)} rows are left after "
            "cleaning; use a smaller count or a fraction"
        )
    cut = sorted(hashes)[count - 1]
    return [h <= cut for h in hashes]


def copies(weight: float, seed: int, key: str) -> int:
    """How many times a train row appears under ``weight``."""
    whole = math.floor(weight)
    return whole + (1 if unit_hash(seed, "weight", key) < weight - whole else 0)


def split_digest(dataset) -> str:
    """sha256 of a tokenized split (each row's input_ids and labels, order-free). Training records
    the eval split's as ``dataset.eval_sha256`` in the run metadata, so evaluate can prove it
    scores exactly the conversations training held out."""
    import json

    rows = sorted(
        hashlib.sha256(json.dumps([r["input_ids"], r["labels"]], separators=(",", ":")).encode()).hexdigest()
        for r in dataset
    )
    return hashlib.sha256("".join(rows).encode()).hexdigest()
