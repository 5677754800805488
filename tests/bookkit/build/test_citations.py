"""bookkit.build.citations: author-year citations and labels from references.bib."""
import pytest
from pybtex.plugin import find_plugin

from bookkit.build import citations

BIB = citations.entries()


def test_every_entry_has_a_label_and_an_address():
    for key, entry in BIB.items():
        assert citations.label(entry).endswith(entry.fields["year"]), key
        assert citations.link(entry).startswith("https://"), f"{key}: no URL, DOI or arXiv"


def test_authors_as_the_text_cites_them():
    assert citations.authors(BIB["li2021"]) == "Li et al."
    assert citations.authors(BIB["wang2023stablessm"]) == "Wang and Li"
    assert citations.label(BIB["gu2022s4d"]) == "Gu et al. 2022"


def test_cite_parenthetical_and_textual():
    assert citations.cite(["li2021"], textual=False) == "(Li et al., 2021)"
    assert citations.cite(["li2021", "wang2023stablessm"], textual=False) == \
        "(Li et al., 2021; Wang and Li, 2023)"
    assert citations.cite(["li2021"], textual=True) == "Li et al. (2021)"
    assert citations.cite(["nobody"], textual=False) == "(nobody)"


def test_reference_list_entry_is_plain_markdown():
    text = citations.reference("gu2022s4d")
    assert text.startswith("Albert Gu, Ankit Gupta") and "Christopher Ré" in text
    assert "(2022)" in text and "<https://" in text and "{" not in text


def test_pybtex_style_labels_author_year_and_sorts_by_author():
    citations.register()
    style = find_plugin("pybtex.style.formatting", citations.STYLE)()
    labels = [e.label for e in style.format_entries(BIB.values())]
    assert "Li et al. 2021" in labels and "Wang and Li 2023" in labels
    assert labels == sorted(labels, key=lambda s: s.split()[0]), "sorted by author"


@pytest.mark.parametrize("text, plain", [("R{\\'e}", "Ré"), ("{StableSSM}: x", "StableSSM: x")])
def test_markup_is_removed(text, plain):
    assert citations.plain(text) == plain
