"""bookkit.chapters.sequential_images: the chapter's declared parameters and their
cross-parameter rules (the learning-rate grid, the data folder, the initial decay)."""
import numpy as np
import pytest

from bookkit.chapters.sequential_images import Params
from bookkit.params import check, defaults
from bookkit.rules import ParameterError


def test_the_grid_is_numpy_s_logspace_and_holds_lr():
    p = Params()
    assert np.allclose(p.lrs, np.logspace(-3, 1, 9), rtol=1e-14)
    assert p.lrs[p.lr_index] == pytest.approx(0.01)


@pytest.mark.parametrize("change, name", [
    ({"lr": 0.02}, "lr"),
    ({"data_dir": "/nonexistent"}, "data_dir"),
    ({"data_dir": 3}, "data_dir"),
    ({"read": "rows"}, "init_decay"),                 # 40 / T exceeds 1/b at T = 8
    ({"lr_range": [-3.0, 0.0, 1.0]}, "lr_range"),
    ({"weight_decay": 1.0}, "weight_decay"),
])
def test_bad_values_stop_naming_the_parameter(change, name):
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        check(Params, {**defaults(Params), **change})


def test_a_folder_with_mnist_passes(tmp_path):
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (tmp_path / name).write_bytes(b"")            # read later; here only found
    assert check(Params, {**defaults(Params), "data_dir": str(tmp_path)}).data_dir
    with pytest.raises(ParameterError, match="at most 1568"):    # MNIST: T = 784
        check(Params, {**defaults(Params), "data_dir": str(tmp_path),
                       "init_decay": [0.4, 2000.0]})
