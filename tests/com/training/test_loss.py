import torch

from com import memory
from com.approximation.grids import lag_weights
from com.models import kernels
from com.training import loss


def test_closed_form_equals_exact_expectation():
    # E over white noise = average over an orthonormal basis of input sequences:
    # use all unit impulses (variance 1) -> exact expectation, no sampling error.
    g = torch.Generator().manual_seed(0)
    T = 12
    rho, K = torch.randn(T, generator=g), torch.randn(T, generator=g)
    v = torch.rand(T, generator=g)
    eye = torch.eye(T) * T ** 0.5                              # T impulses, E[x_t^2] = 1
    mc = loss.sampled_loss(rho, K, eye, v).mean()
    assert torch.isclose(mc, loss.white_noise_loss(rho, K, lag_weights(T, v)))


def test_white_noise_loss_batched():
    K = torch.zeros(3, 5)
    rho = torch.ones(5)
    assert torch.allclose(loss.white_noise_loss(rho, K, torch.ones(5), sigma2=2.0),
                          torch.full((3,), 10.0))


def test_sampled_loss_uses_convolution():
    x = torch.randn(4, 16, generator=torch.Generator().manual_seed(2))
    rho, K = torch.randn(16), torch.zeros(16)
    y = kernels.convolve(rho, x)
    assert torch.allclose(loss.sampled_loss(rho, K, x), (y ** 2).mean(-1))


def test_monte_carlo_loss_matches_closed_form():
    g = torch.Generator().manual_seed(0)
    dt = 0.2
    t = torch.arange(0.0, 10.0, dt)
    rho = memory.bump(3.0).kernel(t)
    K = kernels.diagonal_kernel(t, torch.tensor([0.5]), torch.tensor([0.3]))
    mc = loss.monte_carlo_loss(rho, K, dt, 20000, g)
    mean, half = loss.mean_interval(mc, 4.0)
    closed = float(loss.white_noise_loss(rho, K, dt * lag_weights(t.shape[0])))
    assert abs(mean - closed) <= half < 0.05 * closed


def test_cross_entropy_is_torch_s_for_each_model():
    g = torch.Generator().manual_seed(2)
    z, y = torch.randn(3, 6, 10, generator=g), torch.randint(0, 10, (6,), generator=g)
    want = torch.stack([torch.nn.functional.cross_entropy(zz, y) for zz in z])
    assert torch.allclose(loss.cross_entropy(z, y), want, rtol=1e-12)
