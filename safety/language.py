"""Which language a message is in, offline, cheaply enough to run on every message.

Two stages, so that ordinary English traffic pays microseconds:

1. Function words: a message with clearly more English than Spanish function words is
   English, and the reverse Spanish ("me duele la cabeza" is too short for a statistical
   detector, but "me", "la" say Spanish). Text without letters is English.
2. Otherwise `lingua-language-detector` (a maintained package that ships its own models, no
   download at run time), imported lazily, restricted to the languages below and in its low
   accuracy mode (about 0.1-0.4 ms a message here; its models load once per process, when
   the first guard is built). A result below MIN_CONFIDENCE (SURE when the text has an
   English function word) counts as English.

Without lingua installed, `available()` is False, the guard says so in its notes, and text
that is not recognisably Spanish is treated as English.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

SCREENED = ("en", "es")  # languages with a policy
MIN_CONFIDENCE = 0.5
SURE = 0.9
_LINGUA_LANGUAGES = (
    "ENGLISH", "SPANISH", "FRENCH", "GERMAN", "PORTUGUESE", "ITALIAN", "DUTCH", "POLISH",
    "TURKISH", "RUSSIAN", "UKRAINIAN", "ARABIC", "HINDI", "BENGALI", "URDU", "CHINESE",
    "JAPANESE", "KOREAN", "VIETNAMESE", "TAGALOG", "INDONESIAN", "PERSIAN", "ROMANIAN",
    "GREEK", "SWEDISH",
)
_EN = frozenset(
    "i my me you your he she his her it is are was were am be been the a an and or but of to in on at "
    "for with have has had do does did dont cant can will would should what how why when where which "
    "who this that there they them we our not no if so just been about from after before since".split())
_ES = frozenset(
    "yo mi mis me tu te su sus el la los las un una unos unas y o pero de del al en con por para que "
    "es son esta estoy estan tengo tiene hay muy mas como cuando donde porque se le lo no si ya "
    "desde hace ayer hoy ahora dolor duele".split())
_EN_ONLY = _EN - _ES
_WORD = re.compile(r"[^\W\d_]+")
_SPANISH_CHARS = set("ñ¿¡")

NOTICES = {
    "en": "I can only screen messages in English and Spanish for emergencies. If this is an "
          "emergency, call your local emergency number now (112 in Europe, 911 in the US, 999 in the UK).",
    "fr": "Je ne peux vérifier les urgences que dans les messages en anglais et en espagnol. En cas "
          "d'urgence, appelez le 112 (ou le 15, SAMU, en France) immédiatement.",
    "de": "Ich kann nur Nachrichten auf Englisch und Spanisch auf Notfälle prüfen. Im Notfall rufen "
          "Sie sofort die 112 an.",
    "pt": "Só consigo verificar emergências em mensagens em inglês e espanhol. Em caso de emergência, "
          "ligue já para o 112 (Portugal) ou 192 (SAMU, Brasil).",
    "it": "Posso controllare le emergenze solo nei messaggi in inglese e spagnolo. In caso di "
          "emergenza chiami subito il 112.",
    "nl": "Ik kan alleen berichten in het Engels en Spaans op noodgevallen controleren. Bel bij een "
          "noodgeval direct 112.",
    "pl": "Mogę sprawdzać nagłe przypadki tylko w wiadomościach po angielsku i hiszpańsku. W nagłym "
          "wypadku zadzwoń natychmiast pod 112.",
    "ru": "Я могу проверять на экстренные ситуации только сообщения на английском и испанском. "
          "В экстренной ситуации немедленно звоните 112 (или 103).",
    "zh": "我只能检查英文和西班牙文信息中的紧急情况。如有紧急情况，请立即拨打当地急救电话（中国大陆120，美国911）。",
    "ar": "يمكنني فحص الحالات الطارئة في الرسائل باللغتين الإنجليزية والإسبانية فقط. في حالة الطوارئ، "
          "اتصل فورًا برقم الطوارئ المحلي (112 أو 911).",
    "hi": "मैं केवल अंग्रेज़ी और स्पेनिश संदेशों में आपात स्थिति की जाँच कर सकता हूँ। आपात स्थिति में तुरंत 112 पर कॉल करें।",
    "tr": "Yalnızca İngilizce ve İspanyolca mesajlarda acil durumları kontrol edebiliyorum. Acil "
          "durumda hemen 112'yi arayın.",
}
_ISO = {
    "ENGLISH": "en", "SPANISH": "es", "FRENCH": "fr", "GERMAN": "de", "PORTUGUESE": "pt",
    "ITALIAN": "it", "DUTCH": "nl", "POLISH": "pl", "TURKISH": "tr", "RUSSIAN": "ru",
    "UKRAINIAN": "uk", "ARABIC": "ar", "HINDI": "hi", "BENGALI": "bn", "URDU": "ur",
    "CHINESE": "zh", "JAPANESE": "ja", "KOREAN": "ko", "VIETNAMESE": "vi", "TAGALOG": "tl",
    "INDONESIAN": "id", "PERSIAN": "fa", "ROMANIAN": "ro", "GREEK": "el", "SWEDISH": "sv",
}

DETECT_CHARS = 2000  # enough words to tell a language; keeps the cost bounded
_detector = None
_detector_error: str | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, e.g. "en", "es", "fr"
    confidence: float
    method: str  # "words" | "lingua" | "default"

    @property
    def screened(self) -> bool:
        return self.code in SCREENED


def _build():
    global _detector, _detector_error
    with _lock:
        if _detector is not None or _detector_error is not None:
            return _detector
        try:
            from lingua import Language as L
            from lingua import LanguageDetectorBuilder
        except ImportError as exc:
            _detector_error = f"language detection is off ({exc}); messages are screened as English"
            return None
        languages = [getattr(L, name) for name in _LINGUA_LANGUAGES if hasattr(L, name)]
        detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
        detector.compute_language_confidence_values("warm up the models")  # loads them now
        _detector = detector
        return detector


def warm_up() -> None:
    """Load the detector's models now (once per process, about 0.1 s), not mid-request.

    Synchronous on purpose: a process forked while another thread was loading lingua's models
    would hang in the child on its first detection."""
    _build()


def available() -> bool:
    return _build() is not None


def unavailable_note() -> str | None:
    """Why detection is off, or None when it works."""
    _build()
    return _detector_error


def detect(text: str) -> Language:
    """The language of ``text``; English unless something says otherwise."""
    words = [w.lower() for w in _WORD.findall(text) if len(w) > 1 or w in "Ii"]  # not "o v e r d o s e"
    if not words:
        return Language("en", 1.0, "default")
    en = sum(w in _EN_ONLY for w in words)  # "no", "me" are words of both: they decide nothing
    es = sum(w in _ES for w in words) + 2 * bool(_SPANISH_CHARS.intersection(text))
    if en >= 2 and en > 2 * es:
        return Language("en", en / len(words), "words")
    if es >= 2 and es > 2 * en:
        return Language("es", es / len(words), "words")
    if text.isascii() and (len(words) <= 3 or (en and not es and len(words) <= 6)):
        return Language("en", 0.5, "default")  # "cant breathe", "chset pain": too short to tell
    detector = _detector or _build()
    if detector is None:
        return Language("es" if es > en else "en", 0.0, "default")
    # The detector gets a bounded, encodable sample: a lone surrogate (broken UTF-16 from a
    # client) must not crash the guard, and a megabyte must not cost more than a paragraph.
    sample = text[:DETECT_CHARS].encode("utf-8", "replace").decode("utf-8")
    values = detector.compute_language_confidence_values(sample)
    if not values:
        return Language("en", 0.0, "default")
    best = values[0]
    code = _ISO.get(best.language.name, best.language.name.lower()[:2])
    if best.value < (SURE if en else MIN_CONFIDENCE):  # an English word needs a sure detector to overrule it
        return Language("en", best.value, "lingua")
    return Language(code, best.value, "lingua")


def notice(code: str) -> str:
    """The unscreened-language notice in ``code``'s language where we have it, else English."""
    return NOTICES.get(code, NOTICES["en"])
