import torch

from com import memory
from com.experiments import curse


def config(**change):
    base = dict(widths=(2, 4, 8), log_betas=(-10.0, -0.5), n_betas=16, n_samples=2,
                tolerance=0.1, windows=(64, 512), delta_floor=1e-8, n_deltas=8)
    return curse.CurseConfig(**(base | change))


def test_measure_brackets_the_radius_and_the_edge_bounds_it():
    """The certified lower radius sits below the sampled one, which sits below the
    slowest mode's distance to the edge; the c channel's band is ordered."""
    cfg, target = config(), memory.power(1.5)
    out = curse.measure(target, cfg, torch.Generator().manual_seed(0))
    assert out["upper_holds"]
    assert bool((out["radius_lower"] <= out["radius"] * (1 + 1e-9)).all())
    assert bool((out["radius"] <= out["edge"] * (1 + 1e-9)).all())
    lo, hi = out["c_radius"]
    assert bool((lo <= hi).all()) and bool((out["u_delta"] ** 2 >= out["moment"]).all())


def test_first_moment_is_the_closed_form_of_sum_t_t_K_t():
    delta, g = torch.tensor([[0.5, 0.01]]), torch.tensor([[0.3, 0.7]])
    t = torch.arange(20000, dtype=torch.float64)
    K = (g[0, :, None] * (1 - delta[0, :, None]) ** t).sum(0)
    assert torch.allclose(curse.first_moment(delta, g), (t * K).sum()[None], rtol=1e-9)


def test_windows_radius_is_above_the_uniform_bound():
    cfg, target = config(), memory.power(1.5)
    out = curse.windows(target, cfg, cfg.fit(target), list(cfg.windows))
    for T in cfg.windows:
        assert bool((out["radius"][T] >= out["lower"][T]).all())
