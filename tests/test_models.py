import torch

from com import models


def test_diagonal_kernel_batched():
    t = torch.linspace(0, 5, 11)
    rates = torch.tensor([[1.0, 2.0], [0.5, 3.0]])
    coeffs = torch.tensor([[1.0, -1.0], [2.0, 0.5]])
    K = models.diagonal_kernel(t, rates, coeffs)
    assert K.shape == (2, 11)
    assert torch.allclose(K[1], 2 * torch.exp(-0.5 * t) + 0.5 * torch.exp(-3 * t))


def test_discrete_kernels_agree_with_recurrence():
    g = torch.Generator().manual_seed(0)
    m, T = 5, 37
    A = 0.3 * torch.randn(m, m, generator=g)
    B, c = torch.randn(m, generator=g), torch.randn(m, generator=g)
    h, Ks = B.clone(), []
    for _ in range(T):                                         # reference: explicit powers
        Ks.append(c @ h)
        h = A @ h
    assert torch.allclose(models.dense_kernel(A, B, c, T), torch.stack(Ks), atol=1e-12)
    lam = torch.rand(m, generator=g)
    assert torch.allclose(models.discrete_diagonal_kernel(lam, c, T),
                          models.dense_kernel(torch.diag(lam), torch.ones(m), c, T), atol=1e-12)


def test_vanilla_kernel_is_the_dense_kernel_of_its_symmetric_matrix():
    g = torch.Generator().manual_seed(2)
    m, T = 6, 40
    Q = models.orthogonal(torch.randn(m, m, generator=g))
    lam = torch.rand(m, generator=g)
    b, c = torch.randn(m, generator=g), torch.randn(m, generator=g)
    A = Q @ torch.diag(lam) @ Q.T
    dense = models.dense_kernel(A, b - A @ b, c, T)                # c^T A^s (I - A) b
    assert torch.allclose(models.vanilla_kernel(Q, lam, b, c, T), dense, atol=1e-12)


def test_continuous_dense_matches_diagonal():
    rates = torch.tensor([0.5, 1.5, 4.0])
    c = torch.tensor([1.0, -2.0, 0.5])
    dt, T = 0.1, 50
    K = models.continuous_dense_kernel(-torch.diag(rates), torch.ones(3), c, T, dt)
    assert torch.allclose(K, models.diagonal_kernel(dt * torch.arange(T), rates, c), atol=1e-12)


def test_convolve_is_causal_and_exact():
    g = torch.Generator().manual_seed(1)
    K, x = torch.randn(20, generator=g), torch.randn(3, 20, generator=g)
    y = models.convolve(K, x)
    ref = torch.stack([torch.stack([(K[: t + 1] * x[n, : t + 1].flip(0)).sum() for t in range(20)])
                       for n in range(3)])
    assert torch.allclose(y, ref, atol=1e-12)
    x2 = x.clone()
    x2[:, 10:] += 1.0                                          # the future does not change the past
    assert torch.allclose(models.convolve(K, x2)[:, :10], y[:, :10], atol=1e-12)


def test_orthogonal_is_orthogonal_and_turns_at_most_four_beta():
    g = torch.Generator().manual_seed(4)
    S, D = torch.randn(2, 7, 7, generator=g)
    Q = models.orthogonal(S)
    assert torch.allclose(Q @ Q.T, torch.eye(7), atol=1e-12)
    beta = 1e-3
    D = beta * D / torch.linalg.matrix_norm(D, ord=2)
    assert torch.linalg.matrix_norm(models.orthogonal(S + D) - Q, ord=2) <= 4 * beta * (1 + 1e-6)


def test_diagonal_kernel_gradient_is_autograd_of_its_formula():
    """The hand-written backward equals torch's gradcheck and autograd through
    sum_i c_i e^{-w_i t}, with an unstable mode (w < 0) cut at e^700 and broadcasting."""
    g = torch.Generator().manual_seed(7)
    t = torch.linspace(0, 5, 40, dtype=torch.float64).requires_grad_()
    w = torch.tensor([[0.5, 2.0, -0.3], [1.0, 0.1, 3.0]], dtype=torch.float64)
    c = torch.randn(3, dtype=torch.float64, generator=g)
    assert torch.autograd.gradcheck(models.diagonal_kernel, (t, w.requires_grad_(),
                                                             c.requires_grad_()))
    t_long = torch.tensor([0.0, 1.0, 5000.0], dtype=torch.float64)
    w2 = torch.tensor([[0.5, -0.2]], dtype=torch.float64, requires_grad=True)
    c2 = torch.tensor([[1.0, 1.0]], dtype=torch.float64, requires_grad=True)
    K = models.diagonal_kernel(t_long, w2, c2)
    assert torch.isfinite(K).all() and K[0, 2] == torch.exp(torch.tensor(700.0)).double()
    K.sum().backward()
    ref_w = w2.detach().clone().requires_grad_()
    ref_c = c2.detach().clone().requires_grad_()
    (ref_c[..., None] * torch.exp((-ref_w[..., None] * t_long).clamp(-700, 700))).sum().backward()
    assert torch.allclose(w2.grad, ref_w.grad) and torch.allclose(c2.grad, ref_c.grad)


def test_layerwise_ssm_is_its_recurrence():
    """Two layers of h_t = lam h_{t-1} + (1 - lam) u_t, z = tanh(h), run in time, equal
    the FFT version (first layer from b x, second from M z)."""
    g = torch.Generator().manual_seed(8)
    S, N, m, T = 2, 3, 4, 30
    x = torch.randn(N, T, generator=g)
    lams = [torch.rand(S, m, generator=g) * 1.8 - 0.9 for _ in range(2)]
    b, c = torch.randn(S, m, generator=g), torch.randn(S, m, generator=g)
    M = torch.randn(S, m, m, generator=g)
    y = models.layerwise_ssm(x, lams, b, [M], c)
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
