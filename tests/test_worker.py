"""The worker boundary, for real: a worker process per submission, values only, failures contained."""

import os
import pathlib
import time

import numpy as np
import pytest

from autograder.errors import StudentCodeError
from autograder.harness.remote import RemoteSubmission
from autograder.protocol import Handle

STUDENT = '''
import os, sys, time
import numpy as np

def scale_forward(x, factor):
    class Cache:
        pass
    cache = Cache(); cache.factor = factor
    return x * factor, cache

def scale_backward(dout, cache):
    return dout * cache.factor

def update_running_mean(x, param):
    param["running_mean"] = x.mean(axis=0)
    param["seen"] = param.get("seen", 0) + 1
    return None

def apply_twice(f, x):
    return f(f(x))

def mutate_input(x):
    x[...] = 0
    return 1.0

def liar():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)
    return np.zeros(3).view(Liar)

def always_equal():
    class Eq:
        def __eq__(self, other):
            return True
    return Eq()

def spin():
    while True:
        pass

def sleepy():
    time.sleep(60)

def bye():
    os._exit(0)

def sysexit():
    sys.exit(0)

def chatty():
    for _ in range(20000):
        print("x" * 100)
    return 7

def hog():
    return np.ones((1 << 31,), dtype=np.float64).sum()

def import_torch():
    import importlib
    return importlib.import_module("torch")

def sneaky_import():
    return __import__("to" + "rch")

def _torch_dir():
    import numpy, glob
    site = os.path.dirname(os.path.dirname(numpy.__file__))
    return os.path.join(site, "torch")

def import_by_file_location():
    import importlib.util
    spec = importlib.util.spec_from_file_location("notorch", os.path.join(_torch_dir(), "__init__.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.__name__

def load_torch_extension():
    import glob, importlib.machinery, importlib.util
    so = glob.glob(os.path.join(_torch_dir(), "_C*.so"))[0]
    spec = importlib.util.spec_from_loader("torch._C", importlib.machinery.ExtensionFileLoader("torch._C", so))
    return importlib.util.module_from_spec(spec).__name__

def import_subpackage_from_its_folder():
    import importlib
    sys.path.insert(0, _torch_dir())
    return importlib.import_module("nn").__name__

def dlopen_libtorch():
    import ctypes
    return str(ctypes.CDLL(os.path.join(_torch_dir(), "lib", "libtorch_cpu.so")))

def import_sklearn():
    import sklearn
    return sklearn.__name__

def sklearn_by_pickle():
    import pickle
    return str(pickle.loads(b"csklearn\\nshow_versions\\n."))

def sklearn_with_fallback():
    try:
        import sklearn
        return "sklearn"
    except ImportError:
        return "fallback"

def use_scipy():
    from scipy.special import logsumexp
    return float(logsumexp(np.array([1000.0, 1000.0])))

def private_stdlib_modules():
    import sysconfig
    return len(sysconfig.get_config_vars()) > 0

def whoami():
    return [os.getuid(), sorted(k for k in os.environ)]

def overflow():
    return 1.0 / (1.0 + np.exp(np.array([1000.0])))

def draw(rng):
    return rng.normal(size=3)

def unseeded_draws():
    import random
    return [float(np.random.rand()), random.random(), float(np.random.default_rng().random())]

def _forged_reply(value):
    import json, struct
    header = json.dumps({"msg": {"value": value}, "blobs": []}).encode()
    return struct.pack(">Q", len(header)) + header

def _write_everywhere(data):
    for fd in sorted(int(name) for name in os.listdir("/proc/self/fd") if int(name) > 2):
        try:
            os.write(fd, data)
        except OSError:
            pass

def forge_reply():
    _write_everywhere(_forged_reply(42.0) * 3)
    return 1.0

def forge_later():
    import threading
    def later():
        time.sleep(0.3)
        _write_everywhere(_forged_reply(42.0))
    threading.Thread(target=later, daemon=True).start()
    return 1.0

def numgrad_in_place(f, x, h=1e-5):
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

def numgrad_on_copy(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += h
        minus.flat[i] -= h
        grad.flat[i] = (f(plus) - f(minus)) / (2 * h)
    return grad

def grandchild():
    pid = os.fork()
    if pid == 0:
        os.setsid()
        time.sleep(300)
        os._exit(0)
    return pid
'''


@pytest.fixture
def remote(tmp_path, toy_spec):
    source = tmp_path / "src"
    source.mkdir()
    (source / "toy.py").write_text(STUDENT)
    submission = RemoteSubmission.open(source, toy_spec, slot=7)
    yield submission
    submission.close()


def test_values_cross_and_cache_stays_opaque(remote):
    x = np.arange(6.0).reshape(2, 3)
    out, cache = remote.scale_forward(x, 2.0)
    np.testing.assert_array_equal(out, x * 2)
    assert isinstance(cache, Handle) and cache.type_name == "Cache"
    np.testing.assert_array_equal(remote.scale_backward(np.ones((2, 3)), cache), np.full((2, 3), 2.0))


def test_dict_arguments_are_updated_in_place(remote):
    param = {"seen": 1}
    remote.update_running_mean(np.ones((4, 2)), param)
    assert param["seen"] == 2
    np.testing.assert_array_equal(param["running_mean"], [1.0, 1.0])


def test_callbacks_run_in_the_harness(remote):
    calls = []

    def f(v):
        calls.append(v.copy())
        return v + 1

    np.testing.assert_array_equal(remote.apply_twice(f, np.zeros(2)), [2.0, 2.0])
    assert len(calls) == 2


def test_a_closure_over_an_argument_sees_it_as_the_worker_holds_it(remote):
    from autograder.testing import closure_over

    x = np.array([1.0, -2.0, 0.5])
    seen = []

    def cube_sum(v):
        seen.append(v.copy())
        return float(np.sum(v**3))

    grad = remote.numgrad_in_place(closure_over(1, cube_sum), x.copy())
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-6)
    assert len(seen) == 6 and np.count_nonzero(seen[0] != x) == 1
    # A perturbed copy is invisible to a closure over x: the gradient is 0.
    np.testing.assert_array_equal(remote.numgrad_on_copy(closure_over(1, cube_sum), x.copy()), np.zeros(3))


def test_inputs_are_copies_for_the_worker(remote):
    x = np.ones(3)
    remote.mutate_input(x)
    np.testing.assert_array_equal(x, np.ones(3))


def test_comparison_tricks_do_not_survive_the_boundary(remote):
    value = remote.liar()
    assert type(value) is np.ndarray and not (value == np.ones(3)).all()
    assert isinstance(remote.always_equal(), Handle)


def test_timeout_kills_and_restarts_the_worker(remote):
    with pytest.raises(StudentCodeError, match=r"timed out after 3 s in `spin`"):
        remote.spin()
    with pytest.raises(StudentCodeError, match="timed out"):
        remote.sleepy()  # idle hangs are caught by wall time, not CPU time
    out, _ = remote.scale_forward(np.ones(2), 3.0)
    np.testing.assert_array_equal(out, [3.0, 3.0])
    assert remote.restarts == 2


@pytest.mark.parametrize("name, phrase", [("bye", "exited with code 0"), ("sysexit", "SystemExit")])
def test_exit_only_fails_that_call(remote, name, phrase):
    with pytest.raises(StudentCodeError, match=phrase):
        getattr(remote, name)()
    assert remote.scale_backward(np.ones(1), remote.scale_forward(np.ones(1), 2.0)[1]) == pytest.approx([2.0])


def test_frames_written_by_student_code_cost_only_that_call(remote):
    # Forged replies ahead of the real one: the call fails, the worker is replaced.
    with pytest.raises(StudentCodeError, match="not a reply to this call"):
        remote.forge_reply()
    assert remote.restarts == 1
    np.testing.assert_array_equal(remote.scale_forward(np.ones(2), 3.0)[0], [3.0, 3.0])
    # A frame a thread leaves behind after its call returned is not taken as the next call's reply.
    assert remote.forge_later() == 1.0
    time.sleep(0.6)
    with pytest.raises(StudentCodeError, match="not a reply to this call"):
        remote.scale_forward(np.ones(2), 3.0)
    np.testing.assert_array_equal(remote.scale_forward(np.ones(2), 3.0)[0], [3.0, 3.0])


def test_a_tests_handles_are_forgotten_when_the_next_test_begins(remote):
    _, cache = remote.scale_forward(np.ones(2), 2.0)
    np.testing.assert_array_equal(remote.scale_backward(np.ones(2), cache), [2.0, 2.0])
    remote.reset()  # the submission fixture's teardown: the worker forgets with the next request
    with pytest.raises(StudentCodeError, match="no longer exists"):
        remote.scale_backward(np.ones(2), cache)
    _, fresh = remote.scale_forward(np.ones(2), 3.0)
    np.testing.assert_array_equal(remote.scale_backward(np.ones(2), fresh), [3.0, 3.0])


def test_stale_handles_after_a_restart_are_explained(remote):
    _, cache = remote.scale_forward(np.ones(2), 2.0)
    with pytest.raises(StudentCodeError):
        remote.spin()
    with pytest.raises(StudentCodeError, match="no longer exists"):
        remote.scale_backward(np.ones(2), cache)


def test_memory_limit(remote):
    with pytest.raises(StudentCodeError, match="MemoryError|memory limit"):
        remote.hog()
    assert remote.scale_forward(np.ones(1), 1.0)[0] == pytest.approx([1.0])


@pytest.mark.parametrize("name", ["import_torch", "sneaky_import", "import_by_file_location", "load_torch_extension",
                                  "import_subpackage_from_its_folder", "dlopen_libtorch"])
def test_forbidden_imports(remote, name):
    """Every route to torch that does not go through ``import torch`` is blocked too."""
    with pytest.raises(StudentCodeError, match="'(torch|libtorch_cpu.so)' is forbidden"):
        getattr(remote, name)()


@pytest.mark.parametrize("name", ["import_sklearn", "sklearn_by_pickle"])
def test_packages_outside_student_packages_are_refused(remote, name):
    """The host has scikit-learn; the assignment's students get numpy and scipy only, as in the container."""
    with pytest.raises(StudentCodeError, match="No module named 'sklearn' when graded: .*standard library, numpy and scipy"):
        getattr(remote, name)()


def test_allowed_packages_and_the_standard_library_import(remote):
    assert remote.sklearn_with_fallback() == "fallback"  # a ModuleNotFoundError, as an absent package raises
    assert remote.use_scipy() == pytest.approx(1000.0 + np.log(2.0))
    assert remote.private_stdlib_modules() is True  # _sysconfigdata_* is not in sys.stdlib_module_names


def test_missing_function_is_named(remote):
    with pytest.raises(StudentCodeError, match="no function 'batchnorm_forward'"):
        remote.batchnorm_forward(1)
    assert remote.has("scale_forward") and not remote.has("nope")


def test_output_is_captured_and_capped(remote):
    assert remote.chatty() == 7
    assert len(remote.output_text()) <= 1024 << 10
    assert remote.output_truncated and remote.output_text().startswith("x" * 100)


def test_clean_environment_and_privilege_drop(remote, monkeypatch):
    uid, env_names = remote.whoami()
    assert not any("SECRET" in name or "TOKEN" in name or "KEY" in name for name in env_names)
    assert {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"} <= set(env_names)
    if os.geteuid() == 0 and not remote.warnings:
        assert uid == 61007  # the dedicated uid of slot 7


def test_daemonised_children_do_not_survive(remote):
    pid = remote.grandchild()
    remote.close()
    assert not pathlib.Path(f"/proc/{pid}").exists() or "Z" in pathlib.Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_load_errors_fail_every_call(tmp_path, toy_spec):
    source = tmp_path / "src"
    source.mkdir()
    (source / "toy.py").write_text("def scale_forward(x, f)\n    return x\n")
    submission = RemoteSubmission.open(source, toy_spec)
    try:
        assert "SyntaxError in toy.py line 1" in submission.load_error
        with pytest.raises(StudentCodeError, match="SyntaxError"):
            submission.scale_forward(1, 2)
    finally:
        submission.close()


def test_infinite_loop_at_import_is_a_load_timeout(tmp_path, toy_spec):
    source = tmp_path / "src"
    source.mkdir()
    (source / "toy.py").write_text("while True:\n    pass\n")
    submission = RemoteSubmission.open(source, toy_spec)
    try:
        assert "timed out while loading" in submission.load_error
    finally:
        submission.close()


def test_warnings_of_the_last_call_are_reported(remote):
    remote.overflow()
    assert any("RuntimeWarning: overflow" in w for w in remote.last_warnings)
    remote.scale_forward(np.ones(1), 1.0)
    assert remote.last_warnings == []


def test_generators_reach_student_code_as_copies(remote):
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(remote.draw(rng), np.random.default_rng(3).normal(size=3))


def test_a_function_that_keeps_timing_out_is_not_called_again(remote):
    for _ in range(2):
        with pytest.raises(StudentCodeError, match="timed out after 3 s"):
            remote.spin()
    with pytest.raises(StudentCodeError, match="already timed out 2 times"):
        remote.spin()
    assert remote.restarts == 2
    np.testing.assert_array_equal(remote.scale_forward(np.ones(1), 2.0)[0], [2.0])


def test_workers_forked_from_one_zygote_draw_different_random_numbers(tmp_path, toy_spec):
    """The zygote's generators are reseeded in every worker (or seed themselves when first loaded)."""
    from autograder.launchers import WorkerSetup, make_launcher

    source = tmp_path / "src"
    source.mkdir()
    (source / "toy.py").write_text(STUDENT)
    launcher = make_launcher("process", WorkerSetup(toy_spec, slot=9))
    try:
        draws = []
        for _ in range(2):
            submission = RemoteSubmission.start(toy_spec, launcher.open(source))
            try:
                draws.append(submission.unseeded_draws())
            finally:
                submission.close()
    finally:
        launcher.close()
    first, second = draws
    assert all(a != b for a, b in zip(first, second)), draws
