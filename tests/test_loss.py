import torch

from com import loss, models


def test_lag_weights_uniform_and_weighted():
    assert torch.allclose(loss.lag_weights(4), torch.tensor([4, 3, 2, 1]) / 4)
    v = torch.tensor([1.0, 2.0, 0.0])
    assert torch.allclose(loss.lag_weights(3, v), torch.tensor([5.0, 4.0, 0.0]) / 3)


def test_quadrature_weights_integrate_exactly_linear():
    t = torch.tensor([0.0, 0.5, 2.0, 5.0])
    assert torch.isclose((loss.quadrature_weights(t) * (3 * t + 1)).sum(), torch.tensor(42.5))


def test_closed_form_equals_exact_expectation():
    # E over white noise = average over an orthonormal basis of input sequences:
    # use all unit impulses (variance 1) -> exact expectation, no sampling error.
    g = torch.Generator().manual_seed(0)
    T = 12
    rho, K = torch.randn(T, generator=g), torch.randn(T, generator=g)
    v = torch.rand(T, generator=g)
    eye = torch.eye(T) * T ** 0.5                              # T impulses, E[x_t^2] = 1
    mc = loss.sampled_loss(rho, K, eye, v).mean()
    assert torch.isclose(mc, loss.white_noise_loss(rho, K, loss.lag_weights(T, v)))


def test_white_noise_loss_batched():
    K = torch.zeros(3, 5)
    rho = torch.ones(5)
    assert torch.allclose(loss.white_noise_loss(rho, K, torch.ones(5), sigma2=2.0),
                          torch.full((3,), 10.0))


def test_sampled_loss_uses_convolution():
    x = torch.randn(4, 16, generator=torch.Generator().manual_seed(2))
    rho, K = torch.randn(16), torch.zeros(16)
    y = models.convolve(rho, x)
    assert torch.allclose(loss.sampled_loss(rho, K, x), (y ** 2).mean(-1))
