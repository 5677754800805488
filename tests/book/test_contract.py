"""The chapter contract, for every chapter the Makefile discovers."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bookkit.chapters import chapter_names

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = chapter_names()
BIN = Path(sys.executable).parent


def parameters_cell(chapter: str) -> str:
    src = (ROOT / "book" / f"{chapter}.py").read_text()
    m = re.search(r'# %% tags=\["parameters"\]\n(.*?)\n# %%', src, re.S)
    assert m, f"{chapter}: no cell tagged 'parameters'"
    return m.group(1)


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
    # the published book runs strict, at the defaults (declared once: no full-scale file)
    assert isinstance(ns["seed"], int) and ns["strict"] is True
    assert not (ROOT / "book/params/full").exists()
    params = yaml.safe_load((ROOT / f"book/params/smoke/{chapter}.yaml").read_text())
    unknown = set(params) - set(ns)
    assert not unknown, f"smoke parameters {unknown} are not in the parameters cell"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_misspelled_parameter_stops_at_once_under_papermill(chapter, tmp_path):
    # papermill itself only logs "Passed unknown parameter" and would run the defaults
    nb = tmp_path / f"{chapter}.ipynb"
    subprocess.run([BIN / "jupytext", "--quiet", "--to", "ipynb", ROOT / "book" / f"{chapter}.py",
                    "--output", nb], check=True)
    run = subprocess.run([BIN / "papermill", "--log-level", "ERROR", "-k", "python3", "--cwd",
                          ROOT / "book", "-p", "sed", "3", nb, tmp_path / "out.ipynb"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "ParameterError" in run.stderr
    assert "unknown parameter 'sed' (did you mean 'seed'?)" in run.stderr


def code_cells(chapter):
    import jupytext
    nb = jupytext.read(ROOT / "book" / f"{chapter}.py")
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_papermill_help_lists_every_parameter_with_help(chapter, tmp_path):
    """`papermill --help-notebook` reads each parameter's help from its line's comment."""
    import jupytext
    import papermill
    nb = tmp_path / f"{chapter}.ipynb"
    jupytext.write(jupytext.read(ROOT / "book" / f"{chapter}.py"), nb)
    found = papermill.inspect_notebook(str(nb))
    ns: dict = {}
    exec(parameters_cell(chapter), ns)
    assert set(found) == {k for k in ns if not k.startswith("__")}, "a parameter is not parsed"
    missing = [name for name, p in found.items() if not p["help"].strip()]
    assert not missing, f"parameters without a help comment: {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_imports_and_validation_are_folded_on_the_page(chapter):
    cells = code_cells(chapter)
    params = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "hide-input" not in params[0].metadata.get("tags", [])
    machinery = [c for c in cells if "start(globals()" in c.source or re.fullmatch(
        r"(\s*((import|from) \S.*)?\n?)+", c.source)]
    assert machinery, "no import or validation cell found"
    for c in machinery:
        assert "hide-input" in c.metadata.get("tags", []), c.source[:80]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_parameters_cell_is_the_rendering_of_the_declaration(chapter):
    """Parameters are declared once (bookkit.chapters.<chapter>.Params); the cell is
    that declaration rendered (python -m bookkit.params rewrites it)."""
    from bookkit.chapters import declared
    from bookkit.params import cell
    assert parameters_cell(chapter).strip("\n") == cell(declared(chapter)), (
        f"book/{chapter}.py: run python -m bookkit.params")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapters_are_thin(chapter):
    """Code cells of at most 20 lines (the parameters cell, one line a declared
    parameter, aside) and functions of at most 12: science and verdicts live in com,
    formatting and plotting helpers in bookkit."""
    import ast
    for c in code_cells(chapter):
        if "parameters" in c.metadata.get("tags", []):
            continue
        lines = c.source.strip("\n").splitlines()
        assert len(lines) <= 20, f"a cell of {len(lines)} lines: {lines[0]!r}"
        for node in ast.walk(ast.parse(c.source)):
            if isinstance(node, ast.FunctionDef):
                n = node.end_lineno - node.lineno + 1
                assert n <= 12, f"function {node.name} has {n} lines"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_code_lines_fit_88_columns(chapter):
    long = [line for c in code_cells(chapter) for line in c.source.splitlines()
            if len(line) > 88]
    assert not long, f"{len(long)} code lines over 88 characters, e.g. {long[0]!r}"



# Every parameter of every chapter, given the bad values of bookkit.build.bad_values, run in
# one process as the kernel would run them (papermill's injection, IPython's In history),
# up to the chapter's parameter check. Values that can be legitimate for some parameter
# (a negative log10 radius, another order of a list, a large real) are not asserted;
# bookkit.build.bad_values lists them.
MUST_STOP = {"misspelled name", "wrong type", "NaN", "inf", "empty list", "not an integer",
             "bad choice"}


@pytest.fixture(scope="module")
def sweep():
    run = subprocess.run([sys.executable, "-m", "bookkit.build.bad_values", "--fast", "--json"],
                         capture_output=True, text=True, timeout=600, check=True)
    return json.loads(run.stdout)


def integer_size(row):
    value = eval(row["value"], {"nan": float("nan"), "inf": float("inf")})   # noqa: S307
    return isinstance(value, int) or (isinstance(value, list) and all(isinstance(x, int)
                                                                       for x in value))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_bad_values_stop_naming_the_parameter(sweep, chapter):
    rows = [r for r in sweep if r["chapter"] == chapter]
    must = [r for r in rows if r["kind"] in MUST_STOP
            or (r["kind"] == "absurd size" and integer_size(r))]
    kinds = {r["kind"] for r in must}
    assert {"misspelled name", "inf", "absurd size"} <= kinds
    wrong = [(r["parameter"], r["kind"], r["value"], r["verdict"], r["message"][:200])
             for r in must if r["verdict"] != "clear error"]
    assert not wrong
    assert all(r["seconds"] < 60 for r in rows)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_an_absurd_size_is_refused_by_its_bound(chapter, sweep):
    """No run is priced: every size has an upper bound in the chapter's declaration,
    and an absurd one stops the chapter at its first cell, naming the bound."""
    absurd = [r for r in sweep if r["chapter"] == chapter and r["kind"] == "absurd size"
              and integer_size(r)]
    assert absurd
    for r in absurd:
        assert r["verdict"] == "clear error" and "<=" in r["message"], r
