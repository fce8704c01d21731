"""`medtune chat`: the trained assistant served behind the safety layer, driven like a user would.

conftest's tiny QLoRA run (trained once per session by the real trainer) is what is served; the real
Gradio server runs on a free port in a background thread and `gradio_client` talks to it over
HTTP. The engine counts model calls, so "the model was not called" is a measured fact.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from medtune.cli import main  # noqa: E402
from medtune.config import load_config  # noqa: E402
from medtune.demo import (  # noqa: E402
    ChatEngine,
    GenerationSettings,
    TurnRecord,
    check_template,
    history_messages,
    load_target,
    select_target,
)
from medtune.demo import page as demo_page  # noqa: E402
from medtune.demo.engine import EMPTY_REPLY, NEW_TOKENS_CAP  # noqa: E402
from medtune.demo.login import LoginBackoff  # noqa: E402
from medtune.errors import MedtuneError, RunError  # noqa: E402
from medtune.guard import build_guard, guard_notes  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
BENIGN = "What is a normal resting heart rate for adults?"
EMERGENCY = "I have crushing chest pain spreading to my left arm"
FAST = dict(temperature=0.7, top_p=0.9, max_new_tokens=16)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dev_config(output_dir: Path, *overrides: str):
    return load_config(
        REPO / "config.yaml", "dev", [f"training.output_dir={output_dir}", *overrides], environ={}, dotenv=False, check_paths=False
    ).config


def subprocess_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTUNE")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


# --------------------------------------------------------------------------------------------
# Fixtures: one trained run, one model load, one real server
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs_dir(tiny_run) -> Path:
    """The runs/ directory of conftest's tiny QLoRA run (trained once per session by the real trainer)."""
    return tiny_run.parent


@pytest.fixture(scope="module")
def loaded(runs_dir):
    """The latest run, loaded the way `medtune chat --run latest` loads it."""
    cfg = dev_config(runs_dir)
    target = select_target(cfg, "latest", False)
    model, tok = load_target(target)
    return cfg, target, model, tok


@pytest.fixture(scope="module")
def engine(loaded):
    cfg, target, model, tok = loaded
    return ChatEngine.from_config(model, tok, build_guard(cfg), cfg, system_prompt=target.config.safety.system_prompt)


def _serve(cfg, engine, target, **demo_updates):
    cfg = cfg.model_copy(deep=True)
    cfg.demo = cfg.demo.model_copy(update={"port": free_port(), **demo_updates})
    app = demo_page.build_app(engine, cfg, model_label=target.label)
    _, url, _ = demo_page.launch(app, cfg.demo, prevent_thread_lock=True, quiet=True)
    return app, url


@pytest.fixture(scope="module")
def server(loaded, engine):
    cfg, target, _, _ = loaded
    app, url = _serve(cfg, engine, target)
    yield url, app.medtune_engine
    app.close()


def client(url: str, **kw):
    from gradio_client import Client

    return Client(url, verbose=False, **kw)


def ask(c, message: str, **settings) -> str:
    s = {**FAST, **settings}
    return c.predict(message, s["temperature"], s["top_p"], s["max_new_tokens"], api_name="/chat")


# --------------------------------------------------------------------------------------------
# The generation core, without Gradio
# --------------------------------------------------------------------------------------------


def test_settings_are_clamped_to_sane_ranges():
    s = GenerationSettings(temperature=-1, top_p=5, max_new_tokens=10**9)
    assert (s.temperature, s.top_p, s.max_new_tokens) == (0.0, 1.0, NEW_TOKENS_CAP)


def test_core_defers_an_emergency_before_the_model_is_called(engine, caplog):
    before = engine.model_calls
    turn = TurnRecord()
    with caplog.at_level("INFO", logger="medtune.demo.engine"):
        replies = list(engine.stream_reply([{"role": "user", "content": EMERGENCY}], turn=turn))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert turn.rule_ids[0] in logged and "crushing" not in logged  # rule ids only: no words of the message
    assert turn.deferred and turn.source == "input" and turn.decision.category == "emergency"
    assert replies == [turn.decision.message]
    assert engine.model_calls == before and not turn.model_called


def test_core_streams_an_answer_that_stops_on_the_end_token(engine):
    turn = TurnRecord()
    replies = list(engine.stream_reply([{"role": "user", "content": BENIGN}], GenerationSettings(0.0, 1.0, 12), turn=turn))
    assert turn.outcome == "answered" and turn.model_called
    assert replies and all(b.startswith(a) for a, b in zip(replies, replies[1:], strict=False))  # each extends the last
    assert "<|end|>" not in replies[-1] and "<|assistant|>" not in replies[-1]


class ScriptedModel:
    """Stands in for the model: 'generates' a fixed text through the streamer, token by token."""

    def __init__(self, tokenizer, text: str):
        import torch

        self.tokenizer, self.text, self.torch = tokenizer, text, torch
        self.config = type("C", (), {"max_position_embeddings": 4096})()
        self.device = "cpu"
        self.stopped_early = False

    def generate(self, input_ids, streamer, stopping_criteria, **kwargs):
        streamer.put(input_ids[0])
        ids = self.tokenizer(self.text, add_special_tokens=False)["input_ids"]
        for i in ids:
            if stopping_criteria[0](input_ids, None):
                self.stopped_early = True
                break
            streamer.put(self.torch.tensor([i]))
            time.sleep(0.01)  # a model takes time per token
        streamer.end()


def test_a_red_flag_in_the_answer_never_reaches_the_screen(loaded, engine):
    _, _, _, tok = loaded
    text = "Rest is usually fine. If you also notice crushing chest pain, take two aspirin and wait it out at home " * 3
    model = ScriptedModel(tok, text)
    scripted = ChatEngine(model, tok, engine.guard, system_prompt="sys")
    turn = TurnRecord()
    replies = list(scripted.stream_reply([{"role": "user", "content": "Is rest fine for a cold?"}], turn=turn))
    assert turn.deferred and turn.source == "output" and turn.model_called
    assert not any("crushing" in r or "aspirin" in r for r in replies)
    assert replies[-1] == turn.decision.message
    deadline = time.monotonic() + 10
    while not model.stopped_early and time.monotonic() < deadline:
        time.sleep(0.02)
    assert model.stopped_early  # generation was cut off, not run to the end


def test_history_trimmed_to_the_context_but_the_guard_sees_all_of_it(loaded, engine):
    _, _, _, tok = loaded
    small = ChatEngine(ScriptedModel(tok, "ok"), tok, engine.guard, system_prompt="sys", max_input_chars=10**6)
    small.context_tokens = 300
    history = []
    for i in range(40):
        history += [{"role": "user", "content": f"question {i} about sleep and diet"}, {"role": "assistant", "content": "some advice " * 5}]
    ids = small._prompt_ids(history + [{"role": "user", "content": "and exercise?"}], GenerationSettings(max_new_tokens=50))
    assert ids is not None and len(ids) <= 250
    assert tok.decode(ids).count("<|user|>") < 41
    turn = TurnRecord()
    emergency_first = [{"role": "user", "content": EMERGENCY}, {"role": "assistant", "content": "..."}] + history
    list(small.stream_reply(emergency_first + [{"role": "user", "content": "and exercise?"}], turn=turn))
    assert turn.deferred and not turn.model_called


class CountingGuard:
    """The real guard, with a count of how often it was asked."""

    def __init__(self, guard):
        self.guard, self.calls = guard, 0

    def check_conversation(self, messages):
        self.calls += 1
        return self.guard.check_conversation(messages)

    def check_input(self, text):
        self.calls += 1
        self.longest = max(getattr(self, "longest", 0), len(text))
        return self.guard.check_input(text)

    def __getattr__(self, name):
        return getattr(self.guard, name)


def test_an_oversized_message_is_refused_and_the_guard_reads_only_what_fits(loaded, engine):
    _, _, _, tok = loaded
    guard = CountingGuard(engine.guard)
    small = ChatEngine(ScriptedModel(tok, "ok"), tok, guard, system_prompt="sys", max_input_chars=8000)
    turn = TurnRecord()
    replies = list(small.stream_reply([{"role": "user", "content": "my knee is sore " * 2100}], turn=turn))  # 33 KB
    assert turn.outcome == "too_long" and guard.longest <= 8000 and not turn.model_called
    assert "33,600 characters" in replies[-1] and "emergency number" in replies[-1]
    # An emergency inside an oversized message is still deferred, at the cost of what fits.
    list(small.stream_reply([{"role": "user", "content": "chest pain " * 3000}], turn=(t := TurnRecord())))
    assert t.deferred and t.source == "input" and guard.longest <= 8000 and not t.model_called


def test_after_an_emergency_a_clearly_unrelated_question_is_answered_with_the_reminder(loaded, engine):
    _, _, _, tok = loaded
    talk = [{"role": "user", "content": "my dad's face is drooping and his speech is slurred"},
            {"role": "assistant", "content": "Call 911 now."}]
    remind = ChatEngine(ScriptedModel(tok, "Around 60 to 100 beats a minute."), tok, engine.guard, system_prompt="sys")
    turn = TurnRecord()
    replies = list(remind.stream_reply(talk + [{"role": "user", "content": "what is a healthy resting heart rate?"}],
                                       turn=turn))
    assert turn.model_called and not turn.deferred
    assert "Earlier in this conversation" in replies[-1] and "60 to 100" in replies[-1]
    assert turn.decision.reason and "something other than the emergency" in turn.decision.reason
    # A follow-up about the same emergency keeps deferring; 'strict' defers everything after it.
    list(remind.stream_reply(talk + [{"role": "user", "content": "is his slurred speech getting worse a bad sign?"}],
                             turn=(same := TurnRecord())))
    assert same.deferred and not same.model_called
    strict = ChatEngine(ScriptedModel(tok, "x"), tok, engine.guard, system_prompt="sys", after_emergency="strict")
    list(strict.stream_reply(talk + [{"role": "user", "content": "what is a healthy resting heart rate?"}],
                             turn=(t := TurnRecord())))
    assert t.deferred and not t.model_called


def test_identifiers_never_reach_the_model_when_redaction_is_on(loaded):
    from safety import SafetyGuard

    _, _, _, tok = loaded
    seen = []
    model = ScriptedModel(tok, "Noted.")
    original = model.generate

    def spy(input_ids, **kw):
        seen.append(tok.decode(input_ids[0]))
        return original(input_ids, **kw)

    model.generate = spy
    eng = ChatEngine(model, tok, SafetyGuard(redact_input=True), system_prompt="sys")
    message = "I'm jane.doe@example.com, SSN 123-45-6789, born 04/12/1980: what is a normal blood pressure?"
    list(eng.stream_reply([{"role": "user", "content": message}], turn=TurnRecord()))
    assert seen and "jane.doe@example.com" not in seen[0] and "123-45-6789" not in seen[0]
    assert "normal blood pressure" in seen[0]


def test_turn_records_are_the_history_and_the_deferral_box_is_drawn_from_them(loaded, engine):
    _, _, _, tok = loaded
    scripted = ChatEngine(ScriptedModel(tok, "Drink water and rest."), tok, engine.guard, system_prompt="sys")
    answered, deferred = TurnRecord(), TurnRecord()
    list(scripted.stream_reply([{"role": "user", "content": BENIGN}], turn=answered))
    list(scripted.stream_reply(history_messages([answered]) + [{"role": "user", "content": EMERGENCY}], turn=deferred))
    assert (answered.outcome, answered.user, answered.text) == ("answered", BENIGN, "Drink water and rest.")
    assert deferred.to_dict() | {"decision": None} == {
        "outcome": "deferred", "source": "input", "category": "emergency", "rule_ids": deferred.rule_ids,
        "model_called": False, "text": deferred.decision.message, "decision": None,
    }
    assert deferred.rule_ids and all(isinstance(r, str) for r in deferred.rule_ids)
    # The next prompt reads the guidance text, never the HTML of the box.
    history = history_messages([answered, deferred])
    assert history[-1] == {"role": "assistant", "content": deferred.decision.message}
    box = demo_page.display(deferred)
    assert demo_page.DEFERRAL_CLASS in box and "emergency" in box and "<" not in history[-1]["content"]
    assert demo_page.display(answered) == answered.text
    why = demo_page.explain(deferred)
    assert "crushing chest pain" in why and "not called" in why and deferred.rule_ids[0] in why
    # Cleared, undone or retried in the page: only the records still on screen count.
    on_screen = [{"role": "user", "content": BENIGN}, {"role": "assistant", "content": "Drink water and rest."}]
    assert demo_page._records_for(on_screen, [answered, deferred]) == [answered]
    assert demo_page._records_for([], [answered, deferred]) == []


def test_the_engine_imports_no_gradio():
    code = "import sys, medtune.demo, medtune.demo.engine, medtune.demo.login; assert 'gradio' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=subprocess_env(), check=True, timeout=120)


# --------------------------------------------------------------------------------------------
# The real server, over HTTP
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_benign_question_gets_a_model_reply(server):
    url, engine = server
    before = engine.model_calls
    reply = ask(client(url), BENIGN)
    assert reply.strip() and demo_page.DEFERRAL_HEADER not in reply
    assert engine.model_calls == before + 1


@pytest.mark.slow
def test_emergency_is_deferred_without_calling_the_model(server):
    url, engine = server
    c = client(url)
    before = engine.model_calls
    reply = ask(c, EMERGENCY)
    assert demo_page.DEFERRAL_HEADER in reply and "emergency number" in reply
    assert engine.model_calls == before
    why = c.predict(api_name="/why")
    assert "crushing chest pain" in why and "not called" in why


@pytest.mark.slow
def test_red_flag_earlier_in_the_conversation_still_defers(server):
    url, engine = server
    c = client(url)
    assert demo_page.DEFERRAL_HEADER not in ask(c, BENIGN)
    assert demo_page.DEFERRAL_HEADER in ask(c, "Also my father's face is drooping and his speech is slurred")
    before = engine.model_calls
    follow_up = ask(c, "Is his slurred speech something to worry about?")
    assert demo_page.DEFERRAL_HEADER in follow_up and engine.model_calls == before


@pytest.mark.slow
def test_empty_and_very_long_input_get_polite_answers(server):
    url, engine = server
    c = client(url)
    before = engine.model_calls
    assert ask(c, "") == EMPTY_REPLY
    assert ask(c, "   \n ") == EMPTY_REPLY
    start = time.perf_counter()
    long_reply = ask(c, ("Tell me about sleep hygiene. " * 700)[:20_000])
    assert "20,000 characters" in long_reply and "8,000" in long_reply
    assert time.perf_counter() - start < 10
    assert engine.model_calls == before


@pytest.mark.slow
def test_compare_shows_base_and_fine_tuned_each_behind_the_guard(server):
    url, engine = server
    c = client(url)
    before = engine.model_calls
    base, tuned = c.predict(BENIGN, 0.0, 1.0, 12, api_name="/compare")
    assert base.strip() and tuned.strip() and engine.model_calls == before + 2
    base, tuned = c.predict(EMERGENCY, 0.7, 0.9, 12, api_name="/compare")
    assert demo_page.DEFERRAL_HEADER in base and base == tuned and engine.model_calls == before + 2


@pytest.mark.slow
def test_load_20_concurrent_clients_5_messages_each(server):
    """Every emergency deferred, every other message answered by the model, nothing lost."""
    url, engine = server
    messages = [BENIGN, EMERGENCY, "How can I lower my blood pressure with diet?", "I can't breathe", "I took a whole bottle of pills"]
    benign_count = 2
    results: list[tuple[str, str, float]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    # Opened before the clock starts, with a patient HTTP timeout: gradio_client's default (5 s) is
    # for the internet, and on a CPU shared with other jobs the server can take longer than that.
    clients = [client(url, httpx_kwargs={"timeout": 120}) for _ in range(20)]

    def user(c) -> None:
        try:
            for message in messages:
                c.reset_session()  # one-message conversations: the verdict depends on this message only
                start = time.perf_counter()
                reply = ask(c, message, max_new_tokens=8)
                with lock:
                    results.append((message, reply, time.perf_counter() - start))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    before = engine.model_calls
    start = time.perf_counter()
    threads = [threading.Thread(target=user, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - start
    assert not errors, errors[:3]
    assert len(results) == 100
    deferred = [r for r in results if demo_page.DEFERRAL_HEADER in r[1]]
    assert {m for m, _, _ in deferred} == set(messages[1:2] + messages[3:])
    assert len(deferred) == 60 and all(r[1].strip() for r in results)
    assert engine.model_calls - before == 20 * benign_count
    defer_s = sorted(s for m, _, s in deferred)
    answer_s = sorted(s for m, r, s in results if demo_page.DEFERRAL_HEADER not in r)
    print(
        f"\nload: 100 messages from 20 clients in {wall:.1f}s; deferrals median {statistics.median(defer_s):.2f}s "
        f"p95 {defer_s[int(0.95 * len(defer_s))]:.2f}s; answers (8 tokens) median {statistics.median(answer_s):.2f}s "
        f"p95 {answer_s[int(0.95 * len(answer_s))]:.2f}s max {answer_s[-1]:.2f}s"
    )
    assert wall < 540


# --------------------------------------------------------------------------------------------
# Secure by default
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_login_required_when_auth_is_set(loaded, engine):
    cfg, target, _, _ = loaded
    app, url = _serve(cfg, engine, target, auth="clinician:s3cret")
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "config", timeout=30)
        assert err.value.code in (401, 403)
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own error types
            ask(client(url), BENIGN)
        c = client(url, auth=("clinician", "s3cret"))
        assert demo_page.DEFERRAL_HEADER in ask(c, EMERGENCY)
        # Guessing: after a few wrong passwords the address is locked out, unchecked, for a while.
        codes, retry_after = [], None
        start = time.perf_counter()
        for _ in range(30):
            form = urllib.parse.urlencode({"username": "clinician", "password": "guess"}).encode()
            try:
                urllib.request.urlopen(url + "login", data=form, timeout=30)
                codes.append(200)
            except urllib.error.HTTPError as e:
                codes.append(e.code)
                retry_after = e.headers.get("Retry-After") or retry_after
        assert 200 not in codes and codes[:3] == [400, 400, 400] and codes.count(429) >= 25, codes
        assert retry_after is not None and time.perf_counter() - start < 10
        with pytest.raises(Exception):  # noqa: B017 - locked out: even the right password waits
            client(url, auth=("clinician", "s3cret"))
        time.sleep(float(retry_after) + 0.2)
        assert demo_page.DEFERRAL_HEADER in ask(client(url, auth=("clinician", "s3cret")), EMERGENCY)
    finally:
        app.close()


def test_login_back_off_per_client():
    now = [0.0]
    backoff = LoginBackoff(free_attempts=3, first_lockout_s=1.0, max_lockout_s=8.0, clock=lambda: now[0])
    for _ in range(3):
        backoff.failed("10.0.0.1")
        assert backoff.wait_s("10.0.0.1") == 0  # a few typos are free
    waits = []
    for _ in range(5):
        backoff.failed("10.0.0.1")
        waits.append(backoff.wait_s("10.0.0.1"))
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0]  # doubling, capped
    assert backoff.wait_s("10.0.0.2") == 0  # another client is not affected
    now[0] += 8.0
    assert backoff.wait_s("10.0.0.1") == 0
    backoff.succeeded("10.0.0.1")
    backoff.failed("10.0.0.1")
    assert backoff.wait_s("10.0.0.1") == 0  # a good login starts the count again


def refused(tmp_path, capsys, *flags: str) -> str:
    """`medtune chat FLAGS` run in this process: it must stop at the config, before loading anything."""
    rc = main(["chat", "--config", str(REPO / "config.yaml"), "--env", "dev", *flags, "--set", f"training.output_dir={tmp_path}"])
    err = capsys.readouterr().err
    assert rc == 2 and "loading" not in err, err
    return err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--host", "0.0.0.0"], "demo.host: 0.0.0.0 is reachable"),
        (["--share"], "demo.share: a share link makes the demo public"),
        (["--port", "70000"], "demo.port"),
        (["--host", "0.0.0.0", "--auth", ":"], "demo.auth: expected user:password, with neither part empty"),
        (["--host", "0.0.0.0", "--auth", "admin:"], "demo.auth: expected user:password, with neither part empty"),
        (["--auth", ":secret"], "demo.auth: expected user:password, with neither part empty"),
        (["--auth", "nocolon"], "demo.auth: expected user:password"),
    ],
)
def test_chat_flags_are_checked_as_config_before_loading(tmp_path, capsys, flags, message):
    assert message in refused(tmp_path, capsys, *flags)


def test_public_host_with_a_login_or_allow_public_is_accepted(tmp_path):
    ok = dev_config(tmp_path, "demo.host=0.0.0.0", "demo.auth=a:b", "demo.port=9000")
    assert (ok.demo.host, ok.demo.auth, ok.demo.port) == ("0.0.0.0", "a:b", 9000)
    assert dev_config(tmp_path, "demo.host=0.0.0.0", "demo.allow_public=true").demo.allow_public
    assert not dev_config(tmp_path, "demo.auth=").demo.auth  # MEDTUNE_DEMO_AUTH= in .env means no login


def test_cli_refuses_public_host_before_loading_anything(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "medtune", "chat", "--env", "dev", "--host", "0.0.0.0", "--set", f"training.output_dir={tmp_path}"],
        cwd=REPO, env=subprocess_env(), capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 2
    assert "demo.host: 0.0.0.0 is reachable from other machines" in out.stderr and "Traceback" not in out.stderr


# --------------------------------------------------------------------------------------------
# Choosing and checking what to load
# --------------------------------------------------------------------------------------------


def test_target_selection(tmp_path, runs_dir):
    empty = dev_config(tmp_path / "none")
    target = select_target(empty, None, False)
    assert target.run is None and "no runs" in target.notes[0] and "no runs yet" in target.label
    cfg = dev_config(runs_dir)
    latest = select_target(cfg, None, False)
    assert latest.run.dir is not None and latest.run.weights and "latest run" in latest.notes[0]
    assert "(adapter)" in latest.label and latest.config.safety.system_prompt
    assert select_target(cfg, str(latest.run.dir), False).run.dir == latest.run.dir
    assert select_target(cfg, None, True).run is None
    with pytest.raises(MedtuneError, match="either --run or --base"):
        select_target(cfg, "latest", True)
    unfinished = tmp_path / "runs" / "still-training"
    unfinished.mkdir(parents=True)
    shutil.copy(latest.run.dir / "config.yaml", unfinished / "config.yaml")
    with pytest.raises(RunError, match="no adapter/ or model/ yet"):
        select_target(dev_config(tmp_path / "runs"), "still-training", False)
    with pytest.raises(RunError, match="no adapter/ or model/ yet"):  # the latest run is unfinished: not the base
        select_target(dev_config(tmp_path / "runs"), None, False)


def test_a_merged_export_without_its_run_is_served_with_a_note(tmp_path):
    export = tmp_path / "merged"
    export.mkdir()
    (export / "config.json").write_text("{}")
    target = select_target(dev_config(tmp_path), str(export), False)
    assert target.run.model_dir == export and target.run.dir is None and "merged export" in target.label
    assert any("no run config beside it" in n for n in target.notes)


def test_chat_template_mismatch_refuses_to_start(loaded):
    _, target, _, tok = loaded
    check_template(target, tok)  # the run's own tokenizer passes
    tampered = dataclasses.replace(target, run=dataclasses.replace(target.run, metadata={"chat_template_sha256": "0" * 64}))
    with pytest.raises(RunError, match="differs from the one .* was trained with"):
        check_template(tampered, tok)
    missing = dataclasses.replace(target, run=dataclasses.replace(target.run, metadata={}))
    with pytest.raises(RunError, match="no chat_template_sha256"):
        check_template(missing, tok)


def test_audit_log_keeps_decisions_but_no_text_unless_log_phi(tmp_path):
    audit = tmp_path / "audit.jsonl"
    cfg = dev_config(tmp_path, "safety.audit.enabled=true", f"safety.audit.path={audit}", "safety.audit.store_text=true")
    guard = build_guard(cfg)
    assert any("store_text is ignored" in n for n in guard_notes(cfg))
    guard.check_conversation([{"role": "user", "content": EMERGENCY}])
    assert Path(guard.audit.path) == audit
    entry = json.loads(audit.read_text().splitlines()[-1])
    assert entry["action"] == "defer" and entry["category"] == "emergency" and "text" not in entry
    cfg.logging.log_phi = True
    assert build_guard(cfg).audit.store_text and not guard_notes(cfg)


@pytest.mark.slow
def test_medtune_chat_run_latest_serves_the_page(runs_dir, tmp_path):
    """The done-criterion: after a dev run, `medtune chat --env dev --run latest` serves the page."""
    port = free_port()
    cmd = [sys.executable, "-m", "medtune", "chat", "--env", "dev", "--run", "latest", "--port", str(port),
           "--set", f"training.output_dir={runs_dir}"]
    log = tmp_path / "chat.log"
    proc = subprocess.Popen(cmd, cwd=REPO, env=subprocess_env(), stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        page = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(1)
        assert page is not None, log.read_text()[-3000:]
        assert "medtune chat" in page
        assert demo_page.DEFERRAL_HEADER in ask(client(f"http://127.0.0.1:{port}/"), EMERGENCY)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


# --------------------------------------------------------------------------------------------
# A real browser
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium); the browser tests need it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright (python) is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None)
    page.goto(url)
    page.wait_for_selector("#medtune-input textarea", timeout=60_000)
    return page, outside


def _send(page, text: str, bot_messages: int) -> None:
    """Type a message, press Enter, and wait until the reply has finished streaming."""
    page.fill("#medtune-input textarea", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """n => document.querySelectorAll('#medtune-chatbot .bot-row').length >= n
               && !document.querySelector('#medtune-input .stop-button')
               && !document.querySelector('#medtune-input .progress-text, #medtune-chatbot .progress-text')""",
        arg=bot_messages,
        timeout=120_000,
    )


@pytest.mark.slow
@pytest.mark.browser
def test_browser_shows_the_deferral_and_why(server, browser, tmp_path):
    url, engine = server
    page, outside = _open(browser, url)
    before = engine.model_calls
    _send(page, EMERGENCY, 1)
    box = page.locator("#medtune-chatbot .medtune-deferral")
    box.wait_for(timeout=30_000)
    assert "This needs a professional — emergency" in box.inner_text()
    assert box.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(185, 28, 28)"  # the red border is applied
    page.click("#medtune-why")
    page.wait_for_selector("#medtune-why-text :text('crushing chest pain')", timeout=30_000)
    shot = tmp_path / "demo_deferral.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")
    assert engine.model_calls == before
    assert not outside, f"the page fetched from outside the server: {outside}"


@pytest.mark.slow
@pytest.mark.browser
def test_browser_normal_reply_then_deferral(server, browser, tmp_path):
    url, engine = server
    page, outside = _open(browser, url)
    before = engine.model_calls
    _send(page, BENIGN, 1)
    reply = page.locator("#medtune-chatbot .bot-row").last.inner_text().strip()
    assert reply and demo_page.DEFERRAL_HEADER not in reply and engine.model_calls == before + 1
    shot = tmp_path / "demo_normal.png"
    page.screenshot(path=str(shot), full_page=True)
    _send(page, EMERGENCY, 2)
    assert "This needs a professional" in page.locator("#medtune-chatbot .bot-row").last.inner_text()
    both = tmp_path / "demo_normal_then_deferral.png"
    page.screenshot(path=str(both), full_page=True)
    print(f"\nscreenshots: {shot} {both}")
    assert engine.model_calls == before + 1
    assert not outside, f"the page fetched from outside the server: {outside}"
