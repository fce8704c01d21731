"""Text normalization with a map back to the original characters.

Red-flag phrases must match however they are typed ("Chest-Pain", "ch\u200best pain",
"сhest pain" with a Cyrillic с, "chést páin"), and every match must still point at the
exact characters the user wrote. The normalized form is a list of *tokens*: runs of
letters/digits, lower-cased, stripped of accents and invisible characters, with
homoglyphs folded to Latin and apostrophes removed ("can't" -> "cant"). Everything else
(spaces, hyphens, punctuation, underscores) only separates tokens.

Folding is done one character at a time through a cached translation table, so it is
context free: the normalization of a prefix is a prefix of the normalization. The
stream guard relies on that.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, starmap
from operator import add

# Characters deleted outright: they must neither join nor split words.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # arabic letter mark (bidi)
    (0x115F, 0x1160),  # hangul fillers
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),  # mongolian variation selectors, vowel separator
    (0x200B, 0x200F),  # zero-width space/joiners, LRM/RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format chars
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE007F),  # tags
    (0xE0100, 0xE01EF),  # variation selectors supplement
)

# Apostrophe look-alikes: deleted so that "can't", "can’t" and "cant" are one token.
APOSTROPHES = "'`\u00b4\u02b9\u02bb\u02bc\u02bd\u2018\u2019\u201b\u2032\u2035\uff07"

# Upper-case Cyrillic/Greek letters that look like Latin capitals (folded before
# case-folding, because e.g. Greek Eta "Η" looks like H but its lower case "η" like n).
_UPPER_HOMOGLYPHS = {
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y",
    "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
# Lower-case look-alikes, applied after case-folding and accent stripping.
_LOWER_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "ү": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ѵ": "v",
    "ɡ": "g", "ı": "i", "ȷ": "j", "ɑ": "a", "ο": "o", "α": "a", "β": "b", "γ": "y",
    "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
}


def _is_invisible(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _INVISIBLE_RANGES)


def fold_char(ch: str) -> str:
    """Fold one character to '' (deleted), ' ' (separator) or word characters."""
    if ch in APOSTROPHES or _is_invisible(ord(ch)):
        return ""
    if unicodedata.category(ch) in ("Cf", "Mn", "Me"):
        return ""  # other format characters and lone combining marks (accents)
    text = unicodedata.normalize("NFKC", _UPPER_HOMOGLYPHS.get(ch, ch))
    text = "".join(_UPPER_HOMOGLYPHS.get(c, c) for c in text).casefold()
    out = []
    for c in unicodedata.normalize("NFD", text):
        if c in APOSTROPHES or unicodedata.category(c) in ("Cf", "Mn", "Me"):
            continue
        c = _LOWER_HOMOGLYPHS.get(c, c)
        out.append(c if c.isalnum() else " ")
    return "".join(out)


class _FoldTable(dict):
    """str.translate table that computes and caches the fold of unseen characters."""

    def __missing__(self, cp: int) -> str:
        value = self[cp] = fold_char(chr(cp))
        return value


FOLD_TABLE = _FoldTable()
ASCII_TABLE = {cp: fold_char(chr(cp)) for cp in range(128)}
FOLD_TABLE.update(ASCII_TABLE)

# In ASCII text a token is a run of letters, digits and apostrophes (which the fold
# deletes) with at least one letter or digit; apostrophes at its edges are not part of it.
# Spans are found with C-level string operations on a one-byte-per-character "shape".
_SPAN_SHAPE = bytes(
    ord("a") if chr(cp).isalnum() else ord("'") if chr(cp) in "'`" else ord(" ")
    for cp in range(128)
) + bytes(128)


def _ascii_token_spans(text: str) -> list[tuple[int, int]]:
    shape = text.encode("ascii").translate(_SPAN_SHAPE).decode("ascii")
    lengths = list(map(len, shape.split(" ")))
    starts = list(compress(accumulate(map((1).__add__, lengths), initial=0), lengths))
    spans = list(zip(starts, map(add, starts, compress(lengths, lengths)), strict=True))
    if "'" in shape:  # trim quotes around words, drop pieces that are only quotes
        touched = set()
        pos = shape.find("'")
        while pos >= 0:
            touched.add(bisect_right(starts, pos) - 1)
            pos = shape.find("'", pos + 1)
        for i in sorted(touched, reverse=True):
            start, end = spans[i]
            piece = shape[start:end]
            if not piece.strip("'"):
                del spans[i]
            else:
                spans[i] = (start + len(piece) - len(piece.lstrip("'")),
                            end - len(piece) + len(piece.rstrip("'")))
    return spans


def fold(text: str) -> str:
    """Fold a whole string; separators are not collapsed (see `tokens`)."""
    return text.translate(ASCII_TABLE if text.isascii() else FOLD_TABLE)


def tokens(text: str) -> list[str]:
    """The normalized tokens of `text`."""
    return fold(text).split()


def normal_form(text: str) -> str:
    """Tokens joined by single spaces: the form phrases are compared in."""
    return " ".join(fold(text).split())


@dataclass
class Normalized:
    """A text, its padded normalized form " tok tok ", and lazily its token spans
    (only texts that matched need them)."""

    original: str
    padded: str
    tokens: list[str]
    open_end: bool  # the last token may still continue (streaming)
    _spans: list[tuple[int, int]] | None = field(default=None, repr=False)
    _starts: list[int] | None = field(default=None, repr=False)  # pad space before token k

    def span(self, k: int) -> tuple[int, int]:
        """(start, end) in the original text of token `k`."""
        if self._spans is None:
            self._spans = token_spans(self.original)
        return self._spans[k]

    def gap(self, k: int) -> str:
        """Original text between token `k` and token `k + 1`."""
        return self.original[self.span(k)[1] : self.span(k + 1)[0]]

    def token_index(self, pos: int) -> int:
        """Index of the token that starts right after the space at `pos` in `padded`
        (a binary search, so that a text with thousands of matches stays linear)."""
        if self._starts is None:
            self._starts = list(accumulate((len(t) + 1 for t in self.tokens), initial=0))
        return bisect_right(self._starts, pos) - 1


def normalize(text: str) -> Normalized:
    folded = fold(text)
    toks = folded.split()
    padded = " " + " ".join(toks) + " " if toks else " "
    open_end = bool(folded) and not folded[-1].isspace()
    return Normalized(text, padded, toks, open_end)


def token_spans(text: str) -> list[tuple[int, int]]:
    """Original (start, end) of each normalized token, trimmed of deleted characters."""
    if text.isascii():
        return _ascii_token_spans(text)
    spans: list[tuple[int, int]] = []
    table = FOLD_TABLE
    start = end = -1
    for i, ch in enumerate(text):
        folded = table[ord(ch)]
        if not folded:
            continue
        for c in folded:
            if c == " ":
                if start >= 0:
                    spans.append((start, end))
                    start = -1
            else:
                if start < 0:
                    start = i
                end = i + 1
    if start >= 0:
        spans.append((start, end))
    return spans


# -- obfuscation ---------------------------------------------------------------------
# "c h e s t  p a i n", "s-u-i-c-i-d-e", "bre-ath-ing", "thr0at sw3lling": a second
# view of the text with those tricks undone is matched too. To keep ordinary texts
# cheap, the tricks are looked for in a one-character-per-character "shape" of the
# text (letter -> a, look-alike digit -> 0, other digit -> 9, joiner -> -, space, other).


class _ShapeTable(dict):
    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if ch.isalpha():
            shape = "a"
        elif ch in "013457":
            shape = "0"
        elif ch.isdigit():
            shape = "9"
        elif ch in "-.*_\u00b7\u2022\u2010\u2011":
            shape = "-"
        else:
            shape = " " if ch == " " else "."
        self[cp] = shape
        return shape


_SHAPE = _ShapeTable()
_ASCII_SHAPE = bytes(ord(_SHAPE[cp]) for cp in range(256) if cp < 128) + bytes(128)
_SPACED = re.compile(r"(?<![a09])a([ \-])a(?:\1a)+(?![a09])")  # single letters, one joiner
_INWORD = re.compile(r"(?<=a)-(?=a)")  # "bre-ath-ing"
_LEET_WORD = re.compile(r"(?<![a09])a[a09]*0[a09]*")  # a word starting with a letter
_LEET = str.maketrans("013457", "oieast")


_LONE_WORDS = frozenset("IiAa")  # single-letter words a spaced-out run may start with


def deobfuscated(text: str, lone_first: bool = False) -> tuple[str, list[int]] | None:
    """(view, index map) with joiners inside words removed and look-alike digits in
    words read as letters, or None when the text shows no such trick.
    view[i] came from text[index_map[i]].

    With lone_first, a spaced-out run that starts with "I" or "a" keeps that letter as
    a word of its own ("I o v e r d o s e d" reads "I overdosed", not "ioverdosed");
    None if no run starts that way. Callers try both readings."""
    if text.isascii():  # bytes.translate is several times faster than str.translate
        shape = text.encode("ascii").translate(_ASCII_SHAPE).decode("ascii")
    else:
        shape = text.translate(_SHAPE)
    if " a a " not in f" {shape}" and "a-a" not in shape and "a0" not in shape:
        return None
    dropped = {m.start() for m in _INWORD.finditer(shape)}
    lone = False
    for m in _SPACED.finditer(shape):
        start = m.start()
        if lone_first and text[start] in _LONE_WORDS and m.end() - start >= 7:
            start, lone = start + 2, True  # keep "I " and join the rest
        dropped.update(range(start + 1, m.end(), 2))
    if lone_first and not lone:
        return None
    cuts = [-1, *sorted(dropped), len(text)]  # keep the runs between dropped characters
    runs = [(a + 1, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a + 1]
    keep = list(chain.from_iterable(starmap(range, runs)))
    view = "".join(text[a:b] for a, b in runs)
    view_shape = "".join(shape[a:b] for a, b in runs)
    pieces, done = [], 0  # one join, not one copy of the whole view per word
    for m in _LEET_WORD.finditer(view_shape):
        pieces += (view[done : m.start()], view[m.start() : m.end()].translate(_LEET))
        done = m.end()
    if pieces:
        view = "".join(pieces) + view[done:]
    return (view, keep) if view != text else None
