"""Number words in prose as digits, so the math checks see "five" as 5.

    words_to_digits("so x must be five")            -> "so x must be 5"
    words_to_digits("twenty-four plus a dozen")     -> "24 plus 12"
    words_to_digits("half of 48 is two thirds of 36") -> "1/2 of 48 is 2/3 of 36"
    words_to_digits("one of the roots")              -> "one of the roots"   (not a number)

Covers what students and small models write: zero..nineteen, the tens, compounds
("twenty-four", "three hundred and five"), hundred/thousand/million, "a dozen",
"two dozen", fractions with a count ("one half", "a third", "three quarters") and "half of".
Ordinals alone ("the third step") stay words. Case is ignored; the rest of the text is kept.
"""

from __future__ import annotations

import re
from fractions import Fraction

UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6}
# denominators, singular and plural ("a third", "two thirds"); "second" is left out (time, order)
DENOMINATORS = {"half": 2, "halves": 2, "quarter": 4, "quarters": 4}
DENOMINATORS.update(
    {
        w: d
        for d, w in enumerate(
            (
                "x x x third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
                "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
                "twentieth"
            ).split()
        )
        if d >= 3
    }  # fmt: skip
)
DENOMINATORS["hundredth"] = 100
DENOMINATORS.update({w + "s": d for w, d in list(DENOMINATORS.items()) if w.endswith("th") or w == "third"})

_WORD = "|".join(sorted([*UNITS, *TENS, *SCALES], key=len, reverse=True))
_RUN = re.compile(rf"\b(?:{_WORD})(?:(?:[\s-]+|\s+and\s+(?=\w))(?:{_WORD}))*\b", re.I)
_COUNT = "a|an|one|" + "|".join(w for w in [*UNITS, *TENS] if w not in ("zero", "one"))
_FRACTION = re.compile(
    rf"\b(?P<count>{_COUNT}|\d+)[\s-]+(?P<den>{'|'.join(sorted(DENOMINATORS, key=len, reverse=True))})\b",
    re.I,
)
_DOZEN = re.compile(r"\b(?:(?P<count>a|one|\d+)\s+)?dozens?\b", re.I)
_HALF_OF = re.compile(r"\bhalf\s+of\b", re.I)
# "one" that is not a number: "one of", "one side", "no one", "the one", "one another"
_NOT_ONE = re.compile(
    r"(?:\b(?:the|no|any|every|each|this|that|which|some)\s+one\b|\bone(?=\s+(?:of|side|another|by\s+one)\b))",
    re.I,
)


def value_of_words(words: str) -> int | None:
    """``"three hundred and five"`` -> 305; None if the words are not one number."""
    total, current, last = 0, 0, ""
    for word in re.split(r"[\s-]+", words.lower()):
        if word in ("", "and"):
            continue
        if word in UNITS:
            if last in ("unit", "tens_unit") or (last == "ten" and UNITS[word] >= 10):
                return None  # "one two", "twenty twelve": two numbers, not one
            current += UNITS[word]
            last = "tens_unit" if last == "ten" else "unit"
        elif word in TENS:
            if last in ("unit", "ten", "tens_unit"):
                return None
            current += TENS[word]
            last = "ten"
        elif word == "hundred":
            if current == 0 or current >= 100:
                return None
            current *= 100
            last = "hundred"
        elif word in SCALES:
            if current == 0:
                return None
            total += current * SCALES[word]
            current, last = 0, "scale"
        else:
            return None
    return total + current


def _count(word: str) -> int:
    word = word.lower()
    if word in ("a", "an"):
        return 1
    return int(word) if word.isdigit() else UNITS.get(word, TENS.get(word, 0))


def words_to_digits(text: str) -> str:
    """The same text with number words written as digits (see the module docstring)."""
    if not text or not re.search(r"[A-Za-z]", text):
        return text
    protected: dict[str, str] = {}

    def protect(m: re.Match) -> str:
        key = f"\x00{len(protected)}\x00"
        protected[key] = m.group()
        return key

    text = _NOT_ONE.sub(protect, text)
    text = _HALF_OF.sub("1/2 of", text)

    def fraction(m: re.Match) -> str:
        count, den = _count(m.group("count")), DENOMINATORS[m.group("den").lower()]
        if not count:
            return m.group()
        value = Fraction(count, den)
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)

    text = _FRACTION.sub(fraction, text)

    def run(m: re.Match) -> str:
        value = value_of_words(m.group())
        if value is None:  # several numbers in a row: convert each word on its own
            return re.sub(
                rf"\b(?:{_WORD})\b", lambda w: str(value_of_words(w.group())), m.group(), flags=re.I
            )
        return str(value)

    text = _RUN.sub(run, text)
    text = _DOZEN.sub(lambda m: str(12 * (_count(m.group("count")) if m.group("count") else 1)), text)
    for key, original in protected.items():
        text = text.replace(key, original)
    return text
