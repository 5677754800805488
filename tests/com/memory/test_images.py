"""com.memory.images: the IDX reader, MNIST's files in both layouts, the random split
of labelled images, and images read as sequences."""
import gzip

import numpy as np
import pytest
import torch

from com.memory import images


def write_idx(path, array, gz=False, magic=None):
    array = np.asarray(array, dtype=np.uint8)
    header = (magic if magic is not None else 0x0800 + array.ndim).to_bytes(4, "big")
    header += b"".join(n.to_bytes(4, "big") for n in array.shape)
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(header + array.tobytes())


def fake_mnist(folder, n_train=12, n_test=5, gz=False, side=28):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    for part, n in (("train", n_train), ("t10k", n_test)):
        write_idx(folder / f"{part}-images-idx3-ubyte{suffix}",
                  rng.integers(0, 256, (n, side, side)), gz)
        write_idx(folder / f"{part}-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n), gz)


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trips(tmp_path, gz):
    a = np.arange(2 * 3 * 4).reshape(2, 3, 4) % 256
    path = tmp_path / ("x.gz" if gz else "x")
    write_idx(path, a, gz)
    assert np.array_equal(images.read_idx(path), a)


def test_read_idx_refuses_foreign_and_damaged_files(tmp_path):
    write_idx(tmp_path / "bad", np.zeros((2, 3)), magic=0x0D03)
    with pytest.raises(ValueError, match="'data_dir'.*not an IDX file"):
        images.read_idx(tmp_path / "bad")
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ValueError, match="not an IDX file"):
        images.read_idx(tmp_path / "empty")
    write_idx(tmp_path / "short", np.zeros((2, 3, 3)))
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-1])
    with pytest.raises(ValueError, match="'data_dir'.*damaged"):
        images.read_idx(tmp_path / "short")


def test_mnist_files_names_the_parameter_and_the_missing_files(tmp_path):
    with pytest.raises(ValueError, match="parameter 'data_dir'.*does not exist"):
        images.mnist_files(tmp_path / "nowhere")
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="'data_dir'.*lacks train-labels-idx1-ubyte"):
        images.mnist_files(tmp_path)


@pytest.mark.parametrize("layout", ["flat", "torchvision"])
def test_mnist_reads_both_layouts_and_standardises(tmp_path, layout):
    folder = tmp_path if layout == "flat" else tmp_path / "MNIST" / "raw"
    fake_mnist(folder, gz=layout == "torchvision")
    data = images.mnist(tmp_path)
    assert data["x_train"].shape == (12, 28, 28) and data["x_test"].shape == (5, 28, 28)
    assert data["y_train"].dtype == torch.long and len(data["y_test"]) == 5
    assert abs(float(data["x_train"].mean())) < 1e-12
    assert float(data["x_train"].std()) == pytest.approx(1.0)


def test_mnist_refuses_mismatched_images_and_labels(tmp_path):
    fake_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(4))       # 5 images
    with pytest.raises(ValueError, match="'data_dir'.*do not match"):
        images.mnist(tmp_path)


def test_split_is_disjoint_drawn_by_the_generator_and_standardised():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 17, (40, 3, 3)) / 16, np.arange(40) % 10
    a = images.split(x, y, 0.25, torch.Generator().manual_seed(1))
    b = images.split(x, y, 0.25, torch.Generator().manual_seed(1))
    c = images.split(x, y, 0.25, torch.Generator().manual_seed(2))
    assert a["x_train"].shape == (30, 3, 3) and a["x_test"].shape == (10, 3, 3)
    assert torch.equal(a["y_test"], b["y_test"]) and not torch.equal(a["y_test"], c["y_test"])
    assert abs(float(a["x_train"].mean())) < 1e-12
    # every image lands on exactly one side: the labels are 0..39 mod 10, each 4 times
    both = torch.cat([a["y_train"], a["y_test"]]).bincount()
    assert both.tolist() == [4] * 10


def test_as_sequences_reads_pixels_row_after_row_or_rows():
    img = torch.arange(2 * 3 * 3.0).view(2, 3, 3)
    px = images.as_sequences(img, "pixels")
    assert px.shape == (2, 9, 1) and px[1, 5, 0] == img[1, 1, 2]
    assert images.as_sequences(img, "rows").shape == (2, 3, 3)
    with pytest.raises(ValueError, match="'read'"):
        images.as_sequences(img, "columns")
    assert images.steps(images.SIDES["mnist"], "pixels") == (784, 1)
    assert images.steps(images.SIDES["digits"], "rows") == (8, 8)
