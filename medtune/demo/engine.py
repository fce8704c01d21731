"""The chat engine: the model behind the safety guard, without any web framework.

``ChatEngine.stream_reply(messages, settings, turn=...)`` answers the last user message. In order:
an empty message gets a polite prompt, an over-long one a polite refusal (before the guard runs,
so one huge request cannot cost seconds of guard CPU), then the guard checks the whole
conversation *before* the model is called, and the answer streams through a
:class:`safety.StreamGuard` so a deferral phrase never reaches the screen. What happened is kept
in a :class:`TurnRecord` (decision, category, rule ids, where the decision came from, the text
shown), which pages and servers render however they like. Model calls are counted, so tests can
prove an emergency never reached the model.

Gradio lives in :mod:`medtune.demo.page`; nothing here imports it, so an HTTP server can reuse
the engine as it is.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medtune.config import Config, DemoConfig
    from safety import Decision, SafetyGuard

log = logging.getLogger(__name__)

EMPTY_REPLY = "Please type a question, and I will do my best to give you general health information."
TOO_LONG_REPLY = (
    "Your message is {n:,} characters long; I can read up to {limit:,}. Could you shorten it to the "
    "main question and the most important details? If this is an emergency, call your local "
    "emergency number now."
)
EMPTY_ANSWER = "(The model returned an empty answer.)"
TIMEOUT_REPLY = "Sorry, the model took too long to answer. Please try again in a moment."
FALLBACK_DEFERRAL = "This needs a professional: please contact a doctor, or your local emergency number if it is urgent."
STREAM_TIMEOUT_S = 300.0  # no new token for this long: give up on the reply
NEW_TOKENS_CAP = 2048


@dataclass(frozen=True)
class GenerationSettings:
    """Sampling settings of one reply, clamped to sane ranges (API callers can send anything)."""

    temperature: float = 0.7
    top_p: float = 0.9
    max_new_tokens: int = 256

    def __post_init__(self) -> None:
        object.__setattr__(self, "temperature", min(max(float(self.temperature or 0.0), 0.0), 2.0))
        object.__setattr__(self, "top_p", min(max(float(self.top_p or 1.0), 0.01), 1.0))
        object.__setattr__(self, "max_new_tokens", min(max(int(self.max_new_tokens or 1), 1), NEW_TOKENS_CAP))

    @classmethod
    def from_config(cls, demo: DemoConfig) -> GenerationSettings:
        return cls(demo.temperature, demo.top_p, demo.max_new_tokens)


@dataclass
class TurnRecord:
    """One message and what happened to it; filled in while :meth:`ChatEngine.stream_reply` runs.

    The record, not any rendering of it, is the conversation's history: the page draws the
    deferral box from it at display time, and the next turn's prompt is built from ``user`` and
    ``text``.
    """

    user: str = ""  # the message as received
    text: str = ""  # the reply as shown: the answer, or the guard's guidance message
    outcome: str = "pending"  # empty | too_long | deferred | answered | timeout
    decision: Decision | None = None  # the decision that settled it (input or output check)
    source: str | None = None  # which check settled it: "input" (the conversation) or "output" (the draft answer)
    model_called: bool = False
    seconds: float = 0.0

    @property
    def deferred(self) -> bool:
        return self.outcome == "deferred"

    @property
    def category(self) -> str | None:
        return self.decision.category if self.decision is not None else None

    @property
    def rule_ids(self) -> list[str]:
        """The policy rules that fired (negated matches excluded), in order, once each."""
        if self.decision is None:
            return []
        return list(dict.fromkeys(m.rule_id for m in self.decision.matches if not m.negated))

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "source": self.source,
            "category": self.category,
            "rule_ids": self.rule_ids,
            "model_called": self.model_called,
            "text": self.text,
            "decision": self.decision.to_dict() if self.decision is not None else None,
        }


def history_messages(records: Iterable[TurnRecord]) -> list[dict]:
    """The conversation so far as chat messages, from the records (deferrals as their guidance text)."""
    out: list[dict] = []
    for record in records:
        out += [{"role": "user", "content": record.user}, {"role": "assistant", "content": record.text}]
    return out


def message_text(content: Any) -> str:
    """A chat message's content as plain text (web clients may send a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text") if isinstance(content.get("text"), str) else ""
    if isinstance(content, (list, tuple)):
        return "\n".join(message_text(part) for part in content if part is not None)
    return "" if content is None else str(content)


class _SharedExclusiveLock:
    """Many replies may generate at once; the base-model path of Compare needs the model alone,
    because ``disable_adapter()`` switches the adapter off for every thread. Writers go first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    def acquire(self, exclusive: bool) -> None:
        with self._cond:
            if exclusive:
                self._waiting_writers += 1
                self._cond.wait_for(lambda: not self._writer and self._readers == 0)
                self._waiting_writers -= 1
                self._writer = True
            else:
                self._cond.wait_for(lambda: not self._writer and self._waiting_writers == 0)
                self._readers += 1

    def release(self, exclusive: bool) -> None:
        with self._cond:
            if exclusive:
                self._writer = False
            else:
                self._readers -= 1
            self._cond.notify_all()


class ChatEngine:
    """The model behind the guard. Thread-safe; one instance serves every session."""

    def __init__(
        self,
        model,
        tokenizer,
        guard: SafetyGuard,
        *,
        system_prompt: str,
        max_input_chars: int = 8000,
        max_concurrent_generations: int = 4,
        log_phi: bool = False,
        after_emergency: str = "remind",
        source=None,
    ):
        from medtune.model import stop_token_ids

        self.model = model
        self.tokenizer = tokenizer
        self.guard = guard
        self.system_prompt = system_prompt
        self.max_input_chars = max_input_chars
        self.log_phi = log_phi
        self.after_emergency = after_emergency  # safety.conversation: strict | remind
        # Another way to the text than model.generate (medtune/serve/backends.py: continuous batching,
        # an upstream server): pieces(prompt, settings, stop) and, optionally, prompt(conversation, settings).
        self.source = source
        self.stop_ids = stop_token_ids(tokenizer) if tokenizer is not None else []
        self.context_tokens = int(getattr(getattr(model, "config", None), "max_position_embeddings", 0) or 4096)
        self._count_lock = threading.Lock()
        self._model_lock = _SharedExclusiveLock()
        self._generation_slots = threading.BoundedSemaphore(max_concurrent_generations)
        self._warm = False
        self.model_calls = 0  # how many times generate() was entered: tests assert on it
        # A PEFT model: the base model's replies are one ``disable_adapter()`` away.
        self.has_adapter = "peft" in sys.modules and isinstance(model, sys.modules["peft"].PeftModel)

    @classmethod
    def from_config(cls, model, tokenizer, guard: SafetyGuard, cfg: Config, *, system_prompt: str | None = None) -> ChatEngine:
        """An engine with ``cfg.demo``'s limits; the system prompt is the one the weights were
        trained with when given (the run's own), else ``cfg.safety.system_prompt``."""
        return cls(
            model,
            tokenizer,
            guard,
            system_prompt=cfg.safety.system_prompt if system_prompt is None else system_prompt,
            max_input_chars=cfg.demo.max_input_chars,
            max_concurrent_generations=cfg.demo.concurrency_limit,
            log_phi=cfg.logging.log_phi,
            after_emergency=cfg.safety.conversation.after_emergency,
        )

    # -- the one entry point -------------------------------------------------------------

    def stream_reply(
        self,
        messages: list[dict],
        settings: GenerationSettings | None = None,
        *,
        turn: TurnRecord | None = None,
        adapter: bool = True,
    ) -> Iterator[str]:
        """Answer the last user message of ``messages`` (system prompt not included).

        Yields the reply so far; each item replaces the previous one, and the last is also left
        in ``turn.text``. A deferral yields the guard's guidance message and sets
        ``turn.outcome = "deferred"``. ``adapter=False`` asks the base model (adapter switched
        off) instead of the fine-tuned one.
        """
        settings = settings or GenerationSettings()
        turn = turn if turn is not None else TurnRecord()
        start = time.perf_counter()
        conversation = [
            {"role": m["role"], "content": message_text(m.get("content"))}
            for m in messages
            if m.get("role") in ("user", "assistant")
        ]
        last = conversation[-1]["content"] if conversation and conversation[-1]["role"] == "user" else ""
        turn.user = last
        try:
            for text in self._reply(conversation, last, settings, turn, adapter):
                turn.text = text
                yield text
        finally:
            turn.seconds = time.perf_counter() - start

    # -- internals -----------------------------------------------------------------------

    def _reply(self, conversation: list[dict], last: str, settings, turn: TurnRecord, adapter: bool) -> Iterator[str]:
        if not last.strip():
            turn.outcome = "empty"
            yield EMPTY_REPLY
            return
        # Size first: the guard's cost grows with the text, the model never sees this one anyway.
        if len(last) > self.max_input_chars:
            # Not answered; but an emergency in what fits is still deferred (a bounded check).
            head = self.guard.check_input(last[: self.max_input_chars])
            if head.deferred:
                turn.decision, turn.outcome, turn.source = head, "deferred", "input"
                self._log_decision(head, "input", last)
                yield head.message or FALLBACK_DEFERRAL
                return
            turn.outcome = "too_long"
            yield TOO_LONG_REPLY.format(n=len(last), limit=self.max_input_chars)
            return
        from safety.conversation import check_turn

        decision = check_turn(self.guard, conversation, after_emergency=self.after_emergency)
        turn.decision = decision
        self._log_decision(decision, "input", last)
        if decision.deferred:
            turn.outcome, turn.source = "deferred", "input"
            yield decision.message or FALLBACK_DEFERRAL
            return
        if decision.redacted is not None:  # identifiers never reach the model (safety.redact_input)
            conversation = conversation[:-1] + [{**conversation[-1], "content": decision.redacted}]
        prompt_ids = (getattr(self.source, "prompt", None) or self._prompt_ids)(conversation, settings)
        if prompt_ids is None:
            turn.outcome = "too_long"
            yield TOO_LONG_REPLY.format(n=len(last), limit=self.max_input_chars)
            return
        notice = f"{decision.notice}\n\n" if decision.notice else ""
        for shown in self._guarded_generation(prompt_ids, settings, turn, adapter):
            yield notice + shown if turn.outcome != "deferred" else shown

    def _guarded_generation(self, prompt_ids: list[int], settings, turn: TurnRecord, adapter: bool) -> Iterator[str]:
        from safety import StreamGuard

        stream_guard = StreamGuard(self.guard, kind="output")
        shown = ""
        turn.model_called = True
        stop = threading.Event()
        try:
            pieces = self.source.pieces(prompt_ids, settings, stop) if self.source else self._generate(prompt_ids, settings, stop, adapter)
            for piece in pieces:
                safe = stream_guard.feed(piece)
                if stream_guard.deferred:
                    break
                if safe:
                    shown += safe
                    yield shown
            if not stream_guard.deferred:
                tail = stream_guard.finish()
                if not stream_guard.deferred:
                    turn.outcome = "answered"
                    turn.decision = stream_guard.decision if stream_guard.decision.action != "allow" else turn.decision
                    if stream_guard.decision.action != "allow":
                        turn.source = "output"
                    if tail or not shown:
                        yield (shown + tail) or EMPTY_ANSWER
                    return
            stop.set()
            turn.outcome, turn.source, turn.decision = "deferred", "output", stream_guard.decision
            self._log_decision(stream_guard.decision, "output", stream_guard.text)
            yield stream_guard.decision.message or FALLBACK_DEFERRAL
        except queue.Empty:
            turn.outcome = "timeout"
            yield TIMEOUT_REPLY
        finally:
            stop.set()  # also when the user pressed Stop or went away: free the model

    def _prompt_ids(self, conversation: list[dict], settings: GenerationSettings) -> list[int] | None:
        """The prompt exactly as training rendered it, oldest turns dropped to fit the context."""
        from medtune.chat_template import render

        system = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        turns = list(conversation)
        budget = self.context_tokens - settings.max_new_tokens
        while turns:
            text = render(self.tokenizer, system + turns, add_generation_prompt=True)
            ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
            if len(ids) <= budget:
                return ids
            turns = turns[2:] if len(turns) > 2 else []  # drop the oldest user/assistant pair
            while turns and turns[0]["role"] != "user":
                turns = turns[1:]
        return None

    def _generate(self, prompt_ids: list[int], settings: GenerationSettings, stop: threading.Event, adapter: bool) -> Iterator[str]:
        """Run ``model.generate`` in a thread and yield decoded text as it arrives."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        class _Stopped(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return stop.is_set()

        device = getattr(self.model, "device", None) or "cpu"
        input_ids = torch.tensor([prompt_ids], device=device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=STREAM_TIMEOUT_S)
        kwargs: dict[str, Any] = dict(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=settings.max_new_tokens,
            eos_token_id=self.stop_ids,
            pad_token_id=self.tokenizer.pad_token_id,
            streamer=streamer,
            stopping_criteria=StoppingCriteriaList([_Stopped()]),
        )
        if settings.temperature > 0:
            kwargs.update(do_sample=True, temperature=settings.temperature, top_p=settings.top_p)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None)
        base_only = not adapter and self.has_adapter
        errors: list[BaseException] = []

        def work() -> None:
            with self._generation_slots:
                if not stop.is_set():  # the user may have left while this waited for a slot
                    generate()

        def generate() -> None:
            # The first generation runs alone: some layers (bitsandbytes 4-bit on CPU) repack their
            # weights lazily on the first forward pass, which is not safe to do from two threads.
            exclusive = base_only or not self._warm
            self._model_lock.acquire(exclusive=exclusive)
            try:
                with self._count_lock:
                    self.model_calls += 1
                with torch.inference_mode():
                    if base_only:
                        with self.model.disable_adapter():
                            self.model.generate(**kwargs)
                    else:
                        self.model.generate(**kwargs)
                self._warm = True
            except BaseException as exc:  # surfaced in the consumer below
                errors.append(exc)
                streamer.end()
            finally:
                self._model_lock.release(exclusive=exclusive)

        thread = threading.Thread(target=work, name="medtune-generate", daemon=True)
        thread.start()
        try:
            yield from streamer
        finally:
            stop.set()
        thread.join(timeout=STREAM_TIMEOUT_S)
        if errors:
            raise errors[0]

    def _log_decision(self, decision: Decision, source: str, text: str) -> None:
        """Rule ids only: matched phrases are words of the message (possible PHI)."""
        if decision.action == "allow":
            return
        rules = sorted({m.rule_id for m in decision.matches if not m.negated})
        extra = f" text={text!r}" if self.log_phi else ""
        log.info("safety %s (%s): category=%s rules=%s%s", decision.action, source, decision.category, rules, extra)
