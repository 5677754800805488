import torch

from com import trained_families as tf


def test_families_shapes_and_masks():
    g = torch.Generator().manual_seed(0)
    for fam in tf.FAMILIES:
        for pname in ("direct", "best"):
            p = tf.init_family(fam, pname, 3, 4, g)
            if fam.startswith("ssm"):
                x = torch.randn(5, 16, generator=g)
                assert tf.family_outputs(fam, pname, p, x).shape == (3, 5, 16)
            else:
                grid = torch.linspace(0, 10, 50) if fam == "diagonal" else 50
                assert tf.family_kernel(fam, pname, p, grid).shape == (3, 50)
    masks = tf.width_masks({"S": torch.zeros(2, 4, 4)}, torch.tensor([2, 4]))
    assert masks["S"][0].sum() == 4 and masks["S"][1].sum() == 16
