"""torch as the oracle of hidden tests: float64 copies in, NumPy values and gradients out, memoised.

Every assignment's hidden tests compute references the same way: copy the NumPy
inputs into float64 leaf tensors, run the torch function, backpropagate a given
upstream gradient, and take the output and the input gradients back as arrays.
That is :func:`torch_forward_backward` (and :func:`torch_loss_and_grad` for a
scalar loss); both are :func:`~autograder.testing.oracles.oracle`\\ s, so within a
batch each reference is computed once. :func:`tolerances` gives API.md's
tolerances for a dtype.

torch is imported on the first computation, not with this module: a harness whose
oracle values all come from the memo on disk (:mod:`autograder.testing.oracle_store`)
never pays the two seconds of importing it. Hidden tests keep to the same rule: they
import torch inside their oracles, not at the top of a module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.testing.compare import float32_tolerances
from autograder.testing.oracles import oracle

__all__ = ["backpropagate", "leaf", "to_array", "tolerances", "torch_forward_backward", "torch_loss_and_grad"]


def _torch():
    """The torch module, imported on first use."""
    import torch

    return torch


def leaf(array, requires_grad: bool = True) -> torch.Tensor:
    """A float64 torch leaf tensor holding a copy of ``array``."""
    torch = _torch()
    return torch.tensor(np.array(array, dtype=np.float64, copy=True), dtype=torch.float64, requires_grad=requires_grad)


def to_array(tensor: torch.Tensor | None) -> np.ndarray | None:
    """A detached float64 NumPy copy of ``tensor`` (None stays None)."""
    if tensor is None:
        return None
    return tensor.detach().cpu().to(_torch().float64).numpy().copy()


def backpropagate(out: torch.Tensor, upstream: torch.Tensor) -> None:
    """``out.backward(upstream)``, computed as ``(out * upstream).sum().backward()``: the same gradients, bit for bit
    (the product's gradient with respect to ``out`` is ``1.0 * upstream``).

    Why: ``Tensor.backward`` with an explicit gradient makes torch import
    ``torch.fx.experimental.symbolic_shapes`` and with it sympy, about a second the first
    time, which every forked harness child of a cold harness (a single submission) would pay.
    ``upstream`` must have ``out``'s shape (no broadcasting).
    """
    if tuple(upstream.shape) != tuple(out.shape):
        raise ValueError(f"the upstream gradient has shape {tuple(upstream.shape)}, the output {tuple(out.shape)}")
    (out * upstream).sum().backward()


@oracle
def torch_forward_backward(function: Callable[..., torch.Tensor], inputs: Sequence, dout=None, wrt: Sequence[int] | None = None):
    """``(out, grads)`` of ``function(*tensors)`` in float64.

    ``inputs``: arrays become float64 leaf tensors (other values are passed as they are);
    ``dout``: upstream gradient shaped like the output (None: forward only, ``grads`` is ());
    ``wrt``: positions of the inputs whose gradients are returned (default: every array).
    Returns ``out`` (ndarray) and a tuple of gradient arrays in ``wrt`` order.
    """
    wrt = tuple(i for i, value in enumerate(inputs) if isinstance(value, np.ndarray)) if wrt is None else tuple(wrt)
    tensors = [leaf(value, requires_grad=dout is not None and i in wrt) if isinstance(value, np.ndarray) else value
               for i, value in enumerate(inputs)]
    out = function(*tensors)
    if dout is None:
        return to_array(out), ()
    backpropagate(out, _torch().tensor(np.asarray(dout, dtype=np.float64)))
    return to_array(out), tuple(to_array(tensors[i].grad) if tensors[i].grad is not None else np.zeros(np.shape(inputs[i])) for i in wrt)


@oracle
def torch_loss_and_grad(loss_function: Callable[..., torch.Tensor], x, *args):
    """``(loss, dloss/dx)`` of ``loss_function(x_tensor, *args)`` in float64, arrays in ``args`` as float64 tensors."""
    xt = leaf(x)
    converted = [leaf(a, requires_grad=False) if isinstance(a, np.ndarray) else a for a in args]
    loss = loss_function(xt, *converted)
    loss.backward()
    return float(loss.detach()), to_array(xt.grad)


def tolerances(dtype, expected=None) -> dict[str, float]:
    """API.md's tolerances: ``rtol=1e-6, atol=1e-8`` for float64; float32 ones, ``atol`` scaled by ``max |expected|``."""
    if np.dtype(dtype) == np.float32:
        scale = max(1.0, float(np.max(np.abs(expected)))) if expected is not None and np.size(expected) else 1.0
        return {"rtol": float32_tolerances["rtol"], "atol": float32_tolerances["atol"] * scale}
    return {"rtol": 1e-6, "atol": 1e-8}
