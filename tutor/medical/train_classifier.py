"""Train the red-flag detector's semantic layer; prints a table and writes the weights.

    .venv/bin/python -m tutor.medical.train_classifier            # writes tutor/medical/data/classifier.json
                                                                  # and classifier-neighbours.npy beside it
    .venv/bin/python -m tutor.medical.train_classifier --dry-run  # only the table

Data: every case of ``evals/redflags.jsonl`` (all of it was seen while writing the rules)
and the ``dev`` split of ``evals/redflags_semantic.jsonl``; the ``heldout`` split of the
latter is never read here except to drop any training text that also appears in it.
Features: the all-MiniLM-L6-v2 embedding (``embed.py``) and the rule features
(``semantic.RULE_FEATURES``). Three heads, each an L2-regularised logistic regression fitted
by Newton's method in numpy (class-balanced weights, standardised features folded back
into plain weights, so the app needs only a dot product):

- ``urgent``: urgent vs not;
- ``suicide``: urgent suicidal thoughts / self-harm vs everything else (study questions
  about suicide included);
- ``category``: one-vs-rest over the urgent cases' categories, on the embedding alone.

The urgent and suicide probabilities are blended with the nearest-neighbour vote
(``neighbours.py``; the bank is every training prompt's quantized embedding and labels).

Thresholds come from 5-fold cross-validated (out-of-fold) probabilities of the training
data, for the whole decision (``semantic.sources``: rules + both heads + the vote), recall
first: the thresholds with the best recall (suicidal recall weighted ``SUICIDE_WEIGHT``
times) whose out-of-fold false-alarm rate stays within ``--fa-budget``. The folds are
grouped by writing batch (the id without its number: "sem-k3-u012" -> "sem-k3"), so close
paraphrases written together are never on both sides of a fold: random folds let the
neighbour vote find a batch-mate and flatter it. The regularisation strength is chosen the
same way (out-of-fold log-loss). Deterministic: fixed fold assignment, no sampling.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from tutor.errors import ConfigError
from tutor.medical import embed, neighbours, semantic
from tutor.medical.lexicon import CATEGORIES
from tutor.medical.redflags import rules_only
from tutor.medical.redflags_eval import DATA, SEMANTIC_DATA, load_cases, shown_path

FOLDS = 5
LAMBDAS = (1.0, 3.0, 10.0, 30.0, 100.0)


def training_cases(base: Path = DATA, extra: Path = SEMANTIC_DATA) -> list[dict]:
    """The training cases: all of ``base``, the dev split of ``extra``, minus any held-out text."""
    more = load_cases(extra)
    heldout = {c["text"].strip().lower() for c in more if c["split"] == "heldout"}
    cases = load_cases(base) + [c for c in more if c["split"] == "dev"]
    return [c for c in cases if c["text"].strip().lower() not in heldout]


def features(texts: list[str], encoder: embed.Encoder) -> np.ndarray:
    """(n, 384 + rule features) float32: the embedding, then ``semantic.RULE_FEATURES``."""
    rows = []
    for text in texts:
        triage, fr = rules_only(text)
        rows.append(semantic.rule_features(triage.urgent, triage.framing, triage.categories,
                                           all(f.named_only for f in triage.flags), fr, any(f.strong for f in triage.flags)))
    return np.concatenate([encoder.encode(texts), np.stack(rows)], axis=1).astype(np.float32)


def fit_logistic(x: np.ndarray, y: np.ndarray, lam: float, iters: int = 30) -> np.ndarray:
    """Class-balanced L2 logistic regression by Newton's method; weights (d + 1,) on RAW features, bias last."""
    mean, std = x.mean(0), x.std(0)
    std[std < 1e-6] = 1.0
    z = np.concatenate([(x - mean) / std, np.ones((len(x), 1), np.float32)], axis=1).astype(np.float64)
    pos = y.sum()
    sw = np.where(y > 0, len(y) / (2 * max(pos, 1)), len(y) / (2 * max(len(y) - pos, 1)))
    reg = np.full(z.shape[1], lam)
    reg[-1] = 0.0
    w = np.zeros(z.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (sw * (p - y)) + reg * w
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-8)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    raw = np.empty_like(w)
    raw[:-1] = w[:-1] / std
    raw[-1] = w[-1] - float((w[:-1] * mean / std).sum())
    return raw


def predict(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ w[:-1] + w[-1], -30, 30)))


def batch(case_id: str) -> str:
    """The writing batch of a case: its id without the last "-" part ("sem-k3-u012" -> "sem-k3")."""
    return case_id.rsplit("-", 1)[0]


def folds(ids: list[str]) -> np.ndarray:
    """A fixed fold per case, the same for every case of a batch (seeded permutation of the batches)."""
    batches = sorted({batch(i) for i in ids})
    fold_of = dict(zip(batches, np.random.default_rng(20261124).permutation(len(batches)) % FOLDS))
    return np.array([fold_of[batch(i)] for i in ids])


def out_of_fold(x: np.ndarray, y: np.ndarray, lam: float, fold: np.ndarray) -> np.ndarray:
    p = np.zeros(len(y))
    for k in range(FOLDS):
        test = fold == k
        p[test] = predict(x[test], fit_logistic(x[~test], y[~test], lam))
    return p


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


SUICIDE_WEIGHT = 4.0
TRADE_OFF = (0.02, 0.03, 0.04, 0.045, 0.049, 0.06, 0.08)
VETO_GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def choose_thresholds(p_u: np.ndarray, p_s: np.ndarray, rules: np.ndarray, y_u: np.ndarray, y_s: np.ndarray,
                      budget: float) -> tuple[dict[str, float], dict]:
    """The thresholds for the whole decision (``semantic.sources``), recall first: among the
    triples (urgent and suicide on a 0.01 grid, veto on ``VETO_GRID``) whose out-of-fold
    false-alarm rate is <= ``budget``, the highest ``SUICIDE_WEIGHT`` x suicidal recall +
    recall (a missed suicidal prompt costs five times a missed other one, since it also
    counts in recall), then the fewest false alarms, then the highest thresholds."""
    grid = np.round(np.arange(0.01, 1.0, 0.01), 2)
    never = {"urgent": 2.0, "suicide": 2.0, "veto": 0.0}
    rules_say = np.array([bool(semantic.sources(r, 1.0, 1.0, never)) for r in rules])
    no_study_veto = np.array([bool(semantic.sources(r, 1.0, 0.0, {**never, "urgent": 0.5, "veto": 2.0})) for r in rules])
    strongest = np.maximum(p_u, p_s)
    urgent_fires = no_study_veto[:, None] & (p_u[:, None] >= grid[None, :])  # (cases, urgent thresholds)
    neg, pos, sui = y_u == 0, y_u == 1, y_s == 1
    best, best_key = None, None
    for tv in VETO_GRID:
        base = rules_say & (strongest >= tv)
        for ts in grid:
            fire = (base | (p_s >= ts))[:, None] | urgent_fires
            fa, rec, s_rec = fire[neg].mean(0), fire[pos].mean(0), fire[sui].mean(0)
            ok = np.flatnonzero(fa <= budget)
            if not len(ok):
                continue
            score = np.round(SUICIDE_WEIGHT * s_rec + rec, 6)
            j = ok[np.lexsort((grid[ok], -fa[ok], score[ok]))[-1]]  # best score, then fewest alarms, then highest threshold
            key = (float(score[j]), -float(fa[j]), float(grid[j]), float(ts), -tv, float(s_rec[j]), float(rec[j]))
            if best_key is None or key > best_key:
                best_key, best = key, {"urgent": float(grid[j]), "suicide": float(ts), "veto": float(tv)}
    if best is None:
        raise ConfigError(f"no thresholds keep out-of-fold false alarms within {budget:.1%}")
    rates = {"suicide_recall": round(best_key[5], 4), "recall": round(best_key[6], 4), "false_alarms": round(-best_key[1], 4),
             "rules_only": {"recall": round(float(rules_say[y_u == 1].mean()), 4),
                            "suicide_recall": round(float(rules_say[y_s == 1].mean()), 4),
                            "false_alarms": round(float(rules_say[y_u == 0].mean()), 4)}}
    return best, rates


def _rates(pred: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    return float(pred[y == 1].mean()), float(pred[y == 0].mean())


def train(args: argparse.Namespace) -> tuple[dict, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The weights to write, and the neighbour bank's (embeddings, urgent labels, suicide labels)."""
    cases = training_cases(args.data, args.semantic_data)
    texts = [c["text"] for c in cases]
    y_urgent = np.array([c["urgent"] for c in cases], dtype=np.float64)
    y_suicide = np.array([c["urgent"] and c["category"] == "suicide" for c in cases], dtype=np.float64)
    t0 = time.perf_counter()
    encoder = embed.load()
    x = features(texts, encoder)
    print(f"{len(cases)} training cases ({int(y_urgent.sum())} urgent, {int(y_suicide.sum())} suicidal); "
          f"features {x.shape[1]} in {time.perf_counter() - t0:.1f} s")
    fold = folds([c["id"] for c in cases])
    print(f"{len(set(map(batch, (c['id'] for c in cases))))} writing batches in {FOLDS} grouped folds")

    heads, oof = {}, {}
    print(f"\n{'head':<9} {'lambda':>7} {'oof log-loss':>13}")
    for name, y in (("urgent", y_urgent), ("suicide", y_suicide)):
        best = None
        for lam in args.lambdas:
            p = out_of_fold(x, y, lam, fold)
            loss = log_loss(p, y)
            print(f"{name:<9} {lam:>7} {loss:>13.4f}")
            if best is None or loss < best[0]:
                best = (loss, lam, p)
        heads[name] = (best[1], fit_logistic(x, y, best[1]))
        oof[name] = best[2]
    labels = np.stack([y_urgent, y_suicide], 1)
    votes = neighbours.out_of_fold(x[:, : embed.DIM], labels, fold, args.neighbours)
    vw = args.vote_weight
    rules_x = x[:, embed.DIM:]
    print(f"\n{'out-of-fold, within ' + format(args.fa_budget, '.1%') + ' false alarms':<40} {'recall':>8} {'suicidal':>9} {'false alarms':>13}")
    for label, wt in (("linear heads alone", 0.0), (f"+ {args.neighbours}-neighbour vote (weight {vw})", vw)):
        try:
            _, r = choose_thresholds((1 - wt) * oof["urgent"] + wt * votes[:, 0], (1 - wt) * oof["suicide"] + wt * votes[:, 1],
                                     rules_x, y_urgent, y_suicide, args.fa_budget)
        except ConfigError:
            continue
        print(f"{label:<40} {100 * r['recall']:>7.1f}% {100 * r['suicide_recall']:>8.1f}% {100 * r['false_alarms']:>12.1f}%")
    oof = {"urgent": (1 - vw) * oof["urgent"] + vw * votes[:, 0], "suicide": (1 - vw) * oof["suicide"] + vw * votes[:, 1]}

    thresholds, rates = choose_thresholds(oof["urgent"], oof["suicide"], rules_x, y_urgent, y_suicide, args.fa_budget)
    print(f"\n{'fa budget':<10} {'recall':>8} {'suicidal':>9} {'false alarms':>13}  (out-of-fold trade-off; the chosen one is {args.fa_budget})")
    for budget in TRADE_OFF:
        try:
            _, r = choose_thresholds(oof["urgent"], oof["suicide"], rules_x, y_urgent, y_suicide, budget)
        except ConfigError:
            continue
        print(f"{budget:<10} {100 * r['recall']:>7.1f}% {100 * r['suicide_recall']:>8.1f}% {100 * r['false_alarms']:>12.1f}%")
    ro = rates["rules_only"]
    print(f"\nout-of-fold (5 grouped folds) decision, recall first within {args.fa_budget:.1%} false alarms:")
    print(f"{'layers':<24} {'recall':>8} {'suicidal':>9} {'false alarms':>13}")
    print(f"{'rules alone':<24} {100 * ro['recall']:>7.1f}% {100 * ro['suicide_recall']:>8.1f}% {100 * ro['false_alarms']:>12.1f}%")
    print(f"{'rules + classifier':<24} {100 * rates['recall']:>7.1f}% {100 * rates['suicide_recall']:>8.1f}% "
          f"{100 * rates['false_alarms']:>12.1f}%   thresholds: {thresholds}")

    urgent_cases = [i for i, c in enumerate(cases) if c["urgent"]]
    cats = [c for c in CATEGORIES if any(cases[i]["category"] == c for i in urgent_cases)]
    xe = x[urgent_cases, : embed.DIM]
    cat_y = np.array([cases[i]["category"] for i in urgent_cases])
    cat_w = {c: fit_logistic(xe, (cat_y == c).astype(np.float64), 1.0) for c in cats}
    scores = np.stack([predict(xe, cat_w[c]) for c in cats], axis=1)
    acc = float((np.array(cats)[scores.argmax(1)] == cat_y).mean())
    print(f"\ncategory head: {len(cats)} categories, training accuracy {100 * acc:.1f}% (the label only; the rules' flags come first)")

    def plain(w: np.ndarray) -> list[float]:
        return [float(f"{v:.6g}") for v in w]

    weights = {
        "format": semantic.FORMAT,
        "model": embed.PACKAGE_PIN,
        "model_sha256": encoder.sha256,
        "rule_features": list(semantic.RULE_FEATURES),
        "trained_on": {"cases": len(cases), "urgent": int(y_urgent.sum()), "suicidal": int(y_suicide.sum()),
                       "files": [shown_path(args.data), f"{shown_path(args.semantic_data)} (split dev)"]},
        "lambda": {"urgent": heads["urgent"][0], "suicide": heads["suicide"][0]},
        "thresholds": thresholds,
        "out_of_fold": rates,
        "neighbours": {"file": args.out.stem + "-neighbours.npy", "k": args.neighbours, "weight": vw, "sha256": ""},
        "categories": cats,
        "urgent": plain(heads["urgent"][1]),
        "suicide": plain(heads["suicide"][1]),
        "category": {c: plain(cw) for c, cw in cat_w.items()},
    }
    return weights, (x[:, : embed.DIM], y_urgent, y_suicide)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train the red-flag detector's semantic layer (numpy logistic heads + a neighbour vote).")
    ap.add_argument("--data", type=Path, default=DATA, help="the rules' eval data, all splits used (default: evals/redflags.jsonl)")
    ap.add_argument("--semantic-data", type=Path, default=SEMANTIC_DATA,
                    help="the semantic batches; split dev is trained on, split heldout never (default: evals/redflags_semantic.jsonl)")
    ap.add_argument("--out", type=Path, default=semantic.WEIGHTS, help="where to write the weights (default: tutor/medical/data/classifier.json)")
    ap.add_argument("--fa-budget", type=float, default=0.049,
                    help="out-of-fold false-alarm rate the whole decision may reach when thresholds are chosen (default 0.049: under 5 %%)")
    ap.add_argument("--neighbours", type=int, default=neighbours.K,
                    help=f"training prompts in the nearest-neighbour vote (default {neighbours.K})")
    ap.add_argument("--vote-weight", type=float, default=neighbours.WEIGHT,
                    help=f"the vote's share of the urgent and suicide probabilities, 0 = linear heads alone (default {neighbours.WEIGHT})")
    ap.add_argument("--lambdas", type=float, nargs="+", default=list(LAMBDAS),
                    help=f"L2 strengths to choose from by out-of-fold log-loss (default: {' '.join(map(str, LAMBDAS))})")
    ap.add_argument("--dry-run", action="store_true", help="print the table, write nothing")
    args = ap.parse_args(argv)
    if args.neighbours < 1 or not 0 <= args.vote_weight <= 1:
        ap.error("--neighbours must be >= 1 and --vote-weight in [0, 1]")
    try:
        with embed.one_blas_thread():  # small solves: OpenBLAS's threads only contend on shared cores
            weights, bank = train(args)
    except (ConfigError, embed.ModelMissing) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not args.dry_run:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        bank_path = args.out.parent / weights["neighbours"]["file"]
        weights["neighbours"]["sha256"] = neighbours.write(bank_path, *bank)
        args.out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        print(f"\nweights: {args.out}\nneighbour bank: {bank_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
