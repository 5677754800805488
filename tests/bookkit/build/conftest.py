"""The nbval references (executed smoke chapters) staged as the book stages them, for
the tests of the staging and of the reader's notebooks."""
import shutil
from pathlib import Path

import pytest

from bookkit.build import stage

ROOT = Path(__file__).resolve().parents[3]
REFERENCES = sorted((ROOT / "tests/notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def staged(tmp_path_factory):
    """A staging copy (``src/``) of the references, staged at smoke scale."""
    src = tmp_path_factory.mktemp("src")
    (src / "book").mkdir()
    for f in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / f, src / f)
    for nb in REFERENCES:
        shutil.copy(nb, src / "book" / nb.name)
    stage.main(str(src), "smoke")
    return src
