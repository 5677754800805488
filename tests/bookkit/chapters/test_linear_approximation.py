import pytest

from bookkit.chapters.linear_approximation import Params
from bookkit.params import check, defaults
from bookkit.rules import ParameterError


def checked(**change):
    return check(Params, defaults(Params) | change)


def test_fixed_rate_widths_stay_within_the_widest_fit():
    checked()
    with pytest.raises(ParameterError, match="parameter 'widths'"):
        checked(widths=[2, 4, 1024])


def test_width_omegas_need_two_halves_to_compare():
    with pytest.raises(ParameterError, match="parameter 'width_omegas'"):
        checked(width_omegas=[0.3, 0.5, 1.0])
