"""Images read as sequences: a classifier of them must remember the first pixels until
the last (wang2024inverse, Table 1: sequential MNIST).

An image (H, W) becomes a sequence one pixel a step, row after row (T = H W, d = 1,
as sequential MNIST), or one row a step (T = H, d = W). The pixels are standardised
by the training set's mean and deviation (one number each, as the authors' MNIST
loader does with 0.1307 and 0.3081).

Data: MNIST from its four IDX files in a folder (``mnist``: a reader of the format,
since torchvision cannot be installed beside the pinned torch), or any labelled
images split at random (``split``: the chapter gives it the 8x8 handwritten digits
that ship with scikit-learn, which ``com`` does not import).
"""
from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import torch

MNIST_FILES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
               "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}
IDX_MAGIC = {1: 0x0801, 3: 0x0803}        # unsigned bytes in 1 (labels) or 3 (images) dims
READS = ("pixels", "rows")
SIDES = {"digits": 8, "mnist": 28}        # the images' side, pixels


def steps(side: int, read: str) -> tuple[int, int]:
    """(T, d) of a square image of ``side`` pixels read by ``read``."""
    if read not in READS:
        raise ValueError(f"parameter 'read' must be one of {READS}; got {read!r}")
    return (side * side, 1) if read == "pixels" else (side, side)


def as_sequences(images: torch.Tensor, read: str) -> torch.Tensor:
    """Images as sequences (module doc).  (N, H, W) -> (N, T, d)"""
    steps(images.shape[-1], read)                                # read is known
    N, H, W = images.shape
    return images.reshape(N, H * W, 1) if read == "pixels" else images


def mnist_files(data_dir: str | Path) -> dict[str, Path]:
    """The four MNIST IDX files in ``data_dir`` or in its ``MNIST/raw`` (torchvision's
    layout), each plain or gzipped. A folder without them raises ValueError naming
    ``data_dir`` and the files it lacks."""
    base = Path(data_dir).expanduser()
    for folder in (base, base / "MNIST" / "raw"):
        found = {key: path for key, name in MNIST_FILES.items()
                 for path in (folder / name, folder / f"{name}.gz") if path.is_file()}
        if len(found) == len(MNIST_FILES):
            return found
    missing = [n for n in MNIST_FILES.values()
               if not ((base / n).is_file() or (base / f"{n}.gz").is_file())]
    where = "does not exist" if not base.exists() else f"lacks {', '.join(missing)}"
    raise ValueError(f"parameter 'data_dir' must be a folder holding MNIST's four IDX "
                     f"files ({', '.join(MNIST_FILES.values())}, each plain or .gz, in "
                     f"it or in its MNIST/raw); {str(base)!r} {where}")


def read_idx(path: str | Path) -> np.ndarray:
    """An IDX file of unsigned bytes (MNIST's format): the big-endian magic 0x0801 (1
    dim) or 0x0803 (3 dims), each dimension as a uint32, then the bytes. A damaged or
    foreign file raises ValueError.  -> uint8 array"""
    path = Path(path)
    with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    dims = (magic or 0) & 0xFF
    if magic is None or IDX_MAGIC.get(dims) != magic:
        raise ValueError(f"parameter 'data_dir': {path} is not an IDX file of bytes "
                         f"(magic {magic!r})")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    body = raw[4 + 4 * dims:]
    if len(body) != math.prod(shape):
        raise ValueError(f"parameter 'data_dir': {path} holds {len(body)} bytes of data, "
                         f"its header says {math.prod(shape)} (damaged?)")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def standardise(x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor,
                y_test: torch.Tensor) -> dict[str, torch.Tensor]:
    """The pixels scaled by the training set's mean and standard deviation (module
    doc).  -> x_train, y_train, x_test, y_test"""
    mu, sd = x_train.mean(), x_train.std()
    return {"x_train": (x_train - mu) / sd, "y_train": y_train,
            "x_test": (x_test - mu) / sd, "y_test": y_test}


def split(images, labels, test_fraction: float, generator: torch.Generator) -> dict:
    """Labelled images split at random, a share ``test_fraction`` held out for
    testing (drawn by ``generator``), then standardised.
    images: (N, H, W) grey levels; labels: (N,)  ->  as ``standardise``"""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float64)           # (N, H, W)
    y = torch.as_tensor(np.asarray(labels)).long()
    order = torch.randperm(len(y), generator=generator)
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return standardise(x[train], y[train], x[test], y[test])


def mnist(data_dir: str | Path) -> dict:
    """MNIST from its IDX files (``mnist_files``), the official 60,000 / 10,000 split,
    grey levels / 255, standardised.  -> x_train (60000, 28, 28), y_train, x_test,
    y_test"""
    arrays = {k: read_idx(f) for k, f in mnist_files(data_dir).items()}
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y) or y.max(initial=0) > 9:
            raise ValueError(f"parameter 'data_dir': the {part} images {x.shape} and "
                             f"labels {y.shape} in {str(data_dir)!r} do not match")
    x = {k: torch.tensor(arrays[k], dtype=torch.float64) / 255 for k in ("x_train", "x_test")}
    y = {k: torch.tensor(arrays[k]).long() for k in ("y_train", "y_test")}
    return standardise(x["x_train"], y["y_train"], x["x_test"], y["y_test"])


__all__ = ["MNIST_FILES", "READS", "SIDES", "steps", "as_sequences", "mnist_files",
           "read_idx", "standardise", "split", "mnist"]
