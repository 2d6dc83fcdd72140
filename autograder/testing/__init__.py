"""Helpers for test authors. Everything here runs in the trusted harness.

- :mod:`.compare`    ``assert_close``/``assert_scalar_close``/``assert_close_at``: facts about what differs, checked hints
- :mod:`.hints`      hint ids and sentences (``hints.toml``), checked by ``autograder validate``
- :mod:`.gradients`  ``check_backward`` (one bug costs once), ``numeric_gradient``
- :mod:`.loss_gradients`  ``check_loss_gradient``: a loss's gradient, a wrong loss value charged once
- :mod:`.oracles`    ``@oracle``: reference values computed once per batch
- :mod:`.raises`     ``assert_raises``: the student's code must raise a given exception
- :mod:`.notes`      ``note``: a remark attached to a passing test
- :mod:`.timing`     ``best_time`` of reference code for speed limits
- ``closure_over``   a stand-in for a closure over an argument of a submission call

Torch-specific helpers (float64 oracles of layers, tolerances by dtype) live in
:mod:`autograder.testing.torch_oracles` so that importing this package never imports torch.
"""

from autograder.harness.closures import closure_over
from autograder.testing.compare import ComparisonFailure, assert_close, assert_close_at, assert_scalar_close, float32_tolerances, rel_error, to_numpy
from autograder.testing.gradients import check_backward, numeric_gradient
from autograder.testing.loss_gradients import check_loss_gradient
from autograder.testing.notes import note
from autograder.testing.oracles import oracle
from autograder.testing.raises import assert_raises
from autograder.testing.timing import best_time

__all__ = [
    "ComparisonFailure",
    "assert_close",
    "assert_close_at",
    "assert_raises",
    "assert_scalar_close",
    "best_time",
    "check_backward",
    "check_loss_gradient",
    "closure_over",
    "float32_tolerances",
    "note",
    "numeric_gradient",
    "oracle",
    "rel_error",
    "to_numpy",
]
