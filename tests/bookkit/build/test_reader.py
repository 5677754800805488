"""bookkit.build.reader: the reader's notebook, a staged chapter as plain Jupyter shows
it (figures as PNG outputs, glued numbers written in, no MyST), made from the nbval
references staged as the book stages them."""
import json
import re
from pathlib import Path

import pytest
import yaml

from bookkit.build import reader

ROOT = Path(__file__).resolve().parents[3]
REFERENCES = sorted((ROOT / "tests/notebooks").glob("*.ipynb"))
MYST = re.compile(r"\{glue|\{prf:|\{cite|\{numref|\{doc\}|\{ref\}|\{\{|^:::|^```\{", re.M)
PREFIX = "application/papermill.record/"


def glued_figure(name):
    return {"output_type": "display_data",
            "data": {PREFIX + "image/png": "iVBOR", PREFIX + "text/plain": "<Figure>"},
            "metadata": {"image/png": {"width": 700}, "scrapbook": {
                "name": name, "mime_prefix": PREFIX}}}


def glued_text(name, text):
    return {"output_type": "display_data", "data": {PREFIX + "text/plain": text},
            "metadata": {"scrapbook": {"name": name, "mime_prefix": PREFIX}}}


def notebook(markdown, outputs=()):
    return {"metadata": {"jupytext": {"formats": "ipynb,py:percent"}}, "cells": [
        {"cell_type": "code", "id": "a", "source": "x", "metadata": {"tags": []},
         "outputs": list(outputs), "execution_count": 1},
        {"cell_type": "markdown", "id": "b", "source": markdown, "metadata": {}}]}


def text(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_a_placed_figure_is_a_plain_png_output_with_its_numbered_caption():
    nb = reader.reader_notebook(notebook(
        "```{glue:figure} fig_a\n:name: fig-a\nThe caption, $x^2$.\n```\n\nSee {numref}`fig-a`.",
        [glued_figure("fig_a"), glued_figure("fig_unplaced")]), {"fig-a": "Fig. 7"})
    shown = nb["cells"][0]["outputs"]
    assert shown[0]["data"] == {"image/png": "iVBOR", "text/plain": "<Figure>"}
    assert shown[0]["metadata"] == {"image/png": {"width": 700}}
    assert PREFIX + "image/png" in shown[1]["data"], "a figure no prose places stays glued"
    assert text(nb) == "**Fig. 7.** The caption, $x^2$.\n\nSee Fig. 7."


def test_glued_numbers_are_written_in_with_their_format():
    nb = reader.reader_notebook(notebook(
        "rate {glue:text}`rate:.2f`, n = {glue:text}`n`, {glue}`label`",
        [glued_text("rate", "1.23456"), glued_text("n", "12"), glued_text("label", "'a b'")]))
    assert text(nb) == "rate 1.23, n = 12, a b"


def test_theorems_admonitions_and_substitutions_become_quoted_blocks():
    md = ("```{prf:theorem} Jackson\n:label: thm-j\nFor every $m$, {cite}`li2021`.\n```\n\n"
          "{{ box }}\n\n(a-target)=\n## Next, by {cite:t}`li2021,wang2023stablessm`")
    box = "::::{admonition} Reproduce\n:class: tip\nRun it.\n:::{admonition} More\n" \
          ":class: dropdown\nInner.\n:::\n::::"
    nb = reader.reader_notebook(notebook(md), {"thm-j": "Theorem 2"}, {"box": box})
    assert text(nb).splitlines()[:5] == [
        "> **Theorem 2 (Jackson).** For every $m$, (Li et al., 2021).", "",
        "> **Reproduce**", ">", "> Run it."]
    assert "> > **More**" in text(nb) and "(a-target)=" not in text(nb)
    assert "## Next, by Li et al. (2021); Wang and Li (2023)" in text(nb)
    refs = nb["cells"][-1]
    assert refs["source"].startswith("## References") and refs["source"].count("\n- ") == 2


def test_math_is_left_alone_and_escaped_dollars_are_not_math():
    md = "$\\{x\\}_{glue}$ costs \\$5 and {cite}`li2021` $$a{{b}}$$"
    assert reader.reader_notebook(notebook(md))["cells"][1]["source"] == \
        "$\\{x\\}_{glue}$ costs \\$5 and (Li et al., 2021) $$a{{b}}$$"


def test_an_undefined_substitution_fails_loudly():
    with pytest.raises(KeyError, match="nothing"):
        reader.reader_notebook(notebook("{{ nothing }}"))


def test_doc_links_to_the_published_page():
    nb = reader.reader_notebook(notebook("{doc}`the intro <intro>`"), site="https://x.io/b/")
    assert text(nb) == "[the intro](https://x.io/b/book/intro.html)"


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda p: p.stem)
def test_every_chapter_reads_in_plain_jupyter(staged, ref):
    subs = yaml.safe_load((staged / "_config.yml").read_text())["parse"]["myst_substitutions"]
    staged_nb = json.loads((staged / "book" / ref.name).read_text())
    nb = reader.reader_notebook(staged_nb, {}, subs)
    md = text(nb)
    assert not MYST.findall(md), set(MYST.findall(md))
    images = sum("image/png" in o.get("data", {}) for c in nb["cells"]
                 for o in c.get("outputs", []))
    assert images == "".join(text(staged_nb)).count("{glue:figure}")
    folded = [c for c in nb["cells"] if "bookkeeping" in c["metadata"].get("tags", [])]
    assert folded and all(c["metadata"]["jupyter"]["source_hidden"] for c in folded)
    install = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "jupyter" not in install["metadata"], "the install cell and its pin are in view"
    assert "jupytext" not in nb["metadata"]
