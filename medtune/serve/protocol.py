"""The OpenAI chat-completions protocol, as much of it as `medtune serve` speaks.

Requests are validated once, here, into a :class:`ChatRequest`; responses and stream chunks are
built here from a :class:`~medtune.demo.engine.TurnRecord`, so the server module only moves bytes.
Every error body has OpenAI's shape (``{"error": {"message", "type", "param", "code"}}``), so the
official client raises its usual exceptions, and none carries a stack trace.

The one addition to the protocol is a top-level ``safety`` object on every completion (and on the
last chunk of a stream): what the guard decided and why, so an application can show a deferral
its own way. Clients that do not know it ignore it.

``usage`` counts what the model processed: a deferral that never called it is 0 tokens; an
upstream that did not report its usage leaves it out (null in a stream's usage chunk) rather than
have it guessed.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    from medtune.demo.engine import TurnRecord

MAX_STOP_SEQUENCES = 4  # as OpenAI's API


class ApiError(Exception):
    """An error the client caused (or a full server), sent as an OpenAI error body with ``status``."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code
        self.headers = headers or {}

    def body(self) -> dict:
        return error_body(self.message, type=self.type, param=self.param, code=self.code)


def error_body(message: str, *, type: str = "invalid_request_error", param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls...: accepted, not used

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[Any] | None = None


class ChatRequest(BaseModel):
    """A chat-completions request. Fields medtune does not use (``user``, ``seed``, ``logprobs``...)
    are accepted and ignored, as clients send them by default; ``n`` other than 1 is refused."""

    model_config = ConfigDict(extra="allow")

    model: str | None = None
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    stop: str | list[str] | None = None
    n: int | None = 1
    stream_options: dict | None = None

    @property
    def include_usage(self) -> bool:
        """A stream ends with a usage chunk (empty ``choices``) only when the client asks, as OpenAI's."""
        return bool(self.stream and (self.stream_options or {}).get("include_usage"))

    @property
    def stop_sequences(self) -> tuple[str, ...]:
        stops = [self.stop] if isinstance(self.stop, str) else list(self.stop or [])
        return tuple(s for s in stops if s)

    def messages_as_dicts(self) -> list[dict]:
        return [{"role": m.role, "content": m.content} for m in self.messages]


def parse_request(data: Any, *, max_tokens_limit: int) -> ChatRequest:
    """The request, or an :class:`ApiError` naming the field that is wrong."""
    try:
        request = ChatRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first.get("loc", ())) or None
        raise ApiError(400, f"{param or 'request'}: {first.get('msg')}", param=param) from None
    if request.n not in (None, 1):
        raise ApiError(400, "n: only n=1 is supported", param="n")
    if len(request.stop_sequences) > MAX_STOP_SEQUENCES:
        raise ApiError(400, f"stop: at most {MAX_STOP_SEQUENCES} sequences", param="stop")
    asked = request.max_completion_tokens or request.max_tokens
    if asked is not None and asked > max_tokens_limit:
        raise ApiError(400, f"max_tokens: {asked} is above this server's limit of {max_tokens_limit}", param="max_tokens")
    if request.messages[-1].role != "user":
        raise ApiError(400, "messages: the last message must be the user's", param="messages")
    return request


# -- stop sequences ---------------------------------------------------------------------------


def cut_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    """``text`` up to the first stop sequence, and whether one was found."""
    hits = [i for i in (text.find(s) for s in stops) if i >= 0]
    return (text[: min(hits)], True) if hits else (text, False)


def releasable(text: str, stops: tuple[str, ...]) -> int:
    """How much of ``text`` can be sent now: all but a tail that could be the start of a stop sequence."""
    hold = 0
    for s in stops:
        for k in range(min(len(s) - 1, len(text)), 0, -1):
            if text.endswith(s[:k]):
                hold = max(hold, k)
                break
    return len(text) - hold


# -- responses --------------------------------------------------------------------------------


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def finish_reason(turn: TurnRecord, *, stopped: bool, model: str | None) -> str:
    """``content_filter`` for a deferral, ``stop`` where this server cut at a stop sequence, else what
    the model (or the upstream) said ended it: ``length`` at ``max_tokens``."""
    if turn.deferred:
        return "content_filter"
    return "stop" if stopped or not model else model


NO_TOKENS = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def safety_object(turn: TurnRecord) -> dict:
    """What the guard decided about this turn: ``action`` (allow, monitor, defer), ``category``,
    ``rule_ids``, ``source`` (``input``: the conversation, ``output``: the answer), and where
    there is one, ``reason``, ``notice``, ``language`` and the ``redactions`` made before the
    model saw the message (kind and placeholder, never the original)."""
    decision = turn.decision
    action = decision.action if decision is not None else "allow"
    out: dict[str, Any] = {
        "action": action,
        "category": turn.category,
        "rule_ids": turn.rule_ids,
        "source": turn.source or ("input" if action != "allow" else None),
        "model_called": turn.model_called,
        "outcome": turn.outcome,
    }
    if decision is not None:
        for key in ("reason", "notice", "language"):
            if getattr(decision, key, None):
                out[key] = getattr(decision, key)
        out["matches"] = [
            {"rule_id": m.rule_id, "category": m.category, "span": list(m.span), "negated": m.negated}
            for m in decision.matches
        ]
        if getattr(decision, "redactions", None):
            out["redactions"] = [{"kind": r.get("kind"), "placeholder": r.get("placeholder")} for r in decision.redactions]
    return out


def completion(cid: str, model: str, text: str, finish: str, safety: dict, usage: dict | None) -> dict:
    out = {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish, "logprobs": None}],
        "safety": safety,
    }
    if usage is not None:
        out["usage"] = usage
    return out


def chunk(cid: str, model: str, delta: dict, finish: str | None = None, safety: dict | None = None) -> dict:
    out = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    if safety is not None:
        out["safety"] = safety
    return out


def usage_chunk(cid: str, model: str, usage: dict | None) -> dict:
    """A stream's last chunk before ``[DONE]`` when the client sent ``stream_options.include_usage``."""
    return {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [], "usage": usage}


def models_list(model: str, created: int) -> dict:
    return {"object": "list", "data": [{"id": model, "object": "model", "created": created, "owned_by": "medtune"}]}
