"""Parameter values in YAML 1.1, the YAML papermill reads (-f files, -y text), read as
they were written or not at all.

YAML 1.1 reads some plain numbers otherwise than a reader of the file would: ``010``
is the octal number 8, ``1:30`` is 90 (base 60), and ``1e-3`` or ``1E5`` (no dot, or
an exponent without its sign) are text. ``from_yaml`` refuses such a value naming the
parameter, what YAML 1.1 reads and how to write it (``rewritten``: ``1.0e-3``);
everything else is read as ``yaml.safe_load`` reads it.
"""
from __future__ import annotations

import math
import re
from typing import Any

from .rules import ParameterError

OCTAL = re.compile(r"[-+]?0[0-7_]+")
BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+")
READER = "YAML 1.1 (papermill's -f)"


def written(x: float) -> str:
    """``x`` as YAML 1.1 reads it back as the number: a dot, a signed exponent."""
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    text = repr(float(x))
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{int(exponent):+d}"


SCIENTIFIC = re.compile(r"([-+]?)([0-9_]*)(?:\.([0-9_]*))?[eE]([-+]?)([0-9]+)")


def rewritten(text: str) -> str:
    """Number ``text`` as YAML 1.1 reads it as that number, close to how it was written:
    ``1e-3`` -> ``1.0e-3``, ``1E5`` -> ``1.0e+5``, ``09`` -> ``9``."""
    m = SCIENTIFIC.fullmatch(text.strip())
    if m:
        sign, whole, fraction, exp_sign, exponent = m.groups()
        return f"{sign}{whole or '0'}.{fraction or '0'}e{exp_sign or '+'}{exponent}"
    x = number(text)
    return str(int(x)) if x.is_integer() and re.fullmatch(r"[-+]?[0-9_]+", text.strip()) \
        else written(x)


def number(text: str) -> float | None:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None


def _pitfall(name: str, node, source: str) -> str | None:
    """How YAML 1.1 misreads a plain scalar, or None."""
    value, tag = node.value, node.tag.rsplit(":", 1)[-1]
    where = f"parameter '{name}' is written {value} in {source}, which {READER} reads as"
    if tag == "int" and OCTAL.fullmatch(value) and int(value.replace("_", ""), 8) != int(
            value.replace("_", "")):
        decimal = value.lstrip("+-0_") or "0"
        return (f"{where} the octal number {int(value.replace('_', ''), 8)}; write "
                f"{value[0] if value[0] in '+-' else ''}{decimal} (or "
                f"{int(value.replace('_', ''), 8)}) without the leading zero")
    if tag == "int" and BASE60.fullmatch(value):
        import yaml
        return f"{where} the number {yaml.safe_load(value)} (base 60); quote it if it is text"
    if tag == "str" and number(value) is not None:
        return f"{where} the text {value!r}, not a number; write {rewritten(value)}"
    return None


def _walk(node, name: str, source: str, found: list[str]) -> None:
    import yaml
    if isinstance(node, yaml.ScalarNode):
        if node.style is None:                        # plain: YAML resolved its type
            problem = _pitfall(name, node, source)
            if problem:
                found.append(problem)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk(item, name, source, found)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _walk(value, str(key.value) if name == "" else name, source, found)


def from_yaml(text: str, source: str) -> dict[str, Any]:
    """The parameters in YAML ``text`` (from ``source``, for the message), each read as
    written; ParameterError naming every value YAML 1.1 reads otherwise."""
    import yaml
    found: list[str] = []
    _walk(yaml.compose(text), "", source, found)
    if found:
        raise ParameterError("; ".join(found))
    return yaml.safe_load(text) or {}


__all__ = ["from_yaml", "written", "rewritten", "number"]
