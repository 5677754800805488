"""bookkit.build.summary: the box a chapter opens with, and the intro's tables, made
from the claims' records (claims_data)."""
from bookkit.build import summary

KEYS = {"wang2024inverse", "li2021"}


def claim(id, kind="paper", reproduced=True, ref="", verdict=None):
    return {"id": id, "statement": f"statement of {id}", "kind": kind, "ref": ref,
            "reproduced": reproduced,
            "verdict": verdict or ("reproduced" if reproduced else "NOT reproduced")}


def test_box_lists_paper_claims_first_with_verdict_kind_and_ref():
    box = summary.claims_box("ch", [claim("c", kind="check"),
                                    claim("p", ref="wang2024inverse Fig. 1(b)",
                                          reproduced=False)], KEYS)
    lines = box.splitlines()
    assert lines[0] == ":::{admonition} What this page checks" and lines[-1] == ":::"
    assert ":name: claims-ch" in lines
    rows = [line for line in lines if line.startswith("| <span")]
    assert "(`p`)" in rows[0] and "(`c`)" in rows[1]
    assert "verdict-fail" in rows[0] and "NOT reproduced" in rows[0]
    assert "{cite:t}`wang2024inverse`, Fig. 1(b)" in rows[0]
    assert "1 claims of the papers and 1 checks" in box


def test_empty_refs_show_nothing():
    box = summary.claims_box("ch", [claim("a"), claim("b")], KEYS)
    assert "reproduces" not in box
    assert summary.reference("", KEYS) == ""
    assert summary.reference("the book's derivation", KEYS) == "the book's derivation"
    assert summary.reference("li2021 Thm 3; wang2024inverse Fig. 2", KEYS) == \
        "{cite:t}`li2021`, Thm 3; {cite:t}`wang2024inverse`, Fig. 2"


def test_intro_tables_link_each_claim_to_its_chapters_box():
    text = summary.claims_summary([("a", claim("x")), ("a", claim("y", kind="check")),
                                   ("b", claim("z", reproduced=False))])
    assert text.count("| verdict | claim | kind | statement |") == 2
    assert "{doc}`a`" in text and "{doc}`b`" in text
    assert "{ref}`x <claims-a>`" in text and "{ref}`z <claims-b>`" in text
    assert '<span class="verdict-pass">✓</span> |' in text, "a plain pass is a mark"


def test_claims_counts_says_what_reproduced():
    records = [("a", {"kind": "paper", "reproduced": True}),
               ("a", {"kind": "paper", "reproduced": False}),
               ("b", {"kind": "check", "reproduced": True})]
    assert summary.claims_counts(records) == (
        "2 claims of the papers (1 reproduced) and 1 checks of identities and proved "
        "inequalities (1 hold)")
