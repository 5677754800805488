"""bookkit.build.stage: what a reader meets in a staged chapter notebook (the page, its
download, Colab and Binder) and in its reproduce box. Staged here from the nbval
references, which are executed smoke notebooks with papermill's injected cell."""
import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bookkit.build import stage

ROOT = Path(__file__).resolve().parents[3]
REFERENCES = sorted((ROOT / "tests/notebooks").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def source(cell):
    return "".join(cell["source"])


def assigned(src):
    ns: dict = {}
    exec(src, ns)
    return {k: v for k, v in ns.items() if not k.startswith("__")}


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """The nbval references staged as the book stages executed notebooks."""
    src = tmp_path_factory.mktemp("src")
    (src / "book").mkdir()
    for f in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / f, src / f)
    for nb in REFERENCES:
        shutil.copy(nb, src / "book" / nb.name)
    stage.main(str(src), "smoke")
    return src


# -- the parameters cell shows the run's values, and papermill's cell is gone ---------
def test_set_values_keeps_comments_at_their_column():
    src = ("seed = 0                 # random seed\n"
           "widths = [2, 4, 8, 16]   # widths m\n"
           "lr = 0.1\n"
           "betas = [0.5,\n"
           "         1.0]            # decay rates")
    out = stage.set_values(src, {"widths": "[2, 4]", "lr": "0.02", "seed": "0",
                                 "betas": "[1.0, 2.0]", "extra": "3"})
    assert out.splitlines() == [
        "seed = 0                 # random seed",
        "widths = [2, 4]          # widths m",
        "lr = 0.02",
        "betas = [1.0, 2.0]       # decay rates",
        "extra = 3"]


def test_set_values_leaves_equal_values_as_written():
    src = "beta_range = [1e-5, 1.0]   # radii"
    assert stage.set_values(src, {"beta_range": "[1e-05, 1.0]"}) == src


def test_set_values_keeps_two_spaces_before_a_comment_when_the_value_grows():
    out = stage.set_values("n = 1  # count", {"n": "123456"})
    assert out == "n = 123456  # count"


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda p: p.stem)
def test_fold_puts_the_run_in_the_parameters_cell(ref):
    nb = json.loads(ref.read_text())
    injected = next(c for c in nb["cells"] if "injected-parameters" in stage.tags(c))
    params = next(c for c in nb["cells"] if "parameters" in stage.tags(c))
    comments = [line.split("#", 1)[1] for line in source(params).splitlines() if "#" in line]
    run = {**assigned(source(params)), **assigned(source(injected))}
    changed = stage.fold_parameters(nb)
    assert not any("injected-parameters" in stage.tags(c) for c in nb["cells"])
    folded = next(c for c in nb["cells"] if "parameters" in stage.tags(c))
    assert assigned(source(folded)) == run, "the cell must assign exactly the run's values"
    lines = source(folded).splitlines()
    assert [line.split("#", 1)[1] for line in lines if "#" in line] == comments
    assert set(changed) <= set(assigned(source(injected)))
    assert stage.fold_parameters(nb) == [], "folding twice changes nothing"


# -- the install cell: Colab and any fresh kernel get com ------------------------------
def test_install_source_is_the_launch_buttons_branch():
    repo = CONFIG["repository"]
    assert stage.install_source(CONFIG) == f"git+{repo['url']}@{repo['branch']}"
    with pytest.raises(ValueError, match="repository: url: and branch:"):
        stage.install_source({"repository": {"url": repo["url"]}})


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda p: p.stem)
def test_every_staged_notebook_installs_com_before_using_it(staged, ref):
    nb = json.loads((staged / "book" / ref.name).read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    installs = [i for i, c in enumerate(code) if c.get("id") == stage.INSTALL_ID]
    assert installs == [0], "one install cell, the first code cell"
    cell = code[0]
    assert "remove-cell" in stage.tags(cell), "hidden on the page"
    assert stage.install_source(CONFIG) in source(cell)
    first_import = next(i for i, c in enumerate(code)
                        if "import com" in source(c) or "from com" in source(c))
    assert first_import > 0
    ids = [c.get("id") for c in nb["cells"]]
    assert len(ids) == len(set(ids)), "cell ids stay unique"
    assert not any("injected-parameters" in stage.tags(c) for c in nb["cells"])


def run_install_cell(find_spec_result):
    """Run the install cell in a fresh interpreter with find_spec and pip stubbed."""
    cell = stage.INSTALL.format(source=stage.install_source(CONFIG))
    probe = f"""
import importlib.util, subprocess, json
calls = []
importlib.util.find_spec = lambda name: {find_spec_result!r}
subprocess.run = lambda args, check: calls.append(args)
exec({cell!r})
print(json.dumps(calls))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_install_cell_does_nothing_where_com_is_importable():
    assert run_install_cell("found") == []


def test_install_cell_pip_installs_com_where_it_is_missing():
    calls = run_install_cell(None)
    assert len(calls) == 1
    assert calls[0][1:4] == ["-m", "pip", "install"]
    assert calls[0][-1] == f"com @ {stage.install_source(CONFIG)}"


def test_install_cell_is_valid_python_within_88_columns():
    cell = stage.INSTALL.format(source=stage.install_source(CONFIG))
    ast.parse(cell)
    assert max(map(len, cell.splitlines())) <= 88


def test_reproduce_box_gives_the_exact_command(staged):
    config = yaml.safe_load((staged / "_config.yml").read_text())
    subs = config["parse"]["myst_substitutions"]
    for ref in REFERENCES:
        box = subs[f"reproduce_{ref.stem}"]
        assert box.startswith("::::{admonition} Reproduce this page")
        assert f"papermill book/{ref.stem}.ipynb out.ipynb" in box
        assert f"-f book/params/smoke/{ref.stem}.yaml" in box
        assert ":class: dropdown" in box, "the parameter tables are folded"


def test_the_intro_counts_paper_claims_and_checks_apart(staged):
    """issue 29: a check (an identity, a proved inequality) is not evidence; the intro's
    summary shows each claim's kind and counts the two kinds apart."""
    subs = yaml.safe_load((staged / "_config.yml").read_text())["parse"]["myst_substitutions"]
    header, rule, *rows = subs["claims_summary"].splitlines()
    assert header == "| chapter | claim | kind | statement | verdict |"
    kinds = [row.split(" | ")[2] for row in rows]
    assert set(kinds) == {"paper", "check"} and len(rows) == sum(
        len(stage.read_claims(json.loads(r.read_text()))) for r in REFERENCES)
    n_paper, n_check = kinds.count("paper"), kinds.count("check")
    assert subs["claims_counts"].startswith(f"{n_paper} claims of the papers (")
    assert f"and {n_check} checks of identities" in subs["claims_counts"]


def test_claims_counts_says_what_reproduced():
    records = [("a", {"kind": "paper", "reproduced": True}),
               ("a", {"kind": "paper", "reproduced": False}),
               ("b", {"kind": "check", "reproduced": True})]
    assert stage.claims_counts(records) == (
        "2 claims of the papers (1 reproduced) and 1 checks of identities and proved "
        "inequalities (1 hold)")
