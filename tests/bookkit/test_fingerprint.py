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


def test_partials_and_bound_methods_are_told_apart_by_what_they_call_with():
    """A compute given as functools.partial or a bound method keys its arguments and
    its object (they were fingerprinted as an empty object, the same for all)."""
    import functools

    def f(m, k=0):
        return m + k

    class Fit:
        def __init__(self, m):
            self.m = m

        def run(self):
            return self.m

        def other(self):
            return -self.m

    same = fingerprint(functools.partial(f, 1))
    assert same == fingerprint(functools.partial(f, 1))
    assert same != fingerprint(functools.partial(f, 2))
    assert same != fingerprint(functools.partial(f, 1, k=3))
    assert fingerprint(Fit(1).run) == fingerprint(Fit(1).run)
    assert fingerprint(Fit(1).run) != fingerprint(Fit(2).run)
    assert fingerprint(Fit(1).run) != fingerprint(Fit(1).other)
