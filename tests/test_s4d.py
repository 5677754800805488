import torch

from com import s4d


def test_kernel_equals_the_discretised_recurrence():
    """The closed form against the ZOH recurrence x_{l+1} = Abar x_l + Bbar u_l run on
    an impulse, and the slowest mode's rate against the kernel's tail."""
    gen = torch.Generator().manual_seed(0)
    for kind in s4d.INITS:
        p = s4d.init(2, 8, gen, kind, (1e-2, 1e-1))
        K = s4d.kernel(p, 300)
        Abar = torch.exp(p["dt"][:, None] * p["A"])
        Bbar = (Abar - 1) / p["A"] * p["B"]
        x, ys = Bbar.clone(), []                         # state after the impulse
        for _ in range(300):
            ys.append(2 * (p["C"] * x).sum(-1).real)
            x = Abar * x
        assert torch.allclose(K, torch.stack(ys, -1), atol=1e-12)
    p = s4d.init(1, 4, gen, "lin", (0.05, 0.05))
    K = s4d.kernel(p, 4000).abs()
    env = torch.stack([K[0, s:s + 200].max() for s in (2000, 3500)])
    rate = float(torch.log(env[0] / env[1]) / 1500)
    assert abs(rate / float(s4d.slowest_rate(p)) - 1) < 0.05
