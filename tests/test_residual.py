import pytest
import torch

from com import models, residual


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
    y = residual.rnn(p, x, "tanh", dt)
    assert y.shape == (n, N, T)
    for i in range(n):                                         # reference: one model, explicit loop
        h, ref = torch.zeros(N, m), []
        for k in range(T):
            ref.append(h @ p["c"][i])
            h = h + dt * torch.tanh(h @ p["W"][i].T + x[:, k] @ p["U"][i].T + p["b"][i])
        assert torch.allclose(y[i], torch.stack(ref, -1), atol=1e-12)
    small = {k: v[:1, :3, :3] if k == "W" else v[:1, :3] for k, v in p.items()}
    # padding inert
    assert torch.allclose(residual.rnn(small, x, "tanh", dt), y[:1], atol=1e-12)
    lin = dict(p, b=torch.zeros(n, m))
    x1 = torch.randn(N, T, 1, generator=g)
    lin["U"] = p["U"][..., :1]
    A = torch.eye(m) + dt * lin["W"]              # y_k = sum_{s>=1} dt c^T A^{s-1} U x_{k-s}
    K = dt * models.dense_kernel(A, lin["U"][..., 0], lin["c"], T - 1)
    K = torch.cat([torch.zeros(n, 1), K], -1)
    assert torch.allclose(residual.rnn(lin, x1, "linear", dt),
                          models.convolve(K[:, None], x1[..., 0]), atol=1e-10)
    with pytest.raises(ValueError, match="sigma"):
        residual.rnn(p, x, "relu6", dt)


def test_residual_kernels_match_recurrence_and_tail_bound_holds():
    g = torch.Generator().manual_seed(6)
    p, mask = residual.init([3, 5], 1, g)
    p["c"] = torch.randn(2, 5, generator=g) * mask["c"]
    p["W"] = p["W"] + 0.05 * torch.randn(2, 5, 5, generator=g) * mask["W"]
    x = torch.randn(4, 64, 1, generator=g)
    K, tail = residual.kernel(p, 64, 0.5, mask["c"])
    y = residual.rnn(p, x, "linear", 0.5)
    assert torch.allclose(y, models.convolve(K[:, None, :64], x[..., 0]), atol=1e-12)
    K_long, _ = residual.kernel(p, 4096, 0.5, mask["c"])
    assert torch.all(K_long[:, 65:].abs().sum(-1) <= tail + 1e-15)
    w = torch.diagonal(p["W"], dim1=-2, dim2=-1)
    diag = dict(p, W=torch.diag_embed(w))
    Kd, _ = residual.kernel(diag, 32, 0.5, mask["c"])
    K = residual.diagonal_kernel(w, p["U"][..., 0], p["c"], 33, 0.5)
    assert torch.allclose(K, Kd, atol=1e-12)
