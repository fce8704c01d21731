"""Requests the assistant must not serve as asked: attempts to override its instructions or
role, and requests to prescribe or obtain prescription-only or controlled medicines.

- ``manipulation`` (monitor): "ignore previous instructions", "you are now ...", "pretend you
  are my doctor", "developer mode". Recorded with its span; the message still goes through
  every other check, and nothing in a message can change the guard (it runs outside the
  model and reads no instruction from text).
- ``prescription_request`` (defer): "prescribe me oxycodone", "write me a prescription",
  "where can I buy Xanax without a prescription".

Regular expressions rather than policy phrases because the policy's word-form expansion
would make "prescribe me" also match "my doctor prescribed me". Stdlib only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dose_limits import CONTROLLED, PRESCRIPTION_ONLY

PRESCRIPTION_MESSAGE = (
    "I can't prescribe medicines or help obtain prescription-only or controlled medicines. "
    "Please talk to a doctor or another licensed clinician, who can assess you and prescribe "
    "safely if it is right for you. If you are in crisis or withdrawal, call your local "
    "emergency number (911 in the US) or, in the US, call or text 988."
)

_RX = "|".join(sorted(map(re.escape, PRESCRIPTION_ONLY), key=len, reverse=True))
_CTRL = "|".join(sorted(map(re.escape, CONTROLLED), key=len, reverse=True))

MANIPULATION: tuple[tuple[str, re.Pattern], ...] = tuple((rule, re.compile(p, re.IGNORECASE)) for rule, p in (
    ("ignore_instructions", r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+)*"
                            r"(?:previous|prior|earlier|above|preceding|system|safety|original)?\s*"
                            r"(?:instructions?|prompts?|rules?|guidelines?|guardrails?|restrictions?|filters?|polic(?:y|ies))\b"),
    ("role_override", r"\byou\s+are\s+now\s+(?:a|an|my|the|in|no\s+longer|free|dan|unrestricted|allowed)\b"
                      r"|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|can)\b"),
    ("pretend_clinician", r"\b(?:pretend|act|roleplay|role-play|imagine|behave)\s+(?:that\s+)?(?:you(?:'re|\s+are)\s+|as\s+|like\s+)?"
                          r"(?:if\s+you\s+were\s+)?(?:my|a|an|the)\s+(?:doctor|physician|gp|pharmacist|psychiatrist|nurse|prescriber|clinician)\b"),
    ("jailbreak", r"\b(?:developer|god|dan|jailbreak|unfiltered|uncensored)\s+mode\b|\bjailbreak\b|\bdo anything now\b"
                  r"|\b(?:turn|switch)\s+off\s+(?:your\s+|the\s+)?(?:safety|filters?|guard(?:rails?)?)\b"
                  r"|\bwithout\s+(?:any\s+)?(?:safety|restrictions|filters|disclaimers)\b"),
    ("fake_system", r"(?:^|\n)\s*(?:system|assistant|developer)\s*:|<\|?(?:system|im_start|im_end|end)\|?>|\[/?(?:inst|sys)\]"),
))

PRESCRIPTION: tuple[tuple[str, re.Pattern], ...] = tuple((rule, re.compile(p, re.IGNORECASE)) for rule, p in (
    ("prescribe_me", r"\b(?:prescribe|script)\s+(?:me|us|him|her|them|my\s+\w+)\b"
                     r"|\b(?:can|could|will|would)\s+you\s+(?:please\s+)?prescribe\b"
                     r"|\b(?:write|give|get|send)\s+(?:me|us)\s+(?:a\s+|an\s+)?(?:prescription|script|rx)\b"
                     r"|\bprescription\s+for\s+(?:me|my)\b"),
    ("obtain_controlled", rf"\b(?:buy|order|purchase|obtain|score|get\s+hold\s+of|get\s+some|where\s+(?:can|do)\s+i\s+get)\s+"
                          rf"(?:\w+\s+){{0,3}}?(?:{_CTRL})\b"),
    ("without_prescription", rf"\b(?:{_RX})\b[^.?!\n]{{0,40}}\bwithout\s+(?:a\s+)?(?:prescription|script|doctor|rx)\b"
                             rf"|\bwithout\s+(?:a\s+)?(?:prescription|script)\b[^.?!\n]{{0,40}}\b(?:{_RX})\b"),
))


@dataclass(frozen=True)
class RequestFinding:
    category: str  # "manipulation" | "prescription_request"
    rule: str
    span: tuple[int, int]
    text: str


def find_requests(text: str) -> list[RequestFinding]:
    """Manipulation attempts and prescription requests in a user message, in text order."""
    found = []
    for category, rules in (("manipulation", MANIPULATION), ("prescription_request", PRESCRIPTION)):
        for rule, rx in rules:
            for m in rx.finditer(text):
                found.append(RequestFinding(category, rule, m.span(), m.group(0)))
    return sorted(found, key=lambda f: f.span)
