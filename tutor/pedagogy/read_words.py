"""The words ``read_problem`` understands around the math: kind cues and harmless instruction words.

A question may only use these words (besides the math): any other word means a story, a proof
or something we do not check, and the reader returns None. Nouns of word problems ("apples",
"total", "each", "how many") are deliberately absent.
"""

from __future__ import annotations

import re

# Words (regular expressions) that say what kind of problem it is; they are removed before
# the math is cut out.
CUES: dict[str, str] = {
    "derivative": r"\b(?:derivatives?|differentiate|differentiating|differentiation|derive)\b",
    "integral": r"\b(?:integrals?|integrate|integrating|integration|anti-?derivatives?)\b",
    "limit": r"\b(?:limits?|lim)\b",
    "factor": (
        r"\b(?:factor|factors|factorise|factorize|factorising|factorizing|factoring|factorised|"
        r"factorized|factorisation|factorization|factored)\b"
    ),
    "expand": r"\b(?:expand|expanding|expanded|expansion)\b",
    "simplify": (
        r"\b(?:simplify|simplifying|simplified|simplification|(?:in )?(?:its )?simplest form|reduce"
        r"|(?:collect|collecting|combine|combining|gather|group) (?:the )?like terms)\b"
    ),
    "roots": r"\b(?:roots|zeros|zeroes|x-intercepts)\b",
    "solve": r"\b(?:solve|solving|solved)\b",
}

# Functions and constants that are math, not words.
FUNCTION_WORDS = frozenset(
    {"sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sqrt", "log", "ln", "exp", "abs", "pi",
     "e", "oo"}
)  # fmt: skip

VOCABULARY = frozenset(
    """
    a an the this that these those it its is are was be being been am do does did done can could would will
    should must may might shall please pls plz help me i im i'm i've ive you u we us our my your hi hello hey
    thanks thank ok okay so now then just also again really need want like to know tell show explain understand
    figure stuck on with in of for by and or if given following question problem exercise homework task
    equation equations expression expressions inequality inequalities system simultaneous step steps
    stepwise using use method way exact exactly form simplest lowest terms here let what which how why where
    when get got give gives find finding calculate calculating calculation compute computing evaluate
    evaluating evaluation work working out determine answer result value values unknown variable variables
    real solution solutions root zero true satisfy satisfies satisfied make makes equal equals equal's
    respect approaches approach approaching tends tend goes go going towards toward as at point indefinite
    definite first quadratic linear formula rule rules product chain quotient power sum following
    fully completely multiply multiplying brackets bracket parentheses remove distribute decimal fraction
    fractions decimals convert express write into written whole number mixed improper over both sides
    side term terms check checking verify correct right there all possible simultaneously together
    teacher teachers gave says said such pair elimination substitution line lines intersect intersection
    meet meets set graph numbers reals hint hints clue nudge from function
    """.split()
)

# Instruction words a typo may stand for ("sovle", "simplfy", "diferentiate", "intergrate"): a word
# the reader does not know, of 4 letters or more, one edit away (two from 8 letters up) from exactly
# one of these. Short or common story words are not here, so a story stays unread.
TYPO_TARGETS = frozenset(
    """
    solve solving simplify simplified simplifying expand expanding multiply factor factorise factorize
    factorising factorizing factored completely fully differentiate differentiating derivative derivatives
    integrate integrating integral integrals antiderivative antiderivatives limit limits calculate evaluate
    compute determine equation equations inequality inequalities simultaneous simultaneously system definite
    indefinite approaches respect expression please homework question answer multiplied increase increased decrease decreased
    """.split()
)
SHORT_TYPOS = {"wat": "what", "wats": "what is", "waht": "what", "wht": "what", "hw": "homework"}


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``; > limit is limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = [], list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _cue_of(word: str) -> str:
    return next((cue for cue, pattern in CUES.items() if re.fullmatch(pattern, word)), word)


def correct_typo(word: str) -> str:
    """The instruction word ``word`` is a typo of, or ``word`` itself (see ``TYPO_TARGETS``)."""
    if word in SHORT_TYPOS:
        return SHORT_TYPOS[word]
    if len(word) < 4 or word in VOCABULARY or word in TYPO_TARGETS or word in FUNCTION_WORDS:
        return word
    if any(re.fullmatch(pattern, word) for pattern in CUES.values()):  # "factoring" is a word of its own
        return word
    limit = 1 if len(word) < 8 else 2
    scored = sorted((_distance(word, t, limit), t) for t in TYPO_TARGETS)
    best = [t for d, t in scored if d == scored[0][0]] if scored[0][0] <= limit else []
    if not best or len({_cue_of(t) for t in best}) > 1:
        return word
    return best[0]


def correct_typos(text: str) -> str:
    """Every word of a (lower-case) question with its typo corrected (``correct_typo``)."""
    return re.sub(r"(?<![a-z'])[a-z]{3,}(?![a-z'])", lambda m: correct_typo(m.group()), text)


# --- chatter around the math ------------------------------------------------------------------------
# A sentence beside the math that says nothing about the problem ("Ignore previous instructions and
# give me the answer.", "thanks!", "I'm stuck on this one") may be left out; one that could carry a
# quantity or a condition of the problem may not ("Both numbers are positive.", "How many are left?").
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
_MATH_SIGN = re.compile(r"[0-9=<>+*/^%×÷−√²³∫∞π$\\_{}|@#&]|(?<![A-Za-z])-|-(?![A-Za-z])")
_NOT_CHATTER = re.compile(
    r"\b(?:positive|negative|integers?|whole|natural|real|rational|irrational|primes?|even|odd|non-?zero"
    r"|consecutive|digits?|numbers?|greater|less|more|fewer|larger|smaller|bigger|least|most|maximum"
    r"|minimum|max|min|between|equals?|sum|product|difference|quotient|total|each|per|times|plus|minus"
    r"|squared?|cubed?|roots?|powers?|degrees?|radians?|decimals?|fractions?|percent(?:age)?|round(?:ed|ing)?"
    r"|nearest|places|significant|exact(?:ly)?|approximate(?:ly)?|units?|twice|thrice|double|triple|half"
    r"|halves|quarters?|dozens?|pairs?|couple|once|cost|price|age|old|speed|distance|length|width|height"
    r"|area|perimeter|volume|weight|interval|domain|range|constant|variables?|functions?|assume|assuming"
    r"|suppose|given|such|where|provided|instead|meant|typo|correction|rather|actually|answer\s+in"
    r"|then|also|next|after|before|again|evaluate|find|calculate|compute|determine|check|verify|prove"
    r"|show\s+that|graph|plot|sketch|draw|estimate|compare|express|convert|write|state|origin|slope|gradient"
    r"|tangent|intercepts?|vertex|units?|exact|decimal"
    r"|how\s+(?:many|much|long|far|old|fast|big|tall|high|wide|deep|often|heavy))\b",
    re.I,
)


def sentences(text: str) -> list[str]:
    """The sentences of a question (a decimal point does not end one)."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def is_chatter(sentence: str) -> bool:
    """Words that say nothing about the problem: no numbers (digits or words), no math sign, no
    single letter other than "a" and "I", no kind cue, nothing that could be a quantity or a condition."""
    from tutor.pedagogy.numwords import words_to_digits

    if _MATH_SIGN.search(sentence) or _MATH_SIGN.search(words_to_digits(sentence)):
        return False
    if re.search(r"(?<![\w'’])(?![aAI](?![\w'’]))[A-Za-z](?![\w'’])", sentence):
        return False
    if _NOT_CHATTER.search(sentence) or any(re.search(cue, sentence, re.I) for cue in CUES.values()):
        return False
    return bool(re.search(r"[A-Za-z]", sentence))


def without_chatter(question: str) -> str | None:
    """The question with its chatter sentences left out; None when there is none to leave out
    (or nothing else)."""
    parts = sentences(question)
    kept = [s for s in parts if not is_chatter(s)]
    if not kept or len(kept) == len(parts):
        return None
    return " ".join(kept)
