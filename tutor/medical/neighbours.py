"""The nearest-neighbour vote of the semantic layer: how the most similar training prompts were labelled.

A linear head on a mean-pooled embedding draws one flat boundary through sentence space; the
phrasings of one kind of emergency ("a hose on the exhaust", "sat on the edge of the platform")
sit in small pockets that a flat boundary cuts through. The vote looks at the ``K`` training
prompts whose all-MiniLM-L6-v2 embeddings are closest (cosine) and averages their labels
(urgent, suicidal), weighted by similarity; ``semantic`` blends it into each head's
probability with weight ``WEIGHT``. ``K`` and ``WEIGHT`` were chosen on folds grouped by writing
batch (a batch's close paraphrases never on both sides of a fold); the training script prints
what the vote adds, out of fold on the 3,492 training prompts (``python -m
tutor.medical.train_classifier``): at 4.9 % false alarms, recall 94.9 -> 95.7 % and suicidal
recall 94.1 -> 96.1 %.

The bank ships as ``data/classifier-neighbours.npy``: one int8 row per training prompt, the
embedding times 127 then the two labels (0/1), about 1.3 MB for 3,500 prompts, written by the
training script (``np.save`` writes the same bytes for the same data). Vote cost: one
(n x 384) matrix-vector product, well under a millisecond.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from tutor.errors import ConfigError
from tutor.medical import embed

K = 5         # neighbours in the vote
WEIGHT = 0.5  # the vote's share of each head's probability
SCALE = 127.0  # embeddings are unit vectors: int8 = round(127 x value)


def quantize(embeddings: np.ndarray) -> np.ndarray:
    """Unit embeddings -> int8 (what the bank stores)."""
    return np.clip(np.round(embeddings * SCALE), -127, 127).astype(np.int8)


def dequantize(rows: np.ndarray) -> np.ndarray:
    return rows.astype(np.float32) / SCALE


def vote(bank: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    """(len(queries), labels.shape[1]): the similarity-weighted mean label of each query's ``k`` nearest rows."""
    k = min(k, len(bank))
    sims = queries @ bank.T
    idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    w = np.maximum(np.take_along_axis(sims, idx, axis=1), 1e-6)
    return np.einsum("qk,qkl->ql", w, labels[idx]) / w.sum(1, keepdims=True)


def out_of_fold(embeddings: np.ndarray, labels: np.ndarray, fold: np.ndarray, k: int = K) -> np.ndarray:
    """Each row's vote among the rows of the other folds (the bank's quantized vectors, as in the app)."""
    bank = dequantize(quantize(embeddings))
    out = np.zeros(labels.shape, dtype=np.float64)
    for f in np.unique(fold):
        test = fold == f
        out[test] = vote(bank[~test], labels[~test], bank[test], k)
    return out


def write(path: Path, embeddings: np.ndarray, y_urgent: np.ndarray, y_suicide: np.ndarray) -> str:
    """Write the bank; its sha256 (``classifier.json`` records it, so a stale pair is refused)."""
    rows = np.concatenate([quantize(embeddings), np.stack([y_urgent, y_suicide], 1).astype(np.int8)], axis=1)
    np.save(path, rows, allow_pickle=False)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Bank:
    """The shipped bank, validated (errors name the file and what is wrong)."""

    def __init__(self, path: Path, sha256: str) -> None:
        try:
            raw = Path(path).read_bytes()
        except OSError as e:
            raise ConfigError(f"cannot read the neighbour bank ({e.strerror})", path=str(path)) from None
        if hashlib.sha256(raw).hexdigest() != sha256:
            raise ConfigError("the neighbour bank does not match classifier.json: retrain", path=str(path), key="sha256")
        try:
            rows = np.load(path, allow_pickle=False)
        except ValueError as e:
            raise ConfigError(f"not a numpy array file ({e})", path=str(path)) from None
        if rows.dtype != np.int8 or rows.ndim != 2 or rows.shape[1] != embed.DIM + 2 or not len(rows):
            raise ConfigError(f"expected int8 rows of {embed.DIM} + 2 numbers", path=str(path), key="shape")
        self.embeddings = dequantize(rows[:, : embed.DIM])
        self.labels = rows[:, embed.DIM :].astype(np.float32)
        if not np.isin(self.labels, (0.0, 1.0)).all():
            raise ConfigError("the last two columns must be 0/1 labels", path=str(path), key="labels")

    def vote(self, embedding: np.ndarray, k: int = K) -> tuple[float, float]:
        """(urgent, suicidal) vote of one embedding's ``k`` nearest training prompts."""
        v = vote(self.embeddings, self.labels, embedding[None, :].astype(np.float32), k)[0]
        return float(v[0]), float(v[1])
