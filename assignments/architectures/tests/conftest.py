"""Shared steps of the public tests: build your module, load fixed weights, compare with frozen values.

Every public test builds one of your classes, checks that ``state_dict()`` has
exactly the names and shapes of API.md, loads weights drawn from a fixed seed
with ``load_state_dict(strict=True)``, and compares with values recorded from the
reference solution: the output in train mode (batch statistics) over two steps,
the running statistics after them, the output in eval mode, and the gradients of
one forward/backward pass. Everything runs in float64 on the CPU.
"""

from __future__ import annotations

import contextlib
import math
import types

import numpy as np
import pytest
import torch

from autograder.testing.torch_modules import on_device, tensor_values

BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


def conv_keys(name, cin, cout, kernel, groups=1, bias=False):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    keys = {f"{name}.weight": (cout, cin // groups, kh, kw)}
    if bias:
        keys[f"{name}.bias"] = (cout,)
    return keys


def bn_keys(name, channels):
    return {f"{name}.{leaf}": (channels,) for leaf in ("weight", "bias", "running_mean", "running_var")} | {f"{name}.num_batches_tracked": ()}


def draw_state(shapes: dict, seed: int = 0) -> dict:
    """Fixed float64 weights for the names and shapes in ``shapes``."""
    rng = np.random.default_rng(seed)
    state = {}
    for key, shape in shapes.items():
        leaf = key.rsplit(".", 1)[-1]
        if leaf == "num_batches_tracked":
            state[key] = torch.tensor(0, dtype=torch.long)
            continue
        if leaf == "running_mean":
            values = rng.normal(0.0, 0.3, shape)
        elif leaf == "running_var":
            values = rng.uniform(0.5, 2.0, shape)
        elif leaf == "weight" and len(shape) == 1:
            values = rng.uniform(0.5, 1.5, shape)
        elif leaf == "bias":
            values = rng.normal(0.0, 0.3, shape)
        else:
            values = rng.standard_normal(shape) * math.sqrt(2.0 / int(np.prod(shape[1:])))
        state[key] = torch.tensor(values, dtype=torch.float64)
    return state


@contextlib.contextmanager
def advice(what: str, checklist: str):
    """Add what was being checked, and what to look at, to a failure."""
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"{what}: {exc}\n  Check: {checklist}") from None


def check_names(submission, call: str, module, shapes: dict) -> None:
    state = module.state_dict()
    missing = [key for key in shapes if key not in state]
    unexpected = [key for key in state if key not in shapes]
    if missing or unexpected:
        raise AssertionError(
            f"{call}.state_dict() does not have API.md's names.\n  missing: {missing}\n  unexpected: {unexpected}\n"
            "  The grader loads its weights with load_state_dict(strict=True): use exactly these attribute names, "
            "nn.Sequential where API.md says so (its children are numbered 0, 1, 2, ... ReLU and pooling included), "
            "and bias=False on every convolution except in InceptionModule and Factorized7x7.")
    for key, shape in shapes.items():
        got = tuple(tensor_values(state[key], key).shape)
        if got != tuple(shape):
            raise AssertionError(f"{call}: {key} has shape {got}, expected {tuple(shape)}")
    parameters = submission.grader_op("parameter_info", module)
    frozen = [name for name, _, requires_grad, *_ in parameters if not requires_grad]
    assert not frozen, f"{call}: parameters {frozen} do not require grad"


def run_block(submission, frozen, key: str, cls: str, args: tuple, kwargs: dict, shapes: dict, x_shape: tuple, checklist: str) -> None:
    """Build ``cls(*args, **kwargs)`` (float64, CPU), load fixed weights, compare everything with the frozen values of ``key``."""
    call = f"{cls}({', '.join([str(a) for a in args] + [f'{k}={v}' for k, v in kwargs.items()])})"
    module = getattr(submission, cls)(*args, **kwargs)
    module.to(torch.float64)
    check_names(submission, call, module, shapes)
    module.load_state_dict(draw_state(shapes), strict=True)
    rng = np.random.default_rng(1)
    frozen.check(f"{key}.parameter_count", sum(math.prod(shape) for _, shape, *_ in submission.grader_op("parameter_info", module)))

    module.train()
    for step in (1, 2):
        x = torch.tensor(rng.standard_normal(x_shape))
        with advice(f"{call} in train mode (batch statistics), step {step}", checklist):
            frozen.check(f"{key}.train{step}", tensor_values(module(on_device(x, "cpu"))))
    state = module.state_dict()
    for name in shapes:
        if name.endswith(("running_mean", "running_var")):
            with advice(f"{call}: {name} after two train steps", "momentum 0.1 (torch's default), unbiased variance: use nn.BatchNorm2d"):
                frozen.check(f"{key}.{name}", tensor_values(state[name]))

    module.eval()
    x = torch.tensor(rng.standard_normal((1,) + tuple(x_shape[1:])))
    with advice(f"{call} in eval mode (running statistics), batch of 1", checklist):
        frozen.check(f"{key}.eval", tensor_values(module(on_device(x, "cpu"))))

    module.train()
    x = torch.tensor(rng.standard_normal(x_shape))
    dout = torch.tensor(rng.standard_normal(tuple(module(on_device(x, "cpu")).shape)))
    out, dx, grads = submission.grader_op("forward_backward", module, on_device(x, "cpu"), on_device(dout, "cpu"))
    assert dx is not None, f"{call}: no gradient reached the input (does forward use x through torch operations?)"
    with advice(f"{call}: input gradient", "forward must be built from torch operations (autograd), no .detach() or .numpy()"):
        frozen.check(f"{key}.dx", tensor_values(dx))
    for name, grad in grads.items():
        assert grad is not None, f"{call}: parameter {name} got no gradient: is it used in forward?"
        with advice(f"{call}: gradient of {name}", checklist):
            frozen.check(f"{key}.grad.{name}", tensor_values(grad))


@pytest.fixture
def blocks():
    """The helpers above, for the test modules."""
    return types.SimpleNamespace(conv_keys=conv_keys, bn_keys=bn_keys, run_block=run_block, draw_state=draw_state)
