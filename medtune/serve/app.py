"""The HTTP server: OpenAI's chat-completions routes in front of a guarded :class:`Backend`.

Starlette and uvicorn (both come with gradio, no new framework). What happens to a request, in
order: the API key when one is set (``Authorization: Bearer``), the body size (413), the request's
shape (400), a free slot (429 when ``serve.max_concurrent_requests`` are already in flight), then
the engine's guarded turn in a worker thread under one deadline (``serve.request_timeout_s``).
The status code is settled before the first byte of a stream: the engine's first reply says
whether the turn was refused, deferred or answered. Errors are OpenAI-shaped JSON; a bug is
logged here with its traceback and reaches the client as a plain "internal error".

Logs carry ids, outcomes, rule ids and timings, never message text; the guard's audit log
(``safety.audit``) records the decisions, text only where the config allows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING

from medtune.serve import protocol
from medtune.serve.protocol import ApiError

if TYPE_CHECKING:
    from medtune.config.schema import ServeConfig
    from medtune.serve.backends import Backend

log = logging.getLogger(__name__)

_END = object()


class _ThreadedReply:
    """A blocking iterator run in its own thread, read from the event loop with a deadline.

    Leaving early (a stop sequence, the deadline, a client that went away) sets ``cancel``; the
    worker closes the engine's generator at its next item, which stops generation.
    """

    def __init__(self, make: Callable[[], Iterator[str]], loop: asyncio.AbstractEventLoop):
        self.cancel = threading.Event()
        self._queue: asyncio.Queue = asyncio.Queue()
        self._loop = loop
        threading.Thread(target=self._work, args=(make,), name="medtune-serve-turn", daemon=True).start()

    def _put(self, item) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is listening
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    def _work(self, make: Callable[[], Iterator[str]]) -> None:
        items = make()
        try:
            for item in items:
                self._put(item)
                if self.cancel.is_set():
                    break
            self._put(_END)
        except BaseException as exc:  # surfaced to the request
            self._put(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    async def next(self, deadline: float):
        """The next reply, ``_END`` when done; raises what the worker raised, or TimeoutError."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        item = await asyncio.wait_for(self._queue.get(), remaining)
        if isinstance(item, BaseException):
            raise item
        return item


def build_app(backend: Backend, serve: ServeConfig):
    """The ASGI app serving ``backend`` under ``serve``'s limits."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    from medtune.demo.engine import TurnRecord
    from medtune.serve.backends import ModelCall, RequestSettings, UpstreamError

    created = int(time.time())
    state = {"active": 0}
    api_key = serve.api_key or None

    def check_key(request: Request) -> None:
        if api_key is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), api_key.encode()):
            raise ApiError(401, "missing or wrong API key (send Authorization: Bearer KEY)", code="invalid_api_key")

    async def read_json(request: Request):
        limit = serve.max_request_bytes
        declared = request.headers.get("content-length", "")
        too_big = ApiError(413, f"request body over {limit:,} bytes (serve.max_request_bytes)", code="request_too_large")
        if declared.isdigit() and int(declared) > limit:
            raise too_big
        body = bytearray()
        async for part in request.stream():
            body += part
            if len(body) > limit:
                raise too_big
        try:
            return json.loads(body)
        except ValueError:
            raise ApiError(400, "the request body is not valid JSON") from None

    def log_turn(cid: str, status: int, turn: TurnRecord, started: float) -> None:
        log.info(
            "%s status=%d outcome=%s action=%s category=%s rules=%s model_called=%s seconds=%.3f",
            cid, status, turn.outcome, turn.decision.action if turn.decision else "allow", turn.category,
            turn.rule_ids, turn.model_called, time.perf_counter() - started,
        )

    def usage(turn: TurnRecord, call: ModelCall) -> dict | None:
        return call.usage() if turn.model_called else dict(protocol.NO_TOKENS)

    async def chat_completions(request: Request):
        check_key(request)
        req = protocol.parse_request(await read_json(request), max_tokens_limit=serve.max_tokens_limit)
        if state["active"] >= serve.max_concurrent_requests:
            raise ApiError(429, f"the server is busy ({serve.max_concurrent_requests} requests in flight); retry shortly",
                           type="rate_limit_error", code="server_busy", headers={"Retry-After": "1"})
        state["active"] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                state["active"] -= 1

        try:
            return await _answer(req, release)
        except BaseException:
            release()
            raise

    async def _answer(req: protocol.ChatRequest, release: Callable[[], None]):
        started = time.perf_counter()
        deadline = time.monotonic() + serve.request_timeout_s
        stops = req.stop_sequences
        call = ModelCall(stop=stops)
        settings = RequestSettings(
            serve.temperature if req.temperature is None else req.temperature,
            serve.top_p if req.top_p is None else req.top_p,
            req.max_completion_tokens or req.max_tokens or serve.max_tokens,
            call=call,
        )
        cid = protocol.completion_id()
        turn = TurnRecord()
        messages = req.messages_as_dicts()
        reply = _ThreadedReply(lambda: backend.engine.stream_reply(messages, settings, turn=turn),
                               asyncio.get_running_loop())
        try:
            first = await reply.next(deadline)
        except TimeoutError:
            reply.cancel.set()
            raise ApiError(504, f"no answer within {serve.request_timeout_s:g} s (serve.request_timeout_s)",
                           type="timeout_error", code="timeout") from None
        except UpstreamError as exc:
            raise ApiError(502, str(exc), type="upstream_error", code="upstream_error") from None
        if turn.outcome in ("empty", "too_long"):
            reply.cancel.set()
            log_turn(cid, 400, turn, started)
            what = ("the last user message is empty" if turn.outcome == "empty" else
                    f"the last user message is over {serve.max_input_chars:,} characters (serve.max_input_chars), "
                    "or the conversation does not fit the model's context")
            raise ApiError(400, what, param="messages", code="message_too_long" if turn.outcome == "too_long" else None)
        if turn.outcome == "timeout":
            raise ApiError(504, "the model took too long to answer", type="timeout_error", code="timeout")

        if not req.stream:
            text = first
            try:
                while (item := await reply.next(deadline)) is not _END:
                    text = item
                    if not turn.deferred and protocol.cut_at_stop(text, stops)[1]:
                        break
            except TimeoutError:
                raise ApiError(504, f"no complete answer within {serve.request_timeout_s:g} s", type="timeout_error",
                               code="timeout") from None
            except UpstreamError as exc:
                raise ApiError(502, str(exc), type="upstream_error", code="upstream_error") from None
            finally:
                reply.cancel.set()
            stopped = False
            if not turn.deferred:
                text, stopped = protocol.cut_at_stop(text, stops)
            finish = protocol.finish_reason(turn, stopped=stopped, model=call.finish_reason)
            log_turn(cid, 200, turn, started)
            release()
            return JSONResponse(protocol.completion(cid, backend.model_id, text, finish, protocol.safety_object(turn),
                                                    usage(turn, call)))

        async def events() -> AsyncIterator[str]:
            def sse(obj: dict) -> str:
                return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"

            sent, stopped, item = "", False, first
            try:
                yield sse(protocol.chunk(cid, backend.model_id, {"role": "assistant", "content": ""}))
                while item is not _END:
                    if not item.startswith(sent):  # a deferral or notice replacing what was shown: appended
                        delta, sent = ("\n\n" if sent else "") + item, item
                    else:
                        text, stopped = protocol.cut_at_stop(item, stops) if not turn.deferred else (item, False)
                        upto = len(text) if stopped else protocol.releasable(text, stops)
                        delta, sent = text[len(sent):upto], text[:upto]
                    if delta:
                        yield sse(protocol.chunk(cid, backend.model_id, {"content": delta}))
                    if stopped:
                        break
                    last = item
                    item = await reply.next(deadline)
                    if item is _END and len(sent) < len(last):  # the held-back tail of a finished answer
                        yield sse(protocol.chunk(cid, backend.model_id, {"content": last[len(sent):]}))
                        sent = last
                finish = protocol.finish_reason(turn, stopped=stopped, model=call.finish_reason)
                yield sse(protocol.chunk(cid, backend.model_id, {}, finish, protocol.safety_object(turn)))
                if req.include_usage:
                    yield sse(protocol.usage_chunk(cid, backend.model_id, usage(turn, call)))
                yield "data: [DONE]\n\n"
                log_turn(cid, 200, turn, started)
            except TimeoutError:
                yield sse(protocol.error_body(f"no complete answer within {serve.request_timeout_s:g} s",
                                              type="timeout_error", code="timeout"))
            except UpstreamError as exc:
                yield sse(protocol.error_body(str(exc), type="upstream_error", code="upstream_error"))
            except Exception:
                log.exception("%s failed while streaming", cid)
                yield sse(protocol.error_body("internal error (see the server log)", type="server_error"))
            finally:
                reply.cancel.set()
                release()

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def models(request: Request):
        check_key(request)
        return JSONResponse(protocol.models_list(backend.model_id, created))

    async def health(request: Request):
        return JSONResponse({"status": "ok", "model": backend.model_id, "backend": backend.kind, "active": state["active"]})

    async def api_error(request: Request, exc: ApiError):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    async def http_error(request: Request, exc: HTTPException):
        return JSONResponse(protocol.error_body(str(exc.detail), code=str(exc.status_code)), status_code=exc.status_code)

    async def server_error(request: Request, exc: Exception):
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return JSONResponse(protocol.error_body("internal error (see the server log)", type="server_error"), status_code=500)

    routes = [
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
    handlers = {ApiError: api_error, HTTPException: http_error, Exception: server_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.backend = backend
    return app


class ServerThread:
    """A uvicorn server on a background thread (tests, benchmarks); ``url`` ends in ``/v1``."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                    access_log=False, lifespan="off", timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, name="medtune-serve", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {host}:{port}")
            time.sleep(0.02)
        bound = self.server.servers[0].sockets[0].getsockname()
        self.base = f"http://{host}:{bound[1]}"
        self.url = f"{self.base}/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def run_server(backend: Backend, serve: ServeConfig) -> None:
    """Serve until Ctrl-C."""
    import uvicorn

    uvicorn.run(build_app(backend, serve), host=serve.host, port=serve.port, log_level="warning",
                access_log=False, lifespan="off", timeout_graceful_shutdown=5)
