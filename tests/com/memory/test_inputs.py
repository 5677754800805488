import torch

from com import memory


def test_held_inputs_are_piecewise_constant_with_the_mean_hold():
    x = memory.held_inputs((4, 20000), 25.0, torch.Generator().manual_seed(0))
    assert x.shape == (4, 20000)
    switches = (x[:, 1:] != x[:, :-1]).sum()
    assert 0.9 < 4 * 19999 / switches.item() / 25.0 < 1.1     # mean run length ~ hold


def test_probe_inputs_are_held_or_kicked():
    mags = torch.tensor([0.5, 2.0])
    held = memory.probe_inputs(mags, 4, "heaviside", d=2)
    kick = memory.probe_inputs(mags, 4, "impulse")
    assert held.shape == (2, 4, 2) and torch.all(held[1] == 2.0)
    assert torch.equal(kick[:, :, 0], torch.tensor([[0.5, 0, 0, 0], [2.0, 0, 0, 0]]))
