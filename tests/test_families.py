import math

import torch

from com import approximants, families, horizon, parameterisations, stability


def small_fit():
    memory = horizon.power(1.5)
    return memory, approximants.fits(memory, [2, 8], approximants.delta_grid(1e-8, 10))


def test_distance_maps_round_trip_near_the_edge():
    d = torch.tensor([1e-20, 1e-6, 0.3, 1.0])
    for (time, name), (to_delta, to_w) in parameterisations.DISTANCE.items():
        if name == "best" and time == "continuous":
            d_ok = d                                        # best reaches delta <= 2
        else:
            d_ok = d[:-1] if name in ("lru", "sigmoid") else d
        back = to_delta(to_w(d_ok))
        assert torch.allclose(back, d_ok, rtol=1e-6, atol=0), (time, name)


def test_every_family_has_the_approximants_error_at_rest():
    memory, fit = small_fit()
    betas = torch.logspace(-8, -1, 6)
    for name, fam in families.FAMILIES.items():
        pname = "best"
        g = torch.Generator().manual_seed(0)
        C = families.curve(fam, pname, memory, fit, [2, 8], betas, 1, g)
        assert torch.allclose(C["E0"], fit["E0"], rtol=1e-3), name  # grids differ


def test_direct_is_unstable_and_exp_is_not_past_the_slowest_mode():
    memory, fit = small_fit()
    edge = float(approximants.edge_distance(fit["delta"][1], fit["g"][1]))
    betas = torch.tensor([2 * edge])
    fam = families.FAMILIES["diagonal"]
    direct = families.curve(fam, "direct", memory, fit, [2, 8], betas, 0, torch.Generator())
    stable = families.curve(fam, "exp", memory, fit, [2, 8], betas, 0, torch.Generator())
    assert math.isinf(direct["E"][1, 0]) and math.isfinite(stable["E"][1, 0])


def test_a_new_family_is_one_entry():
    """A toy family (the diagonal recurrence read out twice as loud, half the input)
    defined here alone runs through the stability code."""
    build, modes = families._diagonal("continuous")
    toy = families.Family("toy", "toy RNN", "continuous",
                          lambda d, g, p, gen: {k: v * (2 if k == "c" else 1)
                                                for k, v in build(d, g / 2, p, gen).items()},
                          modes, ("w",), "diagonal RNN")
    memory, fit = small_fit()
    betas = torch.logspace(-8, -1, 8)
    g = torch.Generator().manual_seed(1)
    C = families.curve(toy, "direct", memory, fit, [2, 8], betas, 2, g)
    r = stability.radius(betas, C["E"], C["E0"], 0.1)
    assert torch.allclose(C["E0"], fit["E0"], rtol=1e-3)
    assert r[1] < r[0]


def test_dense_hardtanh_rnn_is_the_vanilla_model_where_the_bound_allows():
    """With kappa above the pre-activation bound that ``curve`` reports, the vanilla
    family run with hardtanh inside equals its kernel; far below it, it does not."""
    memory, fit = small_fit()
    fam = families.FAMILIES["vanilla"]
    gen = torch.Generator().manual_seed(2)
    betas = torch.logspace(-6, -1, 4)
    C = families.curve(fam, "best", memory, fit, [2, 8], betas, 1, gen)
    z = float(C["z"].max())
    assert 0 < z < math.inf
    params = fam.build(fit["delta"][1], fit["g"][1], "best", gen)
    x = (2 * torch.rand(3, 400, generator=gen) - 1).sign()
    assert families.realised_gap(fam, params, "best", z, x) < 1e-12
    assert families.realised_gap(fam, params, "best", z / 20, x) > 1e-3
