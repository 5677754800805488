import json
import subprocess
import sys
import time

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
    assert json.loads(r.notebook())["metadata"]["com_sweep"] == r.meta()
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


# -- the chapters' own rules stop a sweep at planning (review S6-S8) -----------------------

@pytest.mark.parametrize("chapter,seeds,assignment,message", [
    ("nonlinear_curse", "0", "widths=[8,4,2]", "parameter 'widths' must be a list of at "
     "least 3 integers >= 1 and <= 512, strictly increasing; got [8, 4, 2]"),
    ("memory_functions", "4294967296", None, "parameter 'seed' must be an integer >= 0 and "
     "<= 4294967295; got 4294967296 (chapter 'memory_functions')"),
    ("memory_functions", "0,4294967296", None, "got 4294967296"),
    ("gradient_plateaus", "0", "lr=.nan", "parameter 'lr' must be a finite number > 0; "
     "got nan (chapter 'gradient_plateaus')"),
])
def test_the_chapters_rules_stop_a_sweep_at_planning(chapter, seeds, assignment, message,
                                                     tmp_path):
    with pytest.raises(ParameterError) as err:
        runs.plan([chapter], seeds, "smoke", [assignment] if assignment else [], out=tmp_path)
    assert message in str(err.value)


# -- one run per (chapter, seed, parameters) -------------------------------------------------

def test_a_chapter_named_twice_is_one_chapter(tmp_path):
    """-c X,X ran every run twice (review S9)."""
    planned = runs.plan(["gradient_plateaus", "gradient_plateaus"], "0-1", "smoke",
                        out=tmp_path)
    assert [(r.chapter, r.seed) for r in planned] == [("gradient_plateaus", 0),
                                                       ("gradient_plateaus", 1)]


@pytest.mark.parametrize("assignments", [["n_seeds=2"], ["n_seeds=2", "n_seeds=2"],
                                         ["strict=false"], ["lr=0.2", "lr=2e-1"]])
def test_a_grid_value_the_chapter_runs_anyway_is_the_plain_run(assignments, tmp_path):
    planned = runs.plan(["gradient_plateaus"], "0", "smoke", assignments, out=tmp_path)
    plain = runs.plan(["gradient_plateaus"], "0", "smoke", out=tmp_path)
    if assignments[0].startswith("lr"):
        assert len(planned) == 1 and planned[0].overrides == {"lr": 0.2}
    else:
        assert [(r.path, r.source) for r in planned] == [(r.path, r.source) for r in plain]


def test_values_equal_in_python_but_not_in_type_stay_apart(tmp_path):
    with pytest.raises(ParameterError, match="parameter 'steps' must be an integer"):
        runs.plan(["gradient_plateaus"], "0", "smoke", ["steps=100", "steps=100.0"],
                  out=tmp_path)


# -- planning is cheap and bounded -------------------------------------------------------------

def test_a_dry_run_of_a_hundred_thousand_seeds_answers_at_once(tmp_path, capsys):
    """--seeds 0-100000 --dry-run printed nothing for minutes (review S5b)."""
    from bookkit.sweep import cli
    start = time.monotonic()
    assert cli.main(["--scale", "smoke", "--seeds", "0-100000", "-c", "gradient_plateaus",
                     "--dry-run", "--out", str(tmp_path)]) == 0
    took = time.monotonic() - start
    out = capsys.readouterr().out
    assert "100001 runs (1 chapters, 100001 seeds, scale smoke)" in out
    assert "... and 99951 more runs" in out and took < 20


def test_a_sweep_too_large_is_refused_before_listing_its_seeds(tmp_path):
    """--seeds 0-100000000 ran out of memory (review S5)."""
    start = time.monotonic()
    with pytest.raises(ParameterError, match="parameter 'seeds' must be at most 1000000"):
        runs.plan(["gradient_plateaus"], "0-100000000", "smoke", out=tmp_path)
    n = len(book.chapter_names())
    with pytest.raises(ParameterError, match=rf"{n} chapters x 200000 seeds x 1 grid points"):
        runs.plan(None, "0-199999", "smoke", out=tmp_path)
    assert time.monotonic() - start < 5


# -- kept runs record the versions they ran with ---------------------------------------------

def test_a_kept_run_is_rerun_when_a_version_changes(tmp_path, monkeypatch):
    from bookkit import chapters
    from bookkit.sweep import results
    (run,) = runs.plan(["gradient_plateaus"], "0", "smoke", out=tmp_path)
    nb = json.loads(run.notebook())
    run.path.parent.mkdir(parents=True)
    run.path.write_text(json.dumps(nb))                  # as if executed and kept
    assert results.kept(run.path, run.source) is not None
    assert nb["metadata"]["com_sweep"]["versions"] == chapters.versions()
    assert results.current(nb["metadata"]["com_sweep"], book.BOOK, {})
    real = chapters.versions()
    monkeypatch.setattr(chapters, "versions", lambda: {**real, "scipy": "0.0.1"})
    monkeypatch.setattr(results, "versions", chapters.versions)
    (again,) = runs.plan(["gradient_plateaus"], "0", "smoke", out=tmp_path)
    assert again.path == run.path and results.kept(again.path, again.source) is None
    assert not results.current(nb["metadata"]["com_sweep"], book.BOOK, {})


def test_a_value_yaml_11_misreads_is_refused():
    with pytest.raises(ParameterError, match="parameter 'steps' is written 010 in -p "
                                             "steps=010, .* the octal number 8"):
        runs.parse_assignments(["steps=010"])
