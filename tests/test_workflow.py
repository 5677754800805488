"""The workflows are valid GitHub Actions workflows (checked offline against
SchemaStore's workflow schema, tests/data): pages.yml builds, tests and deploys the
book; ci.yml runs `make test` on every pull request and push."""
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
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
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", s["uses"]), s["uses"]
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


def test_executed_branch_gets_the_staged_notebooks(pages):
    """Colab opens these: they must carry the install cell and the folded parameters."""
    publish = next(s["run"] for s in steps(pages["jobs"]["build"])
                   if "executed" in s.get("name", "") and "run" in s)
    assert "cp _build/full/src/book/*.ipynb book/" in publish
    makefile = (ROOT / "Makefile").read_text()
    assert "tools/stage.py $(1)/src" in makefile and "$(call build,_build/full,full,.)" in makefile


def test_ci_actions_pinned(ci):
    for s in steps(ci["jobs"]["test"]):
        if "uses" in s:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", s["uses"]), s["uses"]
