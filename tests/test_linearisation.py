import torch

from com import linearisation, models


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
    y = models.residual_rnn(p, x, "hardtanh", 1.0)
    t = torch.arange(300, dtype=torch.float64)
    K = (g[0, :, None] * (1 - delta[0, :, None]) ** t).sum(0)
    shifted = torch.cat([torch.zeros(4, 1), x[:, :-1, 0]], -1)
    assert torch.allclose(y[0], models.convolve(K, shifted), atol=1e-12)
