import json
import subprocess
import sys

import pytest

from bookkit import chapters as book
from bookkit.params import ParameterError
from bookkit.sweep import runs


@pytest.mark.parametrize("text,seeds", [("0-3", [0, 1, 2, 3]), ("5", [5]),
                                        ("0,3,5-6", [0, 3, 5, 6]), (" 1 - 2 ", [1, 2])])
def test_seeds(text, seeds):
    assert runs.parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["3-1", "-1", "a", "1,1", "", "0-2,2"])
def test_bad_seeds_are_named(text):
    with pytest.raises(ParameterError, match="parameter 'seeds' must be"):
        runs.parse_seeds(text)


def test_assignments_and_grid():
    axes = runs.parse_assignments(["widths=[8,16]", "lr=1e-3", "steps=100", "steps=200",
                                    "sigma=tanh", "strict=true", "steps=100"])
    assert axes == {"widths": [[8, 16]], "lr": [0.001], "steps": [100, 200],
                    "sigma": ["tanh"], "strict": [True]}
    assert [p["steps"] for p in runs.grid(axes)] == [100, 200]
    assert runs.grid({}) == [{}]
    for bad, name in [("steps", "-p"), ("2x=1", "-p"), ("seed=3", "seed"), ("a=[1,", "a")]:
        with pytest.raises(ParameterError, match=f"parameter '{name}'"):
            runs.parse_assignments([bad])


@pytest.mark.parametrize("kwargs,message", [
    (dict(scale="huge"), "parameter 'scale' must be one of smoke, full; got 'huge'"),
    (dict(chapters=["gradient_plateaus", "nope"]), "got ['nope']"),
    (dict(seeds="2-1"), "parameter 'seeds'"),
    (dict(assignments=["widths=[8,16]"]),
     "parameter 'widths' is not a parameter of chapter 'gradient_plateaus'"),
    (dict(assignments=["steps=1.5"]),                  # the chapter's own rules
     "parameter 'steps' must be an integer >= 10 and <= 10000000; got 1.5 "
     "(chapter 'gradient_plateaus')"),
    (dict(assignments=["t0s=3"]), "must be a list"),
    (dict(assignments=["strict=1"]), "must be True or False"),
    (dict(assignments=["horizon=5.0"]), "parameter 'horizon' must be at least twice"),
])
def test_plan_rejects_bad_sweeps(kwargs, message, tmp_path):
    args = dict(chapters=["gradient_plateaus"], seeds="0-1", scale="smoke", assignments=[])
    with pytest.raises(ParameterError) as err:
        runs.plan(**{**args, **kwargs}, out=tmp_path)
    assert message in str(err.value)


def test_plan_runs_and_their_identity(tmp_path):
    planned = runs.plan(["gradient_plateaus"], "0-1", "smoke", ["steps=100", "steps=200"],
                      out=tmp_path)
    assert [(r.seed, r.overrides["steps"]) for r in planned] == [
        (0, 100), (1, 100), (0, 200), (1, 200)]
    r = planned[0]
    assert r.parameters["strict"] is False and r.parameters["seed"] == 0
    assert r.parameters["n_seeds"] == 2                         # the smoke parameter set
    assert r.path.parent == tmp_path / "smoke/gradient_plateaus"
    assert r.path.name.startswith("seed-0-") and r.path.name != planned[2].path.name
    assert len({x.source for x in planned}) == 4
    assert json.loads(r.notebook)["metadata"]["com_sweep"] == r.meta()
    plain = runs.plan(["gradient_plateaus"], [3], "smoke", out=tmp_path)[0]
    assert plain.path.name == "seed-3.ipynb" and plain.overrides == {}


def test_full_scale_runs_the_parameters_cell_defaults(tmp_path):
    (run,) = runs.plan(["gradient_plateaus"], [2], "full", out=tmp_path)
    assert run.parameters == {"strict": False, "seed": 2}     # nothing else injected
    assert book.parameter_file("gradient_plateaus", "full") is None
    assert book.parameter_set("gradient_plateaus", "smoke")["n_seeds"] == 2


def test_chapters_never_import_the_sweep_or_the_build():
    """Kept runs and cached results do not depend on the sweep's or the build's modules,
    so the code hash leaves them out: what a chapter imports never loads them."""
    out = subprocess.run([sys.executable, "-c", "import sys, com, bookkit.chapter, "
                          "bookkit.cache, bookkit.claims, bookkit.params, bookkit.plotting; "
                          "print(sorted(m for m in sys.modules "
                          "if m.startswith(('bookkit.sweep', 'bookkit.build'))))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert book.NOT_IN_CHAPTERS == ("bookkit/sweep/", "bookkit/build/")
    deps = {str(f.relative_to(book.ROOT)) for f in book.sources()}
    assert "com/memory/targets.py" in deps and "bookkit/claims.py" in deps
    assert not any(d.startswith(book.NOT_IN_CHAPTERS) for d in deps)
