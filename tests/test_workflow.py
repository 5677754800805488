"""The Pages workflow is a valid GitHub Actions workflow that builds, tests and deploys
the book (checked offline against SchemaStore's workflow schema, tests/data)."""
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
