"""Public tests: dropout and initialisation.

Random masks and weights depend on how you draw them, so these tests check
properties (scales, fractions, variances) instead of frozen values.
"""

import numpy as np
import pytest

from autograder.testing import assert_close, assert_scalar_close


@pytest.mark.task("dropout")
def test_dropout_train(submission):
    """train mode, p = 0.3 (drop probability): outputs are 0 or x / 0.7, about 70% kept."""
    x = np.random.default_rng(0).standard_normal((100, 100)) + 5  # all entries nonzero
    out, cache = submission.dropout_forward(x.copy(), {"p": 0.3, "mode": "train", "seed": 123})
    kept = np.asarray(out) != 0
    assert_scalar_close(kept.mean(), 0.7, name="fraction of units kept", rtol=0, atol=0.03,
                        hints={"used p as the KEEP probability (here p is the drop probability)": 0.3})
    assert_close(out, np.where(kept, x / 0.7, 0.0), name="out",
                 hints={"forgot to scale kept units by 1/(1-p)": np.where(kept, x, 0.0)})
    dout = np.ones_like(x)
    assert_close(submission.dropout_backward(dout.copy(), cache), np.where(kept, 1 / 0.7, 0.0), name="dx")
    again, _ = submission.dropout_forward(x.copy(), {"p": 0.3, "mode": "train", "seed": 123})
    assert_close(again, out, name="out with the same seed", rtol=0, atol=0)


@pytest.mark.task("dropout")
def test_dropout_test_mode_and_edge_p(submission):
    """test mode is the identity; p = 0 keeps all, p = 1 drops all."""
    x = np.random.default_rng(0).standard_normal((5, 6)) + 5
    out, cache = submission.dropout_forward(x.copy(), {"p": 0.5, "mode": "test"})
    assert_close(out, x, name="test-mode out", hints={"scaled by (1-p) at test time": x * 0.5})
    assert_close(submission.dropout_backward(np.ones(x.shape), cache), np.ones_like(x), name="test-mode dx")
    out, _ = submission.dropout_forward(x.copy(), {"p": 0.0, "mode": "train", "seed": 1})
    assert_close(out, x, name="out with p=0")
    out, _ = submission.dropout_forward(x.copy(), {"p": 1.0, "mode": "train", "seed": 1})
    assert_close(out, np.zeros_like(x), name="out with p=1")


@pytest.mark.task("init")
def test_init_variances(submission):
    """xavier_uniform / xavier_normal / kaiming_normal: shapes and variances for (400, 200)."""
    fan_in, fan_out = 400, 200
    mistakes = {  # the variance each mistake gives, per initialiser
        "xavier_uniform": {"used 1/fan_in (LeCun) instead of 2/(fan_in + fan_out)": 1 / fan_in,
                           "used the std sqrt(2/(fan_in + fan_out)) as the uniform bound (variance 3x too small)": 2 / 600 / 3},
        "xavier_normal": {"used 1/fan_in (LeCun) instead of 2/(fan_in + fan_out)": 1 / fan_in},
        "kaiming_normal": {"used fan_out where fan_in belongs": 2 / fan_out, "left out the ReLU gain (1/fan_in instead of 2/fan_in)": 1 / fan_in},
    }
    for name, var in (("xavier_uniform", 2 / 600), ("xavier_normal", 2 / 600), ("kaiming_normal", 2 / 400)):
        W = getattr(submission, name)(fan_in, fan_out, np.random.default_rng(0))
        assert_close(np.array(np.shape(W)), np.array([fan_in, fan_out]), name=f"{name} shape",
                     hints={"returned torch's (fan_out, fan_in) layout; here W is (fan_in, fan_out)": np.array([fan_out, fan_in])})
        assert_scalar_close(np.var(W), var, name=f"variance of {name}", rtol=0.05, hints=mistakes[name])
    W = submission.xavier_uniform(fan_in, fan_out, np.random.default_rng(0))
    assert_scalar_close(np.max(np.abs(W)), np.sqrt(6 / 600), name="largest |entry| of xavier_uniform", rtol=0.01)
