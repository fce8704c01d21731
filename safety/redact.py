"""Identifiers out of a message before the model (or a log) sees it: the one implementation.

The data pipeline's training-data scrubber (``medtune.data.pii``) and the guard's
``redact_input`` option both call this module, so what counts as an identifier, which
placeholder replaces it, and which numbers are public is decided once.

Kinds, each replaced by ``[KIND]``: EMAIL, SSN, MRN, DOB, ADDRESS, PHONE, URL, IP.
Deliberately conservative where medical text needs its numbers: emergency, poison-control,
crisis and other toll-free or short public numbers (911, 988, 1-800-222-1222) stay, and a
date or an ID is only a date of birth or a record number when a label says so ("DOB", "born
on", "MRN", "medical record"). Names are NOT redacted: no offline name recogniser is light
enough for this package (see docs/safety.md).

Stdlib only. Every rule is a regular expression behind a cheap gate (an "@", a run of three
digits, a label word), so a message without digits or "@" costs one scan.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

PLACEHOLDERS = {
    "EMAIL": "[EMAIL]",
    "SSN": "[SSN]",
    "MRN": "[MRN]",
    "DOB": "[DOB]",
    "ADDRESS": "[ADDRESS]",
    "PHONE": "[PHONE]",
    "URL": "[URL]",
    "IP": "[IP]",
}
ALL_KINDS = tuple(PLACEHOLDERS)
TOLL_FREE = {"800", "833", "844", "855", "866", "877", "888"}

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}})"
)
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter"
    r"|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Pike|Square|Sq|Trail|Trl)"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"

# (kind, gate, pattern, group to replace or 0 for the whole match), applied in this order; a
# span claimed by an earlier rule is not matched again. A rule runs only on text its gate admits.
_RULES: list[tuple[str, str, re.Pattern, int]] = [
    ("EMAIL", "@", re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), 0),
    ("URL", "url", re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"), 0),
    ("IP", "ddd", re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.]*\d)"), 0),
    ("SSN", "ddd", re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])"), 0),
    ("SSN", "ddd", re.compile(r"(?i)\b(?:ssn|social security(?: number| no\.?)?)\s*(?:is|:|#)?\s*(\d{9})\b"), 1),
    ("MRN", "label", re.compile(
        r"(?i)\b(?:mrn|medical record(?: number| no\.?| #)?|patient (?:id|number|no\.?)|chart (?:number|no\.?))"
        r"\s*(?:is|:|#)?\s*(?:#\s*)?([A-Z]{0,4}-?\d[A-Z0-9-]{3,})\b"), 1),  # fmt: skip
    ("DOB", "label", re.compile(rf"(?i)\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born(?: on)?)\s*(?:is|:|-)?\s*({_DATE})"), 1),
    ("ADDRESS", "street", re.compile(
        rf"\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][A-Za-z0-9'-]*\s+){{1,4}}{_STREET}\b\.?"
        r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*[A-Za-z0-9-]+)?"
        r"(?:,\s*[A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+)*)?(?:,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?"), 0),  # fmt: skip
    ("ADDRESS", "label", re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d+\b", re.IGNORECASE), 0),
    ("PHONE", "ddd", re.compile(r"(?<![\w+-])(?:\+?1[-. ]?)?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-])"), 0),
    ("PHONE", "+", re.compile(r"(?<![\w+])\+(?!1\b)\d{1,3}(?:[ .-]?\d{1,4}){2,5}(?![\w-])"), 0),
    ("PHONE", "ddd", re.compile(r"(?i)\b(?:phone|tel|telephone|cell|mobile|fax)\b\.?\s*(?:number|no\.?)?\s*(?:is|:|#)?\s*(\d{10,11})\b"), 1),
]
_DIGIT = re.compile(r"\d")
_DDD = re.compile(r"\d\d\d")
_STREET_GATE = re.compile(r"\d\s+(?:[NSEW]\.?\s+)?[A-Z]")
_LABELS = ("ssn", "social security", "mrn", "record", "patient", "chart", "dob", "d.o.b", "birth", "born", "box")


@dataclass(frozen=True)
class Redacted:
    kind: str  # one of ALL_KINDS
    span: tuple[int, int]  # [start, end) in the original text
    placeholder: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "span": list(self.span), "placeholder": self.placeholder}


@dataclass(frozen=True)
class Redaction:
    text: str  # the redacted text
    items: tuple[Redacted, ...]  # what was replaced, in text order (spans in the original)

    @property
    def changed(self) -> bool:
        return bool(self.items)


def _gates(text: str) -> set[str]:
    gates = set()
    if "@" in text:
        gates.add("@")
    if "+" in text:
        gates.add("+")
    low = text.lower()
    if "www." in low or "://" in low:
        gates.add("url")
    if _DIGIT.search(text) is None:
        return gates
    if _DDD.search(text):
        gates.add("ddd")
    if _STREET_GATE.search(text):
        gates.add("street")
    if any(k in low for k in _LABELS):
        gates.add("label")
    return gates


def is_public_number(text: str) -> bool:
    """Emergency, crisis and toll-free lines (and numbers too short to be a personal line)."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < 9:
        return True
    national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    return len(national) == 10 and national[:3] in TOLL_FREE


def redact(text: str, kinds: tuple[str, ...] | frozenset[str] = ALL_KINDS) -> Redaction:
    """``text`` with identifiers of ``kinds`` replaced by typed placeholders, and their spans."""
    gates = _gates(text)
    if not gates:
        return Redaction(text, ())
    taken: list[tuple[int, int, str]] = []
    for kind, gate, pattern, group in _RULES:
        if gate not in gates or kind not in kinds:
            continue
        for m in pattern.finditer(text):
            start, end = m.span(group)
            if kind == "PHONE" and is_public_number(m.group(group)):
                continue
            if any(start < b and a < end for a, b, _ in taken):
                continue
            taken.append((start, end, kind))
    if not taken:
        return Redaction(text, ())
    taken.sort()
    out, at = [], 0
    for start, end, kind in taken:
        out.append(text[at:start])
        out.append(PLACEHOLDERS[kind])
        at = end
    out.append(text[at:])
    items = tuple(Redacted(kind, (start, end), PLACEHOLDERS[kind]) for start, end, kind in taken)
    return Redaction("".join(out), items)


def scrub(text: str, counts: Counter, kinds: tuple[str, ...] | frozenset[str] = ALL_KINDS) -> str:
    """``text`` redacted; ``counts`` gains one per replacement, by kind (the data pipeline's form)."""
    result = redact(text, kinds)
    for item in result.items:
        counts[item.kind] += 1
    return result.text
