"""The `medtune` command: a thin map from subcommands to plain functions.

The only reader of argparse and the only place process-wide setup happens; nothing imports this
module. Each command: arguments -> config resolved once (:func:`resolve`) -> one typed library
call -> exit code. User errors (the MedtuneError family) print one message and exit 2.

Keep this module import-light: `medtune --help` and `medtune config` must not load torch or
transformers. Each command imports what it needs inside its own function.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medtune import __version__
from medtune.errors import MedtuneError

if TYPE_CHECKING:
    from medtune.config import ResolvedConfig

DATA_REPORT_DIR = "reports/data"


def _config_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("configuration")
    g.add_argument("--config", metavar="PATH", help="base config file, or a named template (listed in `medtune config --help`); default: ./config.yaml")
    g.add_argument("--env", metavar="NAME", help="overlay config.NAME.yaml, e.g. dev or prod")
    g.add_argument(
        "--set",
        dest="overrides",
        metavar="KEY.PATH=VALUE",
        action="append",
        default=[],
        help="override one value (YAML scalar or list); repeatable; highest precedence",
    )
    g.add_argument("--env-file", metavar="PATH", help="read this .env file instead of the one beside the config")


def resolve(
    args: argparse.Namespace,
    check_paths: bool = True,
    extra_overrides: Mapping[str, Any] | Sequence[str] = (),
    show_notes: bool = True,
) -> ResolvedConfig:
    """Load and validate the config the command line describes, once, and show its warnings.

    ``extra_overrides`` are a command's own flags as config values (``{"demo.port": 7861}`` or
    ``["demo.port=7861"]``, see :func:`flag_overrides`); they win over ``--set``, being the more
    specific thing the user typed.
    """
    from medtune.config import load_config

    if isinstance(extra_overrides, Mapping):
        # JSON is YAML: each value comes back as the same string, number or boolean.
        extra_overrides = [f"{key}={json.dumps(value)}" for key, value in extra_overrides.items()]
    resolved = load_config(
        args.config,
        args.env,
        [*args.overrides, *extra_overrides],
        dotenv=getattr(args, "env_file", None),
        check_paths=check_paths,
    )
    _print_warnings(resolved.warnings)
    if show_notes:
        _print_notes(resolved.notes)
    return resolved


def flag_overrides(args: argparse.Namespace, keys: Mapping[str, str]) -> dict[str, Any]:
    """The flags the user gave, as config values: ``{"host": "demo.host"}`` turns ``--host X``
    into ``{"demo.host": "X"}``. Flags left at None (or False for switches) are not overrides."""
    return {key: getattr(args, flag) for flag, key in keys.items() if getattr(args, flag, None) not in (None, False)}


def _print_warnings(warnings: list[str]) -> None:
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)


def _print_notes(notes: list[str]) -> None:
    for n in notes:
        print(f"note: {n}", file=sys.stderr)


def cmd_config(args: argparse.Namespace) -> int:
    from medtune.config import render_with_sources

    resolved = resolve(args, check_paths=False, show_notes=False)
    if args.format == "json":
        print(json.dumps({"config": resolved.config.to_dict(), "sources": resolved.sources, "notes": resolved.notes},
                         indent=2))
    else:  # medtune's own key names: saved to a file, this is the config in canonical form
        files = ", ".join(str(f) for f in resolved.files)
        print(f"# resolved from: {files}\n# each value's source follows it; 'default' means the built-in default")
        for note in resolved.notes:
            print(f"# note: {note}")
        print(render_with_sources(resolved))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from medtune.config import ConfigError, validate_all

    resolved, problems = validate_all(args.config, args.env, args.overrides, dotenv=args.env_file)
    _print_warnings(resolved.warnings if resolved else [])
    _print_notes(resolved.notes if resolved else [])
    if problems:
        raise ConfigError(problems)
    from medtune.disk import check_output_dir
    from medtune.memory import estimate_memory, format_estimate

    check_output_dir(resolved.config)  # a read-only or too small training.output_dir, as train would refuse it
    if resolved.config.evaluation.benchmarks:  # lm-eval's task index takes seconds: only when there are some
        from medtune.evaluate.benchmarks import plan_benchmarks

        plan_benchmarks(resolved.config)  # task names, lm-eval installed, hub data to be had, as evaluate checks them
    print(format_estimate(estimate_memory(resolved.config)))
    print(f"ok: {', '.join(str(f) for f in resolved.files)} is valid")
    return 0


def cmd_name(args: argparse.Namespace) -> int:
    from medtune.runs import run_name

    resolved = resolve(args, check_paths=False)
    print(run_name(resolved.config))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Exit 0 when done, 130 when Ctrl-C stopped it (after saving a checkpoint)."""
    from medtune import distributed
    from medtune.train import train

    resolved = resolve(args)
    cfg = resolved.config
    resume = args.resume or resolved.resume  # --resume, else training.resume_from_checkpoint
    nproc = distributed.processes_requested(args.nproc, cfg)
    if nproc > 1 and not distributed.is_launched():
        argv = distributed.train_args(
            config=args.config,
            env=args.env,
            env_file=args.env_file,
            overrides=args.overrides,
            resume=resume,
            allow_config_change=args.allow_config_change,
        )
        return distributed.launch(cfg, nproc, argv, resume=resume)
    try:
        result = train(cfg, resume=resume, allow_config_change=args.allow_config_change)
    except BaseException as exc:
        if distributed.world_size() > 1 and not isinstance(exc, KeyboardInterrupt):
            # Say which process failed; the launcher stops the others.
            print(f"{distributed.rank_prefix()}failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        raise
    return 130 if result.interrupted else 0


def cmd_data(args: argparse.Namespace) -> int:
    from medtune.data import prepare_data
    from medtune.data.report import console_summary
    from medtune.model import load_tokenizer

    cfg = resolve(args).config
    out = Path(args.out or DATA_REPORT_DIR)
    prepared = prepare_data(cfg, load_tokenizer(cfg), report_dir=out)
    print(console_summary(prepared.report, prepared.fingerprint))
    print(f"  report: {out / 'data_report.md'} (also data_report.json, token_lengths.png, rejects.jsonl)")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Serve the demo until Ctrl-C. The flags are config overrides, so the config's own checks
    (a public host or share link needs a login or demo.allow_public) refuse before anything loads."""
    import logging

    from medtune.demo import select_target
    from medtune.guard import guard_notes

    flags = {"host": "demo.host", "port": "demo.port", "auth": "demo.auth", "share": "demo.share", "allow_public": "demo.allow_public"}
    cfg = resolve(args, check_paths=False, extra_overrides=flag_overrides(args, flags)).config
    if not logging.getLogger().handlers:
        logging.basicConfig(level=cfg.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    target = select_target(cfg, args.run, args.base)
    for note in (*target.notes, *guard_notes(cfg)):
        print(f"note: {note}", file=sys.stderr)
    if cfg.demo.auth:
        print("login required (demo.auth)", file=sys.stderr)
    if cfg.demo.share:
        print("warning: creating a public share link (--share)", file=sys.stderr)
    print(f"loading {target.label} ...", file=sys.stderr)
    from medtune.demo.page import serve

    serve(cfg, target)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the OpenAI-compatible API until Ctrl-C. The flags are config overrides, so the config's
    checks (a non-loopback host needs serve.api_key) refuse before anything loads."""
    import logging

    from medtune.serve import open_backend
    from medtune.serve.app import run_server

    flags = {"host": "serve.host", "port": "serve.port", "upstream": "serve.upstream", "batching": "serve.batching"}
    cfg = resolve(args, check_paths=False, extra_overrides=flag_overrides(args, flags)).config
    if not logging.getLogger().handlers:
        logging.basicConfig(level=cfg.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"loading {'the upstream ' + cfg.serve.upstream if cfg.serve.upstream else 'the model'} ...", file=sys.stderr)
    backend = open_backend(cfg, run=args.run, base=args.base)
    for note in backend.notes:
        print(f"note: {note}", file=sys.stderr)
    key = "API key required" if cfg.serve.api_key else "no API key (loopback only)"
    print(f"serving {backend.model_id} ({backend.kind}) at http://{cfg.serve.host}:{cfg.serve.port}/v1, {key}",
          file=sys.stderr)
    try:
        run_server(backend, cfg.serve)
    finally:
        backend.close()
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """The run's own config, with today's evaluation settings; other --set keys do nothing."""
    from medtune.evaluate import evaluate_run, metrics_table, with_current_evaluation
    from medtune.report import text_table
    from medtune.runs import open_run

    current = resolve(args, check_paths=False)
    run, warnings = with_current_evaluation(open_run(current.config, args.run), current)
    _print_warnings(warnings)
    print(f"evaluating {run.dir}" + (" against the base model" if args.base else ""), file=sys.stderr)
    result = evaluate_run(run, include_base=args.base)
    _print_warnings(result.warnings)
    print(text_table(*metrics_table(result.metrics["models"])))
    print(f"\nwrote {result.out_dir}: metrics.json, report.md, " + ", ".join(result.metrics["plots"]))
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    """`medtune runs` lists the runs; `medtune runs diff A B` compares two."""
    from medtune import history
    from medtune.report import text_table

    cfg = resolve(args, check_paths=False).config
    if args.action == "diff":
        if len(args.refs) != 2:
            raise MedtuneError("usage: medtune runs diff RUN_A RUN_B (runs/NAME, NAME or latest)")
        diff = history.diff_runs(cfg, *args.refs)
        print(f"A: {diff.a.dir}\nB: {diff.b.dir}\n")
        tables = history.diff_tables(diff)
        print(text_table(*tables["config"]) if diff.config else "config: identical")
        print()
        print(text_table(*tables["metrics"]) if diff.metrics else "metrics: neither run recorded any")
        return 0
    if args.refs:
        raise MedtuneError(f"unexpected {' '.join(args.refs)!r}: `medtune runs` lists runs, `medtune runs diff A B` compares two")
    summaries = history.list_runs(cfg)
    if not summaries:
        print(f"no runs under {cfg.resolve_path(cfg.training.output_dir)}; train one with `medtune train`")
        return 0
    print(text_table(*history.runs_table(summaries)))
    for note in history.runs_notes(summaries):
        print(f"note: {note}")
    return 0


def cmd_safety_report(args: argparse.Namespace) -> int:
    """Exit 0 when every gate passes, 1 when one fails (so CI can block a release), 2 on user errors."""
    from medtune.runs import open_run
    from medtune.safety_report import build_safety_report, console_summary

    cfg = resolve(args).config
    report = build_safety_report(
        cfg,
        [Path(p) for p in args.suite] if args.suite else None,
        run=open_run(cfg, args.run) if args.run else None,
        base=args.base,
        baseline=Path(args.baseline) if args.baseline else None,
        out_dir=Path(args.out),
        argv=sys.argv,
    )
    _print_warnings(report.warnings)
    print(console_summary(report.data, report.paths))
    for g in report.failed_gates:
        print(f"gate failed: {g['message']}", file=sys.stderr)
    return 1 if report.failed_gates else 0


def cmd_export(args: argparse.Namespace) -> int:
    from medtune.export import export_run
    from medtune.runs import open_run

    run = open_run(resolve(args, check_paths=False).config, args.run)
    if args.quant and not args.gguf:
        raise MedtuneError("--quant applies to --gguf: add --gguf, or drop --quant")
    if args.gguf:
        from medtune.export import export_gguf

        done = export_gguf(run, Path(args.out) if args.out else None, quant=args.quant or "f16")
        if done.merged_now:
            print(f"merged the adapter into {done.model_dir} first")
        f, c = done.file, done.check
        print(f"wrote {f.path} ({f.bytes / 2**20:.1f} MiB, {f.quant}, {f.tensors} tensors) in {f.write_seconds:.1f}s")
        print(f"read back: {c.tensors} tensors match the weights (max abs error {max(c.max_abs_error.values(), default=0):.3g}), {c.keys} keys as written")
        print(f"Ollama: cd {done.modelfile.parent} && ollama create {run.name.lower()} -f {done.modelfile.name}")
        print("note: llama.cpp or Ollama alone do not apply medtune's safety layer; put `medtune serve --upstream URL` in front")
        return 0
    if args.merge and run.adapter_dir is None and run.dir is not None:
        print(f"note: {run.name} is a {run.config.fine_tuning.method} run: {run.model_dir.name}/ is already a whole model")
    out = export_run(run, Path(args.out) if args.out else None, merge=args.merge)
    print(f"exported {'merged model' if args.merge else 'run'} to {out}")
    return 0


class _TemplatesHelp(argparse.RawDescriptionHelpFormatter):
    """`medtune config --help` ends with the named templates, read only when the help is shown
    (so `medtune --help` imports no config code)."""

    listed = False  # the whole help, not the usage line an argument error shows

    def add_arguments(self, actions) -> None:
        self.listed = True
        super().add_arguments(actions)

    def format_help(self) -> str:
        from medtune.config.layers import named_templates

        if not self.listed:
            return super().format_help()
        self.add_text("named templates (--config NAME, or base_template: NAME in a file):\n" + "\n".join(
            f"  {name:<12} {about}" for name, about in named_templates().items()))
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medtune",
        description="Fine-tune Phi-4-mini into a medical assistant, behind a safety layer that defers.",
    )
    parser.add_argument("--version", action="version", version=f"medtune {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        _config_args(p)
        p.set_defaults(func=func)
        return p

    p = add("train", cmd_train, "fine-tune the model (QLoRA, LoRA, full or Spectrum)")
    p.add_argument("--resume", metavar="RUN", help="continue runs/NAME (or 'latest') from its last complete checkpoint")
    p.add_argument("--allow-config-change", action="store_true", help="resume even though the config differs")
    p.add_argument("--nproc", type=int, metavar="N", help="launch N processes through accelerate")

    p = add("config", cmd_config, "print the resolved config and where every value came from")
    p.add_argument("--format", choices=["yaml", "json"], default="yaml",
                   help="yaml: medtune's own key names, each value's source as a comment (save it to migrate a config)")
    p.formatter_class = _TemplatesHelp

    add("validate", cmd_validate, "run every check (schema, paths, hardware, safety policy); exit 2 on problems")
    add("name", cmd_name, "preview the run directory name this config would get")
    p = add("data", cmd_data, "run the data pipeline without training and write the data report")
    p.add_argument("--out", metavar="DIR", help="report directory (default: reports/data)")

    p = add("chat", cmd_chat, "serve the Gradio chat demo behind the safety layer")
    p.add_argument("--run", metavar="RUN", help="runs/NAME, 'latest', or a merged export directory")
    p.add_argument("--base", action="store_true", help="chat with the base model, no adapter")
    p.add_argument("--host", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int)
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require a login (or MEDTUNE_DEMO_AUTH)")
    p.add_argument("--share", action="store_true", help="create a public Gradio share link")
    p.add_argument("--allow-public", action="store_true", help="allow a non-loopback host without auth")

    p = add("serve", cmd_serve, "serve an OpenAI-compatible API behind the safety layer")
    p.add_argument("--run", metavar="RUN", help="runs/NAME, 'latest', or a merged export directory")
    p.add_argument("--base", action="store_true", help="serve the base model, no adapter")
    p.add_argument("--upstream", metavar="URL", help="guard another OpenAI-compatible server (its /v1 base URL)")
    p.add_argument("--host", help="bind address (default 127.0.0.1; any other needs serve.api_key)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--batching", choices=["continuous", "generate"], help="in-process generation (default continuous)")

    p = add("evaluate", cmd_evaluate, "evaluate a run (loss, perplexity, ROUGE/BLEU, multiple choice, lm-eval evaluation.benchmarks)")
    p.add_argument("--run", metavar="RUN", required=True, help="runs/NAME or 'latest'")
    p.add_argument("--base", action="store_true", help="also evaluate the base model, side by side")

    p = add("runs", cmd_runs, "list the runs under training.output_dir, or `runs diff A B` to compare two")
    p.add_argument("action", nargs="?", choices=["diff"], help="diff: the config values and metrics that differ")
    p.add_argument("refs", nargs="*", metavar="RUN", help="with diff: two runs (runs/NAME, NAME or latest)")

    p = add("safety-report", cmd_safety_report, "measure deferral on labelled suites; exit 1 when a gate fails")
    p.add_argument("--suite", action="append", metavar="FILE", help="suite JSONL (repeatable; default: the shipped suite)")
    p.add_argument("--run", metavar="RUN", help="also evaluate a fine-tuned run's replies behind the guard")
    p.add_argument("--base", action="store_true", help="also evaluate the base model's replies")
    p.add_argument("--baseline", metavar="REPORT_JSON", help="compare case by case with an earlier report.json")
    p.add_argument("--out", metavar="DIR", default="reports/safety", help="output directory")

    p = add("export", cmd_export, "export a run's adapter, merge it into the base weights, or write a GGUF for llama.cpp/Ollama")
    p.add_argument("run", metavar="RUN", help="runs/NAME or 'latest'")
    p.add_argument("--merge", action="store_true", help="merge the adapter into bf16 base weights")
    p.add_argument("--gguf", action="store_true", help="write a GGUF file for llama.cpp/Ollama (merges first) and a Modelfile")
    p.add_argument("--quant", choices=["f16", "q8_0"], help="GGUF tensor type (default f16)")
    p.add_argument("--out", metavar="DIR", help="output directory (default: RUN/export, RUN/merged or RUN/gguf)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from medtune.runtime import prepare_process

    for note in prepare_process():  # process-wide settings, before any command loads torch
        print(f"note: {note}", file=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except MedtuneError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
