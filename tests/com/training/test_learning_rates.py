import torch

from com.models import families
from com.training import learning_rates, tasks
from com.training.loss import white_noise_loss


def test_direct_diverges_at_a_huge_rate():
    g = torch.Generator().manual_seed(0)
    task = tasks.make_task("diagonal", "polynomial", 50.0, 64)
    out = learning_rates.train_at_rates(task, "direct", 4, torch.tensor([1e-3, 1e2]), 1, 20, g)
    assert out["loss"].shape == (2, 1)
    assert not torch.isfinite(out["loss"][1]).all() or out["loss"][1] > out["initial"][1]


def test_one_rate_per_model_is_torch_adam_at_each_rate():
    """The written-out Adam (one step size per model in one program) takes the steps
    torch.optim.Adam takes for each model alone at its own rate."""
    task = tasks.make_task("diagonal", "polynomial", 50.0, 64)
    lrs = torch.tensor([1e-3, 3e-2])
    state = torch.Generator().manual_seed(7).get_state()
    ours = learning_rates.train_at_rates(task, "exp", 3, lrs, 1, 15,
                                         torch.Generator().set_state(state))
    start = families.init_family("diagonal", "exp", 2, 3, torch.Generator().set_state(state))
    for i, lr in enumerate(lrs):
        p = {k: v[i:i + 1].clone().requires_grad_() for k, v in start.items()}
        opt = torch.optim.Adam(list(p.values()), lr=float(lr))

        def closed():
            K = families.family_kernel("diagonal", "exp", p, task.grid)
            return white_noise_loss(task.target, K, task.weights)
        for _ in range(15):
            opt.zero_grad()
            closed().sum().backward()
            opt.step()
        with torch.no_grad():
            assert torch.allclose(ours["loss"][i], closed(), rtol=1e-9, atol=1e-14)
