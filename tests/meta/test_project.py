"""What a researcher expects of the project: licences (MIT for code, CC BY 4.0 for
text and figures) stated in the README and on every page, a changelog, the CI badge
and the book's address (the citation: tests/meta/test_citation.py)."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO = CONFIG["repository"]["url"]
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


def test_changelog():
    log = (ROOT / "CHANGELOG.md").read_text()
    assert log.startswith("# Changelog") and "## [Unreleased]" in log


def test_the_books_address_is_said_everywhere_it_is_needed():
    site = CONFIG["html"]["baseurl"]
    assert site == "https://curse-of-memory.github.io/curse-of-memory-book/"
    assert site in README.split("\n\n")[2], "in the README's opening paragraphs"
    assert f'Documentation = "{site}"' in (ROOT / "pyproject.toml").read_text()


def test_readme_shows_the_ci_badge():
    ci = f"{REPO}/actions/workflows/ci.yml"
    badge = f"[![Tests]({ci}/badge.svg)]({ci})"
    assert badge in README
    assert (ROOT / ".github/workflows/ci.yml").exists()
