"""gradient_plateaus' declared parameters: values under which a claim could not mean
anything are refused, naming the parameter (issue 26)."""
import pytest

from bookkit.chapters.gradient_plateaus import Params
from bookkit.params import check, defaults
from bookkit.rules import ParameterError


def checked(**change):
    return check(Params, defaults(Params) | change)


def test_defaults_pass():
    assert checked().flat == 1e-3


@pytest.mark.parametrize("flat", [0.0, 1e-12, 1e-4])
def test_a_flat_that_cannot_see_the_plateau_is_refused(flat):
    """flat = 0 can never call a step flat; below the derived decrease per step on the
    shortest delay's plateau (2.8e-4 at t0 = 6, w0 = 0.45) the rule cannot see it."""
    with pytest.raises(ParameterError, match="parameter 'flat'"):
        checked(flat=flat)


def test_the_flat_bound_follows_the_delays_it_must_see():
    checked(flat=1e-4, t0s=[8.0, 9.0, 10.0])     # longer delays: flatter plateaus
    with pytest.raises(ParameterError, match="derived"):
        checked(flat=1e-4)


def test_the_onset_claim_needs_a_delay_below_the_onset():
    with pytest.raises(ParameterError, match="parameter 'onset_t0s'"):
        checked(onset_t0s=[5.0])


def test_the_airy_window_must_not_reach_lag_zero():
    with pytest.raises(ParameterError, match="parameter 'airy_window'"):
        checked(airy_window=5.0)
