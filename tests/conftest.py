import os

import pytest
import torch

# unit tests never read or write the result cache, and draw no progress bars
os.environ.setdefault("COM_CACHE", "off")
os.environ.setdefault("COM_PROGRESS", "0")


@pytest.fixture(autouse=True)
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.fixture(autouse=True)
def no_registered_chapter():
    """check_in registers a namespace with bookkit.cache; no test leaks one to the next."""
    yield
    from bookkit import cache
    cache.unregister()
