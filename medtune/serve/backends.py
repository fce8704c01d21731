"""Where `medtune serve` gets its answers: the model in this process, or another server.

Either way the answer comes out of one :class:`~medtune.demo.engine.ChatEngine`, the guarded turn
the demo runs too (the conversation checked before the model is called, redaction, notices, the
answer streamed through ``StreamGuard``); a backend only changes where the engine's text comes
from, through its ``source`` hook:

- :class:`ContinuousBatching`: transformers' own continuous batching
  (``model.init_continuous_batching``), so concurrent requests share forward passes instead of
  queueing for ``generate``. It runs on CPU as on GPU; one manager holds one sampling mode, so a
  request for temperature 0 is served at :data:`GREEDY_TEMPERATURE`, which picks the top token.
- :class:`Generate` (``serve.batching: generate``): the engine's own ``model.generate`` with
  ``TextIteratorStreamer`` in a bounded worker (``serve.max_batch`` at once).
- :class:`Upstream`: an OpenAI-compatible engine elsewhere (vLLM, TGI, llama.cpp's server,
  another ``medtune serve``); the conversation goes upstream as messages and the streamed
  answer comes back through the same guard.

Each source counts the times it reached the model (``calls``), so a test can prove that a deferral
never did. A request's :class:`RequestSettings` carry a :class:`ModelCall` through the engine to the
source and back: the stop sequences to hand the model, and what the model reported (token counts,
why it stopped), which the API returns as ``usage`` and ``finish_reason``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from medtune.demo.engine import GenerationSettings
from medtune.errors import MedtuneError

if TYPE_CHECKING:
    from medtune.config import Config
    from medtune.demo.engine import ChatEngine

log = logging.getLogger(__name__)

GREEDY_TEMPERATURE = 1e-3  # logits / 0.001: the top token, up to ties
CPU_PAGE_SIZE = 256
CPU_BATCH_TOKENS = 512  # tokens per forward pass on CPU; GPUs size this from free memory


class UpstreamError(Exception):
    """The upstream server failed or refused; the client gets a 502 with this message."""


@dataclass
class ModelCall:
    """One request's exchange with the model, beyond the sampling settings.

    The server fills in ``stop``; the source fills in the rest while it streams, from the worker
    thread, so the server can read it once the answer is done (or cut). Counts are what the model
    processed, never the guard's text: a notice or a deferral message adds no tokens.
    """

    stop: tuple[str, ...] = ()  # stop sequences, handed to the model where it takes them (an upstream)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None  # why the model ended: stop | length (an upstream's own word)
    upstream_usage: dict | None = None  # an upstream's usage, passed through as it sent it
    text: str = ""  # what the model generated, before the guard, when tokens are counted from text
    count_tokens: Callable[[str], int] | None = field(default=None, repr=False)

    def usage(self) -> dict | None:
        """OpenAI's ``usage``, or None when nothing reliable was counted (an upstream that did not say)."""
        if self.upstream_usage is not None:
            return self.upstream_usage
        completion = self.completion_tokens
        if completion is None and self.count_tokens is not None:
            completion = self.count_tokens(self.text)
        if self.prompt_tokens is None or completion is None:
            return None
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": completion,
                "total_tokens": self.prompt_tokens + completion}


@dataclass(frozen=True)
class RequestSettings(GenerationSettings):
    """The engine's settings plus the request's :class:`ModelCall`, which the engine hands to the source
    untouched (a plain ``GenerationSettings`` works too: nothing is reported then)."""

    call: ModelCall = field(default_factory=ModelCall, compare=False)


def call_of(settings: GenerationSettings) -> ModelCall:
    return getattr(settings, "call", None) or ModelCall()


@dataclass
class Backend:
    """A ready engine, the model id the API reports, and what the operator should know."""

    engine: ChatEngine
    model_id: str
    kind: str  # continuous | generate | upstream
    source: Any  # ContinuousBatching | Generate | Upstream: where the engine's text comes from
    tokenizer: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def model_calls(self) -> int:
        """How many times an answer was asked of the model (or the upstream)."""
        return self.source.calls

    def close(self) -> None:
        self.source.close()


class _Counter:
    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def count(self) -> None:
        with self._lock:
            self.calls += 1


class ContinuousBatching(_Counter):
    """The model behind transformers' ``ContinuousBatchingManager``, one request per answer."""

    def __init__(self, model, tokenizer, stop_ids: list[int], *, max_batch: int, context_tokens: int):
        super().__init__()
        import torch
        from transformers import ContinuousBatchingConfig, GenerationConfig

        self.tokenizer = tokenizer
        self.stop_ids = set(stop_ids)
        on_cpu = getattr(getattr(model, "device", None), "type", "cpu") == "cpu" or not torch.cuda.is_available()
        # Sizes left to transformers on a GPU (from free memory); on CPU that estimate takes seconds
        # and sizes for far more than a CPU serves, so the cache holds max_batch full contexts.
        sizes = dict(
            num_blocks=max_batch * math.ceil(context_tokens / CPU_PAGE_SIZE),
            max_batch_tokens=CPU_BATCH_TOKENS,
            page_size=CPU_PAGE_SIZE,
        ) if on_cpu else {}
        generation = GenerationConfig(
            do_sample=True, temperature=0.7, top_p=0.9, max_new_tokens=256,
            eos_token_id=stop_ids, pad_token_id=tokenizer.pad_token_id,
        )
        cb = ContinuousBatchingConfig(max_requests_per_batch=max_batch, per_request_processors=True,
                                      allow_block_sharing=False, **sizes)
        self.manager = model.init_continuous_batching(generation_config=generation, continuous_batching_config=cb)
        # Results are delivered by callbacks on an event loop; this one is ours alone, so the
        # source works from any thread, inside a server or not.
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self._loop.run_forever, name="medtune-cb-results", daemon=True)
        self._loop_thread.start()
        self.manager.start()

    def pieces(self, prompt_ids: list[int], settings: GenerationSettings, stop: threading.Event) -> Iterator[str]:
        from medtune.demo.engine import STREAM_TIMEOUT_S

        results: queue.Queue = queue.Queue()
        rid = f"medtune-{uuid.uuid4().hex}"
        call = call_of(settings)
        call.prompt_tokens, call.completion_tokens = len(prompt_ids), 0

        async def register() -> None:
            self.manager.register_result_handler(rid, results.put)

        asyncio.run_coroutine_threadsafe(register(), self._loop).result(timeout=10)
        self.count()
        self.manager.add_request(
            prompt_ids, request_id=rid, max_new_tokens=settings.max_new_tokens, streaming=True,
            temperature=max(settings.temperature, GREEDY_TEMPERATURE), top_p=settings.top_p,
        )
        done, sent = False, ""
        try:
            while not stop.is_set():
                out = results.get(timeout=STREAM_TIMEOUT_S)  # queue.Empty: the engine's timeout reply
                if out.error:
                    raise RuntimeError(f"continuous batching failed: {out.error}")
                call.completion_tokens = len(out.generated_tokens)  # a stop token included, as engines count
                if out.is_finished():
                    ended_on_stop = bool(out.generated_tokens) and out.generated_tokens[-1] in self.stop_ids
                    call.finish_reason = "length" if not ended_on_stop and len(out.generated_tokens) >= settings.max_new_tokens else "stop"
                text = self.tokenizer.decode(out.generated_tokens, skip_special_tokens=True)
                if len(text) > len(sent) and not text.endswith("\ufffd"):  # a character still being spelled
                    yield text[len(sent):]
                    sent = text
                if out.is_finished():
                    done = True
                    return
        finally:
            if not done:
                self.manager.cancel_request(rid)
                with self.manager.output_router._lock:  # a cancelled request never finishes: drop its handler
                    self.manager.output_router.result_handlers.pop(rid, None)

    def close(self) -> None:
        self.manager.stop(block=True, timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)


class Generate:
    """The engine's own ``model.generate`` (``serve.batching: generate``), as a source so that its
    answers are counted like the others: the prompt exactly, the answer by re-tokenizing its text
    (the streamer yields text, not ids), so ``length`` means the count reached ``max_tokens``."""

    def __init__(self, engine: ChatEngine):
        self.engine = engine

    @property
    def calls(self) -> int:
        return self.engine.model_calls

    def pieces(self, prompt_ids: list[int], settings: GenerationSettings, stop: threading.Event) -> Iterator[str]:
        call = call_of(settings)
        call.prompt_tokens, call.text = len(prompt_ids), ""
        call.count_tokens = self.count_tokens
        for piece in self.engine._generate(prompt_ids, settings, stop, True):
            call.text += piece
            yield piece
        call.completion_tokens = self.count_tokens(call.text)
        call.finish_reason = "length" if call.completion_tokens >= settings.max_new_tokens else "stop"

    def count_tokens(self, text: str) -> int:
        return len(self.engine.tokenizer(text, add_special_tokens=False)["input_ids"])

    def close(self) -> None:
        pass


class Upstream(_Counter):
    """Another OpenAI-compatible server; the conversation goes there as chat messages."""

    def __init__(self, base_url: str, *, api_key: str | None, model: str | None, system_prompt: str, timeout_s: float):
        super().__init__()
        import httpx

        self.base_url = base_url.rstrip("/")
        self.system_prompt = system_prompt
        self.asks_usage = True  # stream_options.include_usage, until the upstream refuses it
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s, connect=10.0),
                                   limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))
        self.model = model or self._first_model()

    def _first_model(self) -> str:
        import httpx

        try:
            response = self.client.get(f"{self.base_url}/models")
            response.raise_for_status()
            return response.json()["data"][0]["id"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError) as exc:
            raise MedtuneError(
                f"serve.upstream: cannot list the models of {self.base_url}/models ({type(exc).__name__}: {exc}); "
                "is the server running, and is the URL its /v1 base? (or set serve.upstream_model)"
            ) from None

    def prompt(self, conversation: list[dict], settings: GenerationSettings) -> list[dict]:
        """The messages as sent upstream: this server's system prompt first, every turn (the client's own
        system messages never reach the model)."""
        system = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return system + [{"role": m["role"], "content": m["content"]} for m in conversation]

    def pieces(self, messages: list[dict], settings: GenerationSettings, stop: threading.Event) -> Iterator[str]:
        """The upstream's answer as it streams. Its stop sequences go with it, so the engine stops
        early (the server still cuts the guarded text: the safety net for one that ignores them);
        its usage and finish reason are passed through when it reports them, never made up. An
        engine that refuses ``stream_options`` is asked again without it, and from then on."""
        import httpx

        call = call_of(settings)
        body = {
            "model": self.model, "messages": messages, "stream": True,
            "max_tokens": settings.max_new_tokens, "temperature": settings.temperature, "top_p": settings.top_p,
        }
        if call.stop:
            body["stop"] = list(call.stop)
        self.count()
        try:
            while True:
                asked_usage = self.asks_usage
                if asked_usage:
                    body["stream_options"] = {"include_usage": True}
                with self.client.stream("POST", f"{self.base_url}/chat/completions", json=body) as response:
                    if response.status_code != 200:
                        response.read()
                        if asked_usage and response.status_code in (400, 422) and "stream_options" in response.text:
                            log.warning("the upstream refuses stream_options: its usage is not asked for from now on")
                            self.asks_usage = False
                            body.pop("stream_options")
                            continue
                        raise UpstreamError(f"upstream returned {response.status_code}: {_error_message(response.text)}")
                    yield from self._events(response, call, stop)
                    return
        except httpx.HTTPError as exc:
            raise UpstreamError(f"upstream unreachable: {type(exc).__name__}") from None

    def _events(self, response, call: ModelCall, stop: threading.Event) -> Iterator[str]:
        """The text of a server-sent-event stream; its usage and finish reason go into ``call``."""
        for line in response.iter_lines():
            if stop.is_set():
                return
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            event = json.loads(data)
            if "error" in event:
                raise UpstreamError(f"upstream failed: {_error_message(json.dumps(event))}")
            if _is_usage(event.get("usage")):
                call.upstream_usage = event["usage"]
            for choice in event.get("choices") or []:
                if isinstance(choice.get("finish_reason"), str):
                    call.finish_reason = choice["finish_reason"]
                text = (choice.get("delta") or {}).get("content")
                if text:
                    yield text

    def close(self) -> None:
        self.client.close()


def _is_usage(usage: Any) -> bool:
    return isinstance(usage, dict) and all(
        isinstance(usage.get(k), int) for k in ("prompt_tokens", "completion_tokens", "total_tokens"))


def _error_message(text: str) -> str:
    try:
        return str(json.loads(text)["error"]["message"])[:300]
    except (ValueError, KeyError, TypeError):
        return text[:300]


def open_backend(cfg: Config, *, run: str | None = None, base: bool = False, guard=None) -> Backend:
    """The engine `medtune serve` answers with: ``cfg.serve.upstream`` when set, else the run (or the
    base model) loaded as `medtune chat` loads it. ``guard``: one already built from ``cfg``
    (:func:`medtune.guard.build_guard` compiles the policy, which takes seconds), else built here."""
    from medtune.demo.engine import ChatEngine
    from medtune.guard import build_guard, guard_notes

    serve = cfg.serve
    guard = guard if guard is not None else build_guard(cfg)
    common = dict(
        max_input_chars=serve.max_input_chars,
        max_concurrent_generations=serve.max_batch,
        log_phi=cfg.logging.log_phi,
        after_emergency=cfg.safety.conversation.after_emergency,
    )
    notes = guard_notes(cfg)
    if serve.upstream:
        if run or base:
            raise MedtuneError("pass either --upstream or --run/--base, not both")
        source = Upstream(serve.upstream, api_key=serve.upstream_api_key or None, model=serve.upstream_model,
                          system_prompt=cfg.safety.system_prompt, timeout_s=serve.request_timeout_s)
        engine = ChatEngine(None, None, guard, system_prompt=cfg.safety.system_prompt, source=source, **common)
        return Backend(engine, serve.model_name or source.model, "upstream", source, notes=notes)

    from medtune.demo import load_target, select_target

    target = select_target(cfg, run, base)
    model, tokenizer = load_target(target)
    system_prompt = target.config.safety.system_prompt
    engine = ChatEngine(model, tokenizer, guard, system_prompt=system_prompt, **common)
    model_id = serve.model_name or (target.run.name if target.run is not None else cfg.model.base_model_name)
    notes = [*target.notes, *notes]
    if serve.batching == "continuous":
        if hasattr(model, "init_continuous_batching"):
            source = ContinuousBatching(model, tokenizer, engine.stop_ids, max_batch=serve.max_batch,
                                        context_tokens=engine.context_tokens)
            engine.source = source
            return Backend(engine, model_id, "continuous", source, tokenizer, notes)
        notes.append("this transformers has no continuous batching: answers are generated with generate(), "
                     f"{serve.max_batch} at a time")
    engine.source = Generate(engine)
    return Backend(engine, model_id, "generate", engine.source, tokenizer, notes)
