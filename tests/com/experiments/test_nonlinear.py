import torch

from com.approximation import exp_sums
from com.experiments import nonlinear
from com.training.students import TrainConfig


def test_a_tiny_run_brackets_every_error_and_respects_the_edge():
    """Two widths, a few Adam steps: the certified lower side is below the upper side,
    every radius is at most the slowest unit's distance to the edge, and the criteria
    read one verdict per replicate."""
    cfg = nonlinear.NonlinearConfig(
        train=TrainConfig((2, 4), 1, steps=3, n_seq=4), n_betas=6, n_random=1,
        n_inputs=1)
    mem = cfg.target.memory()
    fits = exp_sums.fits(mem, [2, 4], exp_sums.delta_grid(1e-6, 6))

    def streams(name):
        return torch.Generator().manual_seed(len(name))
    R = nonlinear.run(cfg, fits, streams)
    assert R["E_lo"].shape == R["E_hi"].shape == (2, 7)
    assert bool((R["E_lo"] <= R["E_hi"] * (1 + 1e-12)).all())
    assert bool((R["radius"] <= R["d_min"] * (1 + 1e-9)).all())
    assert float(R["z"].max()) > 0
    C = nonlinear.criteria(R, cfg)
    assert len(C["ball"]) == len(C["edge"]) == 1 and "shifts" in C["median"]
