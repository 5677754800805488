"""Compact tables in the book's pages: Markdown, so they wrap in the text column
(a raw DataFrame is as wide as its widest cell) and the build renders them as tables.

``markdown(header, rows)`` is the table's text; ``show`` displays it in a notebook;
``mark`` turns a verdict into the mark the tables use.
"""
from __future__ import annotations

MARKS = {"stable": "✓", "unstable": "✗", "undecided": "?"}


def markdown(header: list[str], rows: list[list]) -> str:
    """A Markdown table: one header row, then one line a row (cells as text; a "|" in
    a cell is escaped)."""
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    if any(len(r) != len(header) for r in rows):
        raise ValueError(f"every row must have {len(header)} cells, as the header")
    return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows)])


def show(text: str) -> None:
    """Display Markdown ``text`` as the cell's output (rendered by the book's build)."""
    from IPython.display import Markdown, display
    display(Markdown(text))


def mark(verdict: str) -> str:
    """"stable (certified)" -> "✓", "unstable (sampled)" -> "✗ (sampled)", ...: the
    verdict as a mark, its qualifier kept only where it is not certified."""
    word, _, rest = verdict.partition(" ")
    note = rest.strip("()")
    return MARKS.get(word, word) + ("" if note in ("", "certified") else f" ({note})")


__all__ = ["MARKS", "markdown", "show", "mark"]
