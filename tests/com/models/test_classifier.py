"""com.models.classifier: the same starting eigenvalues under every parameterisation,
each block under its own f, and the Vandermonde final state against the recurrence
it replaces."""
import math

import pytest
import torch

from com.models import classifier
from com.models.parameterisations import get

NAMES = ("softplus", "exp", "best", "direct")


def draws(R=2, m=3, K=10, d=2, rates=(0.4 / 16, 40 / 16), seed=100):
    return [classifier.draw(m, K, d, rates, torch.Generator().manual_seed(seed + r))
            for r in range(R)]


def test_init_starts_every_parameterisation_and_copy_at_the_same_draws():
    p = classifier.init(NAMES, draws(), copies=2)
    a = classifier.decay(NAMES, p["w"]).view(4, 2, 2, 3)          # (P, copies, R, m)
    assert torch.allclose(a, a[:1, :1].expand_as(a), rtol=1e-12)
    assert not torch.allclose(a[0, 0, 0], a[0, 0, 1])              # draws differ
    assert (-a * 16 >= 0.4 - 1e-9).all() and (-a * 16 <= 40 + 1e-9).all()
    B = p["B"].view(4, 2, 2, 3, 2)
    assert torch.equal(B, B[:1, :1].expand_as(B))
    assert p["C"].shape == (16, 6, 10) and p["c0"].shape == (16, 10)
    assert p["theta"][0, 1] == pytest.approx(math.pi / 3)


def test_decay_applies_each_parameterisation_to_its_own_block():
    w = torch.linspace(-3, 3, 4 * 3).view(4, 3)
    a = classifier.decay(NAMES, w)
    for i, n in enumerate(NAMES):
        assert torch.equal(a[i], get("continuous", n).f(w[i]))
    assert (a[:3] < 0).all() and (a[3] > 0).any()                   # only direct leaves


def test_final_state_is_the_recurrence_run_in_time():
    p = classifier.init(NAMES, draws(m=4, d=3), copies=2)
    p["w"] = p["w"] + 0.3 * torch.randn(p["w"].shape)               # some direct unstable
    x = torch.randn(5, 7, 3)
    lam = torch.exp(torch.complex(classifier.decay(NAMES, p["w"]), p["theta"]))  # (S, m)
    h = torch.zeros(16, 5, 4, dtype=torch.complex128)
    for k in range(7):
        h = lam[:, None] * h + torch.einsum("smd,nd->snm", p["B"], x[:, k]).to(h.dtype)
    z = classifier.final_state(NAMES, p, x)
    assert torch.allclose(z, torch.cat([h.real, h.imag], -1), rtol=1e-10, atol=1e-10)
    want = torch.tanh(z) @ p["C"] + p["c0"][:, None]
    assert torch.allclose(classifier.logits(NAMES, p, x), want)


def test_predictions_count_a_non_finite_model_wrong():
    p = classifier.init(("direct",), draws(R=2), copies=1)
    p["C"][1] = float("nan")
    x = torch.randn(5, 4, 2)
    pred = classifier.predictions(("direct",), p, x, chunk=2)
    assert pred.shape == (2, 5) and (pred[1] == -1).all() and (pred[0] >= 0).all()
    assert torch.equal(pred[0], classifier.logits(("direct",), p, x)[0].argmax(-1))
