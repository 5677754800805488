
import pytest

from bookkit import params as v
from bookkit.params import ParameterError


def test_good_values_pass_unchanged():
    rules = {**v.seed_and_strict(), "widths": v.integers(lo=1, increasing=True),
             "sigma": v.choice("tanh", "linear"), "lr": v.real(positive=True)}
    vals = dict(seed=3, strict=False, widths=[2, 4], sigma="tanh", lr=0.1)
    assert v.check(rules, **vals) == vals


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
    with pytest.raises(ParameterError, match="unknown parameter .sead. .did you mean .seed..."):
        v.check(v.seed_and_strict(), seed=0, strict=True, sead=1)
    with pytest.raises(ParameterError, match="have no value"):
        v.check_in({"seed": 0}, v.seed_and_strict())


def test_check_in_reads_namespace():
    ns = {"seed": 2, "strict": True, "other": object, "np": pytest}   # a class, a module
    assert v.check_in(ns, v.seed_and_strict()) == {"seed": 2, "strict": True}


def test_require_cross_parameter_rule():
    v.require("widths", True, "two values", [1, 2])
    with pytest.raises(ParameterError, match="parameter 'widths' must be two values"):
        v.require("widths", False, "two values", [1])


# --- misspelled names, inf, seeds ---------------------------------------------------------

RULES = {**v.seed_and_strict(), "width": v.integer(lo=1), "steps": v.integer(lo=1),
         "lr": v.real(positive=True)}


def namespace(**extra):
    import math
    ns = {"seed": 0, "strict": True, "width": 2, "steps": 10, "lr": 0.1,
          "math": math, "In": [], "Out": {}, "get_ipython": lambda: None, "exit": object,
          "_": None, "_i1": "x", "helper": len}
    ns.update(extra)
    return ns


@pytest.mark.parametrize("typo, near", [("sed", "seed"), ("widht", "width"), ("Steps", "steps"),
                                        ("LR", "lr")])
def test_misspelled_parameter_is_refused_with_suggestion(typo, near):
    with pytest.raises(ParameterError) as err:
        v.check_in(namespace(**{typo: 3}), RULES)
    msg = str(err.value)
    assert f"unknown parameter '{typo}' (did you mean '{near}'?)" in msg
    assert "seed, steps, strict, width" in msg.replace("lr, ", "")


def test_unrelated_unknown_name_listed_without_suggestion():
    with pytest.raises(ParameterError, match=r"unknown parameter 'zzz_top':"):
        v.check_in(namespace(zzz_top=1), RULES)


def test_modules_functions_and_ipython_names_are_not_parameters():
    assert v.check_in(namespace(), RULES)["width"] == 2
    assert v.parameter_like(namespace()) == ["lr", "seed", "steps", "strict", "width"]


def test_names_bound_by_later_cells_in_an_interactive_rerun_are_not_parameters():
    params, check = "seed = 0\nwidth = 2", "v.check_in(globals(), rules)"
    later = "t = 1.0\nfor k in []: pass"
    ns = namespace(t=1.0, k=3)
    ns["In"] = ["", params, check, later, params, check]     # Run All twice in one kernel
    v.check_in(ns, RULES)
    ns["In"] = ["", params, "t = 1.0", check]                # a papermill run: t is unknown
    with pytest.raises(ParameterError, match="unknown parameter"):
        v.check_in(ns, RULES)


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


def test_seed_is_bounded_to_what_numpy_and_torch_accept():
    import numpy as np
    import torch
    top = 2 ** 32 - 1
    v.check(v.seed_and_strict(), seed=top, strict=True)
    np.random.seed(top)
    torch.Generator().manual_seed(top * 1000 + 10 ** 6)        # the chapters' offsets fit too
    message = r"parameter 'seed' must be an integer >= 0 and <= 4294967295"
    with pytest.raises(ParameterError, match=message):
        v.check(v.seed_and_strict(), seed=10 ** 12, strict=True)


def test_the_wrong_entry_is_named_not_a_parameter_checked_later():
    rules = {"t0s": v.reals(positive=True), "horizon": v.real(positive=True)}
    with pytest.raises(ParameterError, match="parameter 't0s'"):
        v.check(rules, t0s=[6.0, float("inf")], horizon=40.0)
