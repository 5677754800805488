"""CITATION.cff: valid against the Citation File Format's own schema (vendored,
tests/data), naming the release (version and date as in CHANGELOG.md and the
package), the book's address, both licences, and the papers it reproduces."""
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

import com

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
CFF_SCHEMA = json.loads((ROOT / "tests/data/citation-file-format-1.2.0.schema.json").read_text())
TEXT = (ROOT / "CITATION.cff").read_text()


def validate_cff(doc):
    jsonschema.Draft7Validator(
        CFF_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(doc)


@pytest.fixture
def citation():
    return yaml.safe_load(TEXT)


def test_valid_against_its_schema(citation):
    validate_cff(citation)
    assert citation["repository-code"] == CONFIG["repository"]["url"]
    assert citation["url"] == CONFIG["html"]["baseurl"]
    assert citation["license"] == ["MIT", "CC-BY-4.0"], "code MIT, text and figures CC BY"


def test_the_schema_check_rejects_a_broken_citation(citation):
    del citation["authors"]
    with pytest.raises(jsonschema.ValidationError, match="authors"):
        validate_cff(citation)
    citation.update(authors=[{"name": "x"}], **{"repository-code": "not a url"})
    with pytest.raises(jsonschema.ValidationError):
        validate_cff(citation)


def test_names_the_release_of_the_changelog_and_the_package(citation):
    version = str(citation["version"])
    released = str(citation["date-released"])
    log = (ROOT / "CHANGELOG.md").read_text()
    latest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", log, re.M)
    assert latest and latest.groups() == (version, released), "CHANGELOG's latest release"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == version == com.__version__


def test_the_test_its_header_names_exists():
    named = re.findall(r"tests/[\w/]+\.py", TEXT.split("\ncff-version")[0])
    assert named and all((ROOT / path).exists() for path in named), named


def test_references_are_the_books_papers(citation):
    bib = re.sub(r"[{}]", "", (ROOT / "references.bib").read_text()).lower()
    for ref in citation["references"]:
        assert ref["title"].lower() in bib, ref["title"]
