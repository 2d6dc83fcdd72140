"""Public tests: L1, MSE and smooth L1 losses (fixed inputs, values frozen from the reference)."""

import numpy as np
import pytest


def _inputs():
    rng = np.random.default_rng(0)
    pred = rng.normal(size=(4, 3)) * 2
    target = rng.normal(size=(4, 3))
    target[0, 0] = pred[0, 0]  # one exact match: its L1 gradient is 0
    return pred, target


@pytest.mark.task("l1_mse")
def test_l1_loss(submission, frozen):
    """l1_loss on a (4, 3) batch with one exact match."""
    pred, target = _inputs()
    loss, dpred = submission.l1_loss(pred.copy(), target.copy())
    diff = pred - target
    frozen.check("l1.loss", loss, hints={"summed instead of averaging": np.abs(diff).sum(),
                                         "averaged over the rows only": np.abs(diff).sum() / 4})
    frozen.check("l1.dpred", dpred, hints={"forgot to divide by the number of elements": np.sign(diff),
                                           "divided by the batch size N instead of the number of elements": np.sign(diff) / 4,
                                           "gave -1 (not 0) where pred == target": np.where(diff > 0, 1.0, -1.0) / diff.size})


@pytest.mark.task("l1_mse")
def test_mse_loss(submission, frozen):
    """mse_loss on a (4, 3) batch."""
    pred, target = _inputs()
    loss, dpred = submission.mse_loss(pred.copy(), target.copy())
    diff = pred - target
    frozen.check("mse.loss", loss, hints={"summed instead of averaging": (diff ** 2).sum(),
                                          "used 0.5 * mean(d**2)": 0.5 * (diff ** 2).mean()})
    frozen.check("mse.dpred", dpred, hints={"forgot the factor 2 of d/dx x**2": diff / diff.size,
                                            "forgot to divide by the number of elements": 2 * diff,
                                            "differentiated with respect to target (sign flipped)": -2 * diff / diff.size})


@pytest.mark.task("smooth_l1")
@pytest.mark.parametrize("beta", [1.0, 0.4])
def test_smooth_l1(submission, frozen, beta):
    """smooth_l1_loss with beta = 1 and beta = 0.4 (differences on both sides of beta)."""
    pred, target = _inputs()
    loss, dpred = submission.smooth_l1_loss(pred.copy(), target.copy(), beta)
    d = pred - target
    small = np.abs(d) < beta
    frozen.check(f"smooth_l1_{beta}.loss", loss,
                 hints={"forgot beta in the linear branch (|d| - 0.5)": np.mean(np.where(small, 0.5 * d ** 2 / beta, np.abs(d) - 0.5)),
                        "forgot to divide the quadratic branch by beta": np.mean(np.where(small, 0.5 * d ** 2, np.abs(d) - 0.5 * beta))})
    frozen.check(f"smooth_l1_{beta}.dpred", dpred,
                 hints={"forgot to divide the quadratic branch's gradient by beta": np.where(small, d, np.sign(d)) / d.size})
