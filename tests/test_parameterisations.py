import torch

from com import models
from com import parameterisations as P


def test_inverse_round_trip_and_stability():
    lam_c = -torch.tensor([1e-3, 0.3, 1.5])
    lam_d = torch.tensor([0.01, 0.5, 0.999])
    for p in P.CONTINUOUS.values():
        assert torch.allclose(p(p.inverse(lam_c)), lam_c, atol=1e-12)
    for p in P.DISCRETE.values():
        assert torch.allclose(p(p.inverse(lam_d)), lam_d, atol=1e-12)
    w = torch.linspace(-30, 30, 601)
    for p in P.CONTINUOUS.values():
        if p.stable:
            assert (p(w) < 0).all()
    for p in P.DISCRETE.values():
        if p.stable:
            lam = p(w)
            assert ((lam >= 0) & (lam <= 1)).all()


def test_scale_is_derivative_over_edge_distance_squared():
    w = torch.tensor([-1.3, 0.4, 2.0], requires_grad=True)
    for table in (P.CONTINUOUS, P.DISCRETE):
        for p in table.values():
            lam = p(w)
            (d,) = torch.autograd.grad(lam.sum(), w)
            edge = lam.abs() if p.time == "continuous" else 1 - lam
            assert torch.allclose(p.scale(w.detach()), d.abs() / edge.detach() ** 2, rtol=1e-9)


def test_best_scale_grows_like_root_of_inverse_distance():
    d = torch.tensor([1e-4, 1e-2])
    s = P.scale_at_edge(P.CONTINUOUS["best"], d)
    assert torch.allclose(s, 2 * torch.sqrt(1 / d - P.B_BEST), rtol=1e-9)


def test_stable_perturbation_bound_exp():
    # f = -e^w: a raw shift delta changes a normalised mode by at most 2(e^|delta| - 1) in L1
    t = torch.linspace(0, 2000, 200001)
    for lam in (1e-2, 1.0):
        w = torch.log(torch.tensor([lam]))
        for delta in (0.05, -0.05):
            k0 = models.normalised_diagonal_kernel(t, P.CONTINUOUS["exp"](w), torch.ones(1))
            k1 = models.normalised_diagonal_kernel(t, P.CONTINUOUS["exp"](w + delta), torch.ones(1))
            dist = torch.trapezoid((k1 - k0).abs(), t)
            assert dist <= 2 * (torch.exp(torch.tensor(abs(delta))) - 1) + 1e-3


def test_families_shapes_and_masks():
    g = torch.Generator().manual_seed(0)
    for fam in P.FAMILIES:
        for pname in ("direct", "best"):
            p = P.init_family(fam, pname, 3, 4, g)
            if fam.startswith("ssm"):
                assert P.family_outputs(fam, pname, p, torch.randn(5, 16, generator=g)).shape == (3, 5, 16)
            else:
                grid = torch.linspace(0, 10, 50) if fam == "diagonal" else 50
                assert P.family_kernel(fam, pname, p, grid).shape == (3, 50)
    masks = P.width_masks("vanilla", "direct", {"S": torch.zeros(2, 4, 4)}, torch.tensor([2, 4]))
    assert masks["S"][0].sum() == 4 and masks["S"][1].sum() == 16


def test_lr_sweep_direct_diverges_at_huge_rate():
    g = torch.Generator().manual_seed(0)
    task = P.make_task("diagonal", "polynomial", 50.0, 64, 4, g)
    out = P.lr_sweep(task, "direct", 4, torch.tensor([1e-3, 1e2]), 1, 20, g)
    assert out["loss"].shape == (2, 1)
    assert not torch.isfinite(out["loss"][1]).all() or out["loss"][1] > out["initial"][1]


def test_padded_models_are_their_width():
    # A model of width 2 trained in a program padded to width 4 must be a width-2 model:
    # its kernel equals that of its live block alone (for the dense RNN the eigenbasis
    # Q = cayley(S - S^T) would otherwise mix padded units in).
    g = torch.Generator().manual_seed(3)
    for family in ("vanilla", "lru"):
        task = P.make_task(family, "polynomial", 50.0, 32, 4, g)
        params, _ = P.train_family(task, "best", [2, 4], 1, 5, 0.05, g)
        K = P.family_kernel(family, "best", params, 32)[0]
        live = {k: v[0, :2, :2] if v.dim() == 3 else v[0, :2] for k, v in params.items()}
        assert torch.allclose(P.family_kernel(family, "best", live, 32), K, atol=1e-12)


def test_held_inputs_are_piecewise_constant_with_the_mean_hold():
    x = P.held_inputs((4, 20000), 25.0, torch.Generator().manual_seed(0))
    assert x.shape == (4, 20000)
    switches = (x[:, 1:] != x[:, :-1]).sum()
    assert 0.9 < 4 * 19999 / switches.item() / 25.0 < 1.1     # mean run length ~ hold
