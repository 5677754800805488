"""What a researcher expects of the project: licences (MIT for code, CC BY 4.0 for
text and figures) stated in the README and on every page, a valid CITATION.cff, a
changelog, and the CI badge."""
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO = CONFIG["repository"]["url"]
# the Citation File Format's own schema, vendored (tests/data/README.md)
CFF_SCHEMA = json.loads((ROOT / "tests/data/citation-file-format-1.2.0.schema.json").read_text())


def validate_cff(doc):
    jsonschema.Draft7Validator(
        CFF_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(doc)


@pytest.fixture
def citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text())


def test_licences():
    text = (ROOT / "LICENSE").read_text()
    assert "MIT License" in text and "Permission is hereby granted, free of charge" in text
    assert "CC BY 4.0" in text and "LICENSE-CC-BY-4.0.txt" in text
    cc = (ROOT / "LICENSE-CC-BY-4.0.txt").read_text()
    assert cc.startswith("Creative Commons Attribution 4.0 International")
    assert "Section 1 – Definitions." in cc and len(cc) > 15000, "the full legal code"


def test_readme_and_pages_state_the_licences():
    assert re.search(r"MIT.*code|code.*MIT", README, re.I | re.S)
    assert "CC BY 4.0" in README
    footer = CONFIG["html"]["extra_footer"]
    assert "CC BY 4.0" in footer and "MIT" in footer
    for link in re.findall(r'href="([^"]+)"', footer):
        if "github.com" in link:
            assert link.startswith(REPO + "/"), f"footer link outside the repository: {link}"


def test_citation_is_valid_against_its_schema(citation):
    validate_cff(citation)
    assert citation["repository-code"] == REPO
    assert citation["license"] == "MIT"
    version = json.loads(json.dumps(citation["version"]))
    assert f'version = "{version}"' in (ROOT / "pyproject.toml").read_text()


def test_the_schema_check_rejects_a_broken_citation(citation):
    del citation["authors"]
    with pytest.raises(jsonschema.ValidationError, match="authors"):
        validate_cff(citation)
    citation.update(authors=[{"name": "x"}], **{"repository-code": "not a url"})
    with pytest.raises(jsonschema.ValidationError):
        validate_cff(citation)


def test_citation_references_are_the_books_papers(citation):
    bib = re.sub(r"[{}]", "", (ROOT / "references.bib").read_text()).lower()
    for ref in citation["references"]:
        assert ref["title"].lower() in bib, ref["title"]


def test_changelog():
    log = (ROOT / "CHANGELOG.md").read_text()
    assert log.startswith("# Changelog") and "## [Unreleased]" in log


def test_readme_shows_the_ci_badge():
    ci = f"{REPO}/actions/workflows/ci.yml"
    badge = f"[![Tests]({ci}/badge.svg)]({ci})"
    assert badge in README
    assert (ROOT / ".github/workflows/ci.yml").exists()
