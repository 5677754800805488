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


def test_adam_step_with_weight_decay_is_torch_adamw_at_each_rate():
    """adam_step with decoupled weight decay takes the steps torch.optim.AdamW takes for
    each model alone at its own rate."""
    g = torch.Generator().manual_seed(4)
    start = {"w": torch.randn(2, 3, generator=g), "B": torch.randn(2, 3, 2, generator=g)}
    target = torch.randn(2, 3, generator=g)
    lr, wd = torch.tensor([1e-2, 3e-1]), 0.05

    def loss_of(p, tgt=target):
        return ((p["w"] - tgt) ** 2).sum(-1) + (p["B"] ** 4).sum((-1, -2))
    ours = {k: v.clone().requires_grad_() for k, v in start.items()}
    mom = {k: torch.zeros_like(v) for k, v in ours.items()}
    sq = {k: torch.zeros_like(v) for k, v in ours.items()}
    for step in range(1, 8):
        grads = dict(zip(ours, torch.autograd.grad(loss_of(ours).sum(), list(ours.values()))))
        with torch.no_grad():
            learning_rates.adam_step(ours, grads, mom, sq, lr, step, weight_decay=wd)
    for i in range(2):
        p = {k: v[i:i + 1].clone().requires_grad_() for k, v in start.items()}
        opt = torch.optim.AdamW(list(p.values()), lr=float(lr[i]), weight_decay=wd)
        for _ in range(7):
            opt.zero_grad()
            loss_of(p, target[i:i + 1]).sum().backward()
            opt.step()
        for k in p:
            assert torch.allclose(ours[k][i:i + 1], p[k], rtol=1e-12, atol=1e-14), k


def test_lr_range_is_the_longest_run_where_every_repeat_trains():
    ok = torch.tensor([[[1, 1], [1, 1], [0, 1], [1, 1]],
                       [[0, 0], [1, 1], [1, 1], [1, 1]],
                       [[0, 1], [0, 0], [1, 0], [0, 0]]], dtype=torch.bool)
    lrs = [1e-3, 1e-2, 1e-1, 1.0]
    assert learning_rates.lr_range(ok, lrs) == [(1e-3, 1e-2), (1e-2, 1.0), None]
