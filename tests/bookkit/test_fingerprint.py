import torch

from bookkit.fingerprint import fingerprint


def test_content_not_identity():
    a, b = torch.arange(4.0), torch.arange(4.0)
    assert fingerprint(a) == fingerprint(b) != fingerprint(b + 1)
    assert fingerprint(lambda m=2: m) != fingerprint(lambda m=3: m)
    assert fingerprint([1, (2.0, "x")]) == fingerprint([1, (2.0, "x")])


def test_a_memory_address_is_never_part_of_it():
    class Opaque:
        __slots__ = ()
    assert fingerprint(Opaque()) == fingerprint(Opaque())
