import pytest
import torch

from com.models import kernels, ssm


def test_diagonal_kernel_batched():
    t = torch.linspace(0, 5, 11)
    rates = torch.tensor([[1.0, 2.0], [0.5, 3.0]])
    coeffs = torch.tensor([[1.0, -1.0], [2.0, 0.5]])
    K = kernels.diagonal_kernel(t, rates, coeffs)
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
    assert torch.allclose(kernels.dense_kernel(A, B, c, T), torch.stack(Ks), atol=1e-12)
    lam = torch.rand(m, generator=g)
    assert torch.allclose(kernels.exp_sum(c, torch.arange(float(T)), a=lam),
                          kernels.dense_kernel(torch.diag(lam), torch.ones(m), c, T), atol=1e-12)


def test_convolve_is_causal_and_exact():
    g = torch.Generator().manual_seed(1)
    K, x = torch.randn(20, generator=g), torch.randn(3, 20, generator=g)
    y = kernels.convolve(K, x)
    ref = torch.stack([torch.stack([(K[: t + 1] * x[n, : t + 1].flip(0)).sum() for t in range(20)])
                       for n in range(3)])
    assert torch.allclose(y, ref, atol=1e-12)
    x2 = x.clone()
    x2[:, 10:] += 1.0                                          # the future does not change the past
    assert torch.allclose(kernels.convolve(K, x2)[:, :10], y[:, :10], atol=1e-12)


def test_diagonal_kernel_gradient_is_autograd_of_its_formula():
    """The hand-written backward equals torch's gradcheck and autograd through
    sum_i c_i e^{-w_i t}, with an unstable mode (w < 0) cut at e^700 and broadcasting."""
    g = torch.Generator().manual_seed(7)
    t = torch.linspace(0, 5, 40, dtype=torch.float64).requires_grad_()
    w = torch.tensor([[0.5, 2.0, -0.3], [1.0, 0.1, 3.0]], dtype=torch.float64)
    c = torch.randn(3, dtype=torch.float64, generator=g)
    assert torch.autograd.gradcheck(kernels.diagonal_kernel, (t, w.requires_grad_(),
                                                             c.requires_grad_()))
    t_long = torch.tensor([0.0, 1.0, 5000.0], dtype=torch.float64)
    w2 = torch.tensor([[0.5, -0.2]], dtype=torch.float64, requires_grad=True)
    c2 = torch.tensor([[1.0, 1.0]], dtype=torch.float64, requires_grad=True)
    K = kernels.diagonal_kernel(t_long, w2, c2)
    assert torch.isfinite(K).all() and K[0, 2] == torch.exp(torch.tensor(700.0)).double()
    K.sum().backward()
    ref_w = w2.detach().clone().requires_grad_()
    ref_c = c2.detach().clone().requires_grad_()
    (ref_c[..., None] * torch.exp((-ref_w[..., None] * t_long).clamp(-700, 700))).sum().backward()
    assert torch.allclose(w2.grad, ref_w.grad) and torch.allclose(c2.grad, ref_c.grad)


def test_powers_handle_negative_modes_and_the_edge():
    t = torch.arange(5, dtype=torch.float64)
    got = kernels.powers(t, delta=torch.tensor([1.5, 1e-20, 1.0]))
    assert torch.allclose(got[0], (-0.5) ** t)
    assert torch.all(got[1] == 1.0)                       # 1 - 1e-20 rounds, log1p does not
    assert torch.allclose(got[2], torch.tensor([1.0, 0, 0, 0, 0]), rtol=0, atol=1e-300)
    with pytest.raises(ValueError, match="as delta"):
        kernels.powers(t)


def test_powers_from_a_and_from_delta_agree():
    """The one routine takes a mode as its eigenvalue a (models trained in lambda-space)
    or as delta = 1 - a; the two agree, negative modes and a = 0 included."""
    g = torch.Generator().manual_seed(0)
    lam = torch.cat([torch.rand(5, generator=g), -torch.rand(3, generator=g), torch.zeros(1)])
    t = torch.arange(40.0)
    assert torch.allclose(kernels.powers(t, a=lam), kernels.powers(t, delta=1 - lam),
                          rtol=1e-12, atol=1e-300)
    w = lam.clone().requires_grad_()                      # differentiable from a
    kernels.powers(t, a=w).sum().backward()
    assert torch.allclose(w.grad[:5], (t * lam[:5, None] ** (t - 1).clamp_min(0)).sum(-1))


def test_exp_sum_in_blocks_is_exp_sum_whole(monkeypatch):
    """The blocks only bound memory: the same values, bit for bit, for any block size."""
    g0 = torch.Generator().manual_seed(3)
    delta = torch.rand(2, 7, 5, generator=g0, dtype=torch.float64) * 1.5 + 1e-3
    g = torch.randn(2, 7, 5, generator=g0, dtype=torch.float64)
    t = torch.arange(40, dtype=torch.float64)
    whole = torch.einsum("...m,...mt->...t", g, kernels.powers(t, delta=delta))
    for chunk in (1, 200, 10 ** 9):
        monkeypatch.setattr(kernels, "CHUNK", chunk)
        assert torch.equal(kernels.exp_sum(g, t, delta=delta), whole)
    assert kernels.exp_sum(g[:0], t, delta=delta[:0]).shape == (0, 7, 40)


def test_every_exponential_sum_is_exp_sum():
    """The kernels that were written out separately (discrete diagonal, LRU-normalised,
    the linear residual RNN's diagonal kernel) are exp_sum with their weights."""
    g = torch.Generator().manual_seed(1)
    lam, c, u = torch.rand(3, 6, generator=g), torch.randn(3, 6, generator=g), \
        torch.randn(3, 6, generator=g)
    t = torch.arange(30.0)
    loop = torch.stack([(c * lam ** s).sum(-1) for s in range(30)], -1)
    assert torch.allclose(kernels.exp_sum(c, t, delta=1 - lam), loop, rtol=1e-12)
    assert torch.allclose(ssm.normalised_discrete_kernel(lam, c, 30),
                          kernels.exp_sum(c * (1 - lam), t, delta=1 - lam), rtol=1e-12)
    w, dt = -torch.rand(3, 6, generator=g), 0.5              # h' = h + dt w h + dt u x
    loop = torch.stack([dt * (c * u * (1 + dt * w) ** s).sum(-1) for s in range(29)], -1)
    assert torch.allclose(dt * kernels.exp_sum(c * u, t[:-1], delta=-dt * w), loop, rtol=1e-12)


def test_powers_of_a_complex_log_are_the_complex_powers_cut_at_700():
    t = torch.arange(6, dtype=torch.float64)
    log = torch.complex(torch.tensor([-0.3, 0.1]), torch.tensor([0.5, -2.0]))
    want = torch.exp(log)[:, None] ** t                                   # lambda^t
    assert torch.allclose(kernels.powers(t, log=log), want, rtol=1e-12)
    real = torch.tensor([-0.7, 0.2])
    assert torch.allclose(kernels.powers(t, log=real), kernels.powers(t, a=torch.exp(real)),
                          rtol=1e-12)
    huge = kernels.powers(torch.tensor([0.0, 1e4]), log=torch.complex(
        torch.tensor([1.0]), torch.tensor([0.0])))
    assert huge[0, 1].real == torch.exp(torch.tensor(700.0)).double()       # finite
    with pytest.raises(ValueError, match="one of them"):
        kernels.powers(t, a=real, log=real)

