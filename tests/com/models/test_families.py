import math

import pytest
import torch

from com import memory
from com.approximation import exp_sums
from com.models import families, family_parts
from com.stability import curves, verdict
from com.training import learning_rates, tasks
from com.training.loss import white_noise_loss


def small_fit():
    target = memory.power(1.5)
    return target, exp_sums.fits(target, [2, 8], exp_sums.delta_grid(1e-8, 10))


def test_every_family_has_both_constructions():
    """One record per family: built from an approximant (over all time) and
    initialised for training on a window, with a kernel or outputs."""
    g = torch.Generator().manual_seed(0)
    _, fit = small_fit()
    for name, fam in families.FAMILIES.items():
        params = fam.build(fit["delta"][1], fit["g"][1], "best", g)
        assert set(fam.recurrent) <= set(params), name
        delta, w = fam.modes(params, "best")
        assert torch.isfinite(delta).all() and w.shape == delta.shape
        assert fam.move(params, "best", torch.tensor([1e-3, 1e-2])).shape == (2,)
        if not fam.trainable:                                  # the SSM: no kernel to train
            with pytest.raises(ValueError, match="no kernel"):
                families.family_kernel(name, "best", params, 50)
            continue
        for pname in ("direct", "best"):
            p = families.init_family(name, pname, 3, 4, g)
            assert set(fam.recurrent) <= set(p), name
            grid = torch.linspace(0, 10, 50) if name == "diagonal" else 50
            assert families.family_kernel(name, pname, p, grid).shape == (3, 50)
    with pytest.raises(ValueError, match="family must be one of"):
        families.get("tyo")


def test_a_new_family_is_one_entry(monkeypatch):
    """A toy family (the LRU read out with its output weights squared, so its kernel is
    sum_i c_i^2 (1 - lam_i) lam_i^s >= 0, and built from an approximant read out twice
    as loud with half the input) added as one FAMILIES entry runs through the stability
    curves, the task, the training and the learning-rate code without edits elsewhere."""
    lru = families.get("lru")
    build, modes = family_parts.diagonal("discrete")
    toy = families.Family(
        "toy", "toy", "discrete", ("w",),
        lambda d, g, p, gen: {k: v * (2 if k == "c" else 1)
                              for k, v in build(d, g / 2, p, gen).items()},
        modes, lru.move, lru.init, kernel=lambda f, p, T: lru.kernel(f, {**p, "c": p["c"] ** 2}, T))
    monkeypatch.setitem(families.FAMILIES, "toy", toy)
    target, fit = small_fit()
    betas = torch.logspace(-8, -1, 8)
    C = curves.family_curve(toy, "direct", target, fit, [2, 8], betas, 2,
                            torch.Generator().manual_seed(1))
    r = verdict.radius(betas, C["E"], C["E0"], 0.1)
    assert torch.allclose(C["E0"], fit["E0"], rtol=1e-3) and r[1] < r[0]
    g = torch.Generator().manual_seed(4)
    task = tasks.make_task("toy", "exponential", 50.0, 32)
    before = white_noise_loss(task.target, families.family_kernel(
        "toy", "lru", families.init_family("toy", "lru", 2, 4, g), 32), task.weights)
    assert before.shape == (2,) and torch.isfinite(before).all()
    swept = learning_rates.train_at_rates(task, "lru", 4, torch.tensor([0.01, 0.1]), 2, 20, g)
    assert swept["loss"].shape == (2, 2) and torch.isfinite(swept["ratio"]).all()


def test_dense_hardtanh_rnn_is_the_vanilla_model_where_the_bound_allows():
    """With kappa above the pre-activation bound that the curve reports, the vanilla
    family run with hardtanh inside equals its kernel; far below it, it does not."""
    target, fit = small_fit()
    fam = families.FAMILIES["vanilla"]
    gen = torch.Generator().manual_seed(2)
    betas = torch.logspace(-6, -1, 4)
    C = curves.family_curve(fam, "best", target, fit, [2, 8], betas, 1, gen)
    z = float(C["z"].max())
    assert 0 < z < math.inf
    params = fam.build(fit["delta"][1], fit["g"][1], "best", gen)
    x = (2 * torch.rand(3, 400, generator=gen) - 1).sign()
    assert families.realised_gap(fam, params, "best", z, x) < 1e-12
    assert families.realised_gap(fam, params, "best", z / 20, x) > 1e-3
