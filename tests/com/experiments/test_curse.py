import torch

from com import memory
from com.approximation import exp_sums, horizon
from com.experiments import curse
from com.models import residual
from com.stability import linearisation


def test_nonlinear_curves_are_the_simulated_rnns_on_long_runs():
    """Column 0 is the fit's own error; along W + beta I the hardtanh RNN (bound z <= 1)
    equals the linear one, the tanh RNN stays within the gap, and past the slowest
    mode the error is infinite."""
    target = memory.geometric(0.8)
    fit = exp_sums.fits(target, [2, 4], exp_sums.delta_grid(1e-6, 8))
    edge = float(fit["delta"][1][fit["g"][1] != 0].min())
    betas = torch.tensor([0.3 * edge, 2 * edge])
    out = curse.nonlinear(target, fit, betas, kappa=8.0)
    assert torch.allclose(out["E"][:, 0], horizon.error(target, fit["delta"], fit["g"]))
    assert bool((out["z"][:, :2] <= 1).all()) and torch.isinf(out["E"][1, 2])
    delta = fit["delta"][1:] - betas[0]
    p = linearisation.realise(delta, fit["g"][1:], 8.0)
    x = torch.cat([torch.ones(1, 2000, 1), -torch.ones(1, 2000, 1)], 1)
    y = {s: residual.rnn(p, x, s, 1.0) for s in ("linear", "hardtanh", "tanh")}
    assert float((y["hardtanh"] - y["linear"]).abs().max()) < 1e-12
    gap = float((y["tanh"] - y["linear"]).abs().max()) / target.l1
    assert 0 < gap <= float(out["gap"][1, 1])
