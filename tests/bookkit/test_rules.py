import pytest

from bookkit import rules as v
from bookkit.rules import ParameterError

RULES = {"seed": v.integer(lo=0, hi=2 ** 32 - 1), "strict": v.boolean(),
         "widths": v.integers(lo=1, increasing=True), "sigma": v.choice("tanh", "linear"),
         "lr": v.real(positive=True)}


@pytest.mark.parametrize("name, value, fragment", [
    ("seed", -1, "an integer >= 0 and <= 4294967295"),
    ("seed", 1.5, "an integer"),
    ("seed", True, "an integer"),
    ("strict", 1, "True or False"),
    ("widths", [4, 2], "strictly increasing"),
    ("widths", [0, 2], "integers >= 1"),
    ("widths", 8, "a list"),
    ("sigma", "relu", "one of 'tanh', 'linear'"),
    ("lr", 0.0, "> 0"),
    ("lr", float("nan"), "a finite number"),
])
def test_bad_value_names_parameter_and_allowed(name, value, fragment):
    with pytest.raises(ParameterError) as err:
        RULES[name](name, value)
    assert f"parameter '{name}'" in str(err.value)
    assert fragment in str(err.value)
    assert repr(value) in str(err.value)


def test_good_values_pass_unchanged():
    for name, value in dict(seed=3, strict=False, widths=[2, 4], sigma="tanh", lr=0.1).items():
        assert RULES[name](name, value) == value


def test_require_cross_parameter_rule():
    v.require("widths", True, "two values", [1, 2])
    with pytest.raises(ParameterError, match="parameter 'widths' must be two values"):
        v.require("widths", False, "two values", [1])


@pytest.mark.parametrize("value", [float("inf"), -float("inf"), float("nan"), 10 ** 400])
def test_real_rejects_inf_and_nan(value):
    with pytest.raises(ParameterError, match="parameter 'lr' must be a finite number > 0"):
        v.real(positive=True)("lr", value)
    with pytest.raises(ParameterError, match="parameter 't0s' must be a list of at least 1 finite"):
        v.reals(positive=True)("t0s", [1.0, value])


def test_real_may_allow_inf_explicitly():
    assert v.real(positive=True, finite=False)("threshold", float("inf")) == float("inf")
    with pytest.raises(ParameterError):
        v.real(finite=False)("threshold", float("nan"))


def test_unknown_names_are_matched_to_the_closest():
    msg = v.unknown_message(["sed", "zzz_top"], ["seed", "strict", "width"])
    assert "unknown parameters 'sed' (did you mean 'seed'?), 'zzz_top':" in msg
    assert msg.endswith("whose parameters are seed, strict, width")


@pytest.mark.parametrize("rule, value, hint", [
    (v.real(positive=True), "1e-3", "(text, not a number: YAML 1.1, as papermill's -f and -y "
     "read it, takes 1e-3 for text; write 1.0e-3)"),
    (v.integer(lo=0), "010", "(text, not a number"),
    (v.integers(lo=1, increasing=True), "[2, 4, 8]", "(text: papermill's -p passes it as "
     "text; give it as YAML, -y \"lr: [2, 4, 8]\")"),
])
def test_a_value_given_as_text_says_how_to_give_it(rule, value, hint):
    """-p widths "[2, 4, 8]" and lr: 1e-3 in a -f file arrive as text (review B01, B16)."""
    with pytest.raises(ParameterError) as err:
        rule("lr", value)
    assert hint in str(err.value) and str(err.value).endswith(")")


def test_text_that_would_not_pass_either_gets_no_hint():
    with pytest.raises(ParameterError) as err:
        v.real(positive=True)("lr", "-1e-3")
    assert str(err.value).endswith("got '-1e-3'")
