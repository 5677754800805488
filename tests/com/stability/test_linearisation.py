import torch

from com.models import kernels, residual
from com.stability import linearisation


def test_radius_of_a_normal_matrix_is_the_distance_to_the_circle():
    W = torch.diag(torch.tensor([-0.3, -1e-3, -1.2]))[None]
    assert abs(float(linearisation.complex_radius(W)) - 1e-3) < 1e-9
    assert float(linearisation.complex_radius(torch.diag(torch.tensor([0.01])))) == 0.0


def test_radius_agrees_with_a_search_over_perturbations():
    """A non-normal J: the rank-one perturbation at the minimising theta puts an
    eigenvalue on the circle; no random perturbation of 0.95 r does."""
    gen = torch.Generator().manual_seed(0)
    W = torch.tensor([[-0.2, 3.0], [0.0, -0.3]])
    r = float(linearisation.complex_radius(W))
    J = torch.eye(2) + W
    theta = torch.linspace(0, torch.pi, 20001)
    s = torch.stack([torch.linalg.svdvals(torch.exp(1j * t) * torch.eye(2) - J)[-1] for t in theta])
    assert abs(float(s.min()) - r) < 1e-6
    k = int(s.argmin())
    U, S, Vh = torch.linalg.svd(torch.exp(1j * theta[k]) * torch.eye(2) - J.to(torch.complex128))
    D = S[-1] * U[:, -1:] @ Vh[-1:, :]                          # |D|_2 = r
    assert abs(float(torch.linalg.eigvals(J + D).abs().max()) - 1) < 1e-6
    for _ in range(2000):
        P = torch.randn(2, 2, dtype=torch.complex128, generator=gen)
        P = 0.95 * r * P / torch.linalg.matrix_norm(P, 2)
        assert float(torch.linalg.eigvals(J + P).abs().max()) < 1


def test_realised_hardtanh_rnn_is_the_linear_one():
    gen = torch.Generator().manual_seed(0)
    delta = torch.tensor([[0.5, 0.01, 1e-6]])
    g = torch.tensor([[0.5, 0.3, 0.2]])
    p = linearisation.realise(delta, g, kappa=2.0)
    x = 2 * torch.rand(4, 300, 1, generator=gen) - 1
    y = residual.rnn(p, x, "hardtanh", 1.0)
    t = torch.arange(300, dtype=torch.float64)
    K = (g[0, :, None] * (1 - delta[0, :, None]) ** t).sum(0)
    shifted = torch.cat([torch.zeros(4, 1), x[:, :-1, 0]], -1)
    assert torch.allclose(y[0], kernels.convolve(K, shifted), atol=1e-12)


def _mode(delta, gain, x):
    """Run v' = (1 - delta) v + gain x from rest; the pre-activations -delta v + gain x."""
    v, z = torch.zeros(()), []
    for xk in x:
        z.append(-delta * v + gain * xk)
        v = (1 - delta) * v + gain * xk
    return torch.stack(z)


def test_preactivation_bound_holds_and_is_attained():
    """The bound is a sup over inputs: the worst input (charge the state, then flip the
    sign; for delta > 1, alternate) comes within 1% of it, random inputs stay below."""
    gen = torch.Generator().manual_seed(0)
    for delta in (0.05, 0.5, 1.0, 1.5):
        bound = float(linearisation.preactivation(torch.tensor(delta), torch.tensor(0.3)))
        k = torch.arange(2000)
        worst = torch.where(k < 1999, 1.0, -1.0) if delta <= 1 else \
            torch.where(k % 2 == 0, 1.0, -1.0) * (-1) ** 1999
        assert float(_mode(delta, 0.3, worst.double()).abs().max()) > 0.99 * bound
        for _ in range(5):
            x = 2 * torch.rand(2000, generator=gen, dtype=torch.float64) - 1
            assert float(_mode(delta, 0.3, x).abs().max()) <= bound * (1 + 1e-12)
    edge = linearisation.preactivation(torch.tensor([0.0, 2.0, 1e-30, 0.0]),
                                       torch.tensor([1.0, 1.0, 1.0, 0.0]))
    assert edge[0] == edge[1] == float("inf") and edge[2] == 2.0 and edge[3] == 0.0


def test_realise_keeps_signed_weights_and_per_unit_scales():
    """A negative weight g_i is realised (c carries its sign), kappa may differ per
    unit, and W may be given as its diagonal: the kernel is sum_i g_i (1 - delta_i)^t."""
    delta = torch.tensor([[0.5, 0.05, 0.2]])
    g = torch.tensor([[0.5, -0.3, 0.2]])
    x = 0.1 * torch.randn(3, 200, 1, generator=torch.Generator().manual_seed(2))
    t = torch.arange(200, dtype=torch.float64)
    K = (g[0, :, None] * (1 - delta[0, :, None]) ** t).sum(0)
    shifted = torch.cat([torch.zeros(3, 1), x[:, :-1, 0]], -1)
    for kappa, diagonal in ((3.0, False), (torch.tensor([[1.0, 4.0, 2.0]]), True)):
        p = linearisation.realise(delta, g, kappa, diagonal)
        assert p["W"].shape == ((1, 3) if diagonal else (1, 3, 3))
        y = residual.rnn(p, x, "linear", 1.0)
        assert torch.allclose(y[0], kernels.convolve(K, shifted), atol=1e-12)
