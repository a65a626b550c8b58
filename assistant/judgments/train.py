"""Train the judgments' linear models and write them next to this file.

    python -m assistant.judgments.train          # all four models
    python -m assistant.judgments.train --only injection

Multinomial logistic regression with an L2 penalty, fitted by L-BFGS (numpy and scipy, needed
only here, not at run time: `pip install -e '.[judgments]'`). Deterministic: the same data gives the same files. A binary
model's decision threshold is chosen on a dev split of its *training* data (every fifth
example by a hash of its text), never on a held-out dataset; the model is then refitted on
all of its training data with the same settings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import data
from .features import features
from .model import LinearModel

HERE = Path(__file__).resolve().parent
MIN_COUNT = 2  # a feature must occur in at least this many training texts
PRUNE = 0.03  # features whose weights are all smaller than this are left out of the file


@dataclass(frozen=True)
class Spec:
    name: str
    examples: Callable[[], list[data.Example]]
    classes: tuple[str, ...]
    positive: str | None = None  # binary models: the class the threshold is for
    max_dev_fpr: float = 0.01  # the threshold keeps false alarms on dev at most this
    l2: float = 1.0
    drop: str | None = None  # leave out features containing this (tried for "<url>": worse on dev)


SPECS = {
    s.name: s
    for s in (
        Spec("adlike", data.adlike, ("ordinary", "ad"), "ad", 0.01),
        Spec("comment_kind", data.comment_kind, data.COMMENT_KINDS, l2=1.0),
        Spec("spam", data.spam, ("ham", "spam"), "spam", 0.005),
        # A screened comment gets no reply at all: injection false alarms cost the most.
        Spec("injection", data.injection, ("benign", "injection"), "injection", 0.002),
    )
}


def is_dev(text: str) -> bool:
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % 5 == 0


def fit(
    examples: list[data.Example], classes: tuple[str, ...], l2: float, drop: str | None = None
) -> dict:
    import numpy as np  # the judgments extra: training only, never at run time
    from scipy import sparse
    from scipy.optimize import minimize

    docs = [{f for f in features(e[0]) if not drop or drop not in f} for e in examples]
    counts = Counter(f for doc in docs for f in doc)
    vocab = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocab)}
    rows, cols = [], []
    for r, doc in enumerate(docs):
        for f in doc:
            if f in index:
                rows.append(r)
                cols.append(index[f])
    x = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(vocab)), dtype=np.float64
    )
    y = np.array([classes.index(e[1]) for e in examples])
    # Each class weighs as much in total as every other (balanced), times the example's own.
    sample = np.array([e[2] for e in examples], dtype=np.float64)
    per_class = np.bincount(y, weights=sample, minlength=len(classes))
    sample = sample * (sample.sum() / (len(classes) * per_class[y]))
    onehot = np.zeros((len(y), len(classes)))
    onehot[np.arange(len(y)), y] = 1.0
    k, d = len(classes), len(vocab)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: d * k].reshape(d, k)
        b = theta[d * k :]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -(sample * (onehot * logp).sum(axis=1)).sum() + 0.5 * l2 * (w * w).sum()
        g = (np.exp(logp) - onehot) * sample[:, None]
        grad_w = x.T @ g + l2 * w
        return value, np.concatenate([np.asarray(grad_w).ravel(), g.sum(axis=0)])

    theta0 = np.zeros(d * k + k)
    result = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    w = result.x[: d * k].reshape(d, k)
    b = result.x[d * k :]
    if k == 2:  # keep the logit only: class 0 weighs nothing
        w, b = np.stack([np.zeros(d), w[:, 1] - w[:, 0]], axis=1), np.array([0.0, b[1] - b[0]])
    weights = {
        f: [round(float(v), 3) for v in w[i]]
        for f, i in index.items()
        if np.abs(w[i]).max() >= PRUNE
    }
    return {
        "classes": list(classes),
        "bias": [round(float(v), 4) for v in b],
        "weights": weights,
    }


def choose_threshold(model: LinearModel, dev: list[data.Example], spec: Spec) -> float:
    """The lowest probability cut whose false-alarm rate on dev stays within the spec."""
    negatives = sorted(
        (model.probability(e[0], spec.positive) for e in dev if e[1] != spec.positive),
        reverse=True,
    )
    allowed = int(spec.max_dev_fpr * len(negatives))
    cut = negatives[allowed] if allowed < len(negatives) else 0.0
    return round(min(max(cut + 1e-3, 0.5), 0.99), 3)


def dev_report(model: LinearModel, dev: list[data.Example], spec: Spec, threshold: float | None):
    """Per source of the dev split: accuracy, and for binary models recall and false alarms."""
    report = {}
    for source in sorted({e[3] for e in dev}):
        part = [e for e in dev if e[3] == source]
        if spec.positive is None:
            right = sum(model.predict(e[0]).label == e[1] for e in part)
            report[source] = f"{right}/{len(part)} right"
            continue
        flags = [
            (model.probability(e[0], spec.positive) >= threshold, e[1] == spec.positive)
            for e in part
        ]
        pos = sum(1 for _, p in flags if p)
        neg = len(flags) - pos
        caught = sum(1 for f, p in flags if f and p)
        alarms = sum(1 for f, p in flags if f and not p)
        report[source] = f"caught {caught}/{pos}, false alarms {alarms}/{neg}"
    return report


def train(spec: Spec) -> dict:
    examples = spec.examples()
    dev = [e for e in examples if is_dev(e[0])]
    fit_part = [e for e in examples if not is_dev(e[0])]
    first = LinearModel({"name": spec.name, **fit(fit_part, spec.classes, spec.l2, spec.drop)})
    threshold = choose_threshold(first, dev, spec) if spec.positive else None
    dev_figures = dev_report(first, dev, spec, threshold)
    final = fit(examples, spec.classes, spec.l2, spec.drop)
    meta = {
        "examples": len(examples),
        "labels": dict(sorted(Counter(e[1] for e in examples).items())),
        "dev": dev_figures,
        "features": len(final["weights"]),
    }
    out = {"name": spec.name, **final, "threshold": threshold, "meta": meta}
    path = HERE / f"{spec.name}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    size = path.stat().st_size / 1e6
    print(f"{spec.name}: threshold={threshold} -> {path.name} ({size:.2f} MB)")
    print(json.dumps(meta, indent=1))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SPECS), action="append")
    args = parser.parse_args(argv)
    for name in args.only or list(SPECS):
        train(SPECS[name])


if __name__ == "__main__":
    main()
