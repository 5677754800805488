"""Cache entries hold data only: .npz read without pickle, a JSON structure."""
import io
import random

import numpy as np
import pytest
import torch

from bookkit import entries
from bookkit import streams as random_streams


def roundtrip(value):
    header, values = entries.loads(entries.dumps({"name": "x"}, {"v": value}))
    assert header == {"name": "x", "format": entries.FORMAT}
    return values["v"]


def test_the_random_streams_states_come_back_and_set_the_streams():
    """What an entry stores beside its result: the states of every stream."""
    ns = {"g": torch.Generator().manual_seed(3), "n": np.random.default_rng(4),
          "r": np.random.RandomState(5)}
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    streams = random_streams.in_namespace(ns)
    states = random_streams.states(streams)
    back = roundtrip(states)
    draws = (torch.rand(2), np.random.rand(2), random.random(), torch.rand(2, generator=ns["g"]),
             ns["n"].random(2), ns["r"].rand(2))
    for name, state in back.items():
        stream = streams[name]
        random_streams.set_state(name if stream is None else stream, state)
    again = (torch.rand(2), np.random.rand(2), random.random(), torch.rand(2, generator=ns["g"]),
             ns["n"].random(2), ns["r"].rand(2))
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(draws, again))


def test_an_object_array_is_refused_when_stored_and_when_read():
    with pytest.raises(entries.Unstorable, match="a ndarray of dtype object at v"):
        entries.dumps({}, {"v": np.array([None])})
    out = io.BytesIO()
    np.savez(out, entry=np.array([{"format": entries.FORMAT}], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        entries.loads(out.getvalue())


@pytest.mark.parametrize("node", [{"$": "eval", "v": "1"}, {"$": "float", "v": "1e999"},
                                  {"v": 1}, {"$": "tensor", "a": "a9"}])
def test_a_structure_it_does_not_know_is_refused(node):
    import json
    out = io.BytesIO()
    doc = {"format": entries.FORMAT, "values": {"v": node}}
    np.savez(out, entry=np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8))
    with pytest.raises((ValueError, KeyError)):
        entries.loads(out.getvalue())


def test_which_inputs_differ():
    a = [{"params": 1, "streams": 2, "com": 3}, None]
    assert entries.differences(a, [{"params": 1, "streams": 5, "com": 3}, None]) == \
        "streams differ"
    assert entries.differences(a, [{"params": 0, "streams": 2, "com": 3}, 2]) == \
        "params, call differ"
    assert entries.differences("junk", a) == "an unreadable key"
