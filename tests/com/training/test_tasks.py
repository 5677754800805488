import torch

from com.training import tasks


def test_tasks_of_each_time():
    g = torch.Generator().manual_seed(0)
    cont = tasks.make_task("diagonal", "exponential", 50.0, 64, 4, g)
    assert cont.grid.shape == cont.target.shape == cont.weights.shape and cont.data is None
    ssm = tasks.make_task("ssm1", "polynomial", 50.0, 32, 4, g, hold=5.0)
    assert ssm.grid == 32 and ssm.target.shape == (32,)
    assert ssm.data["x"].shape == ssm.data["y"].shape == (2, 4, 32)
