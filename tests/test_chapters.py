"""The chapter contract, for every chapter the Makefile discovers."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.stem for p in (ROOT / "book/params/full").glob("*.yaml"))
BIN = Path(sys.executable).parent


def parameters_cell(chapter: str) -> str:
    src = (ROOT / "book" / f"{chapter}.py").read_text()
    m = re.search(r'# %% tags=\["parameters"\]\n(.*?)\n# %%', src, re.S)
    assert m, f"{chapter}: no cell tagged 'parameters'"
    return m.group(1)


def test_there_are_chapters():
    assert "linear_approximation" in CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_files_and_toc(chapter):
    assert (ROOT / "book" / f"{chapter}.py").exists()
    assert (ROOT / "book/params/smoke" / f"{chapter}.yaml").exists()
    assert (ROOT / "tests/notebooks" / f"{chapter}.ipynb").exists(), "nbval reference missing"
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert {"file": f"book/{chapter}"} in toc["chapters"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_parameter_sets_match_parameters_cell(chapter):
    ns: dict = {}
    exec(parameters_cell(chapter), ns)
    assert isinstance(ns["seed"], int) and ns["strict"] is True
    for scale in ("smoke", "full"):
        params = yaml.safe_load((ROOT / f"book/params/{scale}/{chapter}.yaml").read_text())
        unknown = set(params) - set(ns)
        assert not unknown, f"{scale} parameters {unknown} are not in the parameters cell"
    full = yaml.safe_load((ROOT / f"book/params/full/{chapter}.yaml").read_text())
    assert full.get("strict", True) is True, "the published book runs strict"
    # the README promises: without -p/-f a chapter runs at the published (full) scale
    differ = {k: (ns[k], v) for k, v in full.items() if ns[k] != v}
    assert not differ, f"parameters cell defaults differ from the full scale: {differ}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_bad_parameter_stops_at_once_with_clear_message(chapter, tmp_path):
    nb = tmp_path / f"{chapter}.ipynb"
    subprocess.run([BIN / "jupytext", "--quiet", "--to", "ipynb", ROOT / "book" / f"{chapter}.py",
                    "--output", nb], check=True)
    run = subprocess.run([BIN / "papermill", "--log-level", "ERROR", "-k", "python3", "--cwd",
                          ROOT / "book", "-p", "seed", "-1", nb, tmp_path / "out.ipynb"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "ParameterError" in run.stderr
    assert "parameter 'seed' must be an integer >= 0; got -1" in run.stderr
