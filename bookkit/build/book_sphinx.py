"""Sphinx fixes and additions for the book, loaded by the staged _config.yml
(bookkit.build.stage).

- The book's stylesheet, ``bookkit/build/static/book.css``, is added to every page.
- The bibliography's labels are author-year ("Li et al. 2021"), like the citations in
  the text: the pybtex style ``authoryear`` (bookkit.build.citations).
- Every figure's image has its caption's first sentence as alt text (the images are
  otherwise described by their file names).
- The notebook behind a chapter's download button (``_sources/book/<chapter>.ipynb``)
  is the reader's notebook (bookkit.build.reader), numbered as the page is.
- sphinx-thebe 0.3.1 registers its configuration script once per read phase, and
  Jupyter Book runs it twice, so every page declared ``const THEBE_JS_URL`` twice:
  a JavaScript SyntaxError on every page (found by tests/browser). Each page keeps
  one copy of every script.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes

from bookkit.build import citations, reader

STATIC = Path(__file__).resolve().parent / "static"
ABBREVIATIONS = ("Fig.", "Figs.", "e.g.", "i.e.", "et al.", "Eq.", "Thm.", "vs.", "cf.")


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for js in context.get("script_files", []):
        # the copies differ in their filename: None and "" (both: an inline script)
        key = (getattr(js, "filename", js) or "",
               tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    context["script_files"] = kept


def _add_static(app, config):
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def first_sentence(text: str) -> str:
    """The first sentence of a caption (an abbreviation such as "Fig." ends none)."""
    text = " ".join(text.split())
    for m in re.finditer(r"[.!?](?=\s+[A-Z(])", text):
        head = text[:m.end()]
        if not head.endswith(ABBREVIATIONS) and not re.search(r"\b[A-Z]\.$", head):
            return head
    return text


def _alt_text(app, doctree, docname):
    for figure in doctree.findall(nodes.figure):
        caption = next(iter(figure.findall(nodes.caption)), None)
        if caption is None:
            continue
        for image in figure.findall(nodes.image):
            if not image.get("alt") or image["alt"] == image.get("uri"):
                image["alt"] = first_sentence(caption.astext())


def numbers(app, docname: str) -> dict[str, str]:
    """The page's numbered things: label -> "Fig. 3", "Theorem 2" (as the page says)."""
    out, formats = {}, app.config.numfig_format
    for figtype, ids in app.env.toc_fignumbers.get(docname, {}).items():
        fmt = formats.get(figtype, figtype + " %s")
        for label, number in ids.items():
            text = fmt % ".".join(map(str, number))
            out[label] = text[:1].upper() + text[1:]
    return out


def _reader_notebooks(app, exception):
    """Replace the pages' downloadable notebooks by the reader's notebooks."""
    if exception is not None or app.builder.name != "html":
        return
    site = app.config.html_baseurl or ""
    subs = getattr(app.config, "myst_substitutions", {}) or {}
    for docname in app.env.found_docs:
        source = Path(app.env.doc2path(docname))
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if source.suffix != ".ipynb" or not target.exists():
            continue
        nb = reader.reader_notebook(json.loads(source.read_text()), numbers(app, docname),
                                    subs, site)
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def setup(app):
    citations.register()
    app.connect("config-inited", _add_static)
    app.add_css_file("book.css")
    app.connect("doctree-resolved", _alt_text)
    app.connect("html-page-context", _dedupe_scripts, priority=900)  # after the themes
    app.connect("build-finished", _reader_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
