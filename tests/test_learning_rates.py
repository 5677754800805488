import torch

from com import learning_rates, tasks


def test_direct_diverges_at_a_huge_rate():
    g = torch.Generator().manual_seed(0)
    task = tasks.make_task("diagonal", "polynomial", 50.0, 64, 4, g)
    out = learning_rates.sweep(task, "direct", 4, torch.tensor([1e-3, 1e2]), 1, 20, g)
    assert out["loss"].shape == (2, 1)
    assert not torch.isfinite(out["loss"][1]).all() or out["loss"][1] > out["initial"][1]
