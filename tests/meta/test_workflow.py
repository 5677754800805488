"""The workflow around the book: the workflows are valid GitHub Actions workflows
(checked offline against SchemaStore's workflow schema, tests/data): pages.yml builds,
tests and deploys the book; ci.yml runs `make test` on every pull request and push;
the Makefile keeps the notebooks true to their .py, re-executes after a torch/numpy
upgrade, and `make clean` keeps the result cache."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from bookkit.build import notebooks

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))
SCHEMA = json.loads((ROOT / "tests/data/github-workflow.schema.json").read_text())


def load(path):
    doc = yaml.safe_load(path.read_text())
    if True in doc:                  # YAML 1.1 reads the key `on` as a boolean
        doc["on"] = doc.pop(True)
    return doc


@pytest.fixture
def pages():
    return load(ROOT / ".github/workflows/pages.yml")


def steps(job):
    return job.get("steps", [])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_schema(path):
    jsonschema.Draft7Validator(SCHEMA).validate(load(path))


def test_schema_rejects_a_broken_workflow(pages):
    pages["jobs"]["build"]["steps"][0] = {"uses": "actions/checkout@v4", "runs": "oops"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(pages)


def test_builds_on_push_to_main(pages):
    assert pages["on"]["push"]["branches"] == ["main"]
    runs = " ".join(s.get("run", "") for s in steps(pages["jobs"]["build"]))
    assert re.search(r"\bmake\b.*\bbook\b", runs) and "make browser SITE=_build/html" in runs
    upload = [s for s in steps(pages["jobs"]["build"])
              if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"


def test_the_published_book_carries_a_20_seed_full_scale_sweep_that_resumes(pages):
    build = steps(pages["jobs"]["build"])
    runs = [s.get("run", "") for s in build]
    sweep = next(i for i, r in enumerate(runs) if r.startswith("make sweep"))
    book = next(i for i, r in enumerate(runs) if re.search(r"\bmake\b.*\bbook\b", r))
    assert sweep < book and "SEEDS=0-19" in runs[sweep] and "SCALE" not in runs[sweep]
    cached = {s["uses"].split("@")[0]: (i, s) for i, s in enumerate(build)
              if s.get("uses", "").startswith("actions/cache/")
              and s["with"]["path"] == "_build/sweep"}
    (restore_at, _), (save_at, save) = cached["actions/cache/restore"], cached["actions/cache/save"]
    assert restore_at < sweep < save_at and save["if"] == "always()"     # kept on failure
    assert pages["jobs"]["build"]["timeout-minutes"] >= 120


def test_deploys_to_pages(pages):
    deploy = pages["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps(deploy))


def test_actions_pinned_and_targets_exist(pages):
    for job in pages["jobs"].values():
        for s in steps(job):
            if "uses" in s:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)?@v\d+", s["uses"]), s["uses"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("smoke", "book", "browser"):
        assert re.search(rf"^{target}:", makefile, re.M), target


@pytest.fixture
def ci():
    return load(ROOT / ".github/workflows/ci.yml")


def test_ci_runs_make_test_on_pull_requests_and_pushes(ci):
    assert "pull_request" in ci["on"] and "push" in ci["on"]
    assert ci["on"]["push"] in (None, {}), "every branch, not only main"
    runs = [s.get("run", "") for s in steps(ci["jobs"]["test"])]
    assert "make test" in runs


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml"])
def test_workflows_install_torch_cpu(name):
    """constraints.txt pins torch's CPU build on Linux; the runners reach it through
    PyTorch's CPU index (without it pip finds no 2.13.0+cpu and stops)."""
    doc = load(ROOT / ".github/workflows" / name)
    env = {k: v for job in doc["jobs"].values() for k, v in job.get("env", {}).items()}
    assert env.get("PIP_EXTRA_INDEX_URL") == "https://download.pytorch.org/whl/cpu"


def test_executed_branch_gets_the_readers_notebooks(pages):
    """Colab and Binder open these: the reader's notebooks the download button gives
    (bookkit.build.reader writes them over the site's _sources), unpaired."""
    publish = next(s["run"] for s in steps(pages["jobs"]["build"])
                   if "executed" in s.get("name", "") and "run" in s)
    assert "cp _build/html/_sources/book/*.ipynb book/" in publish
    assert "git rm --quiet book/jupytext.toml" in publish
    makefile = (ROOT / "Makefile").read_text()
    assert "-m bookkit.build.stage $(1)/src" in makefile
    assert "$(call build,_build/full,full,.)" in makefile


def test_ci_actions_pinned(ci):
    for job in ci["jobs"].values():
        for s in steps(job):
            if "uses" in s:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)?@v\d+", s["uses"]), s["uses"]


def test_pull_requests_build_the_book_as_published(ci, pages):
    """The full book, its PDF and the browser test on it, as pages.yml runs them."""
    book = ci["jobs"]["book"]
    assert "pull_request" in book["if"]
    runs = [s.get("run", "") for s in steps(book)]
    published = [s.get("run", "") for s in steps(pages["jobs"]["build"])]
    assert "make smoke book pdf" in runs and "make smoke book pdf" in published
    assert "make browser SITE=_build/html" in runs
    assert book["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    assert re.search(r"^pdf:", (ROOT / "Makefile").read_text(), re.M)


# --- the Makefile's own logic: notebooks, versions, clean ---------------------------------


CHAPTER = '''# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A chapter

# %% tags=["parameters"]
seed = 0

# %%
print(seed)
'''


@pytest.fixture
def chapter(tmp_path):
    py, nb, build = tmp_path / "ch.py", tmp_path / "ch.ipynb", tmp_path / "_build"
    py.write_text(CHAPTER)
    return py, nb, build


def edit_notebook(nb, old, new):
    doc = json.loads(nb.read_text())
    for cell in doc["cells"]:
        cell["source"] = "".join(cell["source"]).replace(old, new)
    nb.write_text(json.dumps(doc))


def test_notebook_generated_then_left_alone(chapter):
    py, nb, build = chapter
    assert notebooks.sync(py, nb, build) == "generated"
    stamp = nb.stat().st_mtime_ns
    assert notebooks.sync(py, nb, build) == "current" and nb.stat().st_mtime_ns == stamp


def test_notebook_regenerated_when_the_source_changes(chapter):
    py, nb, build = chapter
    notebooks.sync(py, nb, build)
    py.write_text(CHAPTER.replace("print(seed)", "print(seed + 1)"))
    assert notebooks.sync(py, nb, build) == "regenerated"
    assert "print(seed + 1)" in nb.read_text()


def test_outputs_and_metadata_are_not_edits(chapter):
    py, nb, build = chapter
    notebooks.sync(py, nb, build)
    doc = json.loads(nb.read_text())
    doc["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "0\n"}]
    doc["metadata"]["language_info"] = {"name": "python"}
    nb.write_text(json.dumps(doc))
    assert notebooks.sync(py, nb, build) == "current"


@pytest.mark.parametrize("source_changed_too", [False, True])
def test_hand_edited_notebook_is_refused_not_executed_nor_overwritten(chapter, source_changed_too):
    py, nb, build = chapter
    notebooks.sync(py, nb, build)
    edit_notebook(nb, "print(seed)", "print('my edit')")
    if source_changed_too:
        py.write_text(CHAPTER.replace("print(seed)", "print(seed + 1)"))
    before = nb.read_text()
    with pytest.raises(notebooks.HandEdited, match="edited by hand") as err:
        notebooks.sync(py, nb, build)
    assert "jupytext --to py:percent" in str(err.value) and f"delete {nb}" in str(err.value)
    assert nb.read_text() == before                                   # the edit is kept


def test_notebook_without_a_record_is_refused_only_when_it_differs(chapter):
    py, nb, build = chapter
    notebooks.sync(py, nb, build)
    shutil.rmtree(build)                                              # e.g. rm -rf _build
    assert notebooks.sync(py, nb, build) == "current"
    edit_notebook(nb, "print(seed)", "print('my edit')")
    shutil.rmtree(build)
    with pytest.raises(notebooks.HandEdited):
        notebooks.sync(py, nb, build)


def test_versions_file_touched_only_on_change(tmp_path):
    path = tmp_path / "versions.txt"
    assert notebooks.write_versions(path) is True
    assert f"torch {torch_version()}" in path.read_text()
    stamp = path.stat().st_mtime_ns
    assert notebooks.write_versions(path) is False and path.stat().st_mtime_ns == stamp
    path.write_text("torch 0.0.1\n")                                  # as after an upgrade
    assert notebooks.write_versions(path) is True


def torch_version():
    from importlib import metadata
    return metadata.version("torch")


@pytest.fixture
def ch(project):
    """The Makefile's project (tests/conftest.py) with one chapter."""
    project.chapter("ch", CHAPTER)
    return project


def test_make_refuses_a_hand_edited_notebook_and_keeps_it(ch):
    assert ch.make("notebooks").returncode == 0
    nb = ch.root / "book/ch.ipynb"
    edit_notebook(nb, "print(seed)", "print('my edit')")
    run = ch.make("notebooks")
    assert run.returncode != 0 and "book/ch.ipynb was edited by hand" in run.stderr
    assert "my edit" in nb.read_text()                               # not deleted by make


def test_make_clean_keeps_the_cache_and_the_sweep_distclean_removes_them(ch):
    """The cache and the sweep's kept runs are hours of full-scale work: clean keeps them."""
    root = ch.root
    for f in ("_build/cache/entry.npz", "_build/html/index.html", "_build/executed/x.ipynb",
              "_build/versions.txt", "_build/sweep/full/ch/seed-0.ipynb", "book/ch.ipynb"):
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("x")
    assert ch.make("clean").returncode == 0
    left = sorted(str(p.relative_to(root)) for p in (root / "_build").rglob("*"))
    assert left == ["_build/cache", "_build/cache/entry.npz", "_build/sweep",
                    "_build/sweep/full", "_build/sweep/full/ch",
                    "_build/sweep/full/ch/seed-0.ipynb"]
    assert not (root / "book/ch.ipynb").exists() and (root / "book/ch.py").exists()
    assert ch.make("distclean").returncode == 0
    assert not (root / "_build").exists()


def test_executed_notebooks_depend_on_the_versions_file():
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(r"^_build/executed/\$\(1\)/%\.ipynb:(.*)$", makefile, re.M)[1]
    assert "$(VERSIONS)" in rule and "$(DEPS)" in rule
    assert re.search(r"^\$\(VERSIONS\): FORCE", makefile, re.M)


def test_references_are_made_under_a_fixed_vector_unit_and_checked_under_another():
    """The smoke runs (the nbval references are copies of them) pin torch to its
    portable kernels; nbval re-executes under the machine's own unit, so a reference
    that shows round-off digits fails where it is made (issue 23)."""
    def dry(target):
        return subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout
    smoke = dry("_build/executed/smoke/memory_functions.ipynb")
    run = next(line for line in smoke.splitlines() if "bookkit.build.execute" in line)
    assert "ATEN_CPU_CAPABILITY=default" in run and "MKL_ENABLE_INSTRUCTIONS=AVX2" in run
    nbval = next(line for line in dry("nbval").splitlines() if "--nbval" in line)
    assert "ATEN_CPU_CAPABILITY" not in nbval


@pytest.mark.parametrize("variable,value,target", [
    ("SEEDS", "0 --help", "sweep"), ("SCALE", "smoke --help", "sweep"),
    ("ARGS", "--help", "sweep"), ("SITE", "x true", "browser"),
    ("CELL_TIMEOUT", "1 --help", "_build/executed/smoke/ch.ipynb")])
def test_make_variables_are_never_run_by_the_shell(ch, variable, value, target):
    """make sweep "SEEDS=0 --help; touch x; true" (review S12): the value is text for
    the tool that reads it, which refuses it naming what is allowed, never a command."""
    marker = ch.root / "pwned"
    run = ch.make(target, f"{variable}={value}; touch {marker}; true")
    assert not marker.exists()
    assert run.returncode != 0


def test_make_sweep_names_the_variable_it_refuses(ch):
    run = ch.make("sweep", "SCALE=smoke", "SEEDS=0 - x")
    assert run.returncode != 0 and "parameter 'seeds' must be" in run.stderr
    run = ch.make("sweep", "SCALE=smoke", "SEEDS=0", "ARGS=-c 'no such' --dry-run")
    assert "must name chapters among ch; got ['no such']" in run.stderr   # split as a shell
