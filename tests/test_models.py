import pytest
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


def test_residual_rnn_matches_single_models_and_linear_kernel():
    g = torch.Generator().manual_seed(5)
    n, m, d, N, T, dt = 3, 4, 2, 5, 9, 0.5
    p = {"W": -torch.eye(m) + 0.2 * torch.randn(n, m, m, generator=g),
         "U": torch.randn(n, m, d, generator=g), "b": 0.1 * torch.randn(n, m, generator=g),
         "c": torch.randn(n, m, generator=g)}
    p["W"][0, 3, :] = 0
    p["W"][0, :, 3] = 0
    p["U"][0, 3] = 0
    p["b"][0, 3] = 0
    p["c"][0, 3] = 0
    x = torch.randn(N, T, d, generator=g)
    y = models.residual_rnn(p, x, "tanh", dt)
    assert y.shape == (n, N, T)
    for i in range(n):                                         # reference: one model, explicit loop
        h, ref = torch.zeros(N, m), []
        for k in range(T):
            ref.append(h @ p["c"][i])
            h = h + dt * torch.tanh(h @ p["W"][i].T + x[:, k] @ p["U"][i].T + p["b"][i])
        assert torch.allclose(y[i], torch.stack(ref, -1), atol=1e-12)
    small = {k: v[:1, :3, :3] if k == "W" else v[:1, :3] for k, v in p.items()}
    # padding inert
    assert torch.allclose(models.residual_rnn(small, x, "tanh", dt), y[:1], atol=1e-12)
    lin = dict(p, b=torch.zeros(n, m))
    x1 = torch.randn(N, T, 1, generator=g)
    lin["U"] = p["U"][..., :1]
    A = torch.eye(m) + dt * lin["W"]              # y_k = sum_{s>=1} dt c^T A^{s-1} U x_{k-s}
    K = dt * models.dense_kernel(A, lin["U"][..., 0], lin["c"], T - 1)
    K = torch.cat([torch.zeros(n, 1), K], -1)
    assert torch.allclose(models.residual_rnn(lin, x1, "linear", dt),
                          models.convolve(K[:, None], x1[..., 0]), atol=1e-10)
    with pytest.raises(ValueError, match="sigma"):
        models.residual_rnn(p, x, "relu6", dt)


def test_residual_kernels_match_recurrence_and_tail_bound_holds():
    g = torch.Generator().manual_seed(6)
    p, mask = models.residual_init([3, 5], 1, g)
    p["c"] = torch.randn(2, 5, generator=g) * mask["c"]
    p["W"] = p["W"] + 0.05 * torch.randn(2, 5, 5, generator=g) * mask["W"]
    x = torch.randn(4, 64, 1, generator=g)
    K, tail = models.residual_kernel(p, 64, 0.5, mask["c"])
    y = models.residual_rnn(p, x, "linear", 0.5)
    assert torch.allclose(y, models.convolve(K[:, None, :64], x[..., 0]), atol=1e-12)
    K_long, _ = models.residual_kernel(p, 4096, 0.5, mask["c"])
    assert torch.all(K_long[:, 65:].abs().sum(-1) <= tail + 1e-15)
    w = torch.diagonal(p["W"], dim1=-2, dim2=-1)
    diag = dict(p, W=torch.diag_embed(w))
    Kd, _ = models.residual_kernel(diag, 32, 0.5, mask["c"])
    K = models.residual_diagonal_kernel(w, p["U"][..., 0], p["c"], 33, 0.5)
    assert torch.allclose(K, Kd, atol=1e-12)


def test_orthogonal_is_orthogonal_and_turns_at_most_four_beta():
    g = torch.Generator().manual_seed(4)
    S, D = torch.randn(2, 7, 7, generator=g)
    Q = models.orthogonal(S)
    assert torch.allclose(Q @ Q.T, torch.eye(7), atol=1e-12)
    beta = 1e-3
    D = beta * D / torch.linalg.matrix_norm(D, ord=2)
    assert torch.linalg.matrix_norm(models.orthogonal(S + D) - Q, ord=2) <= 4 * beta * (1 + 1e-6)
