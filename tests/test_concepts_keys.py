"""Every numeric key of the concepts assignment, proved from first principles with torch.

Parameter counts come from real ``torch.nn`` modules, MACs from the formula cross-checked
with a count torch makes itself (a convolution of ones, see :func:`torch_macs`), receptive
fields from a gradient, the dropout variance from a real ``nn.Dropout``. A numeric or
integer question added to the bank without a proof here fails :func:`test_every_number_is_proved`.
"""

import math
import pathlib

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from autograder.question_bank import load_key
from autograder.spec import load_spec

REPO = pathlib.Path(__file__).resolve().parent.parent
SPEC = load_spec(REPO / "solutions" / "concepts")
KEY = load_key(SPEC.question_bank)
PROOFS = {}


def proves(question_id):
    """Register a function computing the answer of ``question_id`` from first principles."""
    def register(function):
        PROOFS[question_id] = function
        return function
    return register


def parameters(*modules) -> int:
    return sum(p.numel() for module in modules for p in module.parameters())


def torch_macs(conv: nn.Conv2d, height: int, width: int) -> int:
    """Multiply-accumulates of ``conv`` on a ``height x width`` input, counted by torch itself.

    With every weight 1, no bias, and the input padded with ONES (so padded taps count,
    as MAC counts do), each output value is the number of MACs that made it; their sum
    is the layer's MAC count. Float64 keeps the sum exact.
    """
    ones = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride, groups=conv.groups,
                     bias=False).double()
    nn.init.ones_(ones.weight)
    pad_h, pad_w = conv.padding
    x = F.pad(torch.ones(1, conv.in_channels, height, width, dtype=torch.float64), (pad_w, pad_w, pad_h, pad_h), value=1.0)
    with torch.no_grad():
        return int(ones(x).sum().item())


def formula_macs(conv: nn.Conv2d, height: int, width: int) -> int:
    """MACs = output values x (input channels per group) x kernel area."""
    kh, kw = conv.kernel_size
    out_h = (height + 2 * conv.padding[0] - kh) // conv.stride[0] + 1
    out_w = (width + 2 * conv.padding[1] - kw) // conv.stride[1] + 1
    return out_h * out_w * conv.out_channels * (conv.in_channels // conv.groups) * kh * kw


def receptive_field(layers: nn.Sequential, size: int = 96) -> int:
    """Width of the input region that one central output unit depends on: the gradient's support.

    Weights are set positive so no gradient cancels; pooling is replaced by average pooling of the
    same geometry (max pooling routes the gradient to a single input of each window).
    """
    for module in layers:
        if isinstance(module, nn.Conv2d):
            nn.init.constant_(module.weight, 0.1)
    x = torch.ones(1, layers[0].in_channels, size, size, requires_grad=True)
    out = layers(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    columns = torch.nonzero(x.grad[0, 0].abs().sum(dim=0)).flatten()
    return int(columns.max() - columns.min() + 1)


# --------------------------------------------------------------------------- topic 6


@proves("bn_dropout_variance")
def dropout_variance_ratio():
    mean, variance, p = 0.5, 1.0, 0.5
    # Exact: y = x m / (1 - p), m ~ Bernoulli(1 - p) independent of x.
    second_moment = (1 - p) * (variance + mean**2) / (1 - p) ** 2
    exact = (second_moment - mean**2) / variance
    # Measured with a real inverted dropout in training mode.
    torch.manual_seed(0)
    x = mean + math.sqrt(variance) * torch.randn(2_000_000, dtype=torch.float64)
    measured = nn.Dropout(p).train()(x).var().item() / variance
    assert measured == pytest.approx(exact, rel=0.01)
    assert nn.Dropout(p).eval()(x).var().item() == pytest.approx(variance, rel=0.01)  # at test time: the true variance
    return exact


# --------------------------------------------------------------------------- topic 8


@proves("conv_param_count")
def conv_parameters():
    conv = nn.Conv2d(3, 64, 3, padding=1)
    assert conv(torch.zeros(1, 3, 32, 32)).shape == (1, 64, 32, 32)
    return parameters(conv)


@proves("fc_param_ratio")
def fully_connected_ratio():
    fc = nn.Linear(32 * 32 * 3, 32 * 32 * 64, device="meta")  # shapes only: 800 MB of weights are never allocated
    return parameters(fc) / conv_parameters()


@proves("conv_output_size")
def stem_output_size():
    stem = nn.Sequential(nn.Conv2d(3, 4, 7, stride=2, padding=3), nn.MaxPool2d(3, stride=2, padding=1))
    out = stem(torch.zeros(1, 3, 224, 224))
    assert out.shape[2] == out.shape[3]
    return out.shape[2]


# --------------------------------------------------------------------------- topic 14


class InceptionA(nn.Module):
    """GoogLeNet's module 3a, as the question describes it."""

    def __init__(self, bias=True):
        super().__init__()
        self.branch1 = nn.Conv2d(192, 64, 1, bias=bias)
        self.branch3 = nn.Sequential(nn.Conv2d(192, 96, 1, bias=bias), nn.ReLU(), nn.Conv2d(96, 128, 3, padding=1, bias=bias))
        self.branch5 = nn.Sequential(nn.Conv2d(192, 16, 1, bias=bias), nn.ReLU(), nn.Conv2d(16, 32, 5, padding=2, bias=bias))
        self.pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(192, 32, 1, bias=bias))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch3(x), self.branch5(x), self.pool(x)], dim=1)


@proves("inception_params")
def inception_parameters():
    module = InceptionA()
    assert module(torch.zeros(1, 192, 28, 28)).shape == (1, 256, 28, 28)
    return parameters(module)


@proves("inception_reduction")
def inception_reduction_ratio():
    direct = nn.Conv2d(192, 32, 5, bias=False)
    reduced = InceptionA(bias=False).branch5
    return parameters(direct) / parameters(reduced)


@proves("factorised_7x7")
def factorised_saving():
    channels = 16
    full = nn.Sequential(nn.Conv2d(channels, channels, 7, bias=False))
    factorised = nn.Sequential(nn.Conv2d(channels, channels, (1, 7), bias=False), nn.Conv2d(channels, channels, (7, 1), bias=False))
    assert receptive_field(full) == receptive_field(factorised) == 7
    return 1 - parameters(factorised) / parameters(full)


@proves("densenet_channels")
def dense_block_channels():
    growth, layers, channels = 32, [], 64
    for _ in range(6):
        layers.append(nn.Conv2d(channels, growth, 3, padding=1))
        channels += growth
    features = torch.zeros(1, 64, 8, 8)
    for layer in layers:
        features = torch.cat([features, layer(features)], dim=1)
    return features.shape[1]


# --------------------------------------------------------------------------- topic 15


@proves("dw_separable_macs")
def depthwise_separable_mac_ratio():
    def layers(channels):
        return (nn.Conv2d(channels, channels, 3, padding=1),
                nn.Conv2d(channels, channels, 3, padding=1, groups=channels),
                nn.Conv2d(channels, channels, 1))
    for conv in layers(8):  # the formula agrees with torch's own count on a small map
        assert formula_macs(conv, 6, 6) == torch_macs(conv, 6, 6)
    standard, depthwise, pointwise = layers(128)
    macs = {name: formula_macs(conv, 56, 56) for name, conv in [("standard", standard), ("depthwise", depthwise), ("pointwise", pointwise)]}
    assert macs["standard"] == 462_422_016 and macs["depthwise"] + macs["pointwise"] == 54_992_896  # the numbers of the explanation
    return macs["standard"] / (macs["depthwise"] + macs["pointwise"])


@proves("dw_separable_params")
def depthwise_separable_weights():
    assert parameters(nn.Conv2d(128, 256, 3, bias=False)) == 294_912  # the question's comparison
    return parameters(nn.Conv2d(128, 128, 3, groups=128, bias=False), nn.Conv2d(128, 256, 1, bias=False))


# --------------------------------------------------------------------------- topic 22


@proves("exp_loss_outliers")
def exponential_over_log_loss():
    margin = torch.tensor(-3.0, dtype=torch.float64)
    return (torch.exp(-margin) / F.softplus(-margin)).item()  # softplus(z) = log(1 + e^z)


@proves("absolute_loss_minimiser")
def median_minimises_absolute_loss():
    y = torch.tensor([1.0, 2, 3, 10, 50], dtype=torch.float64)
    candidates = torch.linspace(0, 60, 60001, dtype=torch.float64)
    absolute = (y[None, :] - candidates[:, None]).abs().sum(dim=1)
    squared = ((y[None, :] - candidates[:, None]) ** 2).sum(dim=1)
    assert candidates[squared.argmin()].item() == pytest.approx(13.2)  # the question's remark: the mean
    best = candidates[absolute.argmin()].item()
    assert best == pytest.approx(3.0)
    return round(best)


# --------------------------------------------------------------------------- topic 25, 26


@proves("sigmoid_vanishing")
def sigmoid_gradient_bound():
    z = torch.linspace(-10, 10, 20001, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(z).sum().backward()
    largest = z.grad.max().item()
    assert largest == pytest.approx(0.25) and z[z.grad.argmax()].item() == pytest.approx(0.0, abs=1e-9)
    # Ten layers x -> sigmoid(x): the chain rule multiplies ten derivatives, each at most `largest`.
    x = torch.zeros((), dtype=torch.float64, requires_grad=True)
    h = x
    for _ in range(10):
        h = torch.sigmoid(h)
    h.backward()
    assert 0 < x.grad.item() <= largest**10
    return largest**10


@proves("dropout_scale")
def inverted_dropout_scale():
    torch.manual_seed(0)
    out = nn.Dropout(0.2).train()(torch.ones(10_000))
    kept = out[out != 0]
    assert torch.all(kept == kept[0])
    return kept[0].item()


# --------------------------------------------------------------------------- topics 32-35


@proves("pca_explained")
def first_component_share():
    eigenvalues = torch.linalg.eigvalsh(torch.tensor([[5.0, 2.0], [2.0, 2.0]], dtype=torch.float64))
    return (eigenvalues.max() / eigenvalues.sum()).item()


@proves("gan_optimum")
def gan_value_at_optimum():
    torch.manual_seed(0)
    p_data = torch.softmax(torch.randn(10, dtype=torch.float64), dim=0)  # any distribution; the generator matches it
    p_g = p_data.clone()
    d = p_data / (p_data + p_g)
    value = (p_data * torch.log(d)).sum() + (p_g * torch.log(1 - d)).sum()
    return value.item()


@proves("kernel_gram")
def smallest_gram_eigenvalue():
    x = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    gram = (x[:, None] - x[None, :]).abs()
    return torch.linalg.eigvalsh(gram).min().item()


@proves("vgg_receptive_field")
def vgg_stack_receptive_field():
    def conv():
        return nn.Conv2d(1, 1, 3, padding=1, bias=False)
    stack = nn.Sequential(conv(), conv(), nn.AvgPool2d(2, 2), conv(), conv(), nn.AvgPool2d(2, 2), conv())
    return receptive_field(stack)


# --------------------------------------------------------------------------- the checks


def test_every_number_is_proved():
    numeric = {q.id for q in SPEC.question_bank.questions if q.kind in ("numeric", "integer")}
    assert len(numeric) >= 6
    assert numeric == set(PROOFS), f"numbers without a proof: {sorted(numeric - set(PROOFS))}; proofs of no numeric question: {sorted(set(PROOFS) - numeric)}"


@pytest.mark.parametrize("question_id", sorted(PROOFS))
def test_the_key_is_the_computed_value(question_id):
    question, key = SPEC.question_bank.question(question_id), KEY[question_id]
    computed = PROOFS[question_id]()
    if question.kind == "integer":
        assert computed == key.answer and type(key.answer) is int
    else:
        assert computed == pytest.approx(key.answer, rel=1e-9)
        # The key must sit well inside its own tolerance band, not at its edge.
        assert abs(computed - key.answer) <= 0.01 * question.tolerance * abs(key.answer)


def test_the_bank_covers_every_question_topic():
    topics_file = REPO.parent / "shared" / "TOPICS.md"
    question_topics = {6, 8, 14, 15, 22, 25, 26, 31, 32, 33, 34, 35}
    if topics_file.is_file():  # the shared syllabus, when this checkout sits next to it
        rows = [line.split("|") for line in topics_file.read_text().splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
        question_topics = {int(row[1]) for row in rows if "question" in row[4]}
    assert len(question_topics) == 12
    assert {q.topic for q in SPEC.question_bank.questions} >= question_topics
    assert len(SPEC.question_bank.questions) >= 24
