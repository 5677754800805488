import torch

from com.experiments import filtering
from com.models import kernels
from com.stability import linearisation

torch.set_default_dtype(torch.float64)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def _students(n=2, widths=(2, 3), seed=0):
    return filtering.init_students(n, list(widths), _gen(seed), (0.1, 0.9))


def test_quadratic_loss_equals_the_loss_of_the_convolution():
    g = _gen(2)
    x = torch.randn(5, 40, generator=g)
    y = torch.randn(2, 5, 40, generator=g)
    mom = filtering.lagged_moments(x, y)
    st = _students()
    with torch.no_grad():
        Q, q = filtering.normal_equations(st["delta"], st["live"], mom)
        st["g"] = filtering.best_weights(Q, q, st["live"])
        loss = filtering.relative_loss(st, mom)
    K = filtering.kernels(st, 40)                                      # (n, W, T)
    direct = ((kernels.convolve(K[:, :, None], x) - y[:, None]) ** 2).sum((-1, -2)) \
        / (y ** 2).sum((-1, -2))[:, None]
    assert torch.allclose(loss, direct, rtol=1e-9, atol=1e-12)
    assert not st["g"][:, 0, 2:].any()                                 # padded: inert


def test_best_weights_minimise_the_loss():
    g = _gen(3)
    x = torch.randn(4, 30, generator=g)
    y = torch.randn(1, 4, 30, generator=g)
    mom = filtering.lagged_moments(x, y)
    st = _students(1, (3,))
    with torch.no_grad():
        Q, q = filtering.normal_equations(st["delta"], st["live"], mom)
        best = filtering.best_weights(Q, q, st["live"])

    def loss(w):
        return float((w @ Q[0, 0] @ w - 2 * w @ q[0, 0]))
    for _ in range(5):
        assert loss(best[0, 0]) <= loss(best[0, 0] + 1e-3 * torch.randn(3, generator=g))


def test_training_recovers_a_linear_teacher():
    g = _gen(4)
    x = torch.randn(16, 64, generator=g)
    K = kernels.exp_sum(torch.tensor([1.0, -0.5]), torch.arange(64.0),
                        delta=torch.tensor([0.1, 0.5]))
    y = kernels.convolve(K, x)[None]                                    # (1, N, T)
    st = filtering.init_students(1, [1, 2, 4], _gen(5), (0.2, 0.9))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                  # tiny tensors: a second thread only waits
    try:
        filtering.train(st, filtering.lagged_moments(x, y), 300, 0.02)
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        final = filtering.relative_loss(st, filtering.lagged_moments(x, y))
    assert final[0, 1] < 1e-8 and final[0, 2] < 1e-8
    assert final[0, 0] > 1e-4                                          # one mode cannot
    assert abs(filtering.blowup_radius(st)[0, 1] - 0.1) < 1e-4


def test_narrower_replaces_worse_and_unstable_students():
    st = _students(1, (1, 2, 3))
    st["g"] = torch.ones(1, 3, 3) * st["live"]
    before = st["delta"].detach().clone()
    loss = torch.tensor([[0.5, 0.7, torch.inf]])
    filtering.narrower(st, loss)
    d = st["delta"].detach()
    assert torch.equal(d[0, 1], torch.tensor([before[0, 0, 0], 1.0, 1.0]))
    assert torch.equal(d[0, 2], d[0, 1])
    assert torch.equal(st["g"][0, 2], torch.tensor([1.0, 0.0, 0.0]))
    assert torch.equal(loss, torch.tensor([[0.5, 0.5, 0.5]]))


def test_prune_drops_a_weightless_mode_near_the_edge_and_moves_the_error_little():
    st = {"delta": torch.tensor([[[0.5, 1e-3]]]), "g": torch.tensor([[[1.0, 1e-9]]]),
          "live": torch.ones(1, 2)}
    g = _gen(6)
    x = torch.randn(3, 200, generator=g)
    y = kernels.convolve(kernels.exp_sum(torch.tensor([1.0]), torch.arange(200.0),
                                         delta=torch.tensor([0.45])), x)[None]
    err = filtering.sup_error(st, x, y)
    scale = y.abs().amax((-1, -2)) / x.abs().max()
    out = filtering.prune(st, err, scale, 0.1)
    assert out["g"][0, 0, 1] == 0 and out["delta"][0, 0, 1] == 1
    assert out["g"][0, 0, 0] == 1
    assert filtering.sup_error(out, x, y) <= err * 1.1
    assert filtering.blowup_radius(out)[0, 0] == 0.5
    assert abs(filtering.blowup_radius(st)[0, 0] - 1e-3) < 1e-12


def test_blowup_radius_is_the_complex_stability_radius():
    delta = torch.tensor([[[0.3, 1.7, 0.05], [0.2, 1.95, 0.6]]])
    st = {"delta": delta, "live": torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])}
    r = filtering.blowup_radius(st)
    assert torch.allclose(r, torch.tensor([[0.3, 0.05]]))
    full = linearisation.complex_radius(torch.diag_embed(-torch.tensor([0.3, 1.7])))
    assert abs(float(full) - 0.3) < 1e-9
    st["delta"] = torch.tensor([[[0.3, -0.01, 1.0], [0.2, 2.0, 0.6]]])
    assert not filtering.blowup_radius(st).any()                       # past the edge: 0


def test_sup_error_is_relative_to_the_largest_output():
    st = {"delta": torch.tensor([[[1.0]]]), "g": torch.tensor([[[2.0]]]),
          "live": torch.ones(1, 1)}                                    # K = (2, 0, 0, ...)
    x = torch.tensor([[1.0, -1.0, 0.5]])
    y = torch.tensor([[[1.0, -2.0, 1.0]]])
    assert torch.allclose(filtering.sup_error(st, x, y), torch.tensor([[0.5]]))


def test_twins_start_from_their_partners_draw():
    st = filtering.init_students(4, [2, 3], _gen(7), (0.1, 0.9), torch.tensor([0, 1, 2, 2]))
    d = st["delta"].detach()
    assert torch.equal(d[3], d[2]) and not torch.equal(d[1], d[2])
    plain = filtering.init_students(4, [2, 3], _gen(7), (0.1, 0.9))["delta"].detach()
    assert torch.equal(d[:3], plain[:3])


def test_judge_applies_the_rule_per_teacher_and_tally_counts_by_class():
    E0 = torch.tensor([[0.01, 0.01, 0.01], [0.01, 0.01, 0.01], [0.2, 0.2, 0.01]])
    radius = torch.tensor([[0.3, 0.2, 0.2], [0.3, 0.1, 0.1], [0.5, 0.5, 0.5]])
    out = filtering.judge(E0, radius, 0.1, 2.0)
    assert out["verdict"] == ["kept", "unstable", "undecided"]
    assert out["first"] == [0, 0, 2] and out["kept"].tolist() == [True, False, False]
    tal = filtering.tally(out["verdict"], ["a", "b", "a"])
    assert tal == {"a": {"kept": 1, "unstable": 0, "undecided": 1},
                   "b": {"kept": 0, "unstable": 1, "undecided": 0}}


def test_evaluate_prunes_then_measures():
    st = {"delta": torch.tensor([[[0.5, 1e-3]]]), "g": torch.tensor([[[1.0, 1e-9]]]),
          "live": torch.ones(1, 2)}
    g = _gen(8)
    x = torch.randn(3, 200, generator=g)
    y = kernels.convolve(kernels.exp_sum(torch.tensor([1.0]), torch.arange(200.0),
                                         delta=torch.tensor([0.45])), x)[None]
    out = filtering.evaluate(st, x, y, 0.1)
    assert out["radius"][0, 0] == 0.5                                   # the weightless mode went
    assert torch.allclose(out["E0"], filtering.sup_error(out["students"], x, y))
