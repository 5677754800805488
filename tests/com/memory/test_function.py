import pytest
import torch

from com import memory
from com.models import kernels


def test_memory_function_of_linear_response_is_abs_kernel():
    # y_t = sum_{s<=t} rho_s x for a held input x: differences recover |rho_{t+1}|
    rho = torch.tensor([1.0, -0.5, 0.25, -0.125])
    mags = torch.tensor([0.5, 2.0])
    outputs = mags[:, None] * torch.cumsum(rho, 0)            # (X, T)
    m = memory.memory_function(outputs, mags)
    assert torch.allclose(m, rho[1:].abs())


def test_probe_of_linear_model_is_its_kernel():
    g = torch.Generator().manual_seed(0)
    K = torch.randn(20, generator=g)
    def model(x):
        return kernels.convolve(K, x[..., 0])                           # (X, T)
    mags = torch.tensor([0.5, 2.0])
    for kind in ("heaviside", "impulse"):
        assert torch.allclose(memory.probe(model, mags, 20, kind), K[1:].abs(), atol=1e-12)
    with pytest.raises(Exception, match="probe kind"):
        memory.probe(model, mags, 20, "ramp")


def test_probes_in_one_call_equal_one_probe_per_kind():
    gen = torch.Generator().manual_seed(3)
    W = torch.randn(4, 4, generator=gen) / 3

    def model(x):                                   # a small tanh RNN with a bias
        h, ys = torch.zeros(x.shape[0], 4), []
        for k in range(x.shape[1]):
            h = torch.tanh(h @ W.T + x[:, k] + 0.1)
            ys.append(h.sum(-1))
        return torch.stack(ys, -1)

    mags = torch.tensor([0.5, 2.0])
    both = memory.probes(model, mags, 30)
    for kind in ("heaviside", "impulse"):
        assert torch.allclose(both[kind], memory.probe(model, mags, 30, kind), atol=1e-14)


def test_probes_each_magnitude_and_their_max():
    """each=True keeps every magnitude's probe; their max is the memory function. For a
    linear model every magnitude gives |K| (the probes agree exactly)."""
    g = torch.Generator().manual_seed(2)
    K = torch.randn(16, generator=g)
    mags = torch.tensor([0.1, 1.0, 10.0])
    per = memory.probes(lambda x: kernels.convolve(K, x[..., 0]), mags, 16, each=True)
    for kind in ("heaviside", "impulse"):
        assert per[kind].shape == (3, 15)
        assert torch.allclose(per[kind], K[1:].abs().expand(3, 15), atol=1e-12)
    W = torch.randn(3, 3, generator=g) / 2

    def model(x):                                   # a small tanh RNN: magnitudes differ
        h, ys = torch.zeros(x.shape[0], 3), []
        for k in range(x.shape[1]):
            h = torch.tanh(h @ W.T + x[:, k])
            ys.append(h.sum(-1))
        return torch.stack(ys, -1)
    per = memory.probes(model, mags, 20, each=True)
    top = memory.probes(model, mags, 20)
    for kind in ("heaviside", "impulse"):
        assert torch.equal(per[kind].amax(-2), top[kind])
