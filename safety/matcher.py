"""One-pass phrase matching over normalized text (Aho-Corasick).

Every spelling of every phrase becomes one key " tok tok " (padded with spaces), so a
single automaton pass finds all whole-word matches, whatever the number of phrases:
"keystroke" never contains " stroke ". pyahocorasick does the pass in C; without it a
small pure-Python automaton with the same interface is used, slower but equivalent.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from .normalize import RUN_TOGETHER_MIN, Lexicon
from .policy import Policy
from .variants import expand, parse_phrase

try:  # optional C extension
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover - exercised by forcing native=False in tests
    _ahocorasick = None


@dataclass(frozen=True, eq=False)  # identity: each rule is one object, hashed fast
class Rule:
    rule_id: str  # "<category>.<index in the category's phrases>"
    category: str
    phrase: str
    action: str
    priority: int
    gaps: tuple[int, ...] = ()  # for multi-part phrases: most words between parts
    parts: int = 1  # len(gaps) + 1
    # multi-part phrases: every normalized spelling of each part ("a and e"), so a stream
    # can tell whether the words arriving are the start of the next part
    spellings: tuple[frozenset[str], ...] = ()


class PyAutomaton:
    """Minimal Aho-Corasick with the subset of pyahocorasick's API used here."""

    def __init__(self) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        self._out: list[list] = [[]]  # (key length, value) pairs ending at each state
        self._value: dict[int, object] = {}

    def add_word(self, key: str, value: object) -> None:
        state = 0
        for ch in key:
            nxt = self._goto[state].get(ch)
            if nxt is None:
                nxt = len(self._goto)
                self._goto[state][ch] = nxt
                self._goto.append({})
                self._fail.append(0)
                self._out.append([])
            state = nxt
        self._value[state] = value

    def make_automaton(self) -> None:
        for state, value in self._value.items():
            self._out[state] = [value]
        queue = deque(self._goto[0].values())
        while queue:
            state = queue.popleft()
            for ch, nxt in self._goto[state].items():
                queue.append(nxt)
                fail = self._fail[state]
                while fail and ch not in self._goto[fail]:
                    fail = self._fail[fail]
                self._fail[nxt] = self._goto[fail].get(ch, 0)
                self._out[nxt] = self._out[nxt] + self._out[self._fail[nxt]]

    def iter(self, text: str) -> Iterator[tuple[int, object]]:
        goto, fail, out = self._goto, self._fail, self._out
        state = 0
        for i, ch in enumerate(text):
            while state and ch not in goto[state]:
                state = fail[state]
            state = goto[state].get(ch, 0)
            for value in out[state]:
                yield i, value

    def match(self, prefix: str) -> bool:
        """True if `prefix` is a prefix of some key."""
        state = 0
        for ch in prefix:
            state = self._goto[state].get(ch, -1)
            if state < 0:
                return False
        return True


def _new_automaton(native: bool | None):
    if native is None:
        native = _ahocorasick is not None
    if native:
        if _ahocorasick is None:
            raise RuntimeError("pyahocorasick is not installed")
        return _ahocorasick.Automaton()
    return PyAutomaton()


def _by_rule(entries: list[tuple[Rule, int]]) -> dict[Rule, tuple[int, ...]]:
    grouped: dict[Rule, tuple[int, ...]] = {}
    for rule, index in entries:
        grouped[rule] = grouped.get(rule, ()) + (index,)
    return grouped


def compile_keys(keys: dict[str, object], native: bool | None = None):
    """Automaton over padded keys; each value becomes (key length, tokens, value)."""
    automaton = _new_automaton(native)
    for key, value in keys.items():
        automaton.add_word(key, (len(key), key.count(" ") - 1, value))
    if keys:
        automaton.make_automaton()
    return automaton


def build_lexicon(keys, native: bool | None = None) -> Lexicon:
    """The policy's words, and its multi-word spellings run together ("chestpain" ->
    boundaries (5,)), for the guard's lexical view (normalize.lexical_views)."""
    words: dict[str, int] = {}
    joined: dict[str, tuple[int, ...]] = {}
    for key in keys:
        toks = key.split()
        for tok in toks:
            words[tok] = words.get(tok, 0) + 1
        glued = "".join(toks)
        if len(toks) > 1 and len(glued) >= RUN_TOGETHER_MIN and glued.isascii() and glued.isalpha():
            bounds, at = [], 0
            for tok in toks[:-1]:
                at += len(tok)
                bounds.append(at)
            joined.setdefault(glued, tuple(bounds))
    automaton = None
    if joined:
        automaton = _new_automaton(native)
        for glued, bounds in joined.items():
            automaton.add_word(glued, (len(glued), 0, bounds))
        automaton.make_automaton()
    return Lexicon(words, automaton, tuple(joined))


class Matcher:
    """All phrases of a policy compiled into one automaton; build once, reuse.

    A one-part phrase becomes keys that complete a rule on their own; each part of a
    multi-part phrase ("chest * pain|hurts") becomes keys tagged with the part index,
    which the guard chains together after the pass.
    """

    def __init__(self, policy: Policy, native: bool | None = None):
        self.rules: list[Rule] = []
        whole: dict[str, list[Rule]] = {}
        parts: dict[str, list[tuple[Rule, int]]] = {}
        for category in policy.categories.values():
            for i, phrase in enumerate(category.phrases):
                spec = parse_phrase(phrase)
                spellings = tuple(frozenset(v for alt in alternatives for v in expand(alt))
                                  for alternatives in spec.parts)
                rule = Rule(f"{category.name}.{i}", category.name, phrase,
                            category.action, category.priority, spec.gaps, len(spec.parts),
                            spellings if len(spellings) > 1 else ())
                self.rules.append(rule)
                for index, variants in enumerate(spellings):
                    for variant in variants:
                        key = f" {variant} "
                        if rule.parts == 1:
                            bucket = whole.setdefault(key, [])
                            if all(r.category != rule.category for r in bucket):
                                bucket.append(rule)
                        else:
                            parts.setdefault(key, []).append((rule, index))
        keys = {key: (tuple(whole.get(key, ())), _by_rule(parts.get(key, ())),
                      frozenset(rule for rule, index in parts.get(key, ()) if index == 0))
                for key in whole.keys() | parts.keys()}
        self.automaton = compile_keys(keys, native)
        self.max_key_length = max(map(len, keys), default=0)
        self.key_count = len(keys)
        self._empty = not keys
        self.lexicon = build_lexicon(keys, native)


    def raw_hits(self, padded: str) -> list[tuple[int, tuple]]:
        """The automaton's own output: (end index, (key length, tokens, (rules, {multi-part
        rule: part indexes}, frozenset of the multi-part rules this key starts)))."""
        return [] if self._empty else list(self.automaton.iter(padded))

    def pending_start(self, padded: str) -> int | None:
        """Where the longest suffix that could still grow into a key starts, if any.

        `padded` must not end with a pad space unless the text really ends with a
        separator. Keys start with a space, so only space positions are tried, from
        the farthest one a key could reach back to.
        """
        if self._empty:
            return None
        pos = padded.find(" ", max(0, len(padded) - self.max_key_length + 1))
        while pos >= 0:
            if self.automaton.match(padded[pos:]):
                return pos
            pos = padded.find(" ", pos + 1)
        return None
