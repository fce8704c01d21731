"""Doses in a message or an answer, read and compared with the adult limits in dose_limits.py.

Reads, per sentence: the medicine (a name or brand from the limits table, else the one named
in an earlier sentence), tablet strength ("500 mg", "1 g", "250mcg"), a count ("8 tablets",
"two caplets", "12 of the 500 mg"), a frequency ("every 6 hours", "three times a day",
"hourly", "at once") and a stated 24-hour amount or cap ("4,000 mg a day", "max 8 in 24
hours"). Per dose = count x strength; per day = the stated cap, else per dose x frequency.

Findings (each with the sentence's span):

- ``over_single`` / ``over_daily``: above the medicine's adult maximum. A dose with no
  medicine named is compared with the most generous limit in the table, so "I took 12 of the
  500 mg" (6 g) is over whatever it was.
- ``child_dose``: an answer that gives a child a dose, or a message asking for one: the
  assistant never does; a pharmacist does.
- ``prescription_change``: "double your insulin", "should I stop my warfarin": only the
  prescriber changes a prescription dose.

Limits: amounts are read from digits and the number words one to twenty; liquid doses
(ml, teaspoons) are not converted (a liquid dose for an adult is not checked, for a child it
defers); a sentence that warns ("never take more than", "can cause liver damage") is not an
instruction and is not checked; combination products are read by the ingredient named.
Stdlib only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dose_limits import LIMITS, PRESCRIPTION_ONLY

KINDS = ("over_single", "over_daily", "child_dose", "prescription_change")

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUM = r"(\d+(?:[.,]\d+)?|" + "|".join(_NUMBER_WORDS) + r"|a couple of|a few|a dozen|a handful of)"
_FUZZY = {"a couple of": 2, "a few": 3, "a dozen": 12, "a handful of": 10}

_NAME_TO_MEDICINE = {name: med for med, spec in LIMITS.items() for name in spec["names"]}
_NAMES = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _NAME_TO_MEDICINE), key=len, reverse=True))
                    + r")\b", re.IGNORECASE)
_RX = re.compile(r"\b(" + "|".join(sorted(map(re.escape, PRESCRIPTION_ONLY), key=len, reverse=True))
                 + r")\b", re.IGNORECASE)
_UNIT = r"(mg|milligrams?|mcg|micrograms?|µg|ug|g|grams?|gm)\b"
_STRENGTH = re.compile(_NUM + r"\s*-?\s*" + _UNIT + r"(?!\s*(?:/|per)\s*(?:kg|ml|kilo))"
                       r"(?!\s+of\s+(?:dietary\s+)?(?:fiber|fibre|protein|sugars?|salt|sodium|fat|carbs?|carbohydrates?|"
                       r"alcohol|caffeine|calcium|potassium|iron|vitamins?|magnesium|omega|folic))", re.IGNORECASE)
_FORM = (r"(?:(?:extra[- ]strength|regular[- ]strength|maximum[- ]strength|(?!(?:mg|mcg|g|gm|grams?|milligrams?)\b)\w+)\s+)?"
         r"(?:tablets?|pills?|capsules?|caplets?|tabs?|gel ?caps?|softgels?|liqui-?gels?|doses?)\b")
_COUNT = re.compile(
    r"(?<![\d.,])\b" + _NUM + r"\b\s*(?:x\s*)?(?:" + _FORM + r"|of\s+(?:the|these|those|them|my|your|his|her)\b"
    r"|(?=(?:(?!(?:to|or|and)\b)[a-z]+\s+)?\d+(?:[.,]\d+)?\s*" + _UNIT + r"))", re.IGNORECASE)
_DAILY_AFTER = re.compile(r"\s*(?:a|per|each|every|/|in|over|within)\s*(?:a\s+)?(?:day|24\s*-?\s*h(?:ours?|rs?)?|"
                          r"twenty[- ]four hours)\b|\s*daily\b", re.IGNORECASE)
_CAP = re.compile(r"\b(?:max(?:imum)?|up to|more than|do not exceed|don't exceed|"
                  r"never more than|at most|limit of)\s*(?:of\s*)?" + _NUM + r"\s*(times|doses?|" + _FORM + r")?"
                  r"(?=\s*(?:a|per|each|every|/|in|over|within)\s*(?:a\s+)?(?:day|24\s*-?\s*h|twenty))",
                  re.IGNORECASE)
_EVERY = re.compile(r"\bevery\s+" + _NUM + r"(?:\s*(?:-|to|or)\s*\d+)?\s*(?:hours?|hrs?|h)\b", re.IGNORECASE)
_TIMES = re.compile(r"\b(once|twice|thrice|" + _NUM[1:-1] + r")\s*(?:times?\s*)?(?:a|per|each|every)?\s*(?:day|daily)\b",
                    re.IGNORECASE)
_HOURLY = re.compile(r"\b(?:hourly|every hour|each hour)\b", re.IGNORECASE)
_WARNING = re.compile(
    r"\b(?:never|do not|don't|dont|avoid|no more than|not more than|more than|exceed|exceeding|overdose|"
    r"toxic|dangerous|poisoning|can cause|may cause|could cause|can damage|liver damage|too much|"
    r"should not|shouldn't|must not)\b", re.IGNORECASE)
_CHILD = re.compile(
    r"\b(?:child|children|childrens|children's|kid|kids|son|daughter|toddler|baby|babies|infant|newborn|"
    r"little one|boy|girl|pediatric|paediatric|calpol|\d+\s*-?\s*(?:year|yr|month|week)s?\s*-?\s*old|"
    r"\d+\s*(?:yo|y/o|months?)\b|under (?:12|twelve|6|six)|mg\s*(?:/|per)\s*(?:kg|kilo))\b", re.IGNORECASE)
_DOSE_WORD = re.compile(r"\b(?:mg|ml|milligrams?|millilitres?|milliliters?|teaspoons?|tsp|tablets?|pills?|"
                        r"capsules?|dose|doses|dosage|drops?)\b", re.IGNORECASE)
_DOSE_QUESTION = re.compile(r"\b(?:how much|how many|what dose|which dose|dosage|dose|how often|can i give|"
                            r"should i give|safe to give|ok to give|okay to give)\b", re.IGNORECASE)
_MEDICINE_WORD = re.compile(r"\b(?:medicine|medication|meds|tablets?|pills?|syrup|suspension|drops)\b", re.IGNORECASE)
_TOOK = re.compile(r"\b(?:took|taken|doubled|tripled|injected|swallowed|ate|had|downed|necked|gave (?:him|her|them)|"
                   r"have taken|'ve taken|accidentally took|just took)\b", re.IGNORECASE)
_CHANGE = re.compile(
    r"\b(?:double|doubled|doubling|triple|tripled|tripling|increase|increasing|raise|raising|up|upping|decrease|decreasing|"
    r"reduce|reducing|lower|lowering|halve|halving|cut down|cut back|cut|stop|stopping|quit|quitting|skip|"
    r"skipping|come off|coming off|taper)\b(?:\s+(?:taking|on|the|your|my|his|her|dose|dosage|of|down|back|"
    r"off|up)){0,4}\s+", re.IGNORECASE)
_ADVISE_ASK = re.compile(r"\b(?:talk|speak|check|ask|consult|contact|call)\b[^.!?]{0,30}\b(?:doctor|prescriber|"
                         r"gp|nurse|pharmacist|diabetes team|clinic)\b|\bwithout (?:talking|speaking|checking|asking)\b",
                         re.IGNORECASE)
_AMOUNT = re.compile(r"\b(?:\d+(?:[.,]\d+)?|half|one|two|three|four)\s*(?:-\s*\d+\s*)?(?:mg|ml|milligrams?|"
                     r"millilit(?:re|er)s?|teaspoons?|tsp|tablets?|chewables?|drops?)\b", re.IGNORECASE)
_OWNER = re.compile(r"(?:^|\b(?:i|please|then|and|just)\s+)$|\b(?:your|my|his|her|their)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\d))+[.!?\n]*")
_MOST_GENEROUS = {"single_mg": max(s["single_mg"] for s in LIMITS.values()),
                  "daily_mg": max(s["daily_mg"] for s in LIMITS.values())}


@dataclass(frozen=True)
class DoseFinding:
    kind: str  # one of KINDS
    medicine: str | None  # key of LIMITS, a prescription medicine, or None (not named)
    span: tuple[int, int]  # the sentence, in the original text
    text: str
    per_dose_mg: float | None = None
    per_day_mg: float | None = None
    limit_mg: float | None = None

    def describe(self) -> str:
        what = self.medicine or "an unnamed medicine"
        if self.kind == "over_single":
            return f"{self.per_dose_mg:g} mg of {what} in one dose (adult maximum {self.limit_mg:g} mg)"
        if self.kind == "over_daily":
            return f"{self.per_day_mg:g} mg of {what} in 24 hours (adult maximum {self.limit_mg:g} mg)"
        if self.kind == "child_dose":
            return "a child's dose (only a pharmacist or doctor gives one)"
        return f"a change to a prescription dose of {what} (only the prescriber changes it)"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "medicine": self.medicine, "span": list(self.span), "text": self.text,
                "per_dose_mg": self.per_dose_mg, "per_day_mg": self.per_day_mg, "limit_mg": self.limit_mg}


def _number(word: str) -> float:
    word = word.lower()
    if word in _FUZZY:
        return _FUZZY[word]
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    if "," in word:  # "4,000" is four thousand, "0,5" is a half
        head, tail = word.split(",", 1)
        word = head + tail if len(tail) == 3 else head + "." + tail
    return float(word)


def _mg(value: str, unit: str) -> float:
    amount, unit = _number(value), unit.lower()
    if unit.startswith(("mcg", "micro", "µg", "ug")):
        return amount / 1000
    if unit in ("g", "gm") or unit.startswith("gram"):
        return amount * 1000
    return amount


def _per_day_factor(sentence: str) -> float | None:
    if _HOURLY.search(sentence):
        return 24.0
    m = _EVERY.search(sentence)
    if m:
        hours = _number(m.group(1))
        return 24.0 / hours if hours else None
    m = _TIMES.search(sentence)
    if m:
        word = m.group(1).lower()
        return {"once": 1.0, "twice": 2.0, "thrice": 3.0}.get(word) or _number(word)
    return None


@dataclass
class DoseContext:
    """What the text before a piece says that the piece's doses depend on: the medicine and
    strength named last, a 24-hour cap anywhere, the first prescription medicine named. A
    stream reads its answer sentence by sentence with one (safety/stream.py)."""

    medicine: str | None = None
    strength: float | None = None
    capped: bool = False
    prescription: str | None = None


def check_doses(text: str, *, role: str = "answer", context: DoseContext | None = None) -> list[DoseFinding]:
    """Dose problems in ``text``; ``role`` is "answer" (the model's) or "message" (the user's).

    With ``context`` (what came before ``text``), its facts are read first and updated with
    what ``text`` says, so reading an answer piece by piece finds what reading it whole does.
    """
    if context is not None:
        context.capped = context.capped or bool(_CAP.search(text))
        if context.prescription is None and (rx := _RX.search(text)):
            context.prescription = rx.group(1).lower()
    if not text or (context is None and not any(ch.isdigit() for ch in text) and not _DOSE_WORD.search(text)
                    and not _CHANGE.search(text)):
        return []  # (with a context, a piece naming the medicine still counts for the next)
    findings: list[DoseFinding] = []
    medicine = context.medicine if context else None
    strength = context.strength if context else None
    # "max 8 in 24 hours" anywhere bounds "every 4-6 hours"
    capped = context.capped if context else bool(_CAP.search(text))
    named = context.prescription if context else None
    for sm in _SENTENCE.finditer(text):
        sentence = sm.group(0)
        span = (sm.start(), sm.start() + len(sentence.rstrip()))
        names = _NAMES.findall(sentence)
        if names:
            medicine = _NAME_TO_MEDICINE[names[0].lower()]
            if context:
                context.medicine = medicine
        change = _prescription_change(sentence, text, role, named)
        if change:
            findings.append(DoseFinding("prescription_change", change, span, sentence.strip()))
            continue
        if _child_dose(sentence, role):
            findings.append(DoseFinding("child_dose", medicine, span, sentence.strip()))
            continue
        single, daily = [], []
        for m in _STRENGTH.finditer(sentence):
            (daily if _DAILY_AFTER.match(sentence, m.end()) else single).append(_mg(m.group(1), m.group(2)))
        if single:
            strength = single[0]
            if context:
                context.strength = strength
        counts = [_number(m.group(1)) for m in _COUNT.finditer(sentence)]
        cap_matches = list(_CAP.finditer(sentence))
        caps = [_number(m.group(1)) for m in cap_matches]
        counts = [c for c in counts if c not in caps] if caps else counts
        per_dose = None
        if counts and strength:
            per_dose = counts[0] * strength
        elif single:
            per_dose = single[0]
        per_day = max(daily) if daily else None
        doses_cap = bool(cap_matches) and (cap_matches[0].group(2) or "").lower().startswith(("time", "dose"))
        if caps and doses_cap and per_dose:
            per_day = max(per_day or 0, caps[0] * per_dose)  # "up to 4 times in 24 hours"
        elif caps and strength:
            per_day = max(per_day or 0, caps[0] * strength)
        elif per_dose and per_day is None and not capped:
            factor = _per_day_factor(sentence)
            per_day = per_dose * factor if factor else None
        if per_dose is None and per_day is None:
            continue
        if medicine is None and not (counts or _MEDICINE_WORD.search(sentence)):
            continue  # "20 to 35 grams of fiber", "type 2G": an amount, but of no medicine
        if role == "answer" and _WARNING.search(sentence):
            continue  # "never take more than 4 g a day" warns; it does not instruct
        limits = LIMITS.get(medicine) if medicine else None
        limits = limits or _MOST_GENEROUS
        if per_dose is not None and per_dose > limits["single_mg"]:
            findings.append(DoseFinding("over_single", medicine, span, sentence.strip(), per_dose, per_day,
                                        limits["single_mg"]))
        elif per_day is not None and per_day > limits["daily_mg"]:
            findings.append(DoseFinding("over_daily", medicine, span, sentence.strip(), per_dose, per_day,
                                        limits["daily_mg"]))
    return findings


def _child_dose(sentence: str, role: str) -> bool:
    if not _CHILD.search(sentence):
        return False
    if role == "answer":
        return bool(_AMOUNT.search(sentence) and (_NAMES.search(sentence) or _MEDICINE_WORD.search(sentence)))
    return bool(_DOSE_QUESTION.search(sentence) and (_NAMES.search(sentence) or _MEDICINE_WORD.search(sentence)))


def _prescription_change(sentence: str, text: str, role: str, named: str | None = None) -> str | None:
    """The prescription medicine whose dose ``sentence`` tells (answer) or asks (message) to change;
    ``named``: the one named before ``text`` began."""
    for m in _CHANGE.finditer(sentence):
        before = sentence[:m.start()].lstrip()
        if not (_OWNER.search(before[-20:]) or _OWNER.search(m.group(0))):
            continue  # "excess weight increases insulin resistance": no one is told to change a dose
        rest = sentence[m.end():]
        drug = _RX.match(rest)
        if drug and re.match(r"\s+(?:resistance|sensitivity|levels?|production|pumps?|receptors?)\b", rest[drug.end():], re.I):
            drug = None  # "reduce insulin resistance"
        earlier = None
        if drug is None and (re.match(r"(?:dose|dosage|medication|meds|medicine)\b", rest, re.I)
                             and "dose" not in m.group(0).lower()
                             or re.search(r"\b(?:dose|dosage)\b", m.group(0), re.I)):
            found = _RX.search(text)  # "double your dose" about the insulin named earlier
            earlier = named or (found.group(1).lower() if found else None)
        if drug is None and earlier is None:
            continue
        if role == "answer" and (_WARNING.search(sentence) or _ADVISE_ASK.search(sentence)):
            return None  # "don't stop your warfarin without talking to your doctor"
        return drug.group(1).lower() if drug is not None else earlier
    return None


def took_amount(text: str) -> bool:
    """The message says the amount was already taken ("I took 12 of the 500 mg"): an overdose
    question, not a dosing one."""
    return bool(_TOOK.search(text))
