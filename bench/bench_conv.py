"""The reference im2col convolution against torch on the CPU, forward and backward.

    .venv/bin/python bench/bench_conv.py [--repeat 5] [--threads 1]

For a few layer shapes, times ``solutions/convolution`` ``conv_forward`` and
``conv_backward`` against ``torch.nn.functional.conv2d`` and its autograd
backward, in this one process (same threads for both), and prints the ratios
(reference time / torch time). Target: within 3x of torch.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.harness.local import load_module_from_file  # noqa: E402

SHAPES = [
    # (N, C, H, W, F, k, stride, pad)
    (32, 16, 32, 32, 32, 3, 1, 1),
    (32, 3, 32, 32, 16, 5, 1, 2),
    (16, 32, 16, 16, 64, 3, 2, 1),
    (8, 64, 8, 8, 64, 1, 1, 0),
]


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (NumPy's BLAS follows OMP_NUM_THREADS)")
    options = parser.parse_args()
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(options.threads)
    conv = load_module_from_file(REPO / "solutions" / "convolution" / "convolution.py")
    rng = np.random.default_rng(0)
    rows = []
    for N, C, H, W, Fo, k, stride, pad in SHAPES:
        x = rng.standard_normal((N, C, H, W))
        w = rng.standard_normal((Fo, C, k, k))
        b = rng.standard_normal(Fo)
        param = {"stride": stride, "pad": pad}
        out, cache = conv.conv_forward(x, w, b, param)
        dout = rng.standard_normal(out.shape)
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        out_t = F.conv2d(xt, wt, bt, stride=stride, padding=pad)
        assert np.allclose(out, out_t.detach().numpy(), atol=1e-8)
        dout_t = torch.tensor(dout)

        ours_forward = best(lambda: conv.conv_forward(x, w, b, param), options.repeat)
        torch_forward = best(lambda: F.conv2d(xt.detach(), wt.detach(), bt.detach(), stride=stride, padding=pad), options.repeat)
        ours_backward = best(lambda: conv.conv_backward(dout, cache), options.repeat)

        def torch_backward():
            xt.grad = wt.grad = bt.grad = None
            F.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(dout_t)

        torch_both = best(torch_backward, options.repeat)
        torch_backward_only = max(torch_both - torch_forward, 1e-9)
        rows.append({
            "shape": f"N={N} C={C}->{Fo} {H}x{W} k={k} s={stride} p={pad}",
            "forward_ms": round(ours_forward * 1e3, 2), "torch_forward_ms": round(torch_forward * 1e3, 2),
            "forward_ratio": round(ours_forward / torch_forward, 2),
            "backward_ms": round(ours_backward * 1e3, 2), "torch_backward_ms": round(torch_backward_only * 1e3, 2),
            "backward_ratio": round(ours_backward / torch_backward_only, 2),
        })
    print(json.dumps({"float64": True, "threads": options.threads, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
