"""Duplicates: exact (same content after normalizing case and whitespace) and near (MinHash
over word 3-gram shingles, LSH banding to find candidates, then the exact Jaccard similarity of
the shingle sets against ``data.dedup.threshold``).

Near-duplicates are removed greedily in a fixed order: eval rows first (so the eval set stays
what the split chose), then train rows. An eval row with a near-twin among earlier eval rows is
a ``near_duplicate``; a train row with a near-twin in eval is ``eval_contamination`` (it is
dropped from train, so no eval example has a near-twin in training); a train row with a
near-twin among earlier train rows is a ``near_duplicate``.

Everything is deterministic: shingles are hashed with a stable hash, and the MinHash
permutations come from a fixed seed.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass

import numpy as np

SHINGLE = 3
ESTIMATE_MARGIN = 0.1  # MinHash estimates this close to the threshold are checked exactly (2+ sigma at 64 perms)
RECALL = 0.95  # chance that LSH proposes a pair whose similarity is exactly the threshold
_MASK61 = np.uint64((1 << 61) - 1)
_PUNCT_TO_SPACE = str.maketrans({c: " " for c in string.punctuation})


def exact_duplicates(keys: list[str]) -> dict[int, int]:
    """``{index: index of the first row with the same key}`` for every later repeat."""
    first: dict[bytes, int] = {}
    dupes = {}
    for i, key in enumerate(keys):
        h = hashlib.blake2b(key.encode(), digest_size=16).digest()
        j = first.setdefault(h, i)
        if j != i:
            dupes[i] = j
    return dupes


def lsh_bands(threshold: float, num_perm: int, recall: float = RECALL) -> tuple[int, int]:
    """LSH ``(bands, rows per band)``: the strictest banding that still finds a pair exactly at
    ``threshold`` with probability ``recall``. Candidates are verified exactly, so a looser band
    costs only time, while a missed pair is a duplicate kept."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


def _stable_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little") | 1


class _Shingles:
    """Word 3-gram shingle hashes of each text, as sorted unique uint64 arrays.

    Vectorized over the whole corpus: words become ids once, ids become stable 64-bit hashes,
    and shingles are hashed from three consecutive word hashes with array arithmetic.
    """

    def __init__(self, texts: list[str]):
        vocab: dict[str, int] = {}
        word_ids: list[int] = []
        lengths = np.empty(len(texts), dtype=np.int64)
        for n, text in enumerate(texts):
            words = text.translate(_PUNCT_TO_SPACE).split()
            lengths[n] = len(words)
            word_ids += [vocab.setdefault(w, len(vocab)) for w in words]
        word_hash = np.fromiter((_stable_hash(w) for w in vocab), dtype=np.uint64, count=len(vocab))
        h = word_hash[np.asarray(word_ids, dtype=np.int64)]
        ends = np.cumsum(lengths)
        starts = ends - lengths
        with np.errstate(over="ignore"):
            sh = h[:-2] * np.uint64(0x9E3779B97F4A7C15) ^ h[1:-1] * np.uint64(0xC2B2AE3D27D4EB4F) ^ h[2:] * np.uint64(0x165667B19E3779F9)
        self.sets: list[np.ndarray] = []
        for n in range(len(texts)):
            s, e = starts[n], ends[n]
            if e - s >= SHINGLE:
                self.sets.append(np.unique(sh[s : e - SHINGLE + 1]))
            else:  # too short for a 3-gram: the words together are the one shingle
                self.sets.append(np.array([int(np.bitwise_xor.reduce(h[s:e])) if e > s else 0], dtype=np.uint64))

    def jaccard(self, i: int, j: int) -> float:
        return float(self.jaccard_many(i, np.array([j]))[0])

    def jaccard_many(self, i: int, others: np.ndarray) -> np.ndarray:
        """Exact Jaccard similarity of text ``i`` with each of ``others``, in one vectorized pass."""
        a = self.sets[i]
        parts = [self.sets[j] for j in others.tolist()]
        lens = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        flat = np.concatenate(parts)
        at = np.minimum(np.searchsorted(a, flat), len(a) - 1)  # sorted, unique sets: membership by search
        starts = np.zeros(len(parts), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        inter = np.add.reduceat((a[at] == flat).astype(np.int64), starts)
        return inter / (len(a) + lens - inter)


def minhash(sets: list[np.ndarray], num_perm: int, seed: int = 1) -> np.ndarray:
    """``(len(sets), num_perm)`` MinHash signatures, vectorized over blocks of documents."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 61, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 61, size=num_perm, dtype=np.uint64)
    sig = np.empty((len(sets), num_perm), dtype=np.uint64)
    block, start, size = [], 0, 0
    budget = 1 << 18  # shingles per block: num_perm * budget * 8 bytes of scratch (128 MiB at 64)
    with np.errstate(over="ignore"):
        for i, s in enumerate(sets):
            block.append(s)
            size += len(s)
            if size >= budget or i == len(sets) - 1:
                flat = np.concatenate(block)
                offsets = np.cumsum([0] + [len(x) for x in block[:-1]])
                hashed = (flat[None, :] * a[:, None] + b[:, None]) & _MASK61
                sig[start : start + len(block)] = np.minimum.reduceat(hashed, offsets, axis=1).T
                start += len(block)
                block, size = [], 0
    return sig


@dataclass
class NearResult:
    dropped: dict[int, tuple[str, int, float]]  # index -> (reason, twin index, similarity)
    bands: int
    rows_per_band: int


def near_duplicates(texts: list[str], is_eval: list[bool], threshold: float, num_perm: int, progress=None) -> NearResult:
    """Which rows to drop as near-duplicates (see the module docstring for the order);
    ``progress(iterable, desc, total=)`` wraps the loop over rows (a progress bar)."""
    bands, rows = lsh_bands(threshold, num_perm)
    if not texts:
        return NearResult({}, bands, rows)
    shingles = _Shingles(texts)
    sig = minhash(shingles.sets, num_perm)
    keys = [sig[:, k * rows : (k + 1) * rows] for k in range(bands)]
    buckets: list[dict[bytes, list[int]]] = [{} for _ in range(bands)]
    order = [i for i in range(len(texts)) if is_eval[i]] + [i for i in range(len(texts)) if not is_eval[i]]
    dropped: dict[int, tuple[str, int, float]] = {}
    floor = max(0.0, threshold - ESTIMATE_MARGIN)
    evals = np.asarray(is_eval, dtype=bool)
    for i in progress(order, "near-duplicates", total=len(order)) if progress else order:
        row_keys = [keys[k][i].tobytes() for k in range(bands)]
        found = [buckets[k][row_keys[k]] for k in range(bands) if row_keys[k] in buckets[k]]
        twin, twin_sim, twin_eval = None, 0.0, False
        if found:
            cands = np.unique(np.concatenate(found)) if len(found) > 1 else np.asarray(found[0])
            # MinHash agreement estimates the similarity: only plausible twins get the exact check
            cands = cands[(sig[cands] == sig[i]).mean(axis=1) >= floor]
            if len(cands):
                sims = shingles.jaccard_many(i, cands)
                hits = np.flatnonzero(sims >= threshold)
                if len(hits):
                    in_eval = hits[evals[cands[hits]]]
                    best = in_eval[0] if len(in_eval) else hits[0]  # a twin in eval is contamination: it wins
                    twin, twin_sim, twin_eval = int(cands[best]), float(sims[best]), bool(evals[cands[best]])
        if twin is None:
            for k in range(bands):
                buckets[k].setdefault(row_keys[k], []).append(i)
        else:
            reason = "eval_contamination" if twin_eval and not is_eval[i] else "near_duplicate"
            dropped[i] = (reason, twin, twin_sim)
    return NearResult(dropped, bands, rows)
