"""Red-flag detection for the medical tutor, independent of the chat model.

``detect(question) -> Triage`` answers two questions about a student's text:

1. WHAT urgent signs does it mention? (``lexicon.py``: chest pain, stroke signs,
   suicidal thoughts, anaphylaxis, ... in many phrasings, typos corrected by ``normalize``)
2. Is it about someone who may be in danger NOW, or a study question? (``framing.py``:
   "my dad has ...", "I can't breathe", "20 minutes ago" vs "first-line drugs for ...",
   "A 58-year-old man presents with ...")

Layer 1, the rules (``rules_only``), for text that mentions a red flag:

- any personal/present signal -> urgent;
- otherwise study framing or an exam vignette -> educational (no emergency banner);
- otherwise, if it only NAMES conditions ("biphasic anaphylaxis - how long to observe?")
  and describes no symptom -> educational;
- otherwise (a bare "chest pressure spreading to my jaw", "fever and a stiff neck") -> urgent:
  when in doubt, the asker gets the emergency advice.
- suicidal thoughts: urgent unless the question is clearly academic AND has no first-person
  word outside a study phrase ("risk factors for suicide in older adults" is educational;
  "I'm studying and I keep thinking about ending it all" is urgent).

Layer 2, the semantic layer (``semantic.py``): the question's sentence embedding and the
rules' findings go into logistic heads (urgent, suicidal, category) that catch paraphrases no
rule was written for ("my wife is trying to talk but nothing comes out"); ``semantic.sources``
combines both layers. Without the model package (or with broken weights) the rules decide
alone and a warning is logged once.

Layer 2 also blends in the vote of the 5 most similar training prompts (``neighbours.py``),
and some rule families are "strong" (``lexicon_signs.py``: a suicide method, an oxygen
saturation of 84, 20 paracetamol): a calm cue like "feel fine now" cannot overrule them.

Deterministic; mean ~13 ms, p95 ~17 ms a question after a ~0.7 s first call on a shared
2-core CPU (measured by ``python -m tutor.medical.redflags_eval --split all``).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from tutor.errors import ConfigError
from tutor.medical import embed, semantic
from tutor.medical.framing import Framing, framing
from tutor.medical.lexicon import CATEGORIES, NEGATION, RULES, Rule
from tutor.medical.normalize import normalize

log = logging.getLogger(__name__)
MAX_CHARS = 8000  # longer text is cut (the app refuses questions past this anyway)


@dataclass(frozen=True)
class Flag:
    """One red-flag category found in the text, with the phrases that matched."""

    category: str            # e.g. "chest_pain" (lexicon.CATEGORIES)
    label: str               # e.g. "chest pain that may be a heart attack"
    evidence: tuple[str, ...]
    named_only: bool = False  # only the condition's name matched ("DKA"), no symptom described
    strong: bool = False      # a rule of a specific family matched (``lexicon.Rule.strong``)


@dataclass(frozen=True)
class Triage:
    """What ``detect`` found.

    ``flags`` lists every red-flag category MENTIONED (urgent or not); ``urgent`` says
    whether the asker should get emergency advice now. ``framing`` is "personal" (someone
    now), "educational" (study question / vignette), "unclear" (neither: treated as
    urgent) or "none" (no red flag). ``score`` is 0 without a red flag, else in
    [0.05, 1]; ``urgent`` is ``score >= 0.5``.
    """

    urgent: bool
    flags: tuple[Flag, ...]
    framing: str
    reasons: tuple[str, ...]  # the framing phrases that decided it
    score: float
    p_urgent: float | None = None   # the semantic layer's probabilities (None: rules only)
    p_suicide: float | None = None
    rules_urgent: bool = False      # what the rules alone decided
    sources: tuple[str, ...] = ()   # which layers made it urgent: "rules", "classifier", "suicide-classifier"

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(f.category for f in self.flags)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f.label for f in self.flags)

    @property
    def urgent_flags(self) -> tuple[Flag, ...]:
        return self.flags if self.urgent else ()

    def has(self, category: str) -> bool:
        return category in self.categories


def _negated(norm: str, start: int) -> bool:
    before = norm[max(0, start - 40) : start]
    return bool(NEGATION.search(before)) and " but " not in before[-12:]


def _spans(rx: re.Pattern[str], norm: str, negatable: bool) -> list[tuple[int, int, str]]:
    out = []
    for m in rx.finditer(norm):
        if m.group(0).strip() and not (negatable and _negated(norm, m.start())):
            out.append((m.start(), m.end(), m.group(0).strip()))
    return out


def _apply(rule: Rule, norm: str) -> list[str]:
    """The evidence phrases for ``rule`` in ``norm`` ([] if it does not fire)."""
    if rule.unless is not None and rule.unless.search(norm):
        return []
    hits = _spans(rule.pattern, norm, rule.negatable)
    if not hits or rule.context is None:
        return [h[2] for h in hits]
    contexts = _spans(rule.context, norm, rule.negatable)
    for s, e, phrase in hits:
        for cs, ce, cphrase in contexts:
            if ce <= s or cs >= e:  # the context is somewhere else in the text
                return [phrase, cphrase]
    return []


def find_flags(norm: str) -> tuple[Flag, ...]:
    """Every red-flag category ``norm`` mentions (in ``CATEGORIES`` order)."""
    evidence: dict[str, list[str]] = {}
    described: set[str] = set()
    strong: set[str] = set()
    for rule in RULES:
        found = _apply(rule, norm)
        if found:
            evidence.setdefault(rule.category, []).extend(found)
            if not rule.term:
                described.add(rule.category)
            if rule.strong:
                strong.add(rule.category)
    return tuple(
        Flag(cat, label, tuple(dict.fromkeys(evidence[cat])), named_only=cat not in described, strong=cat in strong)
        for cat, label in CATEGORIES.items()
        if cat in evidence
    )


def _decide(flags: tuple[Flag, ...], fr: Framing) -> tuple[float, str, tuple[str, ...]]:
    """(score, framing, reasons) for text with red flags."""
    suicide = any(f.category == "suicide" for f in flags)
    educational = fr.educational + (fr.suicide_educational if suicide else ())
    score = 0.6 + 0.1 * min(len(fr.personal), 4)
    if fr.personal:
        kind, reasons = "personal", fr.personal
    elif educational:
        score -= 0.15 * min(len(educational), 4)
        kind, reasons = "educational", educational
    elif all(f.named_only for f in flags):
        # "biphasic anaphylaxis - how long to observe?": a named condition, nobody, no symptom
        score -= 0.15
        kind, reasons = "educational", tuple(e for f in flags for e in f.evidence)
    else:
        kind, reasons = "unclear", ()
    if suicide and (fr.personal or fr.first_person or not fr.suicide_educational):
        # broad study words are not enough here: only a clearly academic question about
        # suicide, with no first-person word, goes without the crisis text
        score = max(score, 0.9)
        if fr.personal or fr.first_person:
            kind, reasons = "personal", fr.personal or fr.first_person
        elif kind == "educational":
            kind, reasons = "unclear", ()
    return round(min(1.0, max(0.05, score)), 2), kind, tuple(reasons)


def rules_only(text: str) -> tuple[Triage, Framing]:
    """The lexicon + framing rules alone (the first layer), and the framing signals."""
    norm = normalize((text or "")[:MAX_CHARS])
    fr = framing(norm)
    flags = find_flags(norm)
    if not flags:
        return Triage(False, (), "none", (), 0.0), fr
    score, kind, reasons = _decide(flags, fr)
    return Triage(score >= 0.5, flags, kind, reasons, score, rules_urgent=score >= 0.5,
                  sources=("rules",) if score >= 0.5 else ()), fr


def _semantic_flag(category: str, p: float) -> Flag:
    return Flag(category, CATEGORIES[category], (f"semantic classifier p={p:.2f}",))


@lru_cache(maxsize=8)
def _warn_once(message: str) -> None:
    log.warning("red-flag detector without its semantic layer: %s", message)


def detect(text: str) -> Triage:
    """Triage a student's question (see the module docstring). Never raises on text."""
    rules, fr = rules_only(text)
    text = (text or "")[:MAX_CHARS]
    if not text.strip():
        return rules
    try:
        feats = semantic.rule_features(rules.urgent, rules.framing, rules.categories,
                                       all(f.named_only for f in rules.flags), fr, any(f.strong for f in rules.flags))
        sem = semantic.score(text, feats)
    except (embed.ModelMissing, ConfigError) as e:
        # the model package or the weights are missing or broken: the rules alone, said once in the log
        _warn_once(str(e))
        return rules
    sources = sem.sources
    urgent = bool(sources)
    flags = rules.flags
    if "suicide-classifier" in sources and not rules.has("suicide"):
        flags = (_semantic_flag("suicide", sem.p_suicide), *flags)
    elif urgent and not flags:
        flags = (_semantic_flag(sem.category, sem.p_urgent),)
    kind, reasons = rules.framing, rules.reasons
    if urgent and kind in ("none", "educational"):
        kind, reasons = "semantic", ()
    elif not urgent and kind in ("personal", "unclear"):
        kind = "semantic-calm"  # the rules saw a red flag and someone, the classifier does not
    # score: >= 0.5 exactly when urgent; 0.5 x (probability / threshold) of the stronger head
    half = min(1.0, 0.5 * sem.strength)
    score = max(0.5, half, rules.score if "rules" in sources else 0.0) if urgent else min(0.49, half)
    return Triage(urgent, flags, kind, tuple(reasons), round(score, 2) if urgent else math.floor(score * 100) / 100,
                  p_urgent=sem.p_urgent, p_suicide=sem.p_suicide, rules_urgent=rules.urgent, sources=tuple(sources))
