import pytest

from bookkit import tables


def test_markdown_table_has_a_header_rule_and_escaped_cells():
    text = tables.markdown(["a", "b"], [[1, "x|y"], [2.5, "z"]])
    lines = text.splitlines()
    assert lines[0] == "| a | b |" and lines[1] == "| --- | --- |"
    assert lines[2] == "| 1 | x\\|y |" and len(lines) == 4
    with pytest.raises(ValueError, match="2 cells"):
        tables.markdown(["a", "b"], [[1]])


def test_marks_keep_only_what_is_not_certified():
    assert tables.mark("stable (certified)") == "✓"
    assert tables.mark("unstable (sampled)") == "✗ (sampled)"
    assert tables.mark("undecided") == "?"
