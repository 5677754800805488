"""com.training.classification: many classifiers on the same minibatches, each at its
own learning rate: deterministic, the models independent, a zero rate idle, a model
that overflows marked diverged without touching the others."""
import math
from functools import partial

import torch

from com.models import classifier
from com.training import classification

NAMES = ("exp", "direct")


def toy(n=40, T=6, d=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    x = torch.randn(n, T, d, generator=g) * 0.3 + y[:, None, None] * 0.5
    return x, y


def start(names=NAMES, copies=2, R=2, m=3, d=2, K=3):
    draws = [classifier.draw(m, K, d, (0.1, 1.0), torch.Generator().manual_seed(100 + r))
             for r in range(R)]
    return classifier.init(names, draws, copies)


def fit(params, lr, names=NAMES, epochs=2, batch=8, seed=5, **kw):
    x, y = toy()
    return classification.train(params, partial(classifier.logits, names), x, y, lr,
                                epochs, batch, torch.Generator().manual_seed(seed), **kw)


def test_cosine_falls_from_one_towards_zero():
    assert classification.cosine(1, 10) == 1.0
    assert math.isclose(classification.cosine(6, 10), 0.5, abs_tol=1e-15)
    assert 0 < classification.cosine(10, 10) < 0.03


def test_training_is_deterministic_and_models_are_independent():
    lr = torch.tensor([1e-2, 1e-1]).repeat_interleave(2).repeat(2)          # (8,)
    a = fit(start(), lr, weight_decay=0.01)
    b = fit(start(), lr, weight_decay=0.01)
    for k in a["params"]:
        assert torch.equal(a["params"][k], b["params"][k])
    assert torch.equal(a["history"], b["history"])
    assert a["history"].shape == (2 * 5, 8)                   # 40 images: 5 batches of 8
    alone = fit(start(("exp",)), lr[:4], names=("exp",), weight_decay=0.01)
    assert torch.allclose(alone["params"]["w"], a["params"]["w"][:4], rtol=1e-10)
    assert torch.allclose(alone["history"], a["history"][:, :4], rtol=1e-10)


def test_a_zero_learning_rate_leaves_a_model_where_it_started():
    p = start(("exp",), copies=1)
    out = fit(p, torch.tensor([0.0, 0.1]), names=("exp",))
    assert torch.equal(out["params"]["w"][0], p["w"][0])
    assert not torch.equal(out["params"]["w"][1], p["w"][1])


def test_training_learns_and_an_overflow_stays_in_its_model():
    p = start(copies=1, m=4)
    p["C"][3] = float("inf")                        # direct's second model: infinite logits
    out = fit(p, torch.full((4,), 0.05), epochs=10)
    assert out["diverged"].tolist() == [False, False, False, True]
    assert torch.isfinite(out["history"][:, :3]).all()
    assert (out["history"][-5:, :3].mean(0) < out["history"][:5, :3].mean(0)).all()
    assert torch.isfinite(out["params"]["w"]).all()
