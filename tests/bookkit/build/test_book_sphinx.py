"""bookkit.build.book_sphinx: alt text from captions, the page's numbers for the
reader's notebook."""
from types import SimpleNamespace

from docutils import nodes

from bookkit.build import book_sphinx


def test_first_sentence_of_a_caption():
    assert book_sphinx.first_sentence("Fig. 1(b) of wang2024inverse. Left: errors.") == \
        "Fig. 1(b) of wang2024inverse."
    assert book_sphinx.first_sentence("Error vs width (Li et al. 2021). Right: x.") == \
        "Error vs width (Li et al. 2021)."
    assert book_sphinx.first_sentence("One sentence\n only") == "One sentence only"


def test_figures_get_their_captions_first_sentence_as_alt_text():
    image = nodes.image(uri="../_images/08affe.png", alt="../_images/08affe.png")
    doctree = nodes.document(None, None)
    doctree += nodes.figure("", image, nodes.caption("", "The memories. Solid: exp."))
    book_sphinx._alt_text(None, doctree, "book/x")
    assert image["alt"] == "The memories."


def test_numbers_as_the_page_shows_them():
    app = SimpleNamespace(
        config=SimpleNamespace(numfig_format={"figure": "Fig. %s", "theorem": "theorem %s"}),
        env=SimpleNamespace(toc_fignumbers={"book/x": {"figure": {"fig-a": (3,)},
                                                       "theorem": {"thm-j": (2,)}}}))
    assert book_sphinx.numbers(app, "book/x") == {"fig-a": "Fig. 3", "thm-j": "Theorem 2"}
    assert book_sphinx.numbers(app, "book/other") == {}
