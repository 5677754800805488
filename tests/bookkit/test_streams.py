import torch

from bookkit import streams as random_streams


def test_states_set_back_give_the_same_draws():
    g = torch.Generator().manual_seed(1)
    streams = random_streams.in_namespace({"g": g, "x": 3})
    assert set(streams) == {"torch", "numpy", "random", "g"}
    saved = random_streams.states(streams)
    first = torch.rand(3, generator=g), torch.rand(3)
    for name, state in saved.items():
        random_streams.set_state(name if streams[name] is None else streams[name], state)
    again = torch.rand(3, generator=g), torch.rand(3)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
