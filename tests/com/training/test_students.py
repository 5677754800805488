import torch

from com.approximation import exp_sums
from com.memory import slew
from com.training import students as nonlinear


def test_adam_lowers_the_students_loss_from_the_warm_start():
    target = slew.make()
    cfg = nonlinear.TrainConfig((2, 4), 2, n_seq=8, steps=30)
    fits = exp_sums.fits(target.memory(), [2, 4], exp_sums.delta_grid(1e-6, 6))
    gen = torch.Generator().manual_seed(0)
    start = nonlinear.train(target, fits, nonlinear.TrainConfig((2, 4), 2, n_seq=8,
                                                                 steps=0), gen)
    out = nonlinear.train(target, fits, cfg, torch.Generator().manual_seed(0))
    assert out["widths"] == [2, 2, 4, 4]
    assert bool((out["win"] + out["ker"] < start["win"] + start["ker"]).all())
    w = out["weights"]
    assert bool(((w["d"] > 0) & (w["d"] < 1)).all())              # sigmoid: never past
