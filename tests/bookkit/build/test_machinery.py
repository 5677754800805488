"""bookkit.build.machinery: the book's bookkeeping (glue of numbers, recording claims)
is folded away from the reader, and what runs stays the same."""
from bookkit.build import machinery


def code(src, outputs=(), tags=()):
    return {"cell_type": "code", "id": "c1", "source": src, "outputs": list(outputs),
            "metadata": {"tags": list(tags)}, "execution_count": 1}


def record(name, image=False):
    data = {"application/papermill.record/text/plain": "1"}
    if image:
        data["application/papermill.record/image/png"] = "iVBOR"
    return {"output_type": "display_data", "data": data,
            "metadata": {"scrapbook": {"name": name,
                                       "mime_prefix": "application/papermill.record/"}}}


STREAM = {"output_type": "stream", "name": "stdout", "text": "fitted 0.5\n"}


def test_trailing_glue_moves_into_a_folded_cell_of_its_own():
    src = ("x = fit(data)        # the science\n"
           "print(f'fitted {x}')\n"
           "label = f'{x:.2f}'\n"
           "glue('x', x)\n"
           "glue('label', label)")
    science, glue = machinery.split(code(src, [STREAM, record("x"), record("label")]), set())
    assert science["source"] == "x = fit(data)        # the science\nprint(f'fitted {x}')"
    assert glue["source"] == "label = f'{x:.2f}'\nglue('x', x)\nglue('label', label)"
    assert science["outputs"] == [STREAM] and len(glue["outputs"]) == 2
    assert {"hide-input", machinery.TAG} <= set(glue["metadata"]["tags"])
    assert glue["id"] == "c1-glue" and not science["metadata"]["tags"]


def test_a_glue_moves_past_what_does_not_touch_its_inputs():
    src = "glue('a', a)\nb = a + 1\nshow(b)"
    science, glue = machinery.split(code(src), set())
    assert science["source"] == "b = a + 1\nshow(b)" and glue["source"] == "glue('a', a)"


def test_a_glue_stays_where_a_later_line_changes_what_it_reads():
    for later in ("a = 2", "a[0] = 2", "a += 1", "a.append(3)", "a.mul_(2)"):
        assert machinery.split(code(f"glue('a', a)\n{later}"), set())[0]["source"] \
            .startswith("glue('a', a)"), later


def test_an_assignment_stays_when_later_cells_or_lines_read_it():
    src = "y = 2 * x\nglue('y', y)"
    assert machinery.split(code(src), {"y"})[0]["source"] == "y = 2 * x"
    assert machinery.split(code(src + "\nplot(y)"), set())[0]["source"] == "y = 2 * x\nplot(y)"


def test_a_glued_figure_stays_with_the_plot():
    src = "fig = draw()\nglue('fig_a', plotting.finish(fig))\nglue('n', 3)"
    science, glue = machinery.split(code(src, [record("fig_a", image=True), record("n")]),
                                    set())
    assert "fig_a" in science["source"] and glue["source"] == "glue('n', 3)"
    assert science["outputs"] == [record("fig_a", image=True)]


def test_a_cell_of_bookkeeping_only_is_folded_whole():
    [cell] = machinery.split(code("glue('a', 1)\nfor k, v in d.items():\n    glue(k, v)"),
                             set())
    assert "hide-input" in cell["metadata"]["tags"] and cell["id"] == "c1"


def test_nothing_to_move_and_shared_lines_leave_the_cell_whole():
    cell = code("x = 1; glue('x', x)\ny = 2")
    assert machinery.split(cell, set()) == [cell]
    cell = code("x = 1\nshow(x)")
    assert machinery.split(cell, set()) == [cell]


def test_claims_cells_are_folded_and_their_printed_lines_dropped():
    out = {"output_type": "stream", "name": "stdout",
           "text": "[reproduced] a: rate 1.0\nsomething else\n"}
    call = "claims.check('a', 's', True, 'rate 1.0', kind='paper', margin=1.0)"
    nb = {"cells": [code(call, [out])]}
    machinery.fold_bookkeeping(nb, {"[reproduced] a: rate 1.0"})
    [cell] = nb["cells"]
    assert "hide-input" in cell["metadata"]["tags"]
    assert cell["outputs"][0]["text"] == "something else\n"


def test_parameters_and_folded_cells_are_left_alone():
    cells = [code("seed = 0", tags=["parameters"]), code("glue('a', 1)", tags=["hide-input"])]
    nb = {"cells": [dict(c) for c in cells]}
    machinery.fold_bookkeeping(nb, set())
    assert nb["cells"] == cells


def test_a_cell_calling_the_chapters_own_claim_recorder_is_bookkeeping():
    define = code("def table_claim(cid, rows):\n    claims.check(cid, 's', True, 'e', "
                  "kind='paper', margin=1.0)\n\ndef unrelated(x):\n    return x")
    out = {"output_type": "stream", "name": "stdout", "text": "[reproduced] a: e\n"}
    call = {**code("rows = [1]\ntable_claim('a', rows)", [out]), "id": "c2"}
    plain = {**code("y = unrelated(2)"), "id": "c3"}
    assert machinery.recorders([define, call, plain]) == {"table_claim"}
    nb = {"cells": [define, call, plain]}
    machinery.fold_bookkeeping(nb, {"[reproduced] a: e"})
    folded = [c["id"] for c in nb["cells"] if machinery.TAG in c["metadata"]["tags"]]
    assert folded == ["c1", "c2"]
    assert nb["cells"][1]["outputs"] == []          # its printed line is in the table
