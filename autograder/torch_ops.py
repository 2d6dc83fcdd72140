"""Grader operations that run next to a student's torch module (in the worker when grading).

A test cannot reach into a module that lives in the sandboxed worker, so the few
things it needs done *beside* the module are plain functions here, called by name
through ``submission.grader_op(name, *args)`` (:data:`GRADER_OPS` is the whitelist;
in-process, :class:`autograder.harness.local.LocalSubmission` calls them directly).
They are the grader's code, but what they return is a value like any other: tensors
come back detached, and the test decides the verdict. Nothing here imports the
harness.

Shapes: ``x`` is the module's input, ``(N, C, H, W)`` for the architectures
assignment; ``dout`` has the shape of the module's output.
"""

from __future__ import annotations

import torch
import torch.nn as nn

__all__ = ["GRADER_OPS", "build_counting_module", "buffer_info", "forward_backward", "forward_with_input", "parameter_info",
           "strict_float_math"]


def _detached(value):
    return None if value is None else value.detach().clone()


def forward_backward(module: nn.Module, x: torch.Tensor, dout: torch.Tensor):
    """One forward and one backward pass: ``out = module(x)``, then ``out.backward(dout)``.

    ``x`` is cloned and made a leaf that requires grad (the caller's tensor is untouched);
    the module's gradients are cleared first, so they come from this call alone.
    Returns ``(out, dx, grads)``: ``out`` shaped like ``dout``, ``dx`` like ``x``,
    ``grads`` ``{parameter name: gradient or None}`` in ``named_parameters()`` order
    (None for a parameter the output does not depend on). When ``out`` is not a tensor
    of ``dout``'s shape, dtype and device, no backward is run: ``(out, None, {})``, and
    the test reports what is wrong with ``out``.
    """
    x = x.detach().clone().requires_grad_(True)
    module.zero_grad(set_to_none=True)
    out = module(x)
    if not isinstance(out, torch.Tensor) or out.shape != dout.shape or out.dtype != dout.dtype or out.device != dout.device:
        return (_detached(out) if isinstance(out, torch.Tensor) else out), None, {}
    out.backward(dout)
    grads = {name: _detached(parameter.grad) for name, parameter in module.named_parameters()}
    return out.detach(), _detached(x.grad), grads


def forward_with_input(module: nn.Module, x: torch.Tensor):
    """``module(x)`` on a copy of ``x``; returns ``(out, the copy after the call)``.

    A forward that modifies its input in place (``x += ...``, ``relu_(x)``) shows up as
    a difference between the returned input and the one the test passed.
    """
    x = x.detach().clone()
    out = module(x)
    return (out.detach() if isinstance(out, torch.Tensor) else out), x


def parameter_info(module: nn.Module) -> list[tuple[str, tuple[int, ...], bool, str, str]]:
    """``[(name, shape, requires_grad, dtype, device)]`` of every parameter, as ``named_parameters()`` yields them.

    ``dtype`` and ``device`` are strings (``"torch.float32"``, ``"cpu"``, ``"cuda:0"``).
    """
    return [(name, tuple(p.shape), bool(p.requires_grad), str(p.dtype), str(p.device)) for name, p in module.named_parameters()]


def buffer_info(module: nn.Module) -> list[tuple[str, tuple[int, ...], str, str]]:
    """``[(name, shape, dtype, device)]`` of every buffer (running statistics, ``num_batches_tracked``)."""
    return [(name, tuple(b.shape), str(b.dtype), str(b.device)) for name, b in module.named_buffers()]


def strict_float_math() -> dict:
    """Turn TF32 off for matmuls and cuDNN convolutions, ask cuDNN for deterministic kernels; return the settings.

    On Ampere and later GPUs torch may run float32 convolutions in TF32 (10-bit
    mantissa), about 1e-3 relative error: far outside the contract's 1e-4. The worker
    must call this before any student code runs on a GPU. Returns the versions and
    flags in force (for ``results.json``): ``torch``, ``cuda``, ``cudnn``, ``device_name``,
    ``tf32_matmul``, ``tf32_cudnn``, ``cudnn_deterministic``, ``cudnn_benchmark``.
    """
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    has_cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if has_cuda else None,
        "device_name": torch.cuda.get_device_name(0) if has_cuda else None,
        "tf32_matmul": bool(torch.backends.cuda.matmul.allow_tf32),
        "tf32_cudnn": bool(torch.backends.cudnn.allow_tf32),
        "cudnn_deterministic": bool(torch.backends.cudnn.deterministic),
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
    }


def build_counting_module(layers: list, ties: list = (), frozen: list = ()) -> nn.Module:
    """A module made by the grader, with tied and frozen parameters, for testing a parameter counter.

    ``layers``: list of layer descriptions, registered as children ``"0"``, ``"1"``, ...:
    ``("conv", in, out, kernel, groups, bias)``, ``("linear", in, out, bias)``, ``("bn", channels)``
    or ``("same", i)`` (layer ``i`` registered again under a second name: shared, not copied).
    ``ties``: ``(i, j)`` pairs: layer ``j``'s ``weight`` becomes the very parameter of layer ``i``
    (tied weights; the shapes must match). ``frozen``: indices of layers whose parameters get
    ``requires_grad=False``. The module is for counting only: it has no meaningful ``forward``.
    """
    children: list[nn.Module] = []
    for layer in layers:
        kind, *args = layer
        if kind == "conv":
            in_channels, out_channels, kernel, groups, bias = args
            kernel = tuple(kernel) if isinstance(kernel, (list, tuple)) else int(kernel)
            children.append(nn.Conv2d(int(in_channels), int(out_channels), kernel, groups=int(groups), bias=bool(bias)))
        elif kind == "linear":
            in_features, out_features, bias = args
            children.append(nn.Linear(int(in_features), int(out_features), bias=bool(bias)))
        elif kind == "bn":
            children.append(nn.BatchNorm2d(int(args[0])))
        elif kind == "same":
            children.append(children[int(args[0])])
        else:
            raise ValueError(f"unknown layer kind {kind!r}")
    for i, j in ties:
        if children[int(j)].weight.shape != children[int(i)].weight.shape:
            raise ValueError(f"cannot tie layer {j} to layer {i}: weight shapes differ")
        children[int(j)].weight = children[int(i)].weight
    for index in frozen:
        for parameter in children[int(index)].parameters():
            parameter.requires_grad_(False)
    return nn.Sequential(*children)


# The operations a test may ask for by name (the same list on the worker side).
GRADER_OPS = {
    "forward_backward": forward_backward,
    "forward_with_input": forward_with_input,
    "parameter_info": parameter_info,
    "buffer_info": buffer_info,
    "strict_float_math": strict_float_math,
    "build_counting_module": build_counting_module,
}
