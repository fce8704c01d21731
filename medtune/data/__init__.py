"""The data pipeline: files in every common format, clean tokenized conversations out, and a
report of what was kept and dropped and why.

The trainer's seam: ``prepare_data(cfg, tokenizer, report_dir=None) -> PreparedData`` with
``.train`` / ``.eval`` (``datasets.Dataset``: input_ids, attention_mask, labels, messages),
``.fingerprint``, ``.provenance``, ``.report`` and ``.write_report(dir)``.

| module | idea |
| --- | --- |
| sources.py | dataset specs and eval files (``data.eval_path``) to files (file, directory, glob); JSONL, JSON, CSV, Parquet rows with line numbers |
| formats.py | messages, sharegpt, alpaca, prompt_completion, oasst, custom -> role/content turns; auto detection; what became of each oasst row |
| clean.py | whitespace, turn structure, system prompt, content filter, dedup key |
| pii.py | PII placeholders |
| deferral.py | deferral consistency through the safety guard |
| tokenize.py | batched tokenization identical to ``chat_template.tokenize_conversation`` |
| dedup.py | exact and MinHash/LSH near-duplicates, train/eval contamination |
| split.py | hash-based eval split, dataset weights |
| cache.py | fingerprint and on-disk cache |
| report.py | data_report.json / .md, token_lengths.png |
| pipeline.py | the stages in order |
"""

from medtune.data.pipeline import PreparedData, prepare_data

__all__ = ["PreparedData", "prepare_data"]
