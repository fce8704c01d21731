"""Story: a message in Spanish is screened with the Spanish policy; another language gets a
notice with the emergency numbers instead of silently skipping every English phrase."""
from __future__ import annotations

import pytest

from safety import SafetyGuard, language

pytest.importorskip("lingua", reason="lingua-language-detector is not installed")


@pytest.mark.parametrize("text", [
    "tengo un dolor muy fuerte en el pecho y me cuesta respirar",
    "mi padre tiene la cara caída y habla arrastrada",
    "mi madre se desmayó y no responde",
    "ya no quiero vivir, pienso en matarme",
    "mi bebé de dos meses tiene fiebre y no quiere comer",
    "estoy embarazada de 30 semanas y tengo sangrado",
])
def test_spanish_red_flags_defer_with_a_spanish_message(guard, text):
    decision = guard.check_input(text)
    assert decision.deferred, decision.to_dict()
    assert decision.language == "es"
    assert any(word in decision.message for word in ("Llame", "llame", "llamar"))


@pytest.mark.parametrize("text", [
    "no sé por qué me duele el pecho",  # "I don't know why my chest hurts"
    "no tengo fiebre y me duele el pecho",  # "no fever, and my chest hurts"
    "no se me quita el dolor de pecho",  # "the chest pain won't go away"
    "no puedo más con este dolor en el pecho",
    "no puedo caminar sin dolor en el pecho",  # a double negative
    "nunca he tenido un dolor de pecho así",  # never like this: new
    "No, me duele mucho el pecho",  # an answer, not a negation
])
def test_spanish_words_that_look_like_a_negation_but_are_not_still_defer(guard, text):
    """Spanish negation is the one algorithm of safety/negation.py with Spanish cues: "no"
    reaches two words and is no negation before "sé", "se me quita", "puedo más"."""
    decision = guard.check_input(text)
    assert decision.deferred and decision.category == "emergency", decision.to_dict()


@pytest.mark.parametrize("text", [
    "no tengo dolor en el pecho, solo tos desde ayer",
    "no he tenido dolor de pecho",
    "mi padre niega dolor en el pecho",
    "dolor de pecho descartado por el cardiólogo",
    "nunca he tenido dolor en el pecho",
    "tengo tos sin dificultad para respirar",
    "¿qué alimentos tienen mucho hierro?",
    "me duele la cabeza desde esta mañana",
])
def test_spanish_negations_and_ordinary_questions_are_answered(guard, text):
    decision = guard.check_input(text)
    assert not decision.deferred, decision.to_dict()
    assert decision.language == "es"


@pytest.mark.parametrize(("text", "code", "word"), [
    ("j'ai une douleur très forte dans la poitrine", "fr", "112"),
    ("mein Vater hat starke Schmerzen in der Brust", "de", "112"),
    ("我胸口很痛，喘不过气", "zh", "120"),
])
def test_a_language_without_a_policy_is_monitored_with_a_notice(guard, text, code, word):
    decision = guard.check_input(text)
    assert decision.action == "monitor" and decision.category == "unscreened_language"
    assert decision.language == code
    assert word in decision.notice and decision.notice == language.notice(code)


@pytest.mark.parametrize("text", [
    "What foods are high in iron?", "Is chokeberry jam healthy?", "cant breathe",
    "Is Microcephalic osteodysplastic primordial dwarfism type 1 inherited ?",
    "I o v e r d o s e d on my pills",
])
def test_english_is_not_mistaken_for_another_language(text):
    assert language.detect(text).code == "en"


def test_detection_can_be_turned_off():
    guard = SafetyGuard(language_detection=False)
    assert guard.check_input("j'ai mal à la tête").action == "allow"


def test_a_process_forked_after_the_guard_was_built_still_detects(guard, tmp_path):
    import os

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        os._exit(0 if guard.check_input("j'ai mal à la tête depuis deux jours").language == "fr" else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
