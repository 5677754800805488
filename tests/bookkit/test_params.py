"""Each chapter's parameters declared once (bookkit.params): the dataclass is checked,
rendered as the parameters cell, and validates a chapter's namespace."""
import dataclasses
import math

import pytest

from bookkit import params as P
from bookkit.chapters import chapter_names, declared
from bookkit.rules import ParameterError, integer, integers, real, require


@dataclasses.dataclass(frozen=True)
class Toy(P.Params):
    width: int = P.param(2, "width m", integer(lo=1, hi=64))
    steps: int = P.param(10, "steps", integer(lo=1, hi=10 ** 6))
    lr: float = P.param(0.1, "learning rate", real(positive=True))
    widths: list[int] = P.param([2, 4], "widths", integers(lo=1, hi=512, increasing=True))

    def check(self):
        require("widths", len(self.widths) >= 2, "two widths or more", self.widths)


def namespace(**extra):
    ns = {"seed": 0, "strict": True, "width": 2, "steps": 10, "lr": 0.1, "widths": [2, 4],
          "math": math, "In": [], "Out": {}, "get_ipython": lambda: None, "exit": object,
          "_": None, "_i1": "x", "helper": len, "Toy": Toy}
    ns.update(extra)
    return ns


def test_the_declaration_is_its_fields():
    assert [f.name for f in P.fields(Toy)] == ["seed", "strict", "width", "steps", "lr", "widths"]
    assert P.defaults(Toy)["widths"] == [2, 4] and Toy().widths is not Toy().widths


def test_the_parameters_cell_is_the_rendering():
    cell = P.cell(Toy).splitlines()
    assert cell[0].startswith("seed: int = 0") and cell[0].endswith("# random seed")
    assert "widths: list[int] = [2, 4]" in cell[-1] and cell[-1].endswith("# widths")
    assert len({line.index("#") for line in cell}) == 1           # comments line up
    ns: dict = {}
    exec("\n".join(cell), ns)                                      # plain assignments
    assert {k: ns[k] for k in P.defaults(Toy)} == P.defaults(Toy)


@pytest.mark.parametrize("chapter", chapter_names())
def test_every_chapter_declares_its_sizes_with_upper_bounds(chapter):
    """An absurd size stops a chapter before any work: every integer (and list of
    integers) has an upper bound, and a value past it is refused naming it."""
    for f in P.fields(declared(chapter)):
        rule, default = f.metadata["rule"], P.defaults(declared(chapter))[f.name]
        if f.name == "strict" or not P._type(f).startswith(("int", "list[int]")):
            continue
        assert "<=" in rule.allowed, (chapter, f.name)
        absurd = 10 ** 12 if P._type(f) == "int" else default[:-1] + [10 ** 12]
        with pytest.raises(ParameterError, match=f"parameter '{f.name}'"):
            rule(f.name, absurd)


def test_check_in_reads_validates_and_refuses_misspellings():
    assert P.check_in(namespace(), Toy) == Toy()
    with pytest.raises(ParameterError, match=r"parameter 'width' must be an integer >= 1 and "
                                             r"<= 64; got 1000000000000"):
        P.check_in(namespace(width=10 ** 12), Toy)
    with pytest.raises(ParameterError, match="parameter 'widths' must be two widths or more"):
        P.check_in(namespace(widths=[2]), Toy)
    with pytest.raises(ParameterError, match="have no value"):
        P.check_in({"seed": 0}, Toy)


@pytest.mark.parametrize("typo, near", [("sed", "seed"), ("widht", "width"), ("Steps", "steps"),
                                        ("LR", "lr")])
def test_misspelled_parameter_is_refused_with_suggestion(typo, near):
    with pytest.raises(ParameterError) as err:
        P.check_in(namespace(**{typo: 3}), Toy)
    msg = str(err.value)
    assert f"unknown parameter '{typo}' (did you mean '{near}'?)" in msg
    assert msg.endswith("whose parameters are lr, seed, steps, strict, width, widths")


def test_unrelated_unknown_name_listed_without_suggestion():
    with pytest.raises(ParameterError, match=r"unknown parameter 'zzz_top':"):
        P.check_in(namespace(zzz_top=1), Toy)


def test_modules_functions_and_ipython_names_are_not_parameters():
    assert P.parameter_like(namespace()) == ["lr", "seed", "steps", "strict", "width", "widths"]


def test_names_bound_by_later_cells_in_an_interactive_rerun_are_not_parameters():
    params, check = "seed = 0\nwidth = 2", "start(globals(), Params)"
    later = "t = 1.0\nfor k in []: pass"
    ns = namespace(t=1.0, k=3)
    ns["In"] = ["", params, check, later, params, check]     # Run All twice in one kernel
    P.check_in(ns, Toy)
    ns["In"] = ["", params, "t = 1.0", check]                # a papermill run: t is unknown
    with pytest.raises(ParameterError, match="unknown parameter"):
        P.check_in(ns, Toy)


def test_seed_is_bounded_to_what_numpy_and_torch_accept():
    import numpy as np
    import torch
    top = 2 ** 32 - 1
    P.check(Toy, {**P.defaults(Toy), "seed": top})
    np.random.seed(top)
    torch.Generator().manual_seed(top * 1000 + 10 ** 6)        # the chapters' offsets fit too
    with pytest.raises(ParameterError, match=r"parameter 'seed' must be an integer >= 0 and "
                                             r"<= 4294967295"):
        P.check(Toy, {**P.defaults(Toy), "seed": 10 ** 12})


def test_the_wrong_entry_is_named_not_a_parameter_checked_later():
    with pytest.raises(ParameterError, match="parameter 'lr'"):
        P.check(Toy, {**P.defaults(Toy), "lr": float("inf"), "widths": [10 ** 9]})


def test_a_chapter_cell_is_rewritten_from_its_declaration(tmp_path):
    source = '# %% tags=["parameters"]\nseed = 1\nwidth = 3\n\n# %%\nprint(width)\n'
    out = P.with_cell(source, Toy)
    assert out.endswith("\n\n# %%\nprint(width)\n") and "width: int = 2" in out
    assert P.with_cell(out, Toy) == out


# -- every name papermill injected is a parameter (review B23, B24) ---------------------------

def injected(**values):
    """A namespace as papermill leaves it: its injected cell in IPython's history."""
    ns = namespace(**values)
    code = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in values.items())
    ns["In"] = ["", "seed = 0\nwidth = 2", code, "start(globals(), Params)"]
    return ns


@pytest.mark.parametrize("name, value, near", [
    ("_seed", 5, "seed"), ("__width", 3, "width"), ("_", 1, None), ("_i1", 2, None),
    ("exit", 3, None), ("open", "x", None), ("display", 0, None), ("In", 1, None),
    ("Out", [], None), ("get_ipython", 1, None)])
def test_a_private_or_ipython_name_papermill_injected_is_refused(name, value, near):
    with pytest.raises(ParameterError) as err:
        P.check_in(injected(**{name: value}), Toy)
    hint = f" (did you mean '{near}'?)" if near else ""
    assert f"unknown parameter '{name}'{hint}: not a parameter of this chapter" in str(err.value)


def test_ipython_names_as_ipython_left_them_are_not_parameters():
    ns = injected(width=3)
    assert P.check_in(ns, Toy).width == 3
