"""The red-flag kinds added in round 3 (tutor/medical/lexicon_signs.py, neighbours.py): each rule
family fires on its phrasing, stays quiet on the everyday look-alike, and the neighbour vote and
its bank behave. Known answers written for these tests, not taken from any eval file."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from tutor.errors import ConfigError
from tutor.medical import detect, embed, neighbours
from tutor.medical.redflags import rules_only

# (category, text): the rules alone make these urgent, with a strong rule where marked
FAMILIES = [
    ("suicide", "sat in the car in the garage with a hose from the exhaust, I didn't go through with it", True),
    ("suicide", "I keep standing at the edge of the platform when the fast trains come through", True),
    ("suicide", "I've been saving up my tablets in a shoebox, about 50 now", True),
    ("suicide", "I tested whether the curtain rail would hold my weight", True),
    ("suicide", "I've decided, I feel calm now and just wanted to say thank you", True),
    ("suicide", "my brother has been tying up loose ends and rehomed his dog for good", True),
    ("breathing", "my mum's oxygen on the finger monitor says 84", True),
    ("child", "my 3 year old has a temperature of 40.1", True),
    ("other", "my resting heart rate is 150 and I feel faint", True),
    ("child", "my baby has had no wet nappy since this morning", True),
    ("obstetric", "positive test last week and now sharp pain on my left side and I fainted", False),
    ("obstetric", "I'm 31 weeks, are braxton hicks meant to come every 5 minutes?", False),
    ("sepsis", "I had my spleen removed and now I have a temperature of 38.6", True),
    ("meningitis", "my flatmate has a fever and a few tiny purple spots on his legs", False),
    ("breathing", "my son has croup and now he's drooling and can't swallow", True),
    ("injury", "my toddler pulled a cup of hot tea over himself and his chest is blistering", False),
    ("diabetic", "I think I took my night-time insulin twice", True),
    ("abdominal", "agony in my left ball, came on suddenly an hour ago", False),
    ("stroke", "my dad is trying to talk but no words come out", False),
    ("chest_pain", "I'm 60 and have indigestion that won't go, I'm grey and sweating", False),
    ("abdominal", "can't poo or fart for three days, my belly is swollen and I keep vomiting", False),
    ("overdose", "I took 24 paracetamol yesterday but I feel fine now", True),
]
# everyday look-alikes the same families must leave alone (the rules alone: not urgent)
CALM = [
    "what's the best hay fever tablet that doesn't make you drowsy?",
    "I'm 37 weeks and get a few painless irregular tightenings, that's Braxton Hicks right?",
    "I put the rope swing up at the bottom of the garden for the kids",
    "I took 2 paracetamol at 9am and 2 more at 1pm for period pain, is that ok?",
    "my heart rate goes up to 160 when I'm running, is that normal?",
    "my mum keeps a stash of paracetamol in every room because of her arthritis",
    "I've decided to switch from physics to nursing",
    "writing a goodbye letter to my school as head girl, any tips?",
    "what SpO2 target do you use in COPD patients?",
    "splashed a bit of hot water on my hand, small red patch, no blisters",
    "I use my insulin pen twice a day, is it ok to keep it in the fridge?",
    "my arms and shoulders are so sore after painting the ceiling",
]


@pytest.mark.parametrize("category, text, strong", FAMILIES)
def test_each_family_fires_on_its_phrasing(category, text, strong):
    triage, _ = rules_only(text)
    assert triage.urgent and category in triage.categories, triage
    flag = next(f for f in triage.flags if f.category == category)
    assert flag.strong or not strong, flag


@pytest.mark.parametrize("text", CALM)
def test_everyday_look_alikes_are_left_alone(text):
    assert not rules_only(text)[0].urgent, rules_only(text)[0]


def test_a_strong_rule_is_not_overruled_by_fine_now():
    triage = detect("my sister took a whole box of paracetamol last night but she seems fine now")
    assert triage.urgent and "rules" in triage.sources and triage.has("overdose")


def test_the_vote_weights_the_nearest_rows():
    bank = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32)
    labels = np.array([[1, 0], [1, 1], [0, 0], [0, 0]], dtype=np.float32)
    v = neighbours.vote(bank, labels, np.array([[1.0, 0.0]], dtype=np.float32), k=2)[0]
    assert v[0] == pytest.approx(1.0) and v[1] == pytest.approx(0.8 / 1.8)
    folds = np.array([0, 0, 1, 1])
    oof = neighbours.out_of_fold(bank, labels, folds, k=1)  # each row votes among the other fold only
    assert oof[0, 0] == 0.0 and oof[2, 0] == 1.0
    assert np.abs(neighbours.dequantize(neighbours.quantize(bank)) - bank).max() < 0.01


def test_the_bank_is_validated(tmp_path):
    rng = np.random.default_rng(0)
    e = rng.normal(size=(6, embed.DIM)).astype(np.float32)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    path = tmp_path / "bank.npy"
    sha = neighbours.write(path, e, np.array([1, 0, 1, 0, 1, 0]), np.array([1, 0, 0, 0, 0, 0]))
    bank = neighbours.Bank(path, sha)
    assert bank.vote(e[0], k=1) == (1.0, 1.0)
    with pytest.raises(ConfigError, match="does not match"):
        neighbours.Bank(path, "0" * 64)
    with pytest.raises(ConfigError, match="cannot read"):
        neighbours.Bank(tmp_path / "missing.npy", sha)
    np.save(path, np.zeros((3, 5), dtype=np.int8))
    with pytest.raises(ConfigError) as err:
        neighbours.Bank(path, hashlib.sha256(path.read_bytes()).hexdigest())
    assert err.value.key == "shape" and err.value.path == str(path)
