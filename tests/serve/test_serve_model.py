"""`medtune serve --run latest`: conftest's tiny trained run served in-process through transformers'
continuous batching, driven by the official ``openai`` client over loopback HTTP; then the same
assertions through `medtune serve --upstream` in front of it, and both as real `medtune serve`
processes, as a new user would start them.

The model's own counter (``Backend.model_calls``: requests handed to the batching manager) proves
that a deferral never reached it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest

from medtune.config import load_config
from medtune.serve import open_backend
from medtune.serve.app import ServerThread, build_app

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BENIGN = "What is the normal body temperature?"
EMERGENCY = "I have crushing chest pain spreading to my left arm"


def project_config(project: Path, *overrides: str):
    return load_config(project / "config.yaml", overrides=list(overrides), environ={}, dotenv=False).config


@pytest.fixture(scope="module")
def project(tiny_run) -> Path:
    return tiny_run.parent.parent  # PROJECT/runs/NAME


@pytest.fixture(scope="module")
def served(project):
    """The latest run behind the guard, on a loopback port: (backend, server)."""
    cfg = project_config(project)
    backend = open_backend(cfg, run="latest")
    server = ServerThread(build_app(backend, cfg.serve))
    yield backend, server
    server.stop()
    backend.close()


@pytest.fixture(scope="module")
def proxied(project, served):
    """`medtune serve --upstream` in front of ``served``, with the guard it builds itself."""
    cfg = project_config(project, f"serve.upstream={served[1].url}")
    backend = open_backend(cfg)
    server = ServerThread(build_app(backend, cfg.serve))
    yield backend, server
    server.stop()
    backend.close()


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key="unused", max_retries=0, timeout=60)


def stream(c: openai.OpenAI, content: str, **kw) -> tuple[list[str], str, dict]:
    pieces, finish, safety = [], None, None
    for chunk in c.chat.completions.create(model="any", messages=[{"role": "user", "content": content}], stream=True, **kw):
        if not chunk.choices:  # the usage chunk
            continue
        if chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        finish = chunk.choices[0].finish_reason or finish
        safety = getattr(chunk, "safety", None) or safety
    return pieces, finish, safety


def test_the_run_is_served_with_continuous_batching_and_named_after_it(served):
    backend, server = served
    assert backend.kind == "continuous"
    assert client(server).models.list().data[0].id == backend.model_id
    assert httpx.get(server.base + "/health").json()["backend"] == "continuous"


@pytest.mark.parametrize("via", ["served", "proxied"])
def test_a_benign_question_streams_an_answer(via, request):
    backend, server = request.getfixturevalue(via)
    before = backend.model_calls
    pieces, finish, safety = stream(client(server), BENIGN, max_tokens=16, temperature=0)
    assert pieces and "".join(pieces).strip() and finish in ("stop", "length")
    assert safety["action"] in ("allow", "monitor") and safety["model_called"]
    assert backend.model_calls == before + 1


@pytest.mark.parametrize("via", ["served", "proxied"])
def test_an_emergency_gets_the_deferral_and_the_model_is_not_called(via, request, served):
    backend, server = request.getfixturevalue(via)
    before = served[0].model_calls, backend.model_calls
    reply = client(server).chat.completions.create(model="any", messages=[{"role": "user", "content": EMERGENCY}])
    assert reply.choices[0].finish_reason == "content_filter"
    assert reply.safety["action"] == "defer" and reply.safety["category"] == "emergency" and reply.safety["source"] == "input"
    assert (served[0].model_calls, backend.model_calls) == before


def prompt_tokens(backend, content: str) -> int:
    """The prompt the served model sees for one user message (its own system prompt first), counted."""
    from medtune.demo.engine import GenerationSettings

    return len(backend.engine._prompt_ids([{"role": "user", "content": content}], GenerationSettings()))


@pytest.mark.parametrize("via", ["served", "proxied"])
def test_usage_counts_the_prompt_and_the_answer_with_the_tokenizer(via, request, served):
    backend, server = request.getfixturevalue(via)
    c = client(server)
    prompt = prompt_tokens(served[0], BENIGN)  # through the proxy: the served model's own count, passed on
    reply = c.chat.completions.create(model="any", messages=[{"role": "user", "content": BENIGN}], max_tokens=12, temperature=0)
    usage = reply.usage
    assert usage.prompt_tokens == prompt and 1 <= usage.completion_tokens <= 12
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert (reply.choices[0].finish_reason == "length") == (usage.completion_tokens == 12)

    chunks = list(c.chat.completions.create(model="any", messages=[{"role": "user", "content": BENIGN}], max_tokens=12,
                                            temperature=0, stream=True, stream_options={"include_usage": True}))
    assert chunks[-1].choices == [] and chunks[-1].usage.prompt_tokens == prompt
    assert 1 <= chunks[-1].usage.completion_tokens <= 12
    finish = next(ch.choices[0].finish_reason for ch in reversed(chunks) if ch.choices and ch.choices[0].finish_reason)
    assert (finish == "length") == (chunks[-1].usage.completion_tokens == 12)

    deferred = c.chat.completions.create(model="any", messages=[{"role": "user", "content": EMERGENCY}])
    assert deferred.choices[0].finish_reason == "content_filter" and deferred.usage.completion_tokens == 0


@pytest.mark.parametrize("via", ["served", "proxied"])
def test_twenty_concurrent_clients_all_get_answers_in_bounded_time(via, request, served):
    backend, server = request.getfixturevalue(via)
    c = client(server)
    questions = [EMERGENCY if i % 2 else BENIGN for i in range(20)]
    before = served[0].model_calls

    def ask(q: str):
        return c.chat.completions.create(model="any", messages=[{"role": "user", "content": q}], max_tokens=8)

    start = time.perf_counter()
    with ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(ask, questions))  # any error is raised here
    elapsed = time.perf_counter() - start
    assert elapsed < 30
    for q, r in zip(questions, replies, strict=True):
        assert (r.choices[0].finish_reason == "content_filter") == (q == EMERGENCY)
    assert served[0].model_calls == before + 10  # the 10 emergencies never reached the model


def test_the_generate_path_serves_the_same_answers(project, served):
    cfg = project_config(project, "serve.batching=generate")
    backend = open_backend(cfg, run="latest", guard=served[0].engine.guard)
    server = ServerThread(build_app(backend, cfg.serve))
    try:
        assert backend.kind == "generate"
        c = client(server)
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda q: c.chat.completions.create(
                model="any", messages=[{"role": "user", "content": q}], max_tokens=8), [BENIGN, EMERGENCY] * 2))
        assert [r.choices[0].finish_reason == "content_filter" for r in replies] == [False, True] * 2
        assert backend.model_calls == 2
        answered = replies[0].usage
        assert answered.prompt_tokens == prompt_tokens(backend, BENIGN) and 1 <= answered.completion_tokens <= 8
        assert (replies[0].choices[0].finish_reason == "length") == (answered.completion_tokens >= 8)
        assert replies[1].usage.total_tokens == 0
    finally:
        server.stop()
        backend.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_medtune(project: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """`medtune serve ARGS` in ``project``, its stderr in ``proc.log``; returns once /health answers."""
    port = free_port()
    log = project / f"serve-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTUNE")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.Popen([sys.executable, "-m", "medtune", "serve", *args, "--port", str(port)], cwd=project,
                            env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    proc.log = log
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"medtune serve {' '.join(args)} exited: {log.read_text()}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return proc, base + "/v1"
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("medtune serve did not start within 120 s")


def test_medtune_serve_run_latest_and_upstream_in_front_as_a_user_starts_them(project):
    model, model_url = start_medtune(project, "--run", "latest")
    try:
        guard, guard_url = start_medtune(project, "--upstream", model_url)
        try:
            c = openai.OpenAI(base_url=guard_url, api_key="unused", max_retries=0, timeout=60)
            pieces, finish, _ = stream(c, BENIGN, max_tokens=12)
            assert pieces and finish in ("stop", "length")
            reply = c.chat.completions.create(model="any", messages=[{"role": "user", "content": EMERGENCY}])
            assert reply.choices[0].finish_reason == "content_filter"
        finally:
            guard.terminate()
            guard.wait(timeout=30)
    finally:
        model.terminate()
        model.wait(timeout=30)
    assert "Traceback" not in model.log.read_text() + guard.log.read_text()
