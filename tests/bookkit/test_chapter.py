"""bookkit.chapter's random streams: independent across seeds and across named uses
(issue 25: width m at seed s once started from seed s + m, so seed 2's width-2 models
were seed 0's width-4 models)."""
import itertools
import re
from pathlib import Path

import pytest
import torch

from bookkit.chapter import stream

ROOT = Path(__file__).resolve().parents[2]
# what the chapters name their streams by: a use, and an index within it
USES = [("init",), ("init", 0), ("init", 1), ("width", 2), ("width", 4), ("data", "train"),
        ("data", "test"), ("teachers", "power-law", 3), ("repeat", 0, "lr", 2)]


def first_draws(seed, names):
    return tuple(torch.randint(2 ** 62, (4,), generator=stream(seed, *names)).tolist())


def test_no_two_seeds_or_uses_share_an_initial_state():
    draws = {(seed, names): first_draws(seed, names) for seed in range(64) for names in USES}
    assert len(set(draws.values())) == len(draws)


def test_a_stream_is_the_same_on_every_call():
    assert first_draws(3, ("width", 4)) == first_draws(3, ("width", 4))


@pytest.mark.parametrize("m, k", [(2, 4), (4, 8), (8, 16)])
def test_seed_plus_width_is_not_another_seeds_width(m, k):
    """The collision the review found: (seed 2, width 2) against (seed 0, width 4)."""
    for s, t in itertools.product(range(8), repeat=2):
        if (s, m) != (t, k):
            assert first_draws(s, ("width", m)) != first_draws(t, ("width", k))


# arithmetic on a seed: seed + m, seed * n + k, m + seed, ... (a name ending in 'seed')
ARITHMETIC = re.compile(r"\b\w*seed\b(?:\s*[+*]|\s+-)\s*\w|\w(?:\s*[+*]|\s+-)\s*\w*seed\b")


def test_the_arithmetic_check_sees_it():
    for bad in ("seed + m", "seed * n_seeds + k", "m + seed", "base_seed+1", "seed - 1"):
        assert ARITHMETIC.search(bad), bad
    for good in ("stream(seed, 'width', m)", "seed: int = 0", "n_seeds + 1",
                 "fitted once, seed-independent"):
        assert not ARITHMETIC.search(good), good


def test_no_chapter_or_com_module_computes_a_seed():
    found = []
    for path in [*ROOT.glob("book/*.py"), *ROOT.glob("com/**/*.py")]:
        for i, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if ARITHMETIC.search(code):
                found.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not found, "random streams come from bookkit.chapter.stream:\n" + "\n".join(found)
