import torch

from com.models import kernels, ssm


def test_kernel_equals_the_discretised_recurrence():
    """The closed form against the ZOH recurrence x_{l+1} = Abar x_l + Bbar u_l run on
    an impulse, and the slowest mode's rate against the kernel's tail."""
    gen = torch.Generator().manual_seed(0)
    for kind in ssm.INITS:
        p = ssm.s4d_init(2, 8, gen, kind, (1e-2, 1e-1))
        K = ssm.s4d_kernel(p, 300)
        Abar = torch.exp(p["dt"][:, None] * p["A"])
        Bbar = (Abar - 1) / p["A"] * p["B"]
        x, ys = Bbar.clone(), []                         # state after the impulse
        for _ in range(300):
            ys.append(2 * (p["C"] * x).sum(-1).real)
            x = Abar * x
        assert torch.allclose(K, torch.stack(ys, -1), atol=1e-12)
    p = ssm.s4d_init(1, 4, gen, "lin", (0.05, 0.05))
    K = ssm.s4d_kernel(p, 4000).abs()
    env = torch.stack([K[0, s:s + 200].max() for s in (2000, 3500)])
    rate = float(torch.log(env[0] / env[1]) / 1500)
    slowest = float(p["dt"] * (-p["A"].real).amin(-1))   # min_n dt |Re A_n|
    assert abs(rate / slowest - 1) < 0.05


def test_orthogonal_is_orthogonal_and_turns_at_most_four_beta():
    g = torch.Generator().manual_seed(4)
    S, D = torch.randn(2, 7, 7, generator=g)
    Q = ssm.orthogonal(S)
    assert torch.allclose(Q @ Q.T, torch.eye(7), atol=1e-12)
    beta = 1e-3
    D = beta * D / torch.linalg.matrix_norm(D, ord=2)
    assert torch.linalg.matrix_norm(ssm.orthogonal(S + D) - Q, ord=2) <= 4 * beta * (1 + 1e-6)


def test_vanilla_kernel_is_the_dense_kernel_of_its_symmetric_matrix():
    g = torch.Generator().manual_seed(2)
    m, T = 6, 40
    Q = ssm.orthogonal(torch.randn(m, m, generator=g))
    lam = torch.rand(m, generator=g)
    b, c = torch.randn(m, generator=g), torch.randn(m, generator=g)
    A = Q @ torch.diag(lam) @ Q.T
    dense = kernels.dense_kernel(A, b - A @ b, c, T)                # c^T A^s (I - A) b
    assert torch.allclose(ssm.vanilla_kernel(Q, lam, b, c, T), dense, atol=1e-12)


def test_layerwise_ssm_is_its_recurrence():
    """Two layers of h_t = lam h_{t-1} + (1 - lam) u_t, z = tanh(h), run in time, equal
    the FFT version (first layer from b x, second from M z)."""
    g = torch.Generator().manual_seed(8)
    S, N, m, T = 2, 3, 4, 30
    x = torch.randn(N, T, generator=g)
    lams = [torch.rand(S, m, generator=g) * 1.8 - 0.9 for _ in range(2)]
    b, c = torch.randn(S, m, generator=g), torch.randn(S, m, generator=g)
    M = torch.randn(S, m, m, generator=g)
    y = ssm.layerwise_ssm(x, lams, b, [M], c)
    u, z = b[:, None, :, None] * x[None, :, None, :], None         # (S, N, m, T)
    for layer, lam in enumerate(lams):
        if layer:
            u = torch.einsum("sij,snjt->snit", M, z)
        h, zs = torch.zeros(S, N, m), []
        for t in range(T):
            h = lam[:, None] * h + (1 - lam[:, None]) * u[..., t]
            zs.append(torch.tanh(h))
        z = torch.stack(zs, -1)
    assert torch.allclose(y, torch.einsum("si,snit->snt", c, z), atol=1e-12)


def test_s4d_kernel_is_the_sum_over_its_discretised_modes():
    g = torch.Generator().manual_seed(3)
    p = ssm.s4d_init(2, 6, g)
    K = ssm.s4d_kernel(p, 9)
    dtA = p["dt"][:, None] * p["A"]
    Bbar = torch.expm1(dtA) / p["A"] * p["B"]
    want = torch.stack([2 * (p["C"] * Bbar * torch.exp(dtA) ** ell).sum(-1).real
                        for ell in range(9)], -1)
    assert torch.allclose(K, want, rtol=1e-10, atol=1e-14)
