"""Text normalisation for the red-flag detector: one spelling of each word, typos fixed.

The detector's patterns are written against this normal form, so they stay short:

- lower case, Unicode compatibility forms folded (NFKC), curly quotes straightened;
- apostrophes dropped ("can't" -> "cant", "dad's" -> "dads", "I'm" -> "im");
- every other character that is not a letter or a digit becomes a space, except a
  decimal point inside a number ("38.5" stays), so words are separated by ONE space;
- "my self" is joined to "myself" (also him/her/your/it);
- a misspelt key word is corrected when it is one edit away from exactly one word of
  ``KEY_TERMS`` ("cheast" -> "chest", "sucidal" -> "suicidal", "livng" -> "living").

Typo correction is the SymSpell idea (Wolf Garbe) reduced to edit distance 1 over a
small vocabulary: a deletion index of the key terms is built once, so each word costs a
handful of dictionary look-ups. Dropped, added and swapped letters are corrected for
words of 5+ letters; a replaced letter only for words of 8+ letters, because short
replacements turn ordinary words into symptoms ("strike" is not "stroke").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Words whose misspelling would hide a red flag. Only words of 5+ letters are corrected.
KEY_TERMS = frozenset(
    """
    abdomen abdominal agonizing allergic allergy anaphylaxis anaphylactic antifreeze arrest
    asthma attack baby bleach bleeding blood breath breathe breathing breathless bridge
    burning chest choking clammy collapsed confused consciousness convulsing convulsion
    crushing cutting daughter diabetic disappear dizzy drooling drooping drowsy drowning emergency
    epilepsy epipen everyone faint fainted fainting feverish fever floppy gasping headache
    heart heavy hives husband jumping ketones killing labored laboured lethargic living
    meningitis mother myself newborn numbness overdose paracetamol passed poison positive pregnancy pregnant
    spleen
    pressure rash seizure seizures shaking shortness slurred slurring speech squeezing stabbing
    stiff stomach stroke suicide suicidal swallowed swelling swollen tablets temperature
    testicle thinking throat thunderclap tightness tongue tonight unconscious unresponsive vomiting
    everything nobody
    vomited weakness wheezing worst
    """.split()
)
# Real words one edit from a key term that must stay as they are.
NOT_TYPOS = frozenset("breeding blurred bleeping feeding heaven heavily hearth reheat faints painting".split())

_MIN_LEN = 5
_MIN_LEN_REPLACE = 8
_MAX_LEN = 20  # longer "words" are not typos of a key term (and would be slow to check)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(term with one letter dropped -> terms), (term -> {term}) for the key terms."""
    by_deletion: dict[str, set[str]] = {}
    for term in KEY_TERMS:
        for d in _deletions(term):
            by_deletion.setdefault(d, set()).add(term)
    return by_deletion, {t: {t} for t in KEY_TERMS}


def _is_transposition(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """``word`` itself, or the one key term it is a likely typo of."""
    if not _MIN_LEN <= len(word) <= _MAX_LEN or word in KEY_TERMS or word in NOT_TYPOS or not word.isalpha():
        return word
    by_deletion, _ = _index()
    candidates: set[str] = set()
    # a letter missing from the word ("sucidal"): the word is a deletion of a term
    candidates |= by_deletion.get(word, set())
    # an extra letter in the word ("cheast"): a deletion of the word is a term
    candidates |= {d for d in _deletions(word) if d in KEY_TERMS}
    if not candidates:
        # swapped or replaced letter: the word and a term share a deletion
        for d in _deletions(word):
            for term in by_deletion.get(d, ()):
                if _is_transposition(word, term) or len(word) >= _MIN_LEN_REPLACE:
                    candidates.add(term)
    if len(candidates) == 1:
        return next(iter(candidates))
    return word  # none, or ambiguous: leave it


_NON_WORD = re.compile(r"[^a-z0-9.]+")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_SPLIT_SELF = re.compile(r"\b(my|him|her|your|it) self\b")


def normalize(text: str) -> str:
    """The detector's normal form of ``text`` (see the module docstring)."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = re.sub(r"['’‘`´]", "", t)
    t = _STRAY_DOT.sub(" ", _NON_WORD.sub(" ", t))
    t = _SPLIT_SELF.sub(r"\1self", t)  # "kill my self" -> "kill myself"
    return " ".join(correct(w) for w in t.split())
