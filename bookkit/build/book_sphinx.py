"""Sphinx fixes for the book, loaded by the staged _config.yml (tools/stage.py).

The book's stylesheet, ``tools/static/book.css``, is added to every page (code
boxes that never cut a line off).

sphinx-thebe 0.3.1 registers its configuration script once per read phase, and
Jupyter Book runs it twice, so every page declared ``const THEBE_JS_URL`` twice:
a JavaScript SyntaxError on every page (found by tests/browser). Each page keeps
one copy of every script.
"""
from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


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


def setup(app):
    app.connect("config-inited", _add_static)
    app.add_css_file("book.css")
    app.connect("html-page-context", _dedupe_scripts, priority=900)  # after the themes
    return {"parallel_read_safe": True, "parallel_write_safe": True}
