import math

import numpy as np
import pytest
import torch

from bookkit.margins import above, below, exceeds, holds, least, short_of, within


def test_decades_from_the_limit():
    assert above(511, 10) == pytest.approx(math.log10(51.1))
    assert below(1e-16, 1e-10) == pytest.approx(6)
    assert above(5, 10) < 0 < below(5, 10)
    assert above(10, 10) == 0 == below(10, 10)          # at the limit: holds, no room
    assert above(0, 1) == -math.inf and below(0, 1) == math.inf
    assert within(2, 1, 100) == pytest.approx(math.log10(2))
    assert within(50, 1, 100) == pytest.approx(math.log10(2))
    assert within(200, 1, 100) < 0


def test_units_for_quantities_that_change_sign():
    assert exceeds(-1.0, -2.0, 0.5) == pytest.approx(2)   # a gap 2 s.e. above -2 s.e.
    assert short_of(-0.1, 0, 0.1) == pytest.approx(1)
    with pytest.raises(ValueError, match="unit must be > 0"):
        exceeds(1, 0, 0)


def test_a_claim_holds_by_its_tightest_condition():
    assert least(1.0, [0.5, 2.0], np.array([3.0])) == 0.5
    assert least(torch.tensor(0.25), holds(True)) == 0.25
    assert least(2.0, holds(False)) == -math.inf
    assert least([]) == -math.inf                        # nothing judged: no margin


def test_nan_and_bad_limits_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        above(math.nan, 1)
    with pytest.raises(ValueError, match="NaN"):
        least(1.0, math.nan)
    with pytest.raises(ValueError, match=r"limit of above\(\) must be > 0"):
        above(1, 0)
    with pytest.raises(ValueError, match=r"limit of below\(\) must be > 0"):
        below(1, -1)
