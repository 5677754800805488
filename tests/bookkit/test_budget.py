import re

import pytest

from bookkit import budget, machine
from bookkit.params import BudgetError

MACHINE = machine.Machine(memory=1e9, seconds=3600.0, flop=1e-9, op=1e-5)


@pytest.fixture
def small_machine(monkeypatch):
    monkeypatch.setattr(budget, "machine", lambda: MACHINE)
    monkeypatch.delenv("COM_ALLOW_LARGE", raising=False)


def cost(p):                     # steps x width^2 flops, an (n, T) array, 100 ops a step
    T = p.horizon / p.dt
    return dict(memory=8 * p.n * T, flops=p.steps * max(p.widths) ** 2, ops=100 * p.steps)


SIZES = ["steps", "n", "widths", "horizon", "dt"]
OK = dict(steps=1000, n=10, widths=[2, 4], horizon=100.0, dt=0.1)


def test_budget_passes_a_run_that_fits(small_machine):
    assert budget.budget(OK, SIZES, cost) is None
    est = budget.estimate(OK, cost)
    assert est["memory"] == 8 * 10 * 1000 and est["seconds"] == pytest.approx(1.000016)


def fits(values):
    try:
        budget.budget(values, SIZES, cost)
        return True
    except BudgetError:
        return False


@pytest.mark.parametrize("name, value, what, best, nudge", [
    ("steps", 10 ** 12, "hours", 3599942, 1),
    ("n", 10 ** 9, "TiB of memory", 125000, 1),
    ("widths", [2, 4, 10 ** 6], "days", 59991, 1),
    ("horizon", 1e300, "memory", 1.25e6, 1.001),
    ("dt", 1e-9, "memory", 8e-6, 1 / 1.001),
])
def test_budget_refuses_an_oversize_run_naming_parameter_cost_and_largest_fit(
        small_machine, name, value, what, best, nudge):
    ns = {**OK, name: value, "In": ["", "steps = 1000\nn = 10\nwidths = [2, 4]\n"
                                        "horizon = 100.0\ndt = 0.1", "budget()"]}
    with pytest.raises(BudgetError) as err:
        budget.budget(ns, SIZES, cost)
    msg = str(err.value)
    assert msg.startswith(f"parameter '{name}' = ")
    assert what in msg and "COM_ALLOW_LARGE=1" in msg
    number = r"(?:value that fits is|entries up to) ([0-9][0-9.e+-]*[0-9])"
    reported = float(re.search(number, msg)[1])
    assert reported == pytest.approx(best, rel=1e-3)
    grow = (lambda x: [2, 4, x]) if name == "widths" else (lambda x: x)
    step = (lambda x: x + 1) if isinstance(best, int) else (lambda x: x * nudge)
    assert fits({**OK, name: grow(type(best)(reported))})
    assert not fits({**OK, name: grow(step(type(best)(reported)))})


def test_budget_blames_the_size_furthest_from_its_default(small_machine):
    ns = {**OK, "steps": 10 ** 4, "n": 10 ** 13, "In": ["", "steps = 1000\nn = 10", "x"]}
    with pytest.raises(BudgetError, match="parameter 'n' = 10000000000000"):
        budget.budget(ns, SIZES, cost)
    assert budget.defaults(ns) == {"steps": 1000, "n": 10}


def test_budget_override(small_machine, monkeypatch):
    monkeypatch.setenv("COM_ALLOW_LARGE", "1")
    assert budget.budget({**OK, "steps": 10 ** 12}, SIZES, cost) is None
    assert budget.estimate({**OK, "steps": 10 ** 12}, cost)["seconds"] > 1e6


def test_machine_is_measured():
    m = machine.machine()
    assert m.memory > 1e8 and 0 < m.flop < 1e-6 and 0 < m.op < 1e-3 and m.seconds == 4 * 3600


def test_chapters_reach_it_as_validation_budget(small_machine):
    from bookkit import params as validation
    assert validation.budget(OK, SIZES, cost) is None
    with pytest.raises(BudgetError, match="parameter 'steps'"):
        validation.budget({**OK, "steps": 10 ** 12}, SIZES, cost)
