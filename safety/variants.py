"""Word forms and contractions, expanded on the phrase side.

Expanding the phrases once at build time (instead of stemming every message) keeps the
per-message cost at one automaton pass, and keeps the forms explicit: "stroke" has no
plural here, so "strokes of a brush" never matches a stroke phrase.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

from .normalize import normal_form, tokens

# Tokens that mean the same thing for matching. A phrase using any member matches
# text using any other member. Keep families to medical verbs/nouns and pronouns.
WORD_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("bleed", "bleeding", "bled", "bleeds", "bleading"),
    ("breathe", "breathing", "breath", "breathes", "breathed", "brething", "breating",
     "breahting", "breth", "breathng", "breathings"),
    ("suicide", "suicidal", "suicidel", "sucidal", "suicidial", "sucide", "suicde",
     "suicidle", "suisidal", "suiside", "sucicidal", "suacidal", "suicdal", "sewerslide",
     "sewer slide"),
    # common misspellings and lay synonyms of words that carry red flags
    ("chest", "chset", "chets", "chesst"),
    ("pregnant", "pregnent", "pregant", "pregnat", "preggo", "preggers"),
    ("newborn", "newbron", "newborne", "new born"),
    ("unconscious", "unconcious", "unconsious"),
    ("tight", "tite"),
    ("anaphylaxis", "anaphylaxsis", "anaphalaxis"),
    ("anaphylactic", "anaphalactic", "anaphylatic"),
    ("ambulance", "ambulence"),
    ("headache", "headach", "hedache", "head ache", "headake"),
    ("stomach", "belly", "tummy", "abdomen", "stomache", "stomch", "tummie"),
    ("vision", "sight", "eyesight"),
    ("dont", "doesnt", "didnt"),
    ("wont", "wouldnt"),
    ("paracetamol", "acetaminophen", "tylenol", "panadol", "calpol", "paracetemol",
     "paracetomol", "paracetamols"),
    ("ibuprofen", "nurofen", "advil", "motrin", "ibuprofin", "ibuprophen", "brufen"),
    ("faint", "fainted", "fainting", "faints", "feinted", "fainty"),
    ("pass", "passed", "passing", "passes"),
    ("collapse", "collapsed", "collapsing", "collapses", "colapsed", "collasped",
     "colapse"),
    ("vomit", "vomiting", "vomited", "vomits", "vomitting", "vommiting", "puking", "puked",
     "puke", "spewing", "spewed", "barfing", "barfed", "vommit"),
    ("throw", "throwing", "threw", "thrown", "throws"),
    ("swallow", "swallowed", "swallowing", "swallows"),
    ("choke", "choking", "choked", "chokes", "chocking", "choaking"),
    ("overdose", "overdosed", "overdosing", "overdoses"),
    ("cough", "coughing", "coughed", "coughs"),
    ("swell", "swelling", "swollen", "swelled", "swells", "sweling", "swolen"),
    ("droop", "drooping", "droopy", "drooped", "droops"),
    ("drool", "drooling", "drooled"),
    ("slur", "slurred", "slurring", "slurs", "slurry", "slured", "sluring"),
    ("kill", "killing", "killed"),
    ("die", "dying", "died"),
    ("pill", "pills"),
    ("tablet", "tablets"),
    ("take", "took", "taken", "taking"),
    ("wake", "waking", "woke", "woken"),
    ("feed", "feeding", "fed"),
    ("move", "moving", "moved", "moves"),
    ("hang", "hanging", "hanged"),
    ("cut", "cutting"),
    ("lose", "losing", "lost"),
    ("turn", "turning", "turned", "turns"),
    ("stop", "stopped", "stopping", "stops"),
    ("drink", "drank", "drinking", "drunk"),
    ("eat", "ate", "eaten", "eating"),
    ("inhale", "inhaled", "inhaling"),
    ("poison", "poisoned", "posion", "poisen"),
    ("seizure", "seizures", "siezure", "siezures", "seizur", "seziure", "seizer",
     "seisure", "sezure", "seazure", "seizre"),
    ("seizing", "siezing", "seizeing", "seazing"),
    ("convulsion", "convulsions"),
    ("contraction", "contractions"),
    ("leak", "leaking", "leaked"),
    ("gush", "gushing", "gushed"),
    ("spurt", "spurting", "spurted"),
    ("lift", "lifting"),
    ("raise", "raising"),
    ("want", "wanted", "wanting", "wants"),
    ("plan", "planning", "planned"),
    ("end", "ending"),
    ("hurt", "hurting", "hurts"),
    ("harm", "harming"),
    ("jump", "jumping"),
    ("bite", "bitten", "bit"),
    ("soak", "soaking", "soaked"),
    ("clot", "clots"),
    ("spot", "spots"),
    ("diaper", "diapers", "nappy", "nappies", "diper"),
    ("stool", "stools", "poop", "poo", "poos", "poops", "feces", "faeces"),
    ("pooping", "pooing", "shitting"),
    ("tongue", "tounge", "tonge", "tung", "tongues"),
    # "throat's swelling", "life's not worth it": the possessive/contracted "'s" of words
    # that carry red flags (apostrophes are dropped, so "throat's" is the token "throats")
    ("throat", "throats", "thraot", "throught"),
    ("heart", "hearts", "hart"),
    ("attack", "attak", "atack", "attck"),
    ("pain", "pains", "pian", "payn"),
    ("keep", "keeps", "kept", "keeping"),
    ("diabetic", "diebetic", "diabetik", "diabetec"),
    ("face", "faces"),
    ("neck", "necks"),
    ("mouth", "mouths"),
    ("head", "heads"),
    ("life", "lifes"),
    # forms of the ways people hit their heads
    ("hit", "hitting", "hits"),
    ("bang", "banged", "banging", "bangs"),
    ("bump", "bumped", "bumping", "bumps"),
    ("knock", "knocked", "knocking", "knocks"),
    ("smack", "smacked", "smacking"),
    ("whack", "whacked", "whacking"),
    ("bash", "bashed", "bashing"),
    ("allergic", "alergic", "allergick", "alergick"),
    ("epipen", "epi pen", "epipens", "epi pens", "adrenaline pen", "adrenaline auto injector",
     "jext", "auvi q", "emerade"),
    ("inhaler", "inhailer", "inhalor", "inhaller", "puffer", "ventolin", "salbutamol",
     "albuterol", "reliever"),
    ("asthma", "asma", "athsma", "asthama", "ashma"),
    ("wheezing", "wheezy", "wheeze", "wheezes", "wheezed", "weezing", "wheezin", "weezy"),
    ("dizzy", "dizzie", "dizy", "lightheaded", "light headed", "woozy"),
    ("confused", "confussed", "confuzed", "confuesd"),  # not "confusion": see _CONFUSED
    ("sweating", "sweaty", "sweats", "sweated", "perspiring", "sweatin"),
    ("clammy", "clamy"),
    ("temperature", "temprature", "tempreture", "temperture", "tempature"),
    ("fever", "fevers", "feaver", "fevor", "fevar"),
    ("baby", "babys", "babies", "bubba", "babie"),
    ("breathless", "breathlessness", "breathles", "breathlesness"),
    ("emergency", "emergancy", "emergeny", "emergencey"),
    ("lip", "lips"),
    ("my", "his", "her", "their", "your", "our"),
    ("myself", "himself", "herself", "themselves", "yourself", "my self", "him self",
     "her self"),
    ("im", "hes", "shes", "theyre", "youre"),
    ("is", "was", "are"),
    ("isnt", "wasnt", "arent", "aint"),
    ("cant", "couldnt", "cnt", "carnt"),
)

# Contracted token -> the spellings people use for it (after apostrophes are deleted).
CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "cant": ("cannot", "can not", "can t", "cant even", "cannot even"),  # "can't even breathe"
    "dont": ("do not", "don t"),
    "doesnt": ("does not", "doesn t"),
    "didnt": ("did not", "didn t"),
    "isnt": ("is not", "isn t"),
    "arent": ("are not", "aren t"),
    "wasnt": ("was not", "wasn t"),
    "werent": ("were not", "weren t"),
    "wont": ("will not", "won t", "wont even"),
    "wouldnt": ("would not", "wouldn t"),
    "couldnt": ("could not", "couldn t", "couldnt even"),
    "shouldnt": ("should not", "shouldn t"),
    "hasnt": ("has not", "hasn t"),
    "havent": ("have not", "haven t"),
    "hadnt": ("had not", "hadn t"),
    "im": ("i am", "i m"),
    "ive": ("i have", "i ve"),
    "hes": ("he is", "he s"),
    "shes": ("she is", "she s"),
    "theyre": ("they are", "they re"),
    "youre": ("you are", "you re"),
    "its": ("it is", "it s"),
    "thats": ("that is", "that s"),
    "theres": ("there is", "there s"),
}

# Spellings that mean the same inside a phrase but are not contractions (so phrases are
# not rewritten to them): "isn't breathing" is also "is no longer breathing", an
# emergency, never a negation.
ALSO_SPELLED: dict[str, tuple[str, ...]] = {
    "not": ("no longer",), "isnt": ("is no longer",), "wasnt": ("was no longer",),
    "arent": ("are no longer",), "hasnt": ("has no longer",),
}

_FAMILY_OF = {word: family for family in WORD_FAMILIES for word in family}
# Multi-word spellings rewritten to the contracted token before expansion.
_EXPANDED = sorted(
    ((form.split(), short) for short, forms in CONTRACTIONS.items() for form in forms),
    key=lambda item: -len(item[0]),
)

MAX_VARIANTS = 2048


def contract(toks: list[str]) -> list[str]:
    """Rewrite "can not"/"cannot"/"i am" ... to one canonical token ("cant", "im")."""
    out: list[str] = []
    i = 0
    while i < len(toks):
        for words, short in _EXPANDED:
            if toks[i : i + len(words)] == words:
                out.append(short)
                i += len(words)
                break
        else:
            out.append(toks[i])
            i += 1
    return out


def canonical(phrase: str) -> str:
    """The phrase's identity for duplicate detection and hashing."""
    spec = parse_phrase(phrase)
    parts = ["|".join(sorted({" ".join(contract(tokens(alt))) for alt in alts}))
             for alts in spec.parts]
    out = parts[0]
    for gap, part in zip(spec.gaps, parts[1:], strict=True):
        out += f" {LINK} {part}" if gap == ANYWHERE else f" *{gap} {part}"
    return out


def token_forms(token: str) -> list[str]:
    """All spellings of one canonical token: family members, their contractions, and
    dropped g's ("bleedin", "havin")."""
    forms: list[str] = []
    for word in _FAMILY_OF.get(token, (token,)):
        dropped_g = (word[:-1],) if word.endswith("ing") and len(word) > 5 else ()
        for form in (word, *CONTRACTIONS.get(word, ()), *ALSO_SPELLED.get(word, ()), *dropped_g):
            if form not in forms:
                forms.append(form)
    return forms


def expand(phrase: str) -> list[str]:
    """Every normalized spelling of a phrase, canonical spelling first."""
    alternatives = [token_forms(tok) for tok in contract(tokens(phrase))]
    count = 1
    for alts in alternatives:
        count *= len(alts)
    if count > MAX_VARIANTS:  # keep pathological phrases cheap: vary contractions only
        alternatives = [[tok, *CONTRACTIONS.get(tok, ())] for tok in contract(tokens(phrase))]
    return [" ".join(combo) for combo in product(*alternatives)]


# -- phrase syntax -------------------------------------------------------------------

DEFAULT_GAP = 4  # words allowed by a bare "*"
ANYWHERE = 1_000_000  # gap of a "..." link: any later word of the same message
LINK = "..."
_GAP_WORD = re.compile(r"\*(\d*)")


@dataclass(frozen=True)
class PhraseSpec:
    """A phrase: parts in order, each a set of alternative wordings.

    "chest * pain|hurts|tight" is two parts, "chest" then one of "pain", "hurts",
    "tight" at most DEFAULT_GAP words later in the same sentence; "*2" allows 2 words.
    "pregnant ... bleeding" links two parts anywhere later in the same message, across
    sentences (gap ANYWHERE): for context given in one sentence and the red flag in
    another. A phrase without "*", "..." or "|" is one part with one wording.
    """

    parts: tuple[tuple[str, ...], ...]
    gaps: tuple[int, ...]  # gaps[i]: most words between part i and part i + 1


def parse_phrase(phrase: str) -> PhraseSpec:
    parts: list[str] = []
    gaps: list[int] = []
    current: list[str] = []
    for word in phrase.split():
        gap = _GAP_WORD.fullmatch(word)
        if gap or word == LINK:
            parts.append(" ".join(current))
            gaps.append(ANYWHERE if not gap else int(gap.group(1)) if gap.group(1)
                        else DEFAULT_GAP)
            current = []
        else:
            current.append(word)
    parts.append(" ".join(current))
    return PhraseSpec(tuple(tuple(a.strip() for a in part.split("|")) for part in parts),
                      tuple(gaps))


def phrase_problems(phrase: str, min_chars: int) -> list[str]:
    """What is wrong with a phrase's syntax or wording (empty list if nothing).

    A one-part phrase needs every wording to be at least `min_chars` long ("od" would
    match everywhere). In a multi-part phrase a short wording is fine ("took * 30 *
    pills" is specific), but no part may be empty and the shortest full match must
    still reach `min_chars`.
    """
    spec = parse_phrase(phrase)
    lengths = [[len(normal_form(alt)) for alt in alts] for alts in spec.parts]
    if any(0 in part for part in lengths):
        return [f"{phrase!r} has an empty part or wording"]
    if len(spec.parts) == 1:
        return [f"{alt!r} in {phrase!r} is shorter than {min_chars} characters after "
                "normalization" if alt != phrase else
                f"{phrase!r} is shorter than {min_chars} characters after normalization"
                for alt, n in zip(spec.parts[0], lengths[0], strict=True) if n < min_chars]
    if sum(map(min, lengths)) < min_chars:
        return [f"{phrase!r} can match fewer than {min_chars} characters"]
    return []


def example_text(phrase: str) -> str:
    """One plain text the phrase matches: the first wording of each part."""
    return " ".join(alts[0] for alts in parse_phrase(phrase).parts)
