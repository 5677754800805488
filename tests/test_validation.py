import pytest

from com import validation as v
from com.validation import ParameterError


def test_good_values_pass_unchanged():
    rules = {**v.seed_and_strict(), "widths": v.integers(lo=1, increasing=True),
             "sigma": v.choice("tanh", "linear"), "lr": v.real(positive=True)}
    vals = dict(seed=3, strict=False, widths=[2, 4], sigma="tanh", lr=0.1)
    assert v.check(rules, **vals) == vals


@pytest.mark.parametrize("name, value, fragment", [
    ("seed", -1, "an integer >= 0"),
    ("seed", 1.5, "an integer"),
    ("seed", True, "an integer"),
    ("strict", 1, "True or False"),
    ("widths", [4, 2], "strictly increasing"),
    ("widths", [0, 2], "integers >= 1"),
    ("widths", 8, "a list"),
    ("sigma", "relu", "one of 'tanh', 'linear'"),
    ("lr", 0.0, "> 0"),
    ("lr", float("nan"), "a number"),
])
def test_bad_value_names_parameter_and_allowed(name, value, fragment):
    rules = {**v.seed_and_strict(), "widths": v.integers(lo=1, increasing=True),
             "sigma": v.choice("tanh", "linear"), "lr": v.real(positive=True)}
    vals = dict(seed=0, strict=True, widths=[2, 4], sigma="tanh", lr=0.1)
    vals[name] = value
    with pytest.raises(ParameterError) as err:
        v.check(rules, **vals)
    assert f"parameter '{name}'" in str(err.value)
    assert fragment in str(err.value)
    assert repr(value) in str(err.value)


def test_unknown_and_missing_parameters():
    with pytest.raises(ParameterError, match="not parameters of this chapter"):
        v.check(v.seed_and_strict(), seed=0, strict=True, sead=1)
    with pytest.raises(ParameterError, match="have no value"):
        v.check_in({"seed": 0}, v.seed_and_strict())


def test_check_in_reads_namespace():
    ns = {"seed": 2, "strict": True, "other": object()}
    assert v.check_in(ns, v.seed_and_strict()) == {"seed": 2, "strict": True}


def test_require_cross_parameter_rule():
    v.require("widths", True, "two values", [1, 2])
    with pytest.raises(ParameterError, match="parameter 'widths' must be two values"):
        v.require("widths", False, "two values", [1])
