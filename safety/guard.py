"""SafetyGuard: allow, monitor or defer a user message, a model answer or a conversation.

The decision rule is simple on purpose: any effective (not negated) match of a defer
category defers, whatever priorities say, because a missed emergency is worse than a
needless deferral; priority then picks which category's message is shown.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from .audit import AuditLog
from .chains import find_chains
from .config import load_config
from .context import context_for, context_of
from .matcher import Matcher, Rule
from .negation import ENGLISH, Cues, is_negated
from .normalize import Normalized, normalize, views
from .policy import Policy, safety_section
from .screen import EXTRA_CATEGORIES, review_stream, screen

_ACTION_RANK = {"allow": 0, "monitor": 1, "defer": 2}


@dataclass
class Match:
    phrase: str  # the policy phrase, as written in the policy
    category: str
    rule_id: str
    span: tuple[int, int]  # [start, end) in the original text
    text: str  # original[start:end]
    negated: bool = False
    context: str | None = None  # "informational"/"historical": downgraded to monitor
    message_index: int | None = None  # position in the conversation, if any

    def to_dict(self) -> dict:
        data = asdict(self)
        data["span"] = list(self.span)
        return data


@dataclass
class Decision:
    action: str  # "allow" | "monitor" | "defer"
    category: str | None = None
    message: str | None = None
    matches: list[Match] = field(default_factory=list)
    # Set by the checks after the phrase policy (safety/screen.py); absent from to_dict when None,
    # and not part of equality (two decisions are equal when action, category, message and matches are).
    reason: str | None = field(default=None, compare=False)  # why, in words, when a check changed or explained the decision
    notice: str | None = field(default=None, compare=False)  # shown alongside the answer (unscreened language, reminders)
    language: str | None = field(default=None, compare=False)  # detected language code, when detection is on
    redacted: str | None = field(default=None, compare=False)  # with redact_input: the message to pass on instead of the original
    redactions: list[dict] | None = field(default=None, compare=False)  # [{kind, span, placeholder}] in the original
    triage: dict | None = field(default=None, compare=False)  # safety/triage.py: the rule and findings that fired

    @property
    def deferred(self) -> bool:
        return self.action == "defer"

    def to_dict(self) -> dict:
        data = {
            "action": self.action,
            "category": self.category,
            "message": self.message,
            "matches": [m.to_dict() for m in self.matches],
        }
        for key in ("reason", "notice", "language", "redacted", "redactions", "triage"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


class SafetyGuard:
    """Checks text against one compiled policy. Build once, call from any thread."""

    match_type = Match  # what screen.py builds its own matches as, without importing this module

    def __init__(self, policy: Policy | None = None, *, negation: bool = True,
                 enabled: bool = True, audit: AuditLog | None = None,
                 native: bool | None = None, redact_input: bool = False,
                 dose_check: bool = True, language_detection: bool = True,
                 stream_review: bool = True, triage: bool = True, cues: Cues = ENGLISH):
        self.policy = policy or Policy.default()
        self.cues = cues  # the language's negation cues (safety/negation.py)
        self.redact_input = redact_input  # Decision.redacted holds the message to pass on
        self.dose_check = dose_check
        self.language_detection = language_detection
        self.stream_review = stream_review  # StreamGuard applies the output review (screen.py)
        self._spanish = None
        self.matcher = Matcher(self.policy, native=native)
        self.negation = negation
        self.enabled = enabled
        self.audit = audit
        # Findings combined by rules (safety/triage.py) for user messages; False: phrases only.
        self.triage = None
        if triage and enabled and self.policy.triage_rules:
            from .triage import Triage

            self.triage = Triage(self.policy.triage_findings, self.policy.triage_rules,
                                 negation=negation, native=native, scanner=type(self))
        context_of(normalize("warm up"))  # build the shared cue automaton now, not mid-request
        if language_detection and enabled:
            from .language import warm_up

            warm_up()

    @classmethod
    def from_config(cls, source: dict | str | os.PathLike | None = None,
                    env: str | None = None, **kwargs: Any) -> SafetyGuard:
        """From a config dict (whole config or its `safety` section), a YAML path, or
        None for the built-in policy. With a path, `config.<env>.yaml` is merged over it."""
        if source is None:
            section: dict = {}
        elif isinstance(source, dict):
            section = safety_section(source)
        else:
            section = safety_section(load_config(source, env))
        audit = None
        audit_cfg = section.get("audit") or {}
        if audit_cfg.get("enabled"):
            audit = AuditLog(audit_cfg.get("path") or "logs/safety_audit.jsonl",
                             store_text=bool(audit_cfg.get("store_text", False)),
                             secret=audit_cfg.get("secret"))
        for key in ("redact_input", "dose_check", "language_detection", "stream_review", "triage"):
            if section.get(key) is not None:
                kwargs.setdefault(key, bool(section[key]))
        return cls(Policy.from_section(section), negation=bool(section.get("negation", True)),
                   enabled=bool(section.get("enabled", True)), audit=audit, **kwargs)

    # -- public checks -------------------------------------------------------------

    def check_input(self, text: str) -> Decision:
        """A user message."""
        return self._check(text, "input")

    def check_output(self, text: str) -> Decision:
        """A model answer (the same policy: the assistant must not give that advice)."""
        return self._check(text, "output")

    def check_conversation(self, messages: Iterable[dict]) -> Decision:
        """All user turns: a red flag two turns ago still counts."""
        start = time.perf_counter_ns()
        messages = list(messages)
        decision = self.assess_conversation(messages)
        if self.audit:
            texts = [_content_text(m.get("content")) for m in messages if m.get("role") == "user"]
            if self.redact_input:  # the log never holds an identifier, whichever path checked it
                from .redact import redact

                texts = [redact(t).text for t in texts]
            self._record(decision, "\n".join(texts), "conversation", start)
        return decision

    def assess_input(self, text: str) -> Decision:
        """`check_input` without the audit record: for text already checked and recorded
        once (the earlier turns of a conversation), which must get every check again."""
        return self._check(text, "input", audit=False)

    def assess_conversation(self, messages: Iterable[dict]) -> Decision:
        """`check_conversation` without the audit record. Each user turn gets every check a
        single message gets (language, Spanish policy, doses, requests), and the phrase policy
        and triage also read the turns together ("my baby is 5 weeks old" ... "38.2 now")."""
        users = [(i, _content_text(m.get("content"))) for i, m in enumerate(messages)
                 if m.get("role") == "user"]
        found, turns = [], []
        for index, text in users:
            phrases = self.scan(text, message_index=index)
            turn = self.triaged(self.decide(phrases), [(text, index)])
            if self.enabled and text:
                turn = screen(self, text, "input", turn)
            for m in turn.matches:
                if m.message_index is None:
                    m.message_index = index
            found += phrases
            turns.append(turn)
        if len(turns) == 1:
            return turns[0]
        decision = self.together(found, users)
        worst = max(turns, key=lambda t: _ACTION_RANK[t.action], default=None)
        if worst is not None and _ACTION_RANK[worst.action] > _ACTION_RANK[decision.action]:
            decision = worst
        decision.matches = [m for turn in turns for m in turn.matches]
        return decision

    def together(self, matches: list[Match], users: list[tuple[int, str]]) -> Decision:
        """The phrase policy and triage over the user turns [(message index, text)] read as
        one conversation, given their phrase `matches`: what no single turn may show."""
        return self.triaged(self.decide(matches), [(text, index) for index, text in users])

    # -- building blocks (also used by StreamGuard) --------------------------------

    def scan(self, text: str, *, final: bool = True,
             message_index: int | None = None) -> list[Match]:
        """All matches in `text`, with negation/context marked.

        With final=False the text may still grow (streaming): a phrase touching the
        end is not reported yet, since "chest pain" could become "chest painful".
        """
        return self.inspect(text, final=final, message_index=message_index)[0]

    def inspect(self, text: str, *, final: bool = True, message_index: int | None = None,
                holdback: bool = False) -> tuple[list[Match], int]:
        """Matches, plus (with holdback=True) the original index before which no phrase
        can still start: what a stream may release. Without holdback that is len(text).
        """
        if not self.enabled or not text:
            return [], len(text)
        norm = normalize(text)
        matches, safe = self._inspect_view(norm, final, message_index, holdback)
        # "c h e s t  p a i n", "bre-ath-ing", "ch3$t", "ch*st", "chestpain", bidi overrides
        for view in views(text, self.matcher.lexicon):
            extra, _ = self._inspect_view(normalize(view[0]), final, message_index, False)
            seen = {(m.rule_id, m.span) for m in matches}
            for m in extra:
                where = view[1][m.span[0] : m.span[1]]  # reversed views map backwards
                start, end = min(where), max(where) + 1
                if (m.rule_id, (start, end)) not in seen:
                    m.span, m.text = (start, end), text[start:end]
                    matches.append(m)
            matches = _drop_contained(matches)
        return matches, safe

    def _inspect_view(self, norm: Normalized, final: bool, message_index: int | None,
                      holdback: bool) -> tuple[list[Match], int]:
        growing = not final
        padded = norm.padded[:-1] if (growing and norm.open_end) else norm.padded
        safe = len(norm.original)
        pending_token = None
        if holdback:
            pending = self.matcher.pending_start(padded)
            if pending is not None and pending + 1 < len(padded):
                pending_token = norm.token_index(pending)
                safe = norm.span(pending_token)[0]
        raw = self.matcher.raw_hits(padded)
        if not raw:
            return [], safe
        # Lone parts of multi-part phrases are common in ordinary text ("blood", "my
        # daughter"); only rules that can still chain are located in the text.
        chain_growing = holdback and growing
        # Work is driven by each hit's own (short) rule map, never by all started rules
        # times all hits: ordinary text starts dozens of rules ("my", "took", "is").
        started = frozenset().union(*(value[2][2] for _, value in raw))
        viable = started
        if started and not chain_growing:
            have: dict[Rule, set[int]] = {}
            for _, (_, _, (_, by_rule, _)) in raw:
                for rule, indexes in by_rule.items():
                    if rule in started:
                        have.setdefault(rule, set()).update(indexes)
            viable = frozenset(rule for rule, indexes in have.items()
                               if len(indexes) == rule.parts)
        found: list[tuple[Rule, int, int]] = []
        parts: dict[Rule, list[tuple[int, int, int]]] = {}
        for end, (length, count, (rules, by_rule, _)) in raw:
            useful = [(r, i) for r, indexes in by_rule.items() if r in viable
                      for i in indexes] if viable and by_rule else ()
            if not rules and not useful:
                continue
            first = norm.token_index(end - length + 1)
            last = first + count - 1
            for rule in rules:
                found.append((rule, first, last))
            for rule, index in useful:
                parts.setdefault(rule, []).append((index, first, last))
        if not found and not parts:
            return [], safe
        negated_in_gap: set[tuple[Rule, int, int]] = set()
        if parts:
            chains, hold = find_chains(norm, parts, growing=chain_growing, pending=pending_token,
                                       cues=self.cues)
            for chain in chains:
                found.append((chain.rule, chain.first, chain.last))
                if chain.negated:
                    negated_in_gap.add((chain.rule, chain.first, chain.last))
            if hold is not None:
                safe = min(safe, norm.span(hold)[0])
        context = INITIAL = object()
        matches: list[Match] = []
        text = norm.original
        for rule, first, last in found:
            start, end = norm.span(first)[0], norm.span(last)[1]
            negated = (rule, first, last) in negated_in_gap or (
                self.negation and is_negated(norm, first, last, self.cues))
            note = None
            if self.negation and not negated:
                if context is INITIAL:
                    context = context_of(norm)
                note = context_for(first, last, *context)
            matches.append(Match(rule.phrase, rule.category, rule.rule_id, (start, end),
                                 text[start:end], negated, note, message_index))
        return _drop_contained(matches), safe

    def decide(self, matches: list[Match]) -> Decision:
        best = None
        best_key = None
        for m in matches:
            if m.negated:
                continue
            action = self._effective_action(m)
            key = (_ACTION_RANK[action], self._category(m.category).priority)
            if best_key is None or key > best_key:
                best, best_key = m, key
        if best is None:
            return Decision("allow", None, None, matches)
        action = self._effective_action(best)
        message = None
        if action == "defer":
            message = self._category(best.category).message or self.policy.default_message
        return Decision(action, best.category, message, matches)

    def triaged(self, decision: Decision, texts: list[tuple[str, int | None]]) -> Decision:
        """`decision`, or a deferral when the findings of the user's texts fire a triage
        rule. Model answers are not triaged: they list symptoms while explaining them."""
        if self.triage is None:
            return decision
        if decision.deferred:
            return self._lowered(decision, texts)
        fired = self.triage.assess(self.triage.findings(texts))
        if fired is None:
            return decision
        message = self._category(fired.category).message or self.policy.default_message
        return Decision("defer", fired.category, message, decision.matches,
                        triage=fired.to_dict())

    def _lowered(self, decision: Decision, texts: list[tuple[str, int | None]]) -> Decision:
        """A deferral resting on one phrase that a lowering triage rule calls benign and over
        ("felt faint during my blood test, fine since") becomes monitor."""
        if not self.triage.lowering:
            return decision
        deferring = [m for m in decision.matches if not m.negated
                     and self._effective_action(m) == "defer"]
        if len(deferring) != 1 or deferring[0].category != decision.category:
            return decision
        fired = self.triage.assess(self.triage.findings(texts), lower=decision.category)
        if fired is None:
            return decision
        return Decision("monitor", decision.category, None, decision.matches,
                        triage=fired.to_dict())

    def _category(self, name: str):
        """A policy category, or one of the checks' own (dose_limit, manipulation, ...)."""
        category = self.policy.categories.get(name)
        return category if category is not None else EXTRA_CATEGORIES[name]

    def _effective_action(self, match: Match) -> str:
        action = self._category(match.category).action
        return "monitor" if match.context else action

    def review_stream(self, text: str, matches: list[Match], *, final: bool,
                      reviewed=None) -> tuple[Decision, int]:
        """The output check for a streamed answer: (decision, index before which text may be
        shown). StreamGuard calls it when a review is due; ``reviewed`` (screen.Reviewed) sums
        up the answer before ``text``; see safety/screen.py."""
        return review_stream(self, text, matches, final, reviewed)

    def spanish(self) -> SafetyGuard:
        """The guard of the Spanish policy (safety/policy_es.py), built on first use."""
        if self._spanish is None:
            from .policy_es import NEGATION, POLICY_ES

            self._spanish = SafetyGuard(Policy.from_section(POLICY_ES), negation=self.negation,
                                        language_detection=False, dose_check=False, cues=NEGATION)
        return self._spanish

    def scan_spanish(self, text: str) -> list[Match]:
        """Matches of this (Spanish) guard's policy, negated by its Spanish cues."""
        matches = self.scan(text)
        for m in matches:
            m.rule_id = "es:" + m.rule_id
        return matches

    def _check(self, text: str, kind: str, *, audit: bool = True) -> Decision:
        start = time.perf_counter_ns()
        decision = self.decide(self.scan(text))
        if kind == "input":
            decision = self.triaged(decision, [(text, None)])
        if self.enabled and text:
            decision = screen(self, text, kind, decision)
        if self.audit and audit:
            self._record(decision, text, kind, start)
        return decision

    def _record(self, decision: Decision, text: str, kind: str, start_ns: int) -> None:
        latency_us = (time.perf_counter_ns() - start_ns) / 1000
        if decision.redacted is not None:
            text = decision.redacted  # the log never holds (or hashes) the original identifiers
        self.audit.record(decision, text, kind=kind, policy_hash=self.policy.hash,
                          latency_us=latency_us)


def _content_text(content: Any) -> str:
    """Message content as text; multimodal lists contribute their text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content
                         if isinstance(part, dict) and isinstance(part.get("text"), str))
    return "" if content is None else str(content)


def _drop_contained(matches: list[Match]) -> list[Match]:
    """Keep "crushing chest pain", drop the "chest pain" inside it (same category), and
    keep one match per span and category."""
    if len(matches) < 2:
        return matches
    # One sweep per (category, negated) in (start, -end) order: a match lies inside an
    # earlier one exactly when the farthest end seen so far reaches its end. Linear
    # after the sort, so a text with thousands of matches stays fast.
    order = sorted(range(len(matches)), key=lambda i: (
        matches[i].category, matches[i].negated, matches[i].span[0], -matches[i].span[1], i))
    dropped: set[int] = set()
    group, reach = None, -1
    for i in order:
        m = matches[i]
        if (m.category, m.negated) != group:
            group, reach = (m.category, m.negated), -1
        elif reach >= m.span[1]:
            dropped.add(i)
            continue
        reach = max(reach, m.span[1])
    kept = [m for i, m in enumerate(matches) if i not in dropped]
    kept.sort(key=lambda m: (m.span[0], -m.span[1]))
    return kept
