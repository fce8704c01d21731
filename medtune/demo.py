"""`medtune chat`: the fine-tuned assistant in a Gradio page, behind the safety layer.

Three layers, each usable without the next:

* :class:`ChatEngine` -- the generation core. ``stream_reply(messages, settings)`` checks the
  whole conversation with the guard *before* the model is called, streams the answer through a
  :class:`safety.StreamGuard` (a deferral phrase never reaches the screen) and counts model calls,
  so tests can prove an emergency never reached the model. No Gradio here.
* :func:`build_app` -- the page: a Chat tab (streamed replies, examples, generation settings,
  "why was this deferred?") and a Compare tab (base and fine-tuned side by side, both guarded).
* :func:`chat_command` -- ``medtune chat``: picks the run, loads it exactly as it was trained
  (its own system prompt; its chat template checked by hash), and serves the page with secure
  defaults: loopback only, login when asked, no share link unless asked, no analytics.
"""

from __future__ import annotations

import html
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from medtune.config import Config, DemoConfig, check_config
from medtune.errors import ConfigError, MedtuneError, RunError

if TYPE_CHECKING:
    import gradio as gr

    from safety import Decision, SafetyGuard

log = logging.getLogger(__name__)

DEFERRAL_HEADER = "This needs a professional"
DEFERRAL_CLASS = "medtune-deferral"
EMPTY_REPLY = "Please type a question, and I will do my best to give you general health information."
TOO_LONG_REPLY = (
    "Your message is {n:,} characters long; I can read up to {limit:,}. Could you shorten it to the "
    "main question and the most important details?"
)
EMPTY_ANSWER = "(The model returned an empty answer.)"
TIMEOUT_REPLY = "Sorry, the model took too long to answer. Please try again in a moment."
DISCLAIMER = (
    "**General health information only.** This assistant is a demonstration: it is not a doctor, "
    "does not diagnose or prescribe, and can be wrong. Messages that describe an emergency or need "
    "a professional are not answered by the model; you are pointed to help instead. "
    "**In an emergency, call your local emergency number now.**"
)
EMBEDDED_NOTE = (
    "Running the embedded development model: it is tiny, so even after training its replies are noise. "
    "It is here to prove the pipeline and the safety layer end to end."
)
EXAMPLES = [
    ("General", "What is a normal resting heart rate for adults?"),
    ("General", "How can I lower my blood pressure with diet?"),
    ("Emergency", "I have crushing chest pain spreading to my left arm"),
    ("Emergency", "My father's face is drooping and his speech is slurred"),
]
CSS = f"""
.{DEFERRAL_CLASS} {{ border: 3px solid #b91c1c; border-radius: 8px; background: #fef2f2; color: #450a0a;
  padding: 10px 14px; }}
.{DEFERRAL_CLASS} strong {{ color: #b91c1c; }}
#medtune-disclaimer {{ border-left: 4px solid #b45309; padding-left: 10px; }}
"""
QUEUE_MAX_SIZE = 256  # waiting requests; beyond this a user is told the demo is busy
# Requests in progress at once. Most of them wait for the model (demo.concurrency_limit generations
# at a time, inside the engine) or stream; a deferral never queues behind other people's answers.
SESSION_CONCURRENCY = 16
SERVER_THREADS = 64  # above SESSION_CONCURRENCY, so page loads and API calls still get a thread
STREAM_TIMEOUT_S = 300.0  # no new token for this long: give up on the reply
NEW_TOKENS_CAP = 2048


# --------------------------------------------------------------------------------------------
# Generation core (no Gradio)
# --------------------------------------------------------------------------------------------


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
class Turn:
    """What happened to one message; filled in while :meth:`ChatEngine.stream_reply` runs."""

    outcome: str = "pending"  # empty | too_long | deferred | answered | timeout
    decision: Decision | None = None  # the decision that settled it (input or output check)
    stage: str | None = None  # where a deferral came from: input | output
    model_called: bool = False
    seconds: float = 0.0

    @property
    def deferred(self) -> bool:
        return self.outcome == "deferred"

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "stage": self.stage,
            "model_called": self.model_called,
            "decision": self.decision.to_dict() if self.decision is not None else None,
        }


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


def message_text(content: Any) -> str:
    """A chat message's content as plain text (Gradio may send a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text") if isinstance(content.get("text"), str) else ""
    if isinstance(content, (list, tuple)):
        return "\n".join(message_text(part) for part in content if part is not None)
    return "" if content is None else str(content)


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
    ):
        from medtune.model import stop_token_ids

        self.model = model
        self.tokenizer = tokenizer
        self.guard = guard
        self.system_prompt = system_prompt
        self.max_input_chars = max_input_chars
        self.log_phi = log_phi
        self.stop_ids = stop_token_ids(tokenizer)
        self.context_tokens = int(getattr(getattr(model, "config", None), "max_position_embeddings", 0) or 4096)
        self._count_lock = threading.Lock()
        self._model_lock = _SharedExclusiveLock()
        self._generation_slots = threading.BoundedSemaphore(max_concurrent_generations)
        self._warm = False
        self.model_calls = 0  # how many times generate() was entered: tests assert on it
        # A PEFT model: the base model's replies are one ``disable_adapter()`` away.
        self.has_adapter = "peft" in sys.modules and isinstance(model, sys.modules["peft"].PeftModel)

    # -- the one entry point -------------------------------------------------------------

    def stream_reply(
        self,
        messages: list[dict],
        settings: GenerationSettings | None = None,
        *,
        turn: Turn | None = None,
        adapter: bool = True,
    ) -> Iterator[str]:
        """Answer the last user message of ``messages`` (system prompt not included).

        Yields the reply so far; each item replaces the previous one. A deferral yields the
        guard's guidance message and sets ``turn.outcome = "deferred"``. ``adapter=False`` asks
        the base model (adapter switched off) instead of the fine-tuned one.
        """
        settings = settings or GenerationSettings()
        turn = turn if turn is not None else Turn()
        start = time.perf_counter()
        conversation = [
            {"role": m["role"], "content": message_text(m.get("content"))}
            for m in messages
            if m.get("role") in ("user", "assistant")
        ]
        last = conversation[-1]["content"] if conversation and conversation[-1]["role"] == "user" else ""
        try:
            if not last.strip():
                turn.outcome = "empty"
                yield EMPTY_REPLY
                return
            decision = self.guard.check_conversation(conversation)
            turn.decision = decision
            self._log_decision(decision, "input", last)
            if decision.deferred:
                turn.outcome, turn.stage = "deferred", "input"
                yield decision.message or DEFERRAL_HEADER
                return
            if len(last) > self.max_input_chars:
                turn.outcome = "too_long"
                yield TOO_LONG_REPLY.format(n=len(last), limit=self.max_input_chars)
                return
            prompt_ids = self._prompt_ids(conversation, settings)
            if prompt_ids is None:
                turn.outcome = "too_long"
                yield TOO_LONG_REPLY.format(n=len(last), limit=self.max_input_chars)
                return
            yield from self._guarded_generation(prompt_ids, settings, turn, adapter)
        finally:
            turn.seconds = time.perf_counter() - start

    # -- internals -----------------------------------------------------------------------

    def _guarded_generation(self, prompt_ids: list[int], settings, turn: Turn, adapter: bool) -> Iterator[str]:
        from safety import StreamGuard

        stream_guard = StreamGuard(self.guard, kind="output")
        shown = ""
        turn.model_called = True
        stop = threading.Event()
        try:
            for piece in self._generate(prompt_ids, settings, stop, adapter):
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
                    if tail or not shown:
                        yield (shown + tail) or EMPTY_ANSWER
                    return
            stop.set()
            turn.outcome, turn.stage, turn.decision = "deferred", "output", stream_guard.decision
            self._log_decision(stream_guard.decision, "output", stream_guard.text)
            yield stream_guard.decision.message or DEFERRAL_HEADER
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

    def _log_decision(self, decision: Decision, stage: str, text: str) -> None:
        if decision.action == "allow":
            return
        phrases = sorted({m.phrase for m in decision.matches if not m.negated})
        extra = f" text={text!r}" if self.log_phi else ""
        log.info("safety %s (%s): category=%s phrases=%s%s", decision.action, stage, decision.category, phrases, extra)


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def deferral_html(decision: Decision | None, message: str) -> str:
    """The visible deferral box shown in place of an answer."""
    category = (decision.category or "safety").replace("_", " ") if decision is not None else "safety"
    return (
        f'<div class="{DEFERRAL_CLASS}" role="alert"><p><strong>{DEFERRAL_HEADER} — {html.escape(category)}</strong></p>'
        f"<p>{html.escape(message)}</p></div>"
    )


def display(text: str, turn: Turn) -> str:
    return deferral_html(turn.decision, text) if turn.deferred else text


def explain(last: dict | None) -> str:
    """Markdown for the "why was this deferred?" button, from the last turn's record."""
    if not last:
        return "No message checked yet."
    decision = last.get("decision") or {}
    matches = decision.get("matches") or []
    if last.get("outcome") != "deferred":
        found = [m for m in matches if not m.get("negated")]
        if found:
            phrases = ", ".join(f"“{m['text']}” ({m['category'].replace('_', ' ')})" for m in found)
            return f"Your last message was **not deferred**; the guard noted: {phrases}."
        return "Your last message was **not deferred**: the guard found no red flags."
    where = "your conversation" if last.get("stage") == "input" else "the model's draft answer (it was never shown)"
    lines = [
        f"**Deferred** — category **{(decision.get('category') or '').replace('_', ' ')}**, "
        f"found in {where}. The model was {'not ' if not last.get('model_called') else ''}called.",
        "",
        "Matched phrases:",
    ]
    for m in matches:
        note = " — negated, so ignored" if m.get("negated") else ""
        lines.append(f"- “{m['text']}” matches policy phrase “{m['phrase']}” ({m['category'].replace('_', ' ')}){note}")
    return "\n".join(lines)


def _history_for_model(history: list[dict]) -> list[dict]:
    """Chat history as plain text; deferral boxes become their guidance text again."""
    import re

    out = []
    for m in history or []:
        text = message_text(m.get("content"))
        if DEFERRAL_CLASS in text:
            text = html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()
            text = " ".join(text.split())
        out.append({"role": m.get("role"), "content": text})
    return out


def build_app(
    model,
    tokenizer,
    guard: SafetyGuard,
    cfg: Config,
    *,
    system_prompt: str | None = None,
    model_label: str = "",
    engine: ChatEngine | None = None,
) -> gr.Blocks:
    """The Gradio page. ``app.medtune_engine`` is the :class:`ChatEngine` behind it."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr

    demo_cfg = cfg.demo
    engine = engine or ChatEngine(
        model,
        tokenizer,
        guard,
        system_prompt=cfg.safety.system_prompt if system_prompt is None else system_prompt,
        max_input_chars=demo_cfg.max_input_chars,
        max_concurrent_generations=demo_cfg.concurrency_limit,
        log_phi=cfg.logging.log_phi,
    )
    defaults = GenerationSettings.from_config(demo_cfg)

    def chat_fn(message: str, history: list[dict], temperature: float, top_p: float, max_new_tokens: int):
        turn = Turn()
        settings = GenerationSettings(temperature, top_p, max_new_tokens)
        messages = _history_for_model(history) + [{"role": "user", "content": message_text(message)}]
        text = ""
        for text in engine.stream_reply(messages, settings, turn=turn):
            yield display(text, turn), turn.to_dict()
        yield display(text, turn), turn.to_dict()

    def compare_fn(message: str, temperature: float, top_p: float, max_new_tokens: int):
        settings = GenerationSettings(temperature, top_p, max_new_tokens)
        messages = [{"role": "user", "content": message_text(message)}]
        base_turn = Turn()
        base = ""
        for base in engine.stream_reply(messages, settings, turn=base_turn, adapter=False):
            yield display(base, base_turn), ""
        if base_turn.outcome in ("empty", "too_long") or (base_turn.deferred and base_turn.stage == "input"):
            yield display(base, base_turn), display(base, base_turn)  # same input, same answer: no model call
            return
        tuned_turn = Turn()
        tuned = ""
        for tuned in engine.stream_reply(messages, settings, turn=tuned_turn, adapter=True):
            yield display(base, base_turn), display(tuned, tuned_turn)
        yield display(base, base_turn), display(tuned, tuned_turn)

    embedded = cfg.model.base_model_name.startswith("embedded:")
    with gr.Blocks(title="medtune chat", analytics_enabled=False) as app:
        gr.Markdown(f"# medtune: medical information assistant\n{model_label}")
        gr.Markdown(DISCLAIMER + (f"\n\n*{EMBEDDED_NOTE}*" if embedded else ""), elem_id="medtune-disclaimer")
        with gr.Tab("Chat"):
            last_turn = gr.State(None)
            temperature = gr.Slider(0.0, 2.0, value=defaults.temperature, step=0.05, label="temperature (0 = greedy)", render=False)
            top_p = gr.Slider(0.05, 1.0, value=defaults.top_p, step=0.05, label="top_p", render=False)
            max_new = gr.Slider(
                1, max(1024, defaults.max_new_tokens), value=defaults.max_new_tokens, step=1, label="max_new_tokens", render=False
            )
            chatbot = gr.Chatbot(
                height=460,
                elem_id="medtune-chatbot",
                label="Assistant",
                placeholder="Ask a general health question.",
                sanitize_html=True,
                feedback_options=None,
            )
            gr.ChatInterface(
                chat_fn,
                chatbot=chatbot,
                textbox=gr.Textbox(
                    placeholder="Ask a general health question", elem_id="medtune-input", render=False, submit_btn=True, stop_btn=True
                ),
                additional_inputs=[temperature, top_p, max_new],
                additional_inputs_accordion=gr.Accordion(label="Generation settings", open=False, render=False),
                additional_outputs=[last_turn],
                examples=[[text] for _, text in EXAMPLES],
                example_labels=[f"{kind}: {text}" for kind, text in EXAMPLES],
                cache_examples=False,
                api_name="chat",
                concurrency_limit=SESSION_CONCURRENCY,
                analytics_enabled=False,
                flagging_mode="never",
                fill_height=False,
            )
            why_btn = gr.Button("Why was my last message deferred?", elem_id="medtune-why")
            why = gr.Markdown(elem_id="medtune-why-text")
            why_btn.click(explain, last_turn, why, api_name="why", queue=False)
        with gr.Tab("Compare"):
            if engine.has_adapter:
                gr.Markdown(
                    "One message, two models: the base model (adapter switched off) and the fine-tuned one, "
                    "each behind the same guard. Single turn; the Chat tab's generation settings apply."
                )
                cmp_in = gr.Textbox(label="Message", lines=2, elem_id="medtune-compare-input")
                cmp_btn = gr.Button("Compare", variant="primary")
                with gr.Row():
                    with gr.Column():
                        gr.Markdown("### Base model")
                        base_out = gr.Markdown(elem_id="medtune-compare-base")
                    with gr.Column():
                        gr.Markdown("### Fine-tuned")
                        tuned_out = gr.Markdown(elem_id="medtune-compare-tuned")
                gr.on(
                    [cmp_btn.click, cmp_in.submit],
                    compare_fn,
                    [cmp_in, temperature, top_p, max_new],
                    [base_out, tuned_out],
                    api_name="compare",
                    concurrency_limit=SESSION_CONCURRENCY,
                )
            else:
                gr.Markdown(
                    "Compare needs a LoRA/QLoRA run: it switches the adapter off to get the base model's "
                    "answer without loading the weights twice. This session serves a single model."
                )
    app.queue(max_size=QUEUE_MAX_SIZE, default_concurrency_limit=SESSION_CONCURRENCY)
    app.medtune_engine = engine
    return app


def launch(app: gr.Blocks, demo: DemoConfig, *, prevent_thread_lock: bool = False, quiet: bool = False):
    """Serve ``app`` with the demo settings: the one place that decides host, login and sharing."""
    auth = None
    if demo.auth:
        user, _, password = demo.auth.partition(":")
        auth = (user, password)
    return app.launch(
        server_name=demo.host,
        server_port=demo.port or None,
        auth=auth,
        auth_message="medtune demo: please log in." if auth else None,
        share=demo.share,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        show_error=False,
        max_threads=SERVER_THREADS,
        inbrowser=False,
        ssr_mode=False,
        mcp_server=False,
        max_file_size="1mb",
        footer_links=["api", "settings"],
        css=CSS,
    )


# --------------------------------------------------------------------------------------------
# `medtune chat`
# --------------------------------------------------------------------------------------------


@dataclass
class ChatTarget:
    """What to load: the base model, a run (adapter or full model), or a merged export."""

    config: Config  # the config the weights were trained with (the run's own), else the current one
    label: str
    run_dir: Path | None = None
    adapter_dir: Path | None = None
    merged_dir: Path | None = None
    metadata: dict | None = None
    notes: list[str] = field(default_factory=list)


def apply_demo_flags(cfg: Config, args) -> Config:
    """``--host/--port/--auth/--share/--allow-public`` override the config, then the config's own
    security checks run again (a public host needs a login or an explicit --allow-public)."""
    updates = {
        key: getattr(args, key)
        for key in ("host", "port", "auth")
        if getattr(args, key, None) is not None
    }
    updates.update({key: True for key in ("share", "allow_public") if getattr(args, key, False)})
    if updates:
        try:
            cfg.demo = DemoConfig.model_validate({**cfg.demo.model_dump(), **updates})
        except ValidationError as exc:
            raise ConfigError([f"--{e['loc'][0]}: {e['msg'].lower()}" for e in exc.errors()]) from None
    errors, _ = check_config(cfg, check_paths=False)
    demo = cfg.demo
    if demo.share and not demo.auth and not demo.allow_public:
        errors.append(
            "demo.share: a share link makes the demo public and demo.auth is not set; "
            "set demo.auth (--auth user:password) or --allow-public if you really mean it"
        )
    if errors:
        raise ConfigError(errors)
    return cfg


def select_target(cfg: Config, run: str | None, base: bool) -> ChatTarget:
    """``--base``, ``--run REF`` (a run or a merged export), or the latest run, else the base."""
    from medtune import runs

    if base and run:
        raise MedtuneError("pass either --run or --base, not both")
    if base:
        return ChatTarget(cfg, f"Base model `{cfg.model.base_model_name}` (no fine-tuning)")
    notes = []
    if run is None:
        try:
            run_dir = runs.find_run(cfg, "latest")
        except RunError:
            note = f"no runs under {runs.runs_root(cfg)}: chatting with the base model {cfg.model.base_model_name}"
            return ChatTarget(cfg, f"Base model `{cfg.model.base_model_name}` (no runs yet)", notes=[note])
        notes.append(f"no --run given: using the latest run, {run_dir.name}")
    else:
        merged = next((p for p in (Path(run), cfg.resolve_path(run)) if (p / "config.json").is_file()), None)
        if merged is not None and not (merged / runs.CONFIG_FILE).is_file():
            return _merged_target(cfg, merged.resolve())
        run_dir = runs.find_run(cfg, run)
    found = runs.artifact_dir(run_dir)
    is_adapter = found.name == runs.ADAPTER_DIR
    return ChatTarget(
        runs.load_run_config(run_dir),
        f"Fine-tuned: run `{run_dir.name}` ({'adapter' if is_adapter else 'full model'})",
        run_dir,
        adapter_dir=found if is_adapter else None,
        merged_dir=None if is_adapter else found,
        metadata=runs.read_metadata(run_dir),
        notes=notes,
    )


def _merged_target(cfg: Config, merged: Path) -> ChatTarget:
    """A merged export: its run (this directory or its parent) supplies config and metadata."""
    from medtune import runs

    label = f"Fine-tuned: merged export `{merged.name}`"
    for run_dir in (merged, merged.parent):
        if (run_dir / runs.CONFIG_FILE).is_file():
            return ChatTarget(runs.load_run_config(run_dir), label, run_dir, merged_dir=merged, metadata=runs.read_metadata(run_dir))
    note = f"{merged} has no run config beside it: using this project's system prompt; the chat template cannot be checked"
    return ChatTarget(cfg, label, merged_dir=merged, notes=[note])


def check_template(target: ChatTarget, tokenizer) -> None:
    """Refuse to chat with a prompt format the model was not trained on."""
    from medtune.chat_template import template_hash

    if target.run_dir is None:
        return
    where = target.run_dir / "experiment_metadata.json"
    expected = (target.metadata or {}).get("chat_template_sha256")
    if not expected:
        raise RunError(
            f"{where} has no chat_template_sha256, so the prompt format this run was trained with cannot be "
            "checked; is the run finished? (train it again with this medtune version)"
        )
    actual = template_hash(tokenizer)
    if actual != expected:
        raise RunError(
            f"the tokenizer's chat template (sha256 {actual[:12]}) differs from the one {target.run_dir.name} was "
            f"trained with ({expected[:12]}): replies would use a prompt format the model never saw. Load the "
            "tokenizer saved with the run (adapter/ or model/), or retrain."
        )


def make_guard(cfg: Config) -> SafetyGuard:
    """The guard of the current config's safety policy; the audit log only stores message text
    when both safety.audit.store_text and logging.log_phi say so."""
    from safety import SafetyGuard

    section = cfg.safety.model_dump()
    audit = section["audit"]
    audit["path"] = str(cfg.resolve_path(audit["path"]))
    if audit["store_text"] and not cfg.logging.log_phi:
        print("note: safety.audit.store_text is ignored because logging.log_phi is false", file=sys.stderr)
        audit["store_text"] = False
    return SafetyGuard.from_config(section)


def chat_command(args) -> int:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from medtune.cli import resolve
    from medtune.model import load_for_inference

    resolved = resolve(args, check_paths=False)
    cfg = apply_demo_flags(resolved.config, args)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=cfg.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    target = select_target(cfg, getattr(args, "run", None), getattr(args, "base", False))
    for note in target.notes:
        print(f"note: {note}", file=sys.stderr)
    guard = make_guard(cfg)
    print(f"loading {target.label} ...", file=sys.stderr)
    model, tokenizer = load_for_inference(target.config, adapter_dir=target.adapter_dir, merged_dir=target.merged_dir)
    check_template(target, tokenizer)
    app = build_app(model, tokenizer, guard, cfg, system_prompt=target.config.safety.system_prompt, model_label=target.label)
    demo = cfg.demo
    if demo.auth:
        print("login required (demo.auth)", file=sys.stderr)
    if demo.share:
        print("warning: creating a public share link (--share)", file=sys.stderr)
    launch(app, demo)
    return 0
