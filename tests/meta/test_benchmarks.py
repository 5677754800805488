"""Smoke test of the benchmark code at tiny sizes (the timings themselves are not tested)."""
import json

import pytest
import torch

from benchmarks import __main__ as cli
from benchmarks import linear_epoch
from com.approximation.grids import lag_weights


def test_quick_run_writes_rows(tmp_path):
    assert cli.main(["--quick", "--only", "1,2,3,5", "--threads", "1", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "bench.json").read_text())
    assert [r["workload"][:2] for r in rows] == ["1.", "2.", "3.", "3b", "3c", "5."]
    for r in rows:
        assert set(r) >= {"workload", "baseline_s", "com_s", "speedup", "notes"}
        assert r["baseline_s"] > 0 and r["com_s"] > 0
        assert r["speedup"] == pytest.approx(r["baseline_s"] / r["com_s"])
    assert "| workload |" in (tmp_path / "bench.md").read_text()


def test_agreement_check_catches_a_wrong_closed_form():
    """Dropping the lag weights biases the closed-form loss: the check must notice."""
    cfg = linear_epoch.QUICK
    T, batch = cfg["T"], 64
    rho, v = linear_epoch.target(T), linear_epoch.time_weights(T)
    p = linear_epoch.init_params(cfg["m"])
    data = linear_epoch.make_data(16 * batch, T, rho, torch.Generator().manual_seed(1))
    ok = linear_epoch.check(p, rho, v, lag_weights(T, v), data, batch)
    assert ok["loss_z"] < 5
    with pytest.raises(AssertionError):
        linear_epoch.check(p, rho, v, torch.ones(T) / T, data, batch)


def test_time_loop_kernel_matches_convolution():
    p = linear_epoch.init_params(4)
    x = torch.randn(3, 12, generator=torch.Generator().manual_seed(2))
    from com.models import kernels
    y = kernels.convolve(linear_epoch.kernel(p, 12), x)
    assert torch.allclose(linear_epoch.loop_outputs(p, x), y, rtol=1e-10, atol=1e-12)


def test_ball_sample_puts_every_tensor_on_the_sphere():
    from benchmarks.perturbation import ball_sample
    g = torch.Generator().manual_seed(0)
    p = {"w": torch.randn(4, generator=g), "c": torch.randn(4, generator=g)}
    out = ball_sample(p, torch.tensor([0.25, 0.5, 0.5]), g)
    for k in p:
        assert out[k].shape == (3, 4)
        assert torch.allclose((out[k] - p[k]).norm(dim=-1), torch.tensor([0.25, 0.5, 0.5]))
