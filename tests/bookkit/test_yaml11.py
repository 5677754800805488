"""Parameter values in YAML 1.1 as papermill reads them: read as written, or refused
naming the parameter and how to write it (review B16, B17)."""
import pytest

from bookkit import yaml11
from bookkit.rules import ParameterError


@pytest.mark.parametrize("text, message", [
    ("seed: 010", "parameter 'seed' is written 010 in x.yaml, which YAML 1.1 (papermill's "
     "-f) reads as the octal number 8; write 10 (or 8) without the leading zero"),
    ("lr: 1e-3", "parameter 'lr' is written 1e-3 in x.yaml, which YAML 1.1 (papermill's "
     "-f) reads as the text '1e-3', not a number; write 1.0e-3"),
    ("widths: [2, 1E2]", "parameter 'widths' is written 1E2 in x.yaml, which YAML 1.1 "
     "(papermill's -f) reads as the text '1E2', not a number; write 1.0e+2"),
    ("horizon: 1:30", "reads as the number 90 (base 60)"),
])
def test_yaml_that_papermill_reads_otherwise_is_refused(text, message):
    with pytest.raises(ParameterError) as err:
        yaml11.from_yaml(text, "x.yaml")
    assert message in str(err.value)


def test_yaml_read_as_written_passes():
    assert yaml11.from_yaml("seed: 10\nlr: 1.0e-3\nsigma: tanh\nname: '010'\nz: 0\nw: [1, 2]",
                       "x") == {"seed": 10, "lr": 0.001, "sigma": "tanh", "name": "010",
                                "z": 0, "w": [1, 2]}
    assert yaml11.from_yaml("", "x") == {}


def test_the_parameter_sets_are_read_as_written(tmp_path):
    from bookkit.chapters import parameter_set
    (tmp_path / "params/smoke").mkdir(parents=True)
    (tmp_path / "params/smoke/ch.yaml").write_text("seed: 010\n")
    with pytest.raises(ParameterError, match="the octal number 8"):
        parameter_set("ch", "smoke", tmp_path)


@pytest.mark.parametrize("x, text", [(1e-3, "0.001"), (1e-5, "1.0e-5"), (1e22, "1.0e+22"),
                                     (2.5e-7, "2.5e-7"), (float("inf"), ".inf")])
def test_numbers_are_written_as_yaml_11_reads_them(x, text):
    import yaml
    assert yaml11.written(x) == text and yaml.safe_load(f"a: {text}")["a"] == x


@pytest.mark.parametrize("text, fixed", [("1e-3", "1.0e-3"), ("1E5", "1.0e+5"), ("1.0e3", "1.0e+3"),
                                         (".5e-3", "0.5e-3"), ("09", "9"), ("inf", ".inf")])
def test_a_number_read_as_text_is_rewritten_close_to_how_it_was_written(text, fixed):
    import yaml
    assert yaml11.rewritten(text) == fixed
    assert yaml.safe_load(f"a: {fixed}")["a"] == float(text)
