import torch

from com.experiments import filtering, hardtanh_students
from com.models import kernels, residual
from com.stability.linearisation import realise

torch.set_default_dtype(torch.float64)


def _students():
    """Two teachers' students of widths 1 and 3 (padded units inert), modes <= 1."""
    delta = torch.tensor([[[0.3, 1.0, 1.0], [0.05, 0.4, 0.9]],
                          [[0.6, 1.0, 1.0], [0.02, 0.2, 1.0]]])
    g = torch.tensor([[[0.7, 0.0, 0.0], [0.2, -0.5, 0.3]],
                      [[0.4, 0.0, 0.0], [0.05, 0.6, 0.0]]])
    return {"delta": delta, "g": g, "live": torch.tensor([[1.0, 0, 0], [1, 1, 1]])}


def _inputs(seed, N=4, T=150):
    return 0.3 * torch.randn(N, T, generator=torch.Generator().manual_seed(seed))


def test_in_its_linear_range_a_hardtanh_student_is_the_linear_student():
    st, x = _students(), _inputs(0)
    kappa = hardtanh_students.split(st, x, 0.9)
    delta, g, widths = hardtanh_students._flat(st)
    y = hardtanh_students.outputs(realise(delta, g, kappa, diagonal=True), widths, x)
    K = filtering.kernels(st, x.shape[-1]).flatten(0, 1)                   # (n W, T)
    assert torch.allclose(y, kernels.convolve(K[:, None], x), atol=1e-12)


def test_split_puts_the_largest_preactivation_on_the_training_inputs_at_the_corner():
    st, x = _students(), _inputs(1)
    for corner in (0.5, 1.0, 1.5):
        kappa = hardtanh_students.split(st, x, corner)
        delta, g, _ = hardtanh_students._flat(st)
        x1 = torch.cat([x, torch.zeros_like(x[:, :1])], -1)[..., None]
        top = residual.extremes(realise(delta, g, kappa, diagonal=True), x1, "linear", 1.0)
        assert torch.allclose(top["z"].amax(-1), torch.full((4,), corner), rtol=1e-12)


def test_past_the_runaway_radius_a_unit_runs_away_and_an_oscillating_one_is_held():
    x = torch.ones(1, 3000, 1)
    for w, runs in ((0.02 - 0.9 * 0.02, False), (0.02 - 1.1 * 0.02, True), (2.5, False)):
        p = {"W": torch.tensor([[-w]]), "U": torch.tensor([[[0.5]]]),
             "b": torch.zeros(1, 1), "c": torch.ones(1, 1)}
        h = residual.rnn(p, x, "hardtanh", 1.0)[0, 0]
        assert (h[-1].abs() > 1000) == runs, w
    r = hardtanh_students.runaway_radius(torch.tensor([[0.3, 0.02, 1.0], [-0.1, 0.5, 1.0]]),
                                         torch.tensor([[1.0, 2.0, 0.0], [1.0, 1.0, 0.0]]))
    assert torch.equal(r, torch.tensor([0.02, 0.0]))


def test_evaluate_in_range_gives_the_linear_students_verdict_inputs():
    st, x = _students(), _inputs(2)
    teacher = filtering.kernels({"delta": st["delta"][:, 1:], "g": 1.05 * st["g"][:, 1:],
                                 "live": st["live"][1:]}, 150)[:, 0]      # (n, T)
    y = kernels.convolve(teacher[:, None], x)                            # (n, N, T)
    hard = hardtanh_students.evaluate(st, x, x, y, 0.1, 0.9)
    lin = filtering.evaluate(st, x, y, 0.1)
    assert torch.allclose(hard["E0"], lin["E0"], atol=1e-12)
    assert torch.allclose(hard["radius"], lin["radius"], atol=1e-12)
    assert (hard["preactivation"] <= 0.9 + 1e-12).all()
    past = hardtanh_students.evaluate(st, x, x, y, 0.1, 2.0)
    assert (past["preactivation"] > 1).all()                          # the clip acts
    assert (past["E0"][:, 1] > 2 * lin["E0"][:, 1]).all()             # and costs accuracy
