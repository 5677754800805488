import torch

from com import tasks


def test_held_inputs_are_piecewise_constant_with_the_mean_hold():
    x = tasks.held_inputs((4, 20000), 25.0, torch.Generator().manual_seed(0))
    assert x.shape == (4, 20000)
    switches = (x[:, 1:] != x[:, :-1]).sum()
    assert 0.9 < 4 * 19999 / switches.item() / 25.0 < 1.1     # mean run length ~ hold


def test_tasks_of_each_time():
    g = torch.Generator().manual_seed(0)
    cont = tasks.make_task("diagonal", "exponential", 50.0, 64, 4, g)
    assert cont.grid.shape == cont.target.shape == cont.weights.shape and cont.data is None
    ssm = tasks.make_task("ssm1", "polynomial", 50.0, 32, 4, g, hold=5.0)
    assert ssm.grid == 32 and ssm.target.shape == (32,)
    assert ssm.data["x"].shape == ssm.data["y"].shape == (2, 4, 32)
