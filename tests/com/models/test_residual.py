import pytest
import torch

from com.models import kernels, residual


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
    K = dt * kernels.dense_kernel(A, lin["U"][..., 0], lin["c"], T - 1)
    K = torch.cat([torch.zeros(n, 1), K], -1)
    assert torch.allclose(residual.rnn(lin, x1, "linear", dt),
                          kernels.convolve(K[:, None], x1[..., 0]), atol=1e-10)
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
    assert torch.allclose(y, kernels.convolve(K[:, None, :64], x[..., 0]), atol=1e-12)
    K_long, _ = residual.kernel(p, 4096, 0.5, mask["c"])
    assert torch.all(K_long[:, 65:].abs().sum(-1) <= tail + 1e-15)
    w = torch.diagonal(p["W"], dim1=-2, dim2=-1)
    diag = dict(p, W=torch.diag_embed(w))
    Kd, _ = residual.kernel(diag, 32, 0.5, mask["c"])
    K = 0.5 * kernels.exp_sum(p["U"][..., 0] * p["c"], torch.arange(32.0), delta=-0.5 * w)
    K = torch.cat([torch.zeros(2, 1), K], -1)                   # K_0 = 0
    assert torch.allclose(K, Kd, atol=1e-12)


def test_rnn_backward_is_autograd_of_the_loop():
    """The written-out backpropagation through time equals torch's gradcheck and
    autograd through the plain loop, for every activation and both input layouts."""
    g = torch.Generator().manual_seed(11)
    n, m, d, N, T, dt = 2, 3, 2, 4, 7, 0.5

    def params():
        return {"W": 0.5 * torch.randn(n, m, m, generator=g),
                "U": torch.randn(n, m, d, generator=g),
                "b": 0.3 * torch.randn(n, m, generator=g), "c": torch.randn(n, m, generator=g)}

    def loop(p, x, act):
        h, ys = torch.zeros(n, x.shape[-3], m), []
        drive = (torch.einsum("nmd,btd->nbtm", p["U"], x) if x.dim() == 3
                 else torch.einsum("nmd,nbtd->nbtm", p["U"], x)) + p["b"][:, None, None]
        for k in range(T):
            ys.append((h * p["c"][:, None]).sum(-1))
            h = h + dt * act(h @ p["W"].transpose(1, 2) + drive[:, :, k])
        return torch.stack(ys, -1)

    for sigma in ("linear", "tanh", "hardtanh"):
        for x in (torch.randn(N, T, d, generator=g), torch.randn(n, N, T, d, generator=g)):
            p = {k: v.requires_grad_() for k, v in params().items()}
            w = torch.randn(n, N, T, generator=g)
            (residual.rnn(p, x, sigma, dt) * w).sum().backward()
            q = {k: v.detach().clone().requires_grad_() for k, v in p.items()}
            (loop(q, x, residual.ACTIVATIONS[sigma]) * w).sum().backward()
            for k in p:
                assert torch.allclose(p[k].grad, q[k].grad, atol=1e-12), (sigma, k)
    p = {k: v.requires_grad_() for k, v in params().items()}
    x = torch.randn(N, T, d, generator=g)
    assert torch.autograd.gradcheck(
        lambda W, U, b, c: residual.rnn({"W": W, "U": U, "b": b, "c": c}, x, "tanh", dt),
        (p["W"], p["U"], p["b"], p["c"]))


def test_rnn_by_width_equals_padded():
    """Bucketing padded models by their live width changes nothing: same outputs and
    gradients as the padded program, whether a width's models sit together or not."""
    g = torch.Generator().manual_seed(12)
    for widths in ([2, 4, 2, 3], [2, 2, 3, 4]):
        p, mask = residual.init(widths, 1, g)
        p["c"] = torch.randn(4, 4, generator=g) * mask["c"]
        p["W"] = p["W"] + 0.1 * torch.randn(4, 4, 4, generator=g) * mask["W"]
        x = torch.randn(5, 9, 1, generator=g)
        a = {k: v.clone().requires_grad_() for k, v in p.items()}
        b = {k: v.clone().requires_grad_() for k, v in p.items()}
        ya = residual.rnn(a, x, "tanh", 0.5)
        yb = residual.rnn(b, x, "tanh", 0.5, widths=widths)
        assert torch.allclose(ya, yb, atol=1e-13)
        (ya ** 2).sum().backward()
        (yb ** 2).sum().backward()
        for k in p:
            assert torch.allclose(a[k].grad * mask[k], b[k].grad, atol=1e-12), k
    with pytest.raises(ValueError, match="'widths'"):
        residual.rnn(p, x, "tanh", 0.5, widths=[2, 5, 2, 3])


def test_a_diagonal_w_is_its_dense_diagonal_matrix():
    """W given by its diagonal (n, m) runs the same model as diag_embed(W), outputs and
    gradients alike, also bucketed by width; ``extremes`` follows the same states."""
    g = torch.Generator().manual_seed(13)
    n, m, N, T = 3, 4, 5, 11
    p = {"W": -torch.rand(n, m, generator=g) * 1.5, "U": torch.randn(n, m, 1, generator=g),
         "b": 0.2 * torch.randn(n, m, generator=g), "c": torch.randn(n, m, generator=g)}
    x = torch.randn(N, T, 1, generator=g)
    w = torch.randn(n, N, T, generator=g)
    for sigma in ("linear", "hardtanh", "tanh"):
        a = {k: v.clone().requires_grad_() for k, v in p.items()}
        b = {k: v.clone().requires_grad_() for k, v in dict(p, W=torch.diag_embed(p["W"])).items()}
        ya, yb = residual.rnn(a, x, sigma, 1.0), residual.rnn(b, x, sigma, 1.0)
        assert torch.allclose(ya, yb, atol=1e-12), sigma
        (ya * w).sum().backward()
        (yb * w).sum().backward()
        assert torch.allclose(a["W"].grad, torch.diagonal(b["W"].grad, dim1=-2, dim2=-1),
                              atol=1e-12)
        for k in "Ubc":
            assert torch.allclose(a[k].grad, b[k].grad, atol=1e-12), (sigma, k)
    assert torch.autograd.gradcheck(
        lambda W, U, b, c: residual.rnn({"W": W, "U": U, "b": b, "c": c}, x, "hardtanh", 1.0),
        tuple(v.clone().requires_grad_() for v in p.values()))
    q = {k: v.clone() for k, v in p.items()}
    q["W"][0, 2:], q["U"][0, 2:], q["b"][0, 2:], q["c"][0, 2:] = 0, 0, 0, 0
    assert torch.allclose(residual.rnn(q, x, "hardtanh", 1.0, widths=[2, 4, 4]),
                          residual.rnn(q, x, "hardtanh", 1.0), atol=1e-13)
    top = residual.extremes(p, x, "hardtanh", 1.0)
    h, zs, hs = torch.zeros(n, N, m), [], []
    for k in range(T):                                         # reference: the plain loop
        z = p["W"][:, None] * h + x[None, :, k] * p["U"][:, None, :, 0] + p["b"][:, None]
        zs.append(z.abs().amax(1))
        hs.append(h.abs().amax(1))
        h = h + torch.nn.functional.hardtanh(z)
    assert torch.allclose(top["z"], torch.stack(zs).amax(0), atol=1e-13)
    assert torch.allclose(top["h"], torch.stack(hs).amax(0), atol=1e-13)
