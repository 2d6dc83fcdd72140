"""autograder.testing: the comparison helpers test authors use, and their messages."""

import pathlib

import numpy as np
import pytest

from autograder.harness.local import LocalSubmission
from autograder.testing import assert_close, assert_scalar_close, closure_over, numeric_gradient, rel_error

REPO = pathlib.Path(__file__).resolve().parent.parent


def message_of(actual, expected, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, **kwargs)
    return str(info.value)


def test_close_values_pass_and_wrong_ones_say_where():
    expected = np.arange(6.0).reshape(2, 3)
    assert_close(expected + 1e-9, expected)
    wrong = expected.copy()
    wrong[1, 2] += 0.5
    text = message_of(wrong, expected, name="dx")
    assert text.startswith("dx: 1 of 6 values differ") and "at index (1, 2)" in text


def test_shape_mismatches_state_facts_not_guesses():
    expected = np.ones((4, 3))
    assert message_of(np.ones((5, 4, 3)), expected) == "output: shape (5, 4, 3), expected (4, 3)"
    assert "transposed shape" in message_of(np.ones((3, 4)), expected)
    # A (1, D) result where (D,) was expected: the student did sum, with keepdims. Say exactly that.
    text = message_of(np.ones((1, 3)), np.ones(3))
    assert "extra axis of length 1" in text and "sum" not in text
    assert "must be a NumPy array or a number, got a list" in message_of([1.0, 2.0], np.ones(2))
    assert "got None" in message_of(None, np.ones(2))
    text = message_of(np.array([np.nan, 1.0]), np.ones(2))
    assert "non-finite" in text and "max before exp" not in text and "It looks like" not in text


def test_exact_sign_flips_and_constant_factors_are_reported_as_facts():
    expected = np.arange(1.0, 7.0).reshape(3, 2)
    assert "exactly the expected ones with the opposite sign" in message_of(-expected, expected)
    assert "1/3, one over the length of axis 0" in message_of(expected / 3, expected)
    assert "exactly 2.5 times" in message_of(expected * 2.5, expected)
    noisy = expected * 2
    noisy[0, 0] += 1
    assert "times the expected" not in message_of(noisy, expected)


def test_a_fired_hint_is_recorded_on_the_failure():
    from autograder.testing import ComparisonFailure
    from autograder.testing.hints import use_hints

    use_hints({"halved": "forgot the factor 2"})
    try:
        expected = np.array([2.0, 4.0])
        with pytest.raises(ComparisonFailure) as info:
            assert_close(expected / 2, expected, hints={"halved": expected / 2})
        assert info.value.hint == "halved" and "It looks like you forgot the factor 2." in str(info.value)
        with pytest.raises(ComparisonFailure) as info:
            assert_close(expected + 1, expected, hints={"halved": expected / 2})
        assert info.value.hint is None
        # A hint may have another shape than the answer (a convention of another course).
        with pytest.raises(ComparisonFailure) as info:
            assert_close(expected.reshape(1, 2, 1, 1), expected, hints={"used (1, C, 1, 1)": expected.reshape(1, 2, 1, 1)})
        assert info.value.hint == "used (1, C, 1, 1)" and "shape (1, 2, 1, 1), expected (2,)" in str(info.value)
    finally:
        use_hints({})


def test_a_hint_names_the_mistake_it_matches():
    expected = np.array([1.0, 2.0, 3.0])
    text = message_of(expected * 2, expected, hints={"forgot the factor 1/2": expected * 2, "flipped it": -expected})
    assert "It looks like you forgot the factor 1/2." in text and "flipped" not in text


def test_a_hint_equal_to_the_answer_is_never_shown():
    expected = np.array([1.0, 2.0, 3.0])
    text = message_of(expected + 0.1, expected, hints={"scaled the gradients up": expected.copy()})
    assert "It looks like" not in text


def test_hints_work_for_tiny_values_and_do_not_match_everything_tiny():
    expected = np.array([2e-9, 4e-9])
    text = message_of(expected / 2, expected, atol=1e-12, hints={"divided by N twice": expected / 2})
    assert "divided by N twice" in text
    text = message_of(expected * 3, expected, atol=1e-12, hints={"divided by N twice": expected / 2})
    assert "It looks like" not in text


def test_scalars_and_helpers():
    assert_scalar_close(np.float64(1.0), 1.0)
    with pytest.raises(AssertionError, match="expected a scalar"):
        assert_scalar_close(np.ones(2), 1.0)
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(numeric_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-6)


class _InPlace:
    @staticmethod
    def numeric_gradient(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in range(x.size):
            old = x.flat[i]
            x.flat[i] = old + h
            plus = f(x)
            x.flat[i] = old - h
            minus = f(x)
            x.flat[i] = old
            grad.flat[i] = (plus - minus) / (2 * h)
        return grad

    @staticmethod
    def numeric_gradient_on_copy(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in range(x.size):
            plus, minus = x.copy(), x.copy()
            plus.flat[i] += h
            minus.flat[i] -= h
            grad.flat[i] = (f(plus) - f(minus)) / (2 * h)
        return grad


def test_closure_over_sees_the_argument_as_the_student_holds_it():
    submission = LocalSubmission(_InPlace)
    x = np.array([1.0, -2.0, 0.5])
    closure = closure_over(1, lambda v: float(np.sum(v**3)))
    np.testing.assert_allclose(submission.numeric_gradient(closure, x.copy()), 3 * x**2, rtol=1e-6)
    # Perturbing a copy leaves the closed-over x alone: the gradient comes out 0.
    np.testing.assert_array_equal(submission.numeric_gradient_on_copy(closure, x.copy()), np.zeros(3))
    with pytest.raises(ValueError, match="names no positional argument"):
        submission.numeric_gradient(closure_over(5, abs), x)
    with pytest.raises(TypeError):
        closure()


class _Layers:
    """A forward/backward pair whose forward is wrong (scaled by 2) with backwards of three kinds."""

    @staticmethod
    def square_forward(x):
        return 2 * x**2, x.copy()

    @staticmethod
    def right_for_own_forward(dout, cache):
        return 4 * cache * dout

    @staticmethod
    def right_for_true_forward(dout, cache):
        return 2 * cache * dout

    @staticmethod
    def wrong_for_both(dout, cache):
        return 3 * cache * dout


def _check(backward, forward="square_forward"):
    from autograder.testing import check_backward
    from autograder.testing.notes import collect_notes, start_collecting

    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    start_collecting()
    try:
        check_backward(LocalSubmission(_Layers), forward, backward, (x,), dout, wrt=(0,), expected_out=x**2,
                       expected_grads=(2 * x * dout,), names=("dx",), forward_task="square")
    finally:
        notes = collect_notes()
    return notes


def test_a_backward_right_for_its_own_wrong_forward_passes_with_a_note():
    notes = _check("right_for_own_forward")
    assert notes == ["right_for_own_forward is the correct gradient of your square_forward; the forward is wrong: see square"]
    assert _check("right_for_true_forward") == []  # right for the true forward: passes, nothing to say
    with pytest.raises(AssertionError, match="not the gradient of your own square_forward either"):
        _check("wrong_for_both")


def test_oracle_memo_returns_copies_and_keys_on_content():
    from autograder.testing import oracle
    from autograder.testing.oracles import clear_oracle_memo, oracle_memo_stats

    calls = []

    @oracle
    def double(x, scale=1.0):
        calls.append(1)
        return {"y": x * 2 * scale}

    clear_oracle_memo()
    x = np.arange(3.0)
    first = double(x)
    first["y"][0] = 99.0  # a test changing its copy changes nothing for the next
    assert double(x.copy())["y"][0] == 0.0 and len(calls) == 1
    double(x, scale=2.0)
    double(x + 1)
    assert len(calls) == 3
    offset = 5.0
    assert oracle(lambda a: a + offset)(x)[0] == 5.0
    offset = 6.0  # a lambda is keyed by the values it closes over
    assert oracle(lambda a: a + offset)(x)[0] == 6.0
    uncacheable = oracle(lambda a, rng: a)
    uncacheable(x, np.random.default_rng(0))
    assert oracle_memo_stats()["uncacheable"] == 1


def test_assert_raises_reads_the_student_exception_type_as_data():
    from autograder.errors import StudentCodeError
    from autograder.testing import assert_raises

    def raises_remote():
        raise StudentCodeError("ValueError: bad", exception_type="MyError", exception_bases=("MyError", "ValueError", "Exception"))

    assert_raises(ValueError, raises_remote)
    with pytest.raises(AssertionError, match="should raise KeyError"):
        assert_raises(KeyError, raises_remote)

    def raises_local():
        raise ValueError("bad")

    assert_raises(ValueError, raises_local)
    with pytest.raises(AssertionError, match="returned normally"):
        assert_raises(ValueError, lambda: 1)


def test_backpropagate_gives_the_gradients_of_backward_with_an_upstream_gradient_bit_for_bit():
    import torch

    from autograder.testing.torch_oracles import backpropagate

    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 4))
    upstream = torch.tensor(rng.standard_normal((6, 4)))
    gradients = []
    for through in ("backward", "backpropagate"):
        leaf = torch.tensor(x, requires_grad=True)
        out = torch.tanh(leaf) * leaf.sum(dim=0)
        if through == "backward":
            out.backward(upstream)
        else:
            backpropagate(out, upstream)
        gradients.append(leaf.grad.numpy().copy())
    assert np.array_equal(gradients[0], gradients[1])
    with pytest.raises(ValueError, match="shape"):
        backpropagate(torch.ones(3, requires_grad=True) * 2, torch.ones(1))


def test_oracle_keys_do_not_depend_on_where_the_tests_live(tmp_path):
    """Each batch grades a snapshot of the assignment: the same tests in another folder find the same memo entries."""
    import importlib.util

    from autograder.testing.oracles import clear_oracle_memo, oracle_memo_stats

    source = "from autograder.testing import oracle\n\n@oracle\ndef triple(x):\n    return 3 * x\n"
    modules = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "helpers.py").write_text(source)
        spec = importlib.util.spec_from_file_location(f"helpers_{folder}", tmp_path / folder / "helpers.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    clear_oracle_memo()
    modules[0].triple(np.arange(3.0))
    modules[1].triple(np.arange(3.0))
    assert oracle_memo_stats()["hits"] == 1 and oracle_memo_stats()["misses"] == 1


def test_the_oracle_store_keeps_values_and_the_reference_report(tmp_path, toy_spec):
    from autograder.testing import oracle
    from autograder.testing.oracle_store import OracleStore
    from autograder.testing.oracles import clear_oracle_memo, oracle_memo_entries

    @oracle
    def reference(x):
        return {"out": x * 2, "grads": (x, np.float32(1.5)), "loss": 0.25, "kind": "mean", "shape": [2, 3]}

    @oracle
    def not_a_value(x):
        return object()  # kept in memory, never written

    clear_oracle_memo()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    expected = reference(x)
    not_a_value(x)
    store = OracleStore(tmp_path / "cache", toy_spec)
    assert store.save(7, {"status": "ok", "score": 2.0, "max_score": 2.0}, ["torch"]) == 1
    assert (store.folder.stat().st_mode & 0o777) == 0o700
    clear_oracle_memo()
    assert OracleStore(tmp_path / "cache", toy_spec).load(8) is None  # no file for that seed
    stored = OracleStore(tmp_path / "cache", toy_spec).load(7)
    assert stored.reference == {"status": "ok", "score": 2.0, "max_score": 2.0} and stored.imports == ["torch"]
    [value] = oracle_memo_entries().values()
    assert value.keys() == expected.keys() and value["grads"][1].dtype == np.float32 and type(value["grads"]) is tuple
    assert value["out"].dtype == np.float32 and np.array_equal(value["out"], expected["out"]) and value["shape"] == [2, 3]
    clear_oracle_memo()
    store.path(7).write_bytes(b"\x00\x00\x00\x00\x00\x00\x00\x05junk!")
    assert store.load(7) is None and oracle_memo_entries() == {}  # a damaged file is a miss


def test_the_oracle_memo_goes_to_disk_only_where_workers_cannot_write_it(tmp_path, monkeypatch):
    import os

    from autograder.testing.oracle_store import trusted_cache_root

    folder = tmp_path / "cache"
    monkeypatch.setenv("AUTOGRADER_ORACLE_CACHE", str(folder))
    assert trusted_cache_root("bwrap") == folder and (folder.stat().st_mode & 0o777) == 0o700
    assert trusted_cache_root("docker") == folder  # the harness is on the host, the workers in containers
    assert trusted_cache_root("docker-chunk") is None  # the harness is in the container
    if os.geteuid() == 0:
        assert trusted_cache_root("process") == folder  # as root, workers run as uids of their own
    monkeypatch.setattr(os, "geteuid", lambda: 12345)
    assert trusted_cache_root("process") is None  # a normal user's workers share the grader's uid
    monkeypatch.undo()
    monkeypatch.setenv("AUTOGRADER_ORACLE_CACHE", str(folder))
    folder.chmod(0o755)
    assert trusted_cache_root("bwrap") is None  # open to others: not a place to read reference values from
    monkeypatch.setenv("AUTOGRADER_ORACLE_CACHE", "off")
    assert trusted_cache_root("bwrap") is None


def test_lazy_torch_imports_torch_on_the_first_public_name_only():
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from autograder.testing.lazy_torch import F, torch\n"
        "import copy, pickle\n"
        "assert getattr(torch, '_mock_name', None) is None and getattr(F, '__wrapped__', None) is None\n"
        "assert 'torch' not in sys.modules, 'a private or special name imported torch'\n"
        "t = torch.tensor([1.0, 2.0], dtype=torch.float64)\n"
        "assert 'torch' in sys.modules and isinstance(t, torch.Tensor)\n"
        "assert torch.allclose(F.softmax(t, dim=0), sys.modules['torch'].softmax(t, dim=0))\n"
        "assert F.relu is sys.modules['torch.nn.functional'].relu\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize("assignment", ["backprop", "batchnorm", "convolution", "losses", "optimizers"])
def test_the_numpy_assignments_hidden_tests_collect_without_importing_torch(assignment):
    """torch is imported on the first oracle value computed, so a harness whose values all come from the
    memo on disk never imports it (two seconds of a single grading)."""
    import subprocess
    import sys

    script = (
        "import pathlib, sys\n"
        "from autograder.harness.runner import TestSuite\n"
        "from autograder.spec import find_assignment\n"
        f"spec = find_assignment({assignment!r}, pathlib.Path('.'))\n"
        "suite = TestSuite(spec.tests_dir('hidden'), assignment=spec.root)\n"
        "assert suite.items and not suite.collection_errors, suite.collection_errors\n"
        "print('torch' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=str(REPO))
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "False", f"collecting {assignment}'s hidden tests imported torch"


def test_a_seeds_memo_file_keeps_only_what_that_seeds_grading_used(tmp_path, toy_spec):
    from autograder.testing import oracle
    from autograder.testing.oracle_store import OracleStore
    from autograder.testing.oracles import clear_oracle_memo, oracle_memo_entries, recording_oracle_keys

    @oracle
    def square(x):
        return x * x

    clear_oracle_memo()
    square(np.arange(3.0))  # an earlier seed's value, still in the memo
    with recording_oracle_keys() as used:
        square(np.arange(4.0))
        square(np.arange(4.0))  # a hit is used too
    assert len(used) == 1 and len(oracle_memo_entries()) == 2
    store = OracleStore(tmp_path / "cache", toy_spec)
    assert store.save(8, {"status": "ok"}, keys=used) == 1
    clear_oracle_memo()
    store.load(8)
    [value] = oracle_memo_entries().values()
    assert np.array_equal(value, np.arange(4.0) ** 2)
