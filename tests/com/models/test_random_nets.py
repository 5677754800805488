import pytest
import torch

from com.models import random_nets


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_batched_networks_equal_torch_nn_with_the_same_weights(kind):
    gen = torch.Generator().manual_seed(0)
    p = random_nets.init(kind, 2, 5, 3, gen)
    x = torch.randn(4, 30, 1, generator=gen)
    y = random_nets.run(p, x)                                             # (3, 4, 30)
    for j in range(3):
        net = getattr(torch.nn, kind)(1, 5, num_layers=2, batch_first=True).double()
        with torch.no_grad():
            for k, layer in enumerate(p["layers"]):
                for name, value in layer.items():
                    getattr(net, f"{name.replace('W', 'weight').replace('b_', 'bias_')}_l{k}") \
                        .copy_(value[j])
            ref = net(x)[0] @ p["r"][j]
        assert torch.allclose(y[j], ref, atol=1e-12)


def test_initialisation_follows_torch_bounds():
    p = random_nets.init("LSTM", 1, 16, 50, torch.Generator().manual_seed(1))
    w = p["layers"][0]["W_hh"]
    assert w.shape == (50, 64, 16) and float(w.abs().max()) <= 0.25
    assert float(w.abs().max()) > 0.24                 # the whole range is used
