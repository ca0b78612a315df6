"""The semantic layer of the red-flag detector: three logistic heads on a sentence embedding.

The rules (``lexicon`` + ``framing``) only catch the phrasings someone wrote a pattern for.
This layer catches paraphrases: the question's all-MiniLM-L6-v2 embedding (``embed.py``)
plus a few features from the rules (``rule_features``) go into three linear models, trained
by ``python -m tutor.medical.train_classifier`` and shipped as plain weights in
``tutor/medical/data/classifier.json``; the urgent and suicide probabilities are blended with
the vote of the nearest training prompts (``neighbours.py``, ``classifier-neighbours.npy``):

- ``urgent``: may the asker (or someone with them) be in danger now?
- ``suicide``: is this about suicidal thoughts or self-harm in someone real, now?
- ``category``: one-vs-rest over ``lexicon.CATEGORIES``, for the banner's label when the
  rules name no category.

The thresholds were chosen on cross-validated (out-of-fold) probabilities of the training
data, never on a held-out file (see the training script); the suicide head has its own,
lower threshold (a false alarm there is a quiet crisis-line note; a miss can cost a life).
Scoring a question costs one embedding (about 10-30 ms on a shared 2-core CPU), three dot
products and one neighbour search (under a millisecond).
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tutor.errors import ConfigError
from tutor.medical import embed, neighbours
from tutor.medical.framing import Framing
from tutor.medical.lexicon import CATEGORIES

WEIGHTS = Path(__file__).resolve().parent / "data" / "classifier.json"
FORMAT = 2

# The rule features, in order (each 0 or 1); the models see them after the embedding.
RULE_FEATURES = (
    "rules_urgent",       # the rules alone would give the emergency banner
    "has_flag",           # some red-flag category is mentioned
    "framing_personal",   # someone specific, now ("my dad", "I have", "since this morning")
    "framing_educational",
    "framing_unclear",    # a red flag with neither personal nor study framing
    "suicide_flag",       # the suicide lexicon matched
    "vignette",           # an exam-style case ("a 58-year-old man presents with")
    "study",              # the asker says they are studying (exam, lecture, OSCE, ...)
    "first_person",       # a first-person word outside study phrases
    "named_only",         # only condition names matched ("DKA"), no symptom described
    "personal_signal",    # a personal/present signal, with or without a red flag
    "past",               # the symptom is over ("last year", "years ago", "fine now")
    "idiom",              # a figure of speech ("dead tired", "this exam is killing me")
    "someone",            # a specific person or body part ("my dad", "my chest")
    "mild",               # mild or everyday: "a bit sore", "went away", sore muscles after the gym, hay fever
    "strong",             # a rule of a specific family fired (a suicide method, an oxygen saturation of 85, 20 paracetamol)
)
# calm cues: only with one of these may the classifier overrule the rules (a vignette only
# when it is about nobody in particular: "my 5 week old baby" reads like a vignette's "5 week old baby")
CALM = ("past", "idiom", "mild", "study", "framing_educational")
# a strong rule is overruled only by study framing or an idiom: "took 20 paracetamol yesterday,
# feeling fine now" is the dangerous case, not a calm one
CALM_FOR_STRONG = ("idiom", "study", "framing_educational")
_F = {name: i for i, name in enumerate(RULE_FEATURES)}


def rule_features(urgent: bool, kind: str, categories: tuple[str, ...], named_only: bool, fr: Framing,
                  strong: bool = False) -> np.ndarray:
    """The rule features (``RULE_FEATURES``) of one question as a float32 vector."""
    return np.array(
        [urgent, bool(categories), kind == "personal", kind == "educational", kind == "unclear",
         "suicide" in categories, fr.vignette, fr.study, bool(fr.first_person), bool(categories) and named_only,
         bool(fr.personal), bool(fr.past), bool(fr.idiom), bool(fr.someone), bool(fr.mild), strong],
        dtype=np.float32,
    )


@dataclass(frozen=True)
class Scores:
    """What the semantic layer says about one question."""

    p_urgent: float
    p_suicide: float
    category: str        # the most likely category if it is urgent (lexicon.CATEGORIES)
    sources: tuple[str, ...]  # see ``sources()``: empty when not urgent
    strength: float      # max(p / threshold) over the two heads: >= 1 means a head fired


def sources(rules: np.ndarray, p_urgent: float, p_suicide: float, t: dict[str, float]) -> tuple[str, ...]:
    """Which layers make a question urgent (empty: not urgent), from its rule features, the two
    probabilities and the thresholds ``t`` ("urgent", "suicide", "veto"):

    - "rules": the rules said urgent, with personal or no framing ("sudden weakness in one
      arm": when in doubt, urgent) or about suicidal thoughts; where the text has a calm cue
      (``CALM``: a past event, an idiom, "a bit", study framing, a vignette), the classifier may
      overrule them when both heads are under the "veto" threshold ("I'm dead tired", "my dad
      had a heart attack last year", "cut myself shaving, it bled a little"); after a strong
      rule only study framing, a vignette or an idiom count as calm (``CALM_FOR_STRONG``);
    - "suicide-classifier": the suicide head is at or over its threshold (nothing vetoes it);
    - "classifier": the urgent head is at or over its threshold, unless the question is an
      exam vignette about nobody in particular ("A 3-year-old swallowed a button battery an
      hour ago. Why is this an emergency?") or the asker says they are studying, with no
      personal signal.
    The training script chooses the thresholds for this very function."""
    out = []
    cues = CALM_FOR_STRONG if rules[_F["strong"]] else CALM
    calm = any(rules[_F[name]] for name in cues) or (rules[_F["vignette"]] and not rules[_F["someone"]])
    if rules[_F["rules_urgent"]] and (rules[_F["framing_personal"]] or rules[_F["framing_unclear"]] or rules[_F["suicide_flag"]]) and \
            (not calm or max(p_urgent, p_suicide) >= t["veto"]):
        out.append("rules")
    if p_suicide >= t["suicide"]:
        out.append("suicide-classifier")
    strong_study = (rules[_F["vignette"]] and not rules[_F["someone"]]) or (rules[_F["study"]] and not rules[_F["personal_signal"]])
    if p_urgent >= t["urgent"] and not strong_study:
        out.append("classifier")
    return tuple(out)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _vector(data: dict, key: str, n: int, path: Path, shown: str | None = None) -> np.ndarray:
    value = data.get(key)
    key = shown or key
    if not isinstance(value, list) or len(value) != n or not all(isinstance(x, (int, float)) for x in value):
        raise ConfigError(f"expected a list of {n} numbers", path=str(path), key=key)
    return np.asarray(value, dtype=np.float32)


class Classifier:
    """The three heads' weights, read from ``classifier.json`` (validated: errors name file and key)."""

    def __init__(self, path: Path = WEIGHTS) -> None:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"cannot read the classifier weights ({e.strerror})", path=str(path)) from None
        except json.JSONDecodeError as e:
            raise ConfigError(f"not JSON ({e.msg})", path=str(path)) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError(f"expected format {FORMAT}", path=str(path), key="format")
        if data.get("rule_features") != list(RULE_FEATURES):
            raise ConfigError("the rule features differ from semantic.RULE_FEATURES: retrain", path=str(path), key="rule_features")
        cats = data.get("categories")
        if not isinstance(cats, list) or not cats or any(c not in CATEGORIES for c in cats):
            raise ConfigError("expected a list of lexicon categories", path=str(path), key="categories")
        thresholds = data.get("thresholds")
        if not isinstance(thresholds, dict) or not all(
            isinstance(thresholds.get(k), (int, float)) and 0 <= thresholds[k] < top for k, top in (("urgent", 1), ("suicide", 1), ("veto", 1.02))
        ):
            # veto 1.01 (the training grid's last step): with a calm cue the classifier always decides
            raise ConfigError("expected urgent and suicide thresholds in [0, 1), veto in [0, 1.01]", path=str(path), key="thresholds")
        n = embed.DIM + len(RULE_FEATURES) + 1  # + bias
        self.path = Path(path)
        self.model_sha256 = str(data.get("model_sha256", ""))
        self.urgent_w = _vector(data, "urgent", n, path)
        self.suicide_w = _vector(data, "suicide", n, path)
        self.category_w = np.stack([_vector(data.get("category", {}), c, embed.DIM + 1, path, f"category.{c}") for c in cats]) if isinstance(
            data.get("category"), dict) else None
        if self.category_w is None:
            raise ConfigError("expected one weight list per category", path=str(path), key="category")
        self.categories = tuple(cats)
        self.thresholds = {k: float(thresholds[k]) for k in ("urgent", "suicide", "veto")}
        nb = data.get("neighbours")
        if not isinstance(nb, dict) or not isinstance(nb.get("file"), str) or not isinstance(nb.get("sha256"), str) or \
                not isinstance(nb.get("k"), int) or not isinstance(nb.get("weight"), (int, float)) or not 0 <= nb["weight"] <= 1 \
                or nb["k"] < 1 or "/" in nb["file"] or "\\" in nb["file"]:
            raise ConfigError("expected {file (a name beside this file), sha256, k >= 1, weight in [0, 1]}", path=str(path), key="neighbours")
        self.k, self.weight = nb["k"], float(nb["weight"])
        self.bank = neighbours.Bank(self.path.parent / nb["file"], nb["sha256"])

    def scores(self, embedding: np.ndarray, rules: np.ndarray) -> Scores:
        x = np.concatenate([embedding, rules, [1.0]]).astype(np.float32)
        v_urgent, v_suicide = self.bank.vote(embedding, self.k)
        p_urgent = (1 - self.weight) * _sigmoid(float(x @ self.urgent_w)) + self.weight * v_urgent
        p_suicide = (1 - self.weight) * _sigmoid(float(x @ self.suicide_w)) + self.weight * v_suicide
        cat = self.categories[int(np.argmax(self.category_w @ np.concatenate([embedding, [1.0]])))]
        return Scores(round(p_urgent, 4), round(p_suicide, 4), cat,
                      sources(rules, p_urgent, p_suicide, self.thresholds),
                      max(p_urgent / self.thresholds["urgent"], p_suicide / self.thresholds["suicide"]))


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _loaded() -> tuple[Classifier, embed.Encoder]:
    clf = Classifier()
    enc = embed.load()
    if clf.model_sha256 and clf.model_sha256 != enc.sha256:
        raise ConfigError("trained on another embedding model: retrain (python -m tutor.medical.train_classifier)",
                          path=str(clf.path), key="model_sha256")
    return clf, enc


def load() -> tuple[Classifier, embed.Encoder]:
    """The process-wide classifier and encoder (loaded on first use; ``embed.ModelMissing`` without the package)."""
    with _lock:
        return _loaded()


def score(text: str, rules: np.ndarray) -> Scores:
    """The semantic layer's view of ``text`` given its rule features."""
    clf, enc = load()
    return clf.scores(enc.encode([text])[0], rules)
