"""Command line: `python -m safety check "message"` and `python -m safety scan FILE.jsonl`.

`check --earlier "an earlier message" "the newest"` decides the newest message of a
conversation the way `medtune chat` does (safety/conversation.py).

`scan` is meant for datasets and logs, so a bad line becomes an error record in the
output instead of stopping the run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO

from .guard import Decision, SafetyGuard

DEFAULT_CONFIG = "config.yaml"


def _guard(args: argparse.Namespace) -> tuple[SafetyGuard, str]:
    """(guard, safety.conversation.after_emergency) of --config, else ./config.yaml if
    present, else the built-in policy.

    With medtune installed, the guard medtune itself builds from these files (same layers, same
    audit rules), so this command and `medtune chat` enforce one policy.
    """
    config = args.config
    if config is None and Path(DEFAULT_CONFIG).is_file():
        config = DEFAULT_CONFIG
    if config is None:
        return SafetyGuard.from_config(None), "remind"
    from .config import load_config, medtune_config
    from .policy import safety_section

    cfg = medtune_config(config, args.env)
    if cfg is None:
        section = safety_section(load_config(config, args.env))
        mode = (section.get("conversation") or {}).get("after_emergency") or "remind"
        return SafetyGuard.from_config(section), mode
    from medtune.errors import MedtuneError
    from medtune.guard import build_guard

    try:
        return build_guard(cfg), cfg.safety.conversation.after_emergency
    except MedtuneError as exc:
        raise ValueError(str(exc)) from None


def format_decision(decision: Decision) -> str:
    lines = [decision.action.upper() + (f" ({decision.category})" if decision.category else "")]
    for m in decision.matches:
        notes = [n for n in ("negated" if m.negated else None, m.context) if n]
        where = f"message {m.message_index}, " if m.message_index is not None else ""
        lines.append(f"  {m.rule_id}: {m.phrase!r} matched {m.text!r} at {where}"
                     f"{m.span[0]}-{m.span[1]}" + (f" [{', '.join(notes)}]" if notes else ""))
    if decision.reason:
        lines.append(f"  why: {decision.reason}")
    if decision.triage:  # safety/triage.py: the combination rule and the findings it used
        triage = decision.triage
        lines.append(f"  triage {triage['category']}.{triage['rule']}: {triage['note']}")
        for f in triage["findings"]:
            lines.append(f"    {f['name']}: {f['text']!r} at {f['span'][0]}-{f['span'][1]}")
    if decision.redacted is not None:  # safety.redact_input: what the model would be given
        kinds = ", ".join(dict.fromkeys(r["kind"] for r in decision.redactions or ()))
        lines.append(f"  redacted ({kinds}), passed on as: {decision.redacted}")
    if decision.message:
        lines.append("")
        lines.append(decision.message)
    if decision.notice:
        lines.append("")
        lines.append(decision.notice)
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    guard, after_emergency = _guard(args)
    if args.earlier and not args.answer:  # the newest message of a conversation, as `medtune chat` decides it
        from .conversation import check_turn

        messages = [m for text in args.earlier for m in ({"role": "user", "content": text},
                                                         {"role": "assistant", "content": ""})]
        decision = check_turn(guard, [*messages, {"role": "user", "content": args.text}],
                              after_emergency=args.after_emergency or after_emergency)
    else:
        decision = guard.check_output(args.text) if args.answer else guard.check_input(args.text)
    if args.json:
        print(json.dumps(decision.to_dict(), ensure_ascii=False))
    else:
        print(format_decision(decision))
    return 0


def scan_lines(guard: SafetyGuard, lines: IO[str], field: str, out: IO[str]) -> None:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = scan_record(guard, line, number, field)
        except (RecursionError, ValueError, TypeError, UnicodeError) as exc:
            # one bad line (a lone surrogate, a deeply nested object) costs one record
            record = {"line": number, "error": f"{type(exc).__name__}: {exc}"[:300]}
        out.write(_json_line(record))


def _json_line(record: dict) -> str:
    """One output line; text that cannot be written as UTF-8 (a lone surrogate) is
    escaped instead of aborting the scan."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True)
    return line + "\n"


def scan_record(guard: SafetyGuard, line: str, number: int, field: str) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"line": number, "error": f"invalid JSON: {exc}"}
    except RecursionError:
        return {"line": number, "error": "invalid JSON: nested too deeply"}
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: read it as "?" (spans stay in place)
        obj = json.loads(json.dumps(obj, ensure_ascii=False).encode("utf-8", "replace"))
    if not isinstance(obj, dict):
        return {"line": number, "error": "expected a JSON object"}
    messages = obj.get("messages")
    if isinstance(messages, list) and all(isinstance(m, dict) for m in messages):
        decision = guard.check_conversation(messages)
    elif isinstance(obj.get(field), str):
        decision = guard.check_input(obj[field])
    else:
        return {"line": number, "error": f"no string field {field!r} and no 'messages' list",
                **({"id": obj["id"]} if "id" in obj else {})}
    record = {"line": number}
    if "id" in obj:
        record["id"] = obj["id"]
    record.update(decision.to_dict())
    return record


def cmd_scan(args: argparse.Namespace) -> int:
    guard, _ = _guard(args)
    if args.file == "-":
        scan_lines(guard, sys.stdin, args.field, sys.stdout)
    else:
        with open(args.file, encoding="utf-8", errors="replace") as fh:
            scan_lines(guard, fh, args.field, sys.stdout)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m safety",
                                     description="Check text against the medtune safety policy.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help=f"YAML config (default: ./{DEFAULT_CONFIG} if present, "
                        "else the built-in policy)")
    common.add_argument("--env", help="merge config.ENV.yaml from the config's folder")

    check = sub.add_parser("check", parents=[common], help="check one message")
    check.add_argument("text")
    check.add_argument("--json", action="store_true", help="print the decision as JSON")
    check.add_argument("--answer", action="store_true", help="check it as a model answer")
    check.add_argument("--earlier", action="append", default=[], metavar="TEXT",
                       help="an earlier user message of the same conversation (repeat, oldest first)")
    check.add_argument("--after-emergency", choices=("strict", "remind"),
                       help="after an earlier emergency (default: safety.conversation.after_emergency, else remind)")
    check.set_defaults(func=cmd_check)

    scan = sub.add_parser("scan", parents=[common], help="check every line of a JSONL file")
    scan.add_argument("file", help="JSONL file, or - for stdin")
    scan.add_argument("--field", default="text", help="field holding the text (default: text)")
    scan.set_defaults(func=cmd_scan)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError, RuntimeError) as exc:  # bad config or input file
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
