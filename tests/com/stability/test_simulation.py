import torch

from com.memory import slew
from com.models import packed
from com.stability import simulation


def test_simulation_is_the_packed_run_and_bounds_its_error():
    """The no-gradient simulation gives the packed outputs' error exactly; the held
    inputs come first and every input stays in [-1, 1]."""
    gen = torch.Generator().manual_seed(0)
    inputs = simulation.eval_inputs(60, 40, 2, 5.0, gen)
    x = inputs["x"].to(torch.float64)
    assert x.shape == (4, 60) and float(x.abs().max()) <= 1 and x[0, 0] == 1
    pk = packed.Packed.of([2, 3])
    w = {"d": torch.tensor([0.5, 0.1, 0.3, 0.05, 0.9], dtype=torch.float64),
         "u": torch.ones(5, dtype=torch.float64), "b": torch.zeros(5, dtype=torch.float64),
         "c": 0.2 * torch.ones(5, dtype=torch.float64)}
    H, _ = slew.run(slew.make(), x)
    sim = simulation.simulate(pk, w, x, H)
    y = packed.run(pk, w, x)                                             # (N, T, n)
    assert torch.allclose(sim["err"], (y - H[..., None]).abs().amax(1), atol=1e-12)
    assert sim["z"].shape == (2,) and float(sim["z"].min()) >= 1.0     # |u x| at k = 0
