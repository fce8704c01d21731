"""The real MedQuAD export (../shared/data/medquad.jsonl beside the repository) through the whole
pipeline: every row is accounted for. Skipped, with the reason, where the file is absent; it is
never copied into the repository."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MEDQUAD = REPO.parent / "shared" / "data" / "medquad.jsonl"

pytestmark = pytest.mark.skipif(not MEDQUAD.is_file(), reason=f"{MEDQUAD} not found: the shared MedQuAD export is not on this machine")


@pytest.fixture(scope="module")
def medquad(tmp_path_factory):
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from data_pipeline import medquad_config
    finally:
        sys.path.pop(0)
    from medtune.data import prepare_data
    from medtune.model import load_tokenizer

    cfg = medquad_config(MEDQUAD, tmp_path_factory.mktemp("medquad") / "cache", 2048)
    tok = load_tokenizer(cfg)
    out = tmp_path_factory.mktemp("medquad-report")
    return prepare_data(cfg, tok, report_dir=out), out, cfg, tok


def test_every_medquad_row_is_kept_or_dropped_for_one_reason(medquad):
    prepared, out, _cfg, _tok = medquad
    r = prepared.report
    n_lines = sum(1 for line in MEDQUAD.open(encoding="utf-8") if line.strip())
    assert r["rows"]["input"] == n_lines
    assert r["rows"]["kept"] + sum(r["rows"]["dropped"].values()) == n_lines
    assert r["split"]["train"] + r["split"]["eval"] == r["rows"]["kept"]
    assert len(prepared.train) == r["split"]["train_weighted"] and len(prepared.eval) == r["split"]["eval"]
    assert 0.07 < r["split"]["eval"] / r["rows"]["kept"] < 0.13
    assert r["rows"]["invalid"] == 0
    rejects = (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rejects) == sum(r["rows"]["dropped"].values())
    assert all(set(json.loads(x)) == {"file", "line", "reason", "detail", "sha256"} for x in rejects)  # no text: log_phi is off
    src = r["sources"][0]
    assert (src["rows_read"], src["kept"], src["format"]) == (n_lines, r["rows"]["kept"], "custom")
    assert prepared.provenance[0]["sha256"] == hashlib.sha256(MEDQUAD.read_bytes()).hexdigest()
    assert prepared.provenance[0]["rows"] == n_lines


def test_medquad_second_run_is_a_cache_hit(medquad):
    from medtune.data import cache, prepare_data, sources

    prepared, _out, cfg, tok = medquad
    files = [{"dataset": 0, "path": f.shown, "sha256": f.sha256} for f in sources.source_files(cfg, sources.dataset_specs(cfg)[0])]
    if cache.fingerprint(cfg, files, tok) != prepared.fingerprint:
        pytest.skip("the pipeline's code (medtune/data, chat_template or safety) changed while this test ran")
    again = prepare_data(cfg, tok)
    assert again.report["cache"]["hit"] and again.fingerprint == prepared.fingerprint
    assert again.report["cache"]["seconds"] < 10
    assert len(again.train) == len(prepared.train)
