"""PII scrubbing: e-mail addresses, phone numbers, US social security numbers, dates of birth,
medical record numbers and street addresses become placeholders before anything is trained,
cached or logged.

Deliberately conservative where medical text needs its numbers: toll-free and short public
numbers (911, 988, 1-800-222-1222 for poison control) stay, and a date or an ID is only a date
of birth or a record number when a label says so ("DOB", "born on", "MRN", "medical record").
"""

from __future__ import annotations

import re
from collections import Counter

PLACEHOLDERS = {
    "EMAIL": "[EMAIL]",
    "SSN": "[SSN]",
    "MRN": "[MRN]",
    "DOB": "[DOB]",
    "ADDRESS": "[ADDRESS]",
    "PHONE": "[PHONE]",
}
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

# (kind, gate, pattern, group to replace or 0 for the whole match), applied in this order. A rule
# runs only on text its gate admits: one cheap scan per text instead of ten regex scans.
_RULES: list[tuple[str, str, re.Pattern, int]] = [
    ("EMAIL", "@", re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), 0),
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


def _gates(text: str) -> set[str]:
    gates = set()
    if "@" in text:
        gates.add("@")
    if "+" in text:
        gates.add("+")
    if _DIGIT.search(text) is None:
        return gates
    if _DDD.search(text):
        gates.add("ddd")
    if _STREET_GATE.search(text):
        gates.add("street")
    low = text.lower()
    if any(k in low for k in _LABELS):
        gates.add("label")
    return gates


def _keep(kind: str, text: str) -> bool:
    """Public numbers stay: toll-free lines, and numbers too short to be a personal line."""
    if kind != "PHONE":
        return False
    digits = re.sub(r"\D", "", text)
    if len(digits) < 9:
        return True
    national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    return len(national) == 10 and national[:3] in TOLL_FREE


def scrub(text: str, counts: Counter) -> str:
    """``text`` with PII replaced by placeholders; ``counts`` gains one per replacement, by kind."""
    gates = _gates(text)
    if not gates:
        return text
    for kind, gate, pattern, group in _RULES:
        if gate not in gates:
            continue
        text = pattern.sub(lambda m, k=kind, g=group: _replace(k, m, g, counts), text)
    return text


def _replace(kind: str, m: re.Match, group: int, counts: Counter) -> str:
    if _keep(kind, m.group(group)):
        return m.group(0)
    counts[kind] += 1
    if group == 0:
        return PLACEHOLDERS[kind]
    start, end = m.span(group)
    whole = m.group(0)
    return whole[: start - m.start()] + PLACEHOLDERS[kind] + whole[end - m.start():]


def scrub_messages(messages: list[dict], counts: Counter) -> bool:
    """Scrub user and assistant turns in place; True when anything was replaced."""
    before = sum(counts.values())
    for m in messages:
        if m["role"] != "system":
            m["content"] = scrub(m["content"], counts)
    return sum(counts.values()) != before
