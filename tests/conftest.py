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


class Project:
    """A copy of the Makefile and of bookkit in a folder, with chapters of the test's
    own, made with this environment's tools (make's BIN) as if it were up to date."""

    def __init__(self, root):
        import shutil
        from pathlib import Path
        here = Path(__file__).resolve().parents[1]
        self.root = root
        shutil.copy(here / "Makefile", root)
        shutil.copytree(here / "bookkit", root / "bookkit",
                        ignore=shutil.ignore_patterns("__pycache__"))
        (root / "book/params/smoke").mkdir(parents=True)
        for name in ("pyproject.toml", "constraints.txt", "stamp"):    # an up-to-date env
            (root / name).write_text("")

    def chapter(self, name, source, smoke="seed: 0\n"):
        (self.root / f"book/{name}.py").write_text(source)
        (self.root / f"book/params/smoke/{name}.yaml").write_text(smoke)

    def make(self, *targets, env=None, background=False, timeout=120):
        import subprocess
        import sys
        from pathlib import Path
        args = ["make", "-C", str(self.root), f"BIN={Path(sys.executable).parent}",
                f"STAMP={self.root / 'stamp'}", *targets]
        env = {**os.environ, **(env or {})}
        if background:
            return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=env)
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)
