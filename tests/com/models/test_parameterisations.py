import torch

from com.models import kernels
from com.models import parameterisations as P


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
            k0 = kernels.normalised_diagonal_kernel(t, P.CONTINUOUS["exp"](w), torch.ones(1))
            k1 = kernels.normalised_diagonal_kernel(t, P.CONTINUOUS["exp"](w + delta),
                                                    torch.ones(1))
            dist = torch.trapezoid((k1 - k0).abs(), t)
            assert dist <= 2 * (torch.exp(torch.tensor(abs(delta))) - 1) + 1e-3


def test_distance_maps_round_trip_near_the_edge():
    d = torch.tensor([1e-20, 1e-6, 0.3, 1.0])
    for table in (P.CONTINUOUS, P.DISCRETE):
        for name, p in table.items():
            d_ok = d[:-1] if name in ("lru", "sigmoid") else d
            back = p.to_delta(p.from_delta(d_ok))
            assert torch.allclose(back, d_ok, rtol=1e-6, atol=0), (p.time, name)


def test_eigenvalue_and_distance_maps_of_one_record_agree():
    """Each record's map in distance space is its f: delta = -f(w) (continuous) or
    1 - f(w) (discrete); discrete "direct" keeps its raw weight as a - 1 there."""
    w = torch.linspace(-2.0, 2.0, 41)
    d = torch.logspace(-6, -0.5, 20)
    for table in (P.CONTINUOUS, P.DISCRETE):
        for name, p in table.items():
            shift = 1.0 if (p.time, name) == ("discrete", "direct") else 0.0
            edge = -p.f(w) if p.time == "continuous" else 1 - p.f(w)
            assert torch.allclose(p.to_delta(w - shift), edge, rtol=1e-12, atol=1e-15), name
            lam = -d if p.time == "continuous" else 1 - d
            assert torch.allclose(p.f(p.from_delta(d) + shift), lam, rtol=1e-9), name
