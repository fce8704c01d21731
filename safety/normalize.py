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

import math
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
    # Latin small capitals ("ᴄʜᴇsᴛ ᴘᴀɪɴ", "ᴋɪʟʟ ᴍʏsᴇʟꜰ"): NFKC leaves them alone.
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h",
    "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p",
    "ǫ": "q", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y",
    "ᴢ": "z", "ɶ": "oe", "ᴁ": "ae",
}


def _is_invisible(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _INVISIBLE_RANGES)


def is_invisible(ch: str) -> bool:
    """A character that shows nothing: deleted before matching, here and in safety.answer."""
    return _is_invisible(ord(ch)) or unicodedata.category(ch) == "Cf"


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


_LEET_SYMBOLS = "$@!|+"


class _ShapeTable(dict):
    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if ch.isalpha():
            shape = "a"
        elif ch in "013457":
            shape = "0"
        elif ch.isdigit():
            shape = "9"
        elif ch in "-._\u00b7\u2022\u2010\u2011":
            shape = "-"
        elif ch == "/":
            shape = "/"
        elif ch in _LEET_SYMBOLS:
            shape = "s"
        elif ch == "*":
            shape = "*"  # joins single letters ("c*h*e*s*t") or masks one ("ch*st")
        else:
            shape = " " if ch == " " else "."
        self[cp] = shape
        return shape


_SHAPE = _ShapeTable()
_ASCII_SHAPE = bytes(ord(_SHAPE[cp]) for cp in range(256) if cp < 128) + bytes(128)
# single letters, one joiner: "c h e s t", "c/h/e/s/t", "c*h*e*s*t"
_SPACED = re.compile(r"(?<![a09s])a(?:([ \-])a(?:\1a)+|([*/])a(?:\2a)*)(?![a09s])")
_INWORD = re.compile(r"(?<=a)-(?=a)")  # "bre-ath-ing"
# A word of letters, look-alike digits and symbols ("0verd0se", "ch3$t", "p@in"); a
# symbol at its end is punctuation ("help!").
_LEET_WORD = re.compile(r"(?<![a09s])[a09s]*[a0][a09s]*")
_LEET = str.maketrans("013457$@!|+", "oieastsailt")
_MASKED = re.compile(r"(?<![a09*])a+(?:\*a+)+(?![a09*])")  # "ch*st", "p*in": * is a letter


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
    if (" a a " not in f" {shape}" and "a-a" not in shape and "a0" not in shape
            and "0a" not in shape and "as" not in shape and "sa" not in shape
            and "a*a" not in shape and "a/a" not in shape and "0s" not in shape
            and "s0" not in shape):
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
        word = view_shape[m.start() : m.end()]
        end = m.start() + len(word)
        while end > m.start() and view[end - 1] in "!|+":  # "help!" keeps its "!"
            end -= 1
        kept = word[: end - m.start()]
        if ("a" not in kept and "s" not in kept) or ("0" not in kept and "s" not in kept):
            continue  # needs a letter or symbol, and a digit or symbol to read
        pieces += (view[done : m.start()], view[m.start() : end].translate(_LEET))
        done = end
    if pieces:
        view = "".join(pieces) + view[done:]
    return (view, keep) if view != text else None


# -- words the policy knows: masked letters and words run together ---------------------
# "ch*st p*in" (a letter replaced by *) and "chestpain"/"killmyself" (the spaces left out)
# can only be undone by knowing the policy's words, so the matcher builds a Lexicon from
# its keys and the guard reads a third view with masks filled in and run-together words
# split where a multi-word phrase spelling sits at the start or end of the word.

RUN_TOGETHER_MIN = 6  # shortest joined spelling ("odtook" no, "cantbreathe" yes)
ANYWHERE_MIN = 10  # a joined spelling this long may sit anywhere inside a word
SEGMENT_MAX = 80  # longest spaced-out run split into words
SEGMENT_MIN = 8  # shortest unknown plain word split into policy words ("cuttingagain")
MASK_READINGS = 3  # readings tried per masked word ("w*nt": wont, want, went)
MASK_VIEWS = 8  # most views of one text with masked words
CUTS_CACHE = 65536  # unknown words remembered with their cuts
TYPO_MIN = 5  # shortest policy word whose swapped letters are read back ("feevr": fever)
TYPO_DROP_MIN = 6  # shortest policy word whose dropped letter is read back ("famly": family)


@dataclass
class Lexicon:
    words: dict[str, int]  # token -> how many keys use it (picks among mask readings)
    joined: object  # automaton: multi-word spelling without spaces -> word boundaries
    glued: tuple[str, ...] = ()  # those spellings, for masked run-together words
    _by_length: dict[int, list[str]] = field(default_factory=dict, repr=False)
    _cuts: dict[tuple[str, bool], list[int]] = field(default_factory=dict, repr=False)
    _typos: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        glued = list(self.glued)
        for word in sorted(self.words, key=lambda w: -self.words[w]) + glued:
            self._by_length.setdefault(len(word), []).append(word)
        for word in self.words:
            for typo in _typos_of(word):
                if typo not in self.words:  # a typo two policy words share is read as neither
                    self._typos[typo] = word if self._typos.get(typo, word) == word else None

    def respell(self, word: str) -> str | None:
        """The one policy word that `word` (lower case, no policy word) is a slip of the
        keyboard for: two neighbouring letters swapped, or one letter dropped."""
        return self._typos.get(word)

    def unmask(self, word: str, most: int = MASK_READINGS) -> list[str]:
        """The most used policy words (or run-together spellings) that `word` ("ch*st")
        spells with each * as one letter, most used first."""
        pattern = re.compile(re.escape(word.lower()).replace(r"\*", "[a-z]"))
        found = [w for w in self._by_length.get(len(word), ()) if pattern.fullmatch(w)]
        return found[:most]

    def segment(self, word: str) -> list[int]:
        """Cuts that split `word` into policy words ("mychesthurts" -> my chest hurts),
        or [] if it cannot be. Fewest pieces wins, and common words beat rare ones and
        dropped g's ("sucking in", not "suckin gin"). Only for words that are no policy
        word: spaced-out letters joined back together, or words run together."""
        if len(word) > SEGMENT_MAX:
            return []
        longest = self._longest()
        best: list[tuple[float, int] | None] = [(0.0, 0)] + [None] * len(word)  # (cost, cut)
        for i in range(1, len(word) + 1):
            for j in range(max(0, i - longest), i):
                if best[j] is None:
                    continue
                cost = self._cost(word[j:i])
                if cost is not None and (best[i] is None or best[j][0] + cost < best[i][0]):
                    best[i] = (best[j][0] + cost, j)
        cuts, i = [], len(word)
        if best[i] is None:
            return []
        while i:
            i = best[i][1]
            if i:
                cuts.append(i)
        return cuts[::-1]

    def _cost(self, piece: str) -> float | None:
        count = self.words.get(piece)
        if count is None or (len(piece) == 1 and piece not in "ai"):
            return None
        cost = 1 + 1 / math.log2(2 + count)
        if piece.endswith("in") and piece + "g" in self.words:
            cost += 0.5  # "feelin": a spelling, rarely what was meant
        return cost

    def cuts(self, word: str, segment: bool) -> list[int]:
        """Where spaces belong in an unknown word: its split into policy words (long
        words, or any word of a deobfuscated view), else a phrase spelling at one end.
        Cached: ordinary words repeat, and this is the guard's most expensive step."""
        key = (word, segment or len(word) >= SEGMENT_MIN)
        found = self._cuts.get(key)
        if found is None:
            found = (self.segment(word) if key[1] else []) or self.splits(word)
            if len(self._cuts) >= CUTS_CACHE:
                self._cuts.clear()
            self._cuts[key] = found
        return found

    def _longest(self) -> int:
        return max(self._by_length, default=0)

    def splits(self, word: str) -> list[int]:
        """Offsets inside the lower-case ASCII `word` where a space belongs."""
        best = None
        if self.joined is None:
            return []
        for end, (length, _, bounds) in self.joined.iter(word):
            start = end - length + 1
            if start != 0 and end != len(word) - 1 and length < ANYWHERE_MIN:
                continue
            if not (_leftover_ok(word[:start]) and _leftover_ok(word[end + 1 :])):
                continue  # "newborns" is not "newborn s"
            if best is None or length > best[1] - best[0]:
                best = (start, end + 1, bounds)
        if best is None:
            return []
        start, stop, bounds = best
        cuts = [start + b for b in bounds]
        return sorted({c for c in (start, *cuts, stop) if 0 < c < len(word)})


def _typos_of(word: str) -> set[str]:
    """The slips people make typing `word` fast: neighbouring letters swapped ("hevay",
    "testilce") and, for longer words, one letter dropped ("famly", "hedaches"). Lay
    messages about emergencies are typed in a hurry; these two slips are most of them."""
    if len(word) < TYPO_MIN or not (word.isascii() and word.isalpha()):
        return set()
    out = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    if len(word) >= TYPO_DROP_MIN:
        out |= {word[:i] + word[i + 1 :] for i in range(len(word))}
    out.discard(word)
    return out


def _respelled(text: str, lexicon: Lexicon) -> tuple[str, list[int]] | None:
    """`text` with each unknown word that is a slip for one policy word typed right
    (None if there is none), view[i] = text[map[i]]."""
    out: list[str] = []
    index: list[int] = []
    last = 0
    for m in _PLAIN_WORD.finditer(text):
        word = m.group().lower()
        if len(word) < TYPO_MIN - 1 or word in lexicon.words:
            continue
        fixed = lexicon.respell(word)
        if fixed is None:
            continue
        out.append(text[last : m.start()])
        index += range(last, m.start())
        out.append(fixed)
        index += (m.start() + min(i, len(word) - 1) for i in range(len(fixed)))
        last = m.end()
    if not out:
        return None
    out.append(text[last:])
    index += range(last, len(text))
    return "".join(out), index


def _leftover_ok(piece: str) -> bool:
    return not piece or len(piece) >= 3 or piece in ("i", "a", "my")


def lexical_views(text: str, lexicon: Lexicon | None,
                  segment: bool = False) -> list[tuple[str, list[int]]]:
    """`text` with masked letters filled in and run-together words split ([] if neither
    applies). A masked word has several readings ("w*nt": wont, want, went): one view
    fills each masked word with its most used reading, and each further view tries one
    word at another reading. Unknown words of
    SEGMENT_MIN letters or more (any length with segment, for a deobfuscated view whose
    spaced-out letters were joined) are also split into policy words where they can be."""
    if lexicon is None:
        return []
    shape = (text.encode("ascii").translate(_ASCII_SHAPE).decode("ascii") if text.isascii()
             else text.translate(_SHAPE))
    masked: list[tuple[int, list[str]]] = []
    if "*" in shape:
        for m in _MASKED.finditer(shape):
            word = text[m.start() : m.end()]
            if all(len(piece) == 1 for piece in word.split("*")):
                continue  # "c*h*e*s*t" is spaced out, not masked
            found = lexicon.unmask(word)
            if found:
                masked.append((m.start(), found))
    # every masked word at its most used reading, then each word at its other readings
    choices = [[0] * len(masked)]
    for i, (_, found) in enumerate(masked):
        for k in range(1, len(found)):
            choices.append([k if j == i else 0 for j in range(len(masked))])
    out = []
    for choice in choices[:MASK_VIEWS]:
        filled = text
        if masked:
            chars = list(text)
            for (start, found), k in zip(masked, choice, strict=True):
                word = found[k]
                chars[start : start + len(word)] = word
            filled = "".join(chars)
        view = _split_words(filled, lexicon, segment)
        if view is not None:
            out.append(view)
        elif masked:
            out.append((filled, list(range(len(filled)))))
    spelled = _respelled(text, lexicon)
    if spelled is not None:
        out.append(spelled)
        split = _split_words(spelled[0], lexicon, segment)
        if split is not None:
            out.append((split[0], [spelled[1][i] for i in split[1]]))
    return out


def _split_words(text: str, lexicon: Lexicon, segment: bool) -> tuple[str, list[int]] | None:
    cuts: list[int] = []
    words = lexicon.words
    for m in _PLAIN_WORD.finditer(text):
        word = m.group().lower()
        if len(word) >= RUN_TOGETHER_MIN and word not in words:
            found = lexicon.cuts(word, segment)
            cuts += [m.start() + c for c in found]
    if not cuts:
        return None
    out, index = [], []
    cut_set = set(cuts)
    for i, ch in enumerate(text):
        if i in cut_set:
            out.append(" ")
            index.append(i)
        out.append(ch)
        index.append(i)
    return "".join(out), index


_PLAIN_WORD = re.compile(r"[A-Za-z]+")
_RLO, _LRO, _PDF = "\u202e", "\u202d", "\u202c"


def unreversed(text: str) -> tuple[str, list[int]] | None:
    """The text as it is displayed when a right-to-left override (U+202E) reverses it:
    "\u202eniap tsehc" shows "chest pain". Each override runs to its pop (U+202C), a
    newline or the end."""
    if _RLO not in text:
        return None
    index = list(range(len(text)))
    pos = text.find(_RLO)
    while pos >= 0:
        end = len(text)
        for stop in (_PDF, _LRO, "\n"):
            found = text.find(stop, pos + 1)
            if 0 <= found < end:
                end = found
        index[pos + 1 : end] = index[pos + 1 : end][::-1]
        pos = text.find(_RLO, end)
    return "".join(text[i] for i in index), index


def views(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, list[int]]]:
    """Every other reading of `text` worth matching, each with view[i] = text[map[i]]:
    displayed order under bidi overrides, the deobfuscated views, and their lexical
    views. Ordinary text has none, at the cost of a few C-level scans."""
    bases = [(text, None)]
    flipped = unreversed(text)
    if flipped is not None:
        bases.append(flipped)
    out: list[tuple[str, list[int]]] = []
    for base, base_map in bases:
        readings = [(base, None)]
        for lone_first in (False, True):
            found = deobfuscated(base, lone_first=lone_first)
            if found is None:
                if not lone_first:
                    break
                continue
            readings.append(found)
        for reading, reading_map in readings:
            candidates = [(reading, reading_map)] if reading_map is not None else []
            for found in lexical_views(reading, lexicon, segment=reading_map is not None):
                candidates.append((found[0], [reading_map[i] for i in found[1]]
                                   if reading_map is not None else found[1]))
            for view, view_map in candidates:
                if base_map is not None:
                    view_map = [base_map[i] for i in view_map]
                out.append((view, view_map))
        if base_map is not None and not any(v == base for v, _ in out):
            out.append((base, base_map))
    return out
