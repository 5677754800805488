"""bookkit.build.stage: what a reader meets in a staged chapter notebook (the page, its
download, Colab and Binder) and in its reproduce box. Staged here from the nbval
references, which are executed smoke notebooks with papermill's injected cell."""
import ast
import json
from pathlib import Path

import pytest
import yaml

from bookkit.build import install, machinery, stage

ROOT = Path(__file__).resolve().parents[3]
REFERENCES = sorted((ROOT / "tests/notebooks").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def source(cell):
    return "".join(cell["source"])


def assigned(src):
    ns: dict = {}
    exec(src, ns)
    return {k: v for k, v in ns.items() if not k.startswith("__")}


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


# -- the install cell: Colab and any fresh kernel get com (tests/bookkit/build/test_install)
@pytest.mark.parametrize("ref", REFERENCES, ids=lambda p: p.stem)
def test_every_staged_notebook_installs_com_before_using_it(staged, ref):
    nb = json.loads((staged / "book" / ref.name).read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    installs = [i for i, c in enumerate(code) if c.get("id") == install.INSTALL_ID]
    assert installs == [0], "one install cell, the first code cell"
    cell = code[0]
    assert "remove-cell" in stage.tags(cell), "hidden on the page"
    commit = nb["metadata"]["com"]["provenance"]["commit"]
    assert f'COMMIT = "{commit}"' in source(cell), "pinned to the run's commit"
    first_import = next(i for i, c in enumerate(code)
                        if "import com" in source(c) or "from com" in source(c))
    assert first_import > 0
    ids = [c.get("id") for c in nb["cells"]]
    assert len(ids) == len(set(ids)), "cell ids stay unique"
    assert not any("injected-parameters" in stage.tags(c) for c in nb["cells"])


# -- the book's bookkeeping is folded, and each chapter opens with its claims ----------
@pytest.mark.parametrize("ref", REFERENCES, ids=lambda p: p.stem)
def test_bookkeeping_is_folded_and_the_code_that_runs_is_the_same(staged, ref):
    executed = json.loads(ref.read_text())
    nb = json.loads((staged / "book" / ref.name).read_text())
    folded = [c for c in nb["cells"] if machinery.TAG in stage.tags(c)]
    assert folded and all("hide-input" in stage.tags(c) for c in folded)
    for c in nb["cells"]:
        if c["cell_type"] == "code" and not {"hide-input", "remove-cell", "parameters"} \
                & set(stage.tags(c)):
            assert "claims.check(" not in source(c)
            assert not any(line.startswith("glue(") and "finish(" not in line
                           for line in source(c).splitlines()), source(c)
    statements = sorted(ast.dump(s) for c in executed["cells"] if c["cell_type"] == "code"
                        and not {"parameters", "injected-parameters"} & set(stage.tags(c))
                        for s in ast.parse(source(c)).body)
    staged_statements = sorted(ast.dump(s) for c in nb["cells"] if c["cell_type"] == "code"
                               and not {"parameters", "remove-cell"} & set(stage.tags(c))
                               for s in ast.parse(source(c)).body)
    assert staged_statements == statements, "folding moves statements, never changes them"
    printed = "".join("".join(o.get("text", "")) for c in nb["cells"]
                      for o in c.get("outputs", []))
    assert "[reproduced] " not in printed, "the claims' lines are in their table once"


def test_each_chapter_opens_with_the_box_of_its_claims(staged):
    config = yaml.safe_load((staged / "_config.yml").read_text())
    subs = config["parse"]["myst_substitutions"]
    for ref in REFERENCES:
        nb = json.loads((staged / "book" / ref.name).read_text())
        first = source(next(c for c in nb["cells"] if c["cell_type"] == "markdown"))
        box, reproduce = f"{{{{ claims_{ref.stem} }}}}", f"{{{{ reproduce_{ref.stem} }}}}"
        assert box in first and first.index(box) < first.index(reproduce)
        claims = stage.read_claims(json.loads(ref.read_text()))
        assert all(f"(`{c['id']}`)" in subs[f"claims_{ref.stem}"] for c in claims)


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
    lines = subs["claims_summary"].splitlines()
    assert lines.count("| verdict | claim | kind | statement |") == len(REFERENCES)
    rows = [line for line in lines if line.startswith("| <span")]
    kinds = [row.split(" | ")[2] for row in rows]
    assert set(kinds) == {"paper", "check"} and len(rows) == sum(
        len(stage.read_claims(json.loads(r.read_text()))) for r in REFERENCES)
    n_paper, n_check = kinds.count("paper"), kinds.count("check")
    assert subs["claims_counts"].startswith(f"{n_paper} claims of the papers (")
    assert f"and {n_check} checks of identities" in subs["claims_counts"]
