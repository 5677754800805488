"""The book's bibliography (``references.bib``) in author-year form, one home for both
places that show it:

- the site's reference list, whose labels match the text's citations ("Li et al.
  2021"): the pybtex style ``authoryear`` (``bibtex_default_style`` in _config.yml),
  registered by bookkit.build.book_sphinx;
- the reader's notebooks (bookkit.build.reader): citations as "(Li et al., 2021)" or
  "Li et al. (2021)", and a reference list at the end.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pybtex.database import Entry, parse_file
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as Unsrt
from pybtex.style.labels import BaseLabelStyle

from bookkit.chapters import ROOT

BIB = ROOT / "references.bib"
STYLE = "authoryear"


def plain(latex: str) -> str:
    """BibTeX text without its markup: ``R{\\'e}`` -> ``Ré``, ``{StableSSM}`` -> ``StableSSM``."""
    return Text.from_latex(latex).render_as("text")


def authors(entry: Entry) -> str:
    """"Wang", "Wang and Li", "Li et al." (family names of the authors)."""
    names = [plain(" ".join(p.prelast_names + p.last_names))
             for p in entry.persons.get("author", [])]
    if len(names) > 2:
        return f"{names[0]} et al."
    return " and ".join(names) or plain(entry.fields.get("title", "Anonymous"))


def label(entry: Entry) -> str:
    """The author-year label of the reference list: "Li et al. 2021"."""
    return f"{authors(entry)} {entry.fields.get('year', 'n.d.')}"


@lru_cache
def entries(path: Path = BIB) -> dict[str, Entry]:
    return dict(parse_file(str(path)).entries)


def link(entry: Entry) -> str:
    """The entry's address: its URL, else its DOI or arXiv number as a URL, or ""."""
    f = entry.fields
    if f.get("url"):
        return f["url"]
    if f.get("doi"):
        return f"https://doi.org/{f['doi']}"
    if f.get("eprint") and f.get("archivePrefix", "").lower() == "arxiv":
        return f"https://arxiv.org/abs/{f['eprint']}"
    return ""


def reference(key: str, bib: dict[str, Entry] | None = None) -> str:
    """One entry of a notebook's reference list, in Markdown."""
    e = (bib or entries())[key]
    people = ", ".join(plain(" ".join(p.first_names + p.middle_names + p.prelast_names
                                      + p.last_names)) for p in e.persons.get("author", []))
    f = e.fields
    venue = f.get("journal") or f.get("booktitle") or f.get("howpublished") or (
        f"arXiv:{f['eprint']}" if f.get("eprint") else "")
    parts = [f"{people} ({f.get('year', 'n.d.')}). {plain(f.get('title', ''))}."]
    if venue:
        parts.append(f"*{plain(venue)}*" + (f" {f['volume']}." if f.get("volume") else "."))
    if link(e):
        parts.append(f"<{link(e)}>")
    return " ".join(parts)


def cite(keys: list[str], textual: bool, bib: dict[str, Entry] | None = None) -> str:
    """A citation as the text shows it: "(Li et al., 2021; Wang and Li, 2023)", or,
    ``textual``, "Li et al. (2021)". An unknown key is shown as it is written."""
    bib = bib or entries()
    found = [(authors(bib[k]), bib[k].fields.get("year", "n.d.")) if k in bib else (k, "")
             for k in keys]
    if textual:
        return "; ".join(f"{a} ({y})" if y else a for a, y in found)
    return "(" + "; ".join(f"{a}, {y}" if y else a for a, y in found) + ")"


class AuthorYearLabels(BaseLabelStyle):
    """Labels "Li et al. 2021", made unique by a letter where two would be the same."""

    def format_labels(self, sorted_entries):
        seen: dict[str, int] = {}
        for entry in sorted_entries:
            text = label(entry)
            seen[text] = seen.get(text, 0) + 1
            yield text if seen[text] == 1 else f"{text}{'abcdefghij'[seen[text] - 1]}"


class AuthorYearStyle(Unsrt):
    """pybtex's unsrt entries, labelled and sorted by author and year."""

    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"


def register() -> None:
    """Make ``bibtex_default_style: authoryear`` known to pybtex (and so to Sphinx)."""
    register_plugin("pybtex.style.formatting", STYLE, AuthorYearStyle, force=True)


__all__ = ["AuthorYearStyle", "authors", "cite", "entries", "label", "link", "reference",
           "register"]
