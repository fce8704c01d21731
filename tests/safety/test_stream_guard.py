"""Story: a streamed answer is shown as it comes, except what could become a red flag."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, StreamGuard


def run(stream: StreamGuard, chunks: list[str]) -> list[str]:
    return [stream.feed(c) for c in chunks] + [stream.finish()]



# Phrase-level streaming: what a stream may show while a red flag forms. The answer review
# (stream_review, on by default) is tested in test_output_review.py and below.
@pytest.fixture(scope="module")
def guard() -> SafetyGuard:
    return SafetyGuard(stream_review=False)


@pytest.fixture()
def stream(guard: SafetyGuard) -> StreamGuard:
    return StreamGuard(guard)


def test_a_harmless_answer_comes_out_unchanged(stream):
    text = "Drink plenty of water, rest, and see your doctor if it lasts more than a week."
    out = run(stream, [text[i : i + 3] for i in range(0, len(text), 3)])
    assert "".join(out) == text
    assert stream.decision.action == "allow"


def test_it_holds_back_only_the_words_that_could_start_a_phrase(stream):
    assert stream.feed("I went to the park and my chest") == "I went to the park and "
    assert stream.feed(" feels") == "my "  # "chest feels tight" is still possible
    assert stream.feed(" fine. ") == "chest feels fine. "
    assert stream.finish() == ""


def test_nothing_is_held_when_no_phrase_can_continue(stream):
    text = "Hello there, how was your weekend? "
    assert stream.feed(text) == text
    # Punctuation does not end a phrase ("going? blue" reads as "going blue"), so a word
    # that starts a phrase is held even after a question mark.
    assert stream.feed("Going? ") == ""


def test_invisible_and_extra_characters_are_held_as_part_of_the_phrase(stream):
    shown = stream.feed("ok. lips\u200b   tu\u00ad")
    assert shown == "ok. "
    out = stream.feed("rning blue")
    assert out == "" and not stream.deferred  # "blue" could still become "bluetooth"
    assert stream.feed(" again") == stream.decision.message
    assert stream.deferred and stream.decision.category == "emergency"


def test_after_deferring_only_the_message_is_emitted_once(stream):
    outputs = run(stream, ["You might ", "be having a heart", " attack", ", so", " rest."])
    message = stream.decision.message
    assert outputs.count(message) == 1
    assert "".join(outputs) == "You might be " + message  # "having a heart attack" held
    assert stream.feed("more text") == "" and stream.finish() == ""


def test_a_phrase_at_the_very_end_is_caught_by_finish(stream):
    assert stream.feed("Symptoms: chest pain") == "Symptoms: "
    assert stream.finish() == stream.decision.message
    assert stream.deferred


def test_chest_paintball_is_not_chest_pain(stream):
    # Nothing in the policy is "paintball", so once the word is complete it is released.
    out = run(stream, ["my chest pain", "tball joke"])
    assert "".join(out) == "my chest paintball joke"


def test_the_pure_python_engine_streams_the_same_way():
    stream = StreamGuard(SafetyGuard(native=False))
    outputs = run(stream, list("All good. Then my lips are turning blue."))
    assert stream.deferred
    assert "".join(outputs) == "All good. Then my " + stream.decision.message  # "lips * blue"


def test_a_long_answer_is_not_rescanned_on_every_chunk(guard):
    """Each feed inspects a window; the whole answer only when a red flag may be forming."""
    base = ("Rest, drink plenty of fluids and take paracetamol as directed on the pack. "
            "Most colds get better within a week; see a doctor if you are not improving. ")
    answer = base * 60
    stream = StreamGuard(guard)
    shown = "".join(stream.feed(answer[i : i + 4]) for i in range(0, len(answer), 4))
    shown += stream.finish()
    assert shown == answer and not stream.deferred
    assert stream.full_inspections <= 2  # the finish, not one per chunk


def test_a_red_flag_far_into_a_long_answer_is_still_caught_before_it_shows(guard):
    answer = "Here is some general advice about colds. " * 200 + "You may have crushing chest pain."
    stream = StreamGuard(guard)
    shown = ""
    for i in range(0, len(answer), 3):
        out = stream.feed(answer[i : i + 3])
        if stream.deferred:
            break
        shown += out
    assert stream.deferred and "crushing" not in shown


def test_a_linked_red_flag_across_a_long_answer_is_caught(guard):
    answer = "I'm 30 weeks pregnant. " + "I have been reading about nurseries. " * 50 + "Now some dark bleeding."
    stream = StreamGuard(guard)
    for i in range(0, len(answer), 5):
        stream.feed(answer[i : i + 5])
        if stream.deferred:
            break
    else:
        stream.finish()
    assert stream.deferred == guard.check_input(answer).deferred


def test_with_the_answer_review_a_long_answer_is_still_read_in_linear_time():
    base = ("Rest, drink plenty of fluids and take paracetamol as directed on the pack. "
            "Most colds get better within a week; see a doctor if you are not improving. ")
    answer = base * 60
    stream = StreamGuard(SafetyGuard())
    assert stream.guard.stream_review
    shown = "".join(stream.feed(answer[i : i + 4]) for i in range(0, len(answer), 4))
    shown += stream.finish()
    assert shown == answer and not stream.deferred
    assert stream.full_inspections <= 2
