"""memory_functions' declared parameters (issue 26): no value makes a verdict vacuous
or a measured rate NaN."""
import pytest

from bookkit.chapters.memory_functions import Params
from bookkit.params import check, defaults
from bookkit.rules import ParameterError


def checked(**change):
    return check(Params, defaults(Params) | change)


def test_the_fall_threshold_that_flipped_a_verdict_is_gone():
    """-p fall 1.0 passed the old rnns-exponential on any measurement; the claim is
    replaced by probes-agree, and 'fall' is no parameter any more."""
    with pytest.raises(ParameterError, match="unknown parameter 'fall'"):
        checked(fall=1.0)


@pytest.mark.parametrize("name,value", [("magnitudes", [1e300]), ("magnitudes", [1e-9]),
                                        ("large_magnitude", 1e300),
                                        ("tanh_magnitudes", [0.1, 1e300])])
def test_inputs_whose_memory_cannot_be_measured_are_refused(name, value):
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        checked(**{name: value})


@pytest.mark.parametrize("agree", [1.0, 1e9])
def test_an_agreement_factor_that_decides_nothing_is_refused(agree):
    with pytest.raises(ParameterError, match="parameter 'agree'"):
        checked(agree=agree)


def test_the_large_input_is_larger_than_the_probes():
    with pytest.raises(ParameterError, match="parameter 'large_magnitude'"):
        checked(large_magnitude=1.0)
