"""Standard benchmarks: lm-evaluation-harness tasks (``evaluation.benchmarks``) run on the base and
the fine-tuned model through lm-eval's own Hugging Face model class, so the numbers are the ones
lm-eval would print for these weights.

The model handed to lm-eval is the one `medtune evaluate` already loaded (the run's adapter on
its base, or its whole model), passed as ``HFLM(pretrained=<model object>)``: no second loading
path, and the base is the same weights with the adapter disabled.

Tasks come from two places. A task defined in ``evaluation.benchmark_tasks_dir`` (the shipped
``data/lm_eval_tasks/medtune_mcq.yaml`` over ``data/mcq_sample.jsonl``) reads local files and
works offline. lm-eval's own tasks (``medqa_4options``, ``medmcqa``, ``pubmedqa``,
``mmlu_clinical_knowledge``...) download their data from the Hugging Face hub: where the hub is
unreachable and the data is not cached, :func:`plan_benchmarks` says so before any model loads.
"""

from __future__ import annotations

import difflib
import functools
import logging
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

from medtune.config import Config
from medtune.errors import MedtuneError

INSTALL_HINT = "pip install 'medtune[lm-eval]'"
MEDICAL_HUB_TASKS = ("medqa_4options", "medmcqa", "pubmedqa", "mmlu_clinical_knowledge", "mmlu_college_medicine",
                     "mmlu_professional_medicine", "mmlu_anatomy", "mmlu_medical_genetics")


class BenchmarkError(MedtuneError):
    """A benchmark that cannot run as configured: unknown task, lm-eval missing, hub unreachable."""


@dataclass
class BenchmarkPlan:
    """What will run: the task names, the local folder lm-eval is pointed at, which tasks need
    the hub (for the record), and the question limit."""

    tasks: list[str]
    tasks_dir: Path | None
    local: list[str] = field(default_factory=list)
    hub: dict[str, str | None] = field(default_factory=dict)  # task -> its dataset on the hub
    limit: int | None = None


class _TaskLoader(yaml.SafeLoader):
    """YAML with lm-eval's tags (``!function module.name``) read as plain strings."""


_TaskLoader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None)


def local_tasks(tasks_dir: Path) -> dict[str, Path]:
    """Task (and group) names defined by the YAML files under ``tasks_dir``: cheap, no lm-eval."""
    found: dict[str, Path] = {}
    if not tasks_dir.is_dir():
        return found
    for path in sorted(tasks_dir.rglob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TaskLoader)  # noqa: S506 (safe loader subclass)
        except (OSError, yaml.YAMLError) as exc:
            raise BenchmarkError(f"{path}: not a readable task definition ({exc})") from None
        if isinstance(data, dict):
            for key in ("task", "group"):
                if isinstance(data.get(key), str):
                    found[data[key]] = path
    return found


def lm_eval_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("lm_eval") is not None


def hub_offline() -> bool:
    """HF_HUB_OFFLINE as the hub libraries read it."""
    import huggingface_hub.constants

    return bool(huggingface_hub.constants.HF_HUB_OFFLINE)


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the hub's endpoint accepts a connection: a quick answer instead of a download that
    retries for minutes."""
    import huggingface_hub.constants

    url = urlparse(huggingface_hub.constants.ENDPOINT)
    try:
        with socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout=timeout):
            return True
    except OSError:
        return False


def dataset_cached(dataset: str) -> bool:
    """Whether the hub dataset was downloaded before (by datasets or huggingface_hub)."""
    import datasets.config
    import huggingface_hub.constants

    return (Path(datasets.config.HF_DATASETS_CACHE) / dataset.replace("/", "___")).is_dir() or (
        Path(huggingface_hub.constants.HF_HUB_CACHE) / f"datasets--{dataset.replace('/', '--')}"
    ).is_dir()


@functools.lru_cache(maxsize=4)
def task_manager(tasks_dir: Path | None, with_lm_eval_tasks: bool):
    """lm-eval's task index over ``tasks_dir``, and over its own task files when asked (some
    fourteen thousand YAML files: seconds, so built once per process)."""
    from lm_eval.tasks import TaskManager

    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    return TaskManager(include_path=str(tasks_dir) if tasks_dir else None, include_defaults=with_lm_eval_tasks)


def plan_benchmarks(cfg: Config) -> BenchmarkPlan | None:
    """Every ``evaluation.benchmarks`` name checked before any model loads: a local task, or one
    of lm-eval's whose data can be had. None when no benchmark is configured."""
    ev = cfg.evaluation
    if not ev.benchmarks:
        return None
    dupes = sorted({t for t in ev.benchmarks if ev.benchmarks.count(t) > 1})
    if dupes:
        raise BenchmarkError(f"evaluation.benchmarks lists {', '.join(dupes)} more than once")
    tasks_dir = cfg.resolve_path(ev.benchmark_tasks_dir)
    local = local_tasks(tasks_dir)
    if not lm_eval_installed():
        raise BenchmarkError(f"evaluation.benchmarks ({', '.join(ev.benchmarks)}) needs lm-evaluation-harness: {INSTALL_HINT}")
    plan = BenchmarkPlan(list(ev.benchmarks), tasks_dir if local else None, [t for t in ev.benchmarks if t in local], limit=ev.benchmark_limit)
    others = [t for t in ev.benchmarks if t not in local]
    if not others:
        return plan
    index = task_manager(plan.tasks_dir, True).task_index
    unknown = [t for t in others if t not in index]
    if unknown:
        problems = []
        for t in unknown:
            near = difflib.get_close_matches(t, [*local, *index], n=3, cutoff=0.6)
            problems.append(f"{t!r}" + (f" (did you mean {', '.join(near)}?)" if near else ""))
        raise BenchmarkError(
            f"evaluation.benchmarks: unknown task {'; '.join(problems)}. Local tasks in {tasks_dir}: "
            f"{', '.join(sorted(local)) or 'none'}; lm-eval's medical ones include {', '.join(MEDICAL_HUB_TASKS)}"
        )
    for t in others:
        entry = index[t]
        plan.hub[t] = (entry.cfg or {}).get("dataset_path") if entry.cfg else None
    offline = hub_offline()
    if offline or not hub_reachable():
        missing = {t: d for t, d in plan.hub.items() if not (d and dataset_cached(d))}
        if missing:
            why = "HF_HUB_OFFLINE=1" if offline else "no connection to it"
            needs = ", ".join(f"{t} (dataset {d or 'of its subtasks'})" for t, d in missing.items())
            raise BenchmarkError(
                f"evaluation.benchmarks: {needs}: the data is on the Hugging Face hub, which is unreachable here ({why}), "
                f"and not cached. Run it once where the hub is reachable, or keep only local tasks "
                f"({', '.join(sorted(local)) or f'none in {tasks_dir}'})"
            )
    return plan


def run_benchmarks(model, tokenizer, plan: BenchmarkPlan, batch_size: int, max_length: int) -> dict[str, dict]:
    """Each planned task on one loaded model: ``{task: {metric, value, stderr, n, metrics}}``,
    ``metric`` being the task's first listed metric (accuracy for multiple choice)."""
    import lm_eval
    from lm_eval.models.huggingface import HFLM

    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    # HFLM re-ties the input and output embeddings of the model it is given. Ours were tied when
    # they loaded, and re-tying an adapter that trains the (tied) output head fails in PEFT, so
    # that one call is a no-op while HFLM takes the model.
    model.tie_weights = lambda *args, **kwargs: None
    try:
        lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=batch_size, max_length=max_length)
    finally:
        del model.tie_weights
    manager = task_manager(plan.tasks_dir, bool(plan.hub))
    try:
        out = lm_eval.simple_evaluate(
            model=lm, tasks=plan.tasks, task_manager=manager, limit=plan.limit, log_samples=False, verbosity=None,
        )
    except (ConnectionError, OSError) as exc:  # the hub went away after the plan's check
        raise BenchmarkError(f"evaluation.benchmarks: {', '.join(plan.hub) or 'a task'} could not load its data: {exc}") from None
    results = {}
    for task in plan.tasks:
        raw = out["results"].get(task, {})
        metrics = {k.split(",")[0]: v for k, v in raw.items() if "," in k and not k.split(",")[0].endswith("_stderr")}
        stderrs = {k.split(",")[0].removesuffix("_stderr"): v for k, v in raw.items() if k.split(",")[0].endswith("_stderr")}
        main = next((m["metric"] for m in (out.get("configs", {}).get(task, {}).get("metric_list") or []) if m.get("metric") in metrics),
                    next(iter(metrics), None))
        n = (out.get("n-samples", {}).get(task) or {}).get("effective")
        stderr = stderrs.get(main)
        results[task] = {
            "metric": main,
            "value": metrics.get(main),
            "stderr": stderr if isinstance(stderr, float) else None,
            "n": n,
            "metrics": metrics,
            "source": "local" if task in plan.local else f"hub: {plan.hub.get(task)}",
        }
    return results
