"""The demo's web page (Gradio) and how it is served.

A Chat tab (streamed replies, examples, generation settings, "why was this deferred?") and a
Compare tab (base and fine-tuned side by side, both guarded), over one :class:`ChatEngine`.
Each session keeps its conversation as :class:`TurnRecord` objects in a ``gr.State``; the
deferral box is drawn from a record when it is displayed and never read back from the chat.

Served with secure defaults: loopback only unless the config says otherwise (the config
refuses a public host or share link without a login), a back-off on wrong passwords, no share
link unless asked, no analytics.
"""

from __future__ import annotations

import html
import os

# Before gradio is imported: no usage analytics or version check calls from the demo, ever.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from medtune.config import Config, DemoConfig  # noqa: E402
from medtune.demo.engine import ChatEngine, GenerationSettings, TurnRecord, history_messages, message_text  # noqa: E402
from medtune.demo.login import LoginBackoffMiddleware  # noqa: E402
from medtune.demo.target import ChatTarget, load_target  # noqa: E402

DEFERRAL_HEADER = "This needs a professional"
DEFERRAL_CLASS = "medtune-deferral"
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
NAMES_NOTE = "Names are not redacted: no offline name recogniser ships in a package we can install."
REDACTION_NOTE = (
    "E-mail addresses, phone, social security and medical record numbers, dates of birth, street "
    "addresses, URLs and IP addresses in your message are replaced with placeholders before the model "
    "sees it. " + NAMES_NOTE
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


# --------------------------------------------------------------------------------------------
# Rendering a record
# --------------------------------------------------------------------------------------------


def deferral_html(record: TurnRecord) -> str:
    """The visible deferral box shown in place of an answer."""
    category = (record.category or "safety").replace("_", " ")
    return (
        f'<div class="{DEFERRAL_CLASS}" role="alert"><p><strong>{DEFERRAL_HEADER} — {html.escape(category)}</strong></p>'
        f"<p>{html.escape(record.text)}</p></div>"
    )


def display(record: TurnRecord) -> str:
    """What the chat shows for a record: its reply, or the deferral box."""
    return deferral_html(record) if record.deferred else record.text


def explain(record: TurnRecord | None) -> str:
    """Markdown for the "why was this deferred?" button, from the last turn's record."""
    if record is None:
        return "No message checked yet."
    matches = record.decision.matches if record.decision is not None else []
    reason = getattr(record.decision, "reason", None)
    if not record.deferred:
        found = [m for m in matches if not m.negated]
        if found:
            phrases = ", ".join(f"“{m.text}” ({m.category.replace('_', ' ')})" for m in found)
            lines = [f"Your last message was **not deferred**; the guard noted: {phrases}."]
        else:
            lines = ["Your last message was **not deferred**: the guard found no red flags."]
        if reason:
            lines += ["", f"Reason: {reason}"]
        return "\n".join(lines + _redaction_lines(record))
    where = "your conversation" if record.source == "input" else "the model's draft answer (it was never shown)"
    lines = [
        f"**Deferred** — category **{(record.category or '').replace('_', ' ')}**, "
        f"found in {where}. The model was {'not ' if not record.model_called else ''}called.",
    ]
    if reason:
        lines += ["", f"Reason: {reason}"]
    lines += ["", "Matched phrases:"]
    for m in matches:
        note = " — negated, so ignored" if m.negated else ""
        lines.append(f"- “{m.text}” matches policy phrase “{m.phrase}” ({m.category.replace('_', ' ')}, rule `{m.rule_id}`){note}")
    return "\n".join(lines + _redaction_lines(record))


def _redaction_lines(record: TurnRecord) -> list[str]:
    """What the model was given instead of the identifiers (safety.redact_input): the
    placeholders, never the values, which stay only in the user's own message on screen."""
    redacted = getattr(record.decision, "redacted", None)
    if redacted is None:
        return []
    kinds = ", ".join(dict.fromkeys(r["placeholder"] for r in record.decision.redactions or ()))
    told = "was given" if record.model_called else "would have been given"
    return ["", f"Identifiers replaced before the model saw your message: {kinds}. The model {told}:",
            "", f"> {html.escape(redacted)}", "", NAMES_NOTE]


def _records_for(history: list[dict] | None, records: list[TurnRecord] | None) -> list[TurnRecord]:
    """The records still on screen: the chat may have been cleared, undone or retried since."""
    shown = sum(1 for m in history or [] if m.get("role") == "assistant")
    return list(records or [])[:shown]


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def build_app(engine: ChatEngine, cfg: Config, *, model_label: str = "") -> gr.Blocks:
    """The Gradio page over ``engine``; ``app.medtune_engine`` is the engine behind it."""
    defaults = GenerationSettings.from_config(cfg.demo)

    def chat_fn(message, history: list[dict], temperature: float, top_p: float, max_new_tokens: int, records):
        records = _records_for(history, records)
        turn = TurnRecord()
        settings = GenerationSettings(temperature, top_p, max_new_tokens)
        messages = history_messages(records) + [{"role": "user", "content": message_text(message)}]
        for _ in engine.stream_reply(messages, settings, turn=turn):
            yield display(turn), records + [turn]
        yield display(turn), records + [turn]

    def compare_fn(message: str, temperature: float, top_p: float, max_new_tokens: int):
        settings = GenerationSettings(temperature, top_p, max_new_tokens)
        messages = [{"role": "user", "content": message_text(message)}]
        base = TurnRecord()
        for _ in engine.stream_reply(messages, settings, turn=base, adapter=False):
            yield display(base), ""
        if base.outcome in ("empty", "too_long") or (base.deferred and base.source == "input"):
            yield display(base), display(base)  # same input, same answer: no model call
            return
        tuned = TurnRecord()
        for _ in engine.stream_reply(messages, settings, turn=tuned, adapter=True):
            yield display(base), display(tuned)
        yield display(base), display(tuned)

    embedded = cfg.model.base_model_name.startswith("embedded:")
    with gr.Blocks(title="medtune chat", analytics_enabled=False) as app:
        gr.Markdown(f"# medtune: medical information assistant\n{model_label}")
        gr.Markdown(DISCLAIMER + (f"\n\n*{EMBEDDED_NOTE}*" if embedded else ""), elem_id="medtune-disclaimer")
        if getattr(engine.guard, "redact_input", False):
            gr.Markdown(REDACTION_NOTE, elem_id="medtune-redaction-note")
        with gr.Tab("Chat"):
            records = gr.State([])
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
                additional_inputs=[temperature, top_p, max_new, records],
                additional_inputs_accordion=gr.Accordion(label="Generation settings", open=False, render=False),
                additional_outputs=[records],
                examples=[[text] for _, text in EXAMPLES],
                example_labels=[f"{kind}: {text}" for kind, text in EXAMPLES],
                cache_examples=False,
                api_name="chat",
                concurrency_limit=SESSION_CONCURRENCY,
                analytics_enabled=False,
                flagging_mode="never",
                fill_height=False,
            )
            chatbot.clear(lambda: [], None, records, queue=False, api_visibility="private")
            why_btn = gr.Button("Why did the safety guard decide this?", elem_id="medtune-why")
            why = gr.Markdown(elem_id="medtune-why-text")
            why_btn.click(lambda rs: explain(rs[-1] if rs else None), records, why, api_name="why", queue=False)
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
    from starlette.middleware import Middleware

    auth = None
    if demo.auth:
        user, _, password = demo.auth.partition(":")
        auth = (user, password)
    return app.launch(
        server_name=demo.host,
        server_port=demo.port or None,
        auth=auth,
        auth_message="medtune demo: please log in." if auth else None,
        app_kwargs={"middleware": [Middleware(LoginBackoffMiddleware)]} if auth else None,
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


def serve(cfg: Config, target: ChatTarget, *, prevent_thread_lock: bool = False, quiet: bool = False):
    """`medtune chat`: the guard of ``cfg``, the target's weights loaded as trained (its own
    system prompt, its chat template checked), the page, served with ``cfg.demo``."""
    from medtune.guard import build_guard

    guard = build_guard(cfg)  # before the model loads: a bad policy fails in a second, not a minute
    model, tokenizer = load_target(target)
    engine = ChatEngine.from_config(model, tokenizer, guard, cfg, system_prompt=target.config.safety.system_prompt)
    return launch(build_app(engine, cfg, model_label=target.label), cfg.demo, prevent_thread_lock=prevent_thread_lock, quiet=quiet)
