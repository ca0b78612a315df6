"""Numbers a sentence uses in a true unit conversion: facts the leak guard lets through.

    unit_facts("There are 60 minutes in an hour.")   -> {60}
    unit_facts("There are 100 minutes in an hour.")  -> set()   (not a true conversion)
    unit_facts("Percent means out of 100.")          -> {100}

A word problem's answer is often 12, 60 or 100, so ``LeakGuard(strict_numbers=True)`` treats any
number the question does not state as a result, except 0, 1, 2, ½ and the numbers found here.
"""

from __future__ import annotations

import re

import sympy

_UNIT_NAMES = {
    "sec": "second", "secs": "second", "min": "minute", "mins": "minute", "hr": "hour", "hrs": "hour",
    "feet": "foot", "ft": "foot", "inches": "inch", "cm": "centimeter", "mm": "millimeter", "m": "meter",
    "km": "kilometer", "g": "gram", "kg": "kilogram", "ml": "milliliter", "l": "liter", "pence": "penny",
    "cents": "cent", "metre": "meter", "centimetre": "centimeter", "millimetre": "millimeter",
    "kilometre": "kilometer", "litre": "liter", "millilitre": "milliliter",
}  # fmt: skip
_CONVERSIONS = {
    ("second", "minute"): 60, ("minute", "hour"): 60, ("second", "hour"): 3600, ("hour", "day"): 24,
    ("day", "week"): 7, ("day", "year"): 365, ("week", "year"): 52, ("month", "year"): 12,
    ("year", "decade"): 10, ("year", "century"): 100, ("inch", "foot"): 12, ("foot", "yard"): 3,
    ("millimeter", "centimeter"): 10, ("centimeter", "meter"): 100, ("millimeter", "meter"): 1000,
    ("meter", "kilometer"): 1000, ("gram", "kilogram"): 1000, ("milliliter", "liter"): 1000,
    ("cent", "dollar"): 100, ("penny", "pound"): 100, ("cent", "euro"): 100, ("ounce", "pound"): 16,
}  # fmt: skip
_UNIT_FACT = re.compile(
    r"(?<![\d.])(\d+(?:,\d{3})*)\s+([a-z]+)\s+(?:in|per|make|makes|to)\s+(?:a|an|one|each|every|1)\s+([a-z]+)", re.IGNORECASE
)
# "12 in a dozen", or the word alone ("how many dozen"): 12 is the unit, not a result ("5 dozen" is not)
_DOZEN = re.compile(r"(?<![\d.])12\s+(?:[a-z]+\s+)?(?:in|make|makes)\s+(?:a|one)\s+dozen\b|\ba\s+dozen\s+is\s+12\b", re.IGNORECASE)
_OUT_OF_100 = re.compile(r"(?:per\s*cent|percentage|%)\s+(?:means|is|are)\s+(?:parts?\s+)?(?:out\s+of|per)\s+100\b", re.IGNORECASE)


def _unit(word: str) -> str:
    word = word.lower()
    word = _UNIT_NAMES.get(word, word)
    return word[:-1] if word.endswith("s") and len(word) > 3 and word not in _UNIT_NAMES.values() else word


def unit_facts(text: str) -> set:
    """Numbers a sentence uses in a TRUE unit conversion ("60 minutes in an hour", "12 in a dozen",
    "percent means out of 100"): facts, not results. A wrong one ("100 minutes in an hour") is not."""
    found = set()
    for m in _UNIT_FACT.finditer(text):
        n = int(m.group(1).replace(",", ""))
        if _CONVERSIONS.get((_unit(m.group(2)), _unit(m.group(3)))) == n:
            found.add(sympy.Integer(n))
    if _DOZEN.search(text) or re.search(r"\bdozens?\b", text, re.IGNORECASE) and not re.search(r"\d\s*dozen", text, re.IGNORECASE):
        found.add(sympy.Integer(12))
    if _OUT_OF_100.search(text):
        found.add(sympy.Integer(100))
    return found
