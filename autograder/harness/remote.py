"""The ``submission`` proxy of grading runs: calls cross into the sandboxed worker as values.

``submission.batchnorm_forward(x, gamma, beta, bn_param)`` sends the arguments
to the worker, waits (with the per-call timeout) and returns the decoded
result. Dict arguments are updated in place from the worker's copy after the
call; callables are served as callbacks; ``*_forward`` results keep their second
element (the cache) in the worker as an opaque :class:`Handle`.

A timeout, crash or ``exit`` in student code kills the worker (and everything it
started), fails the current test with a clear message, and starts a fresh worker
for the next call. Handles from before a restart are gone.
"""

from __future__ import annotations

import os
import pathlib
import time

from autograder.harness.closures import ArgumentClosure
from autograder.harness.local import timeout_message
from autograder.protocol import Decoder, Encoder, Handle, ProtocolError, read_frame, write_frame
from autograder.sandbox.worker_process import become_subreaper
from autograder.spec import AssignmentSpec, format_size

__all__ = ["GraderFault", "RemoteSubmission", "StudentCodeError"]

HANDLE_BASE_STEP = 1_000_000_000
TIMEOUTS_BEFORE_GIVING_UP = 2  # a function that timed out this often is not called again in this run


class StudentCodeError(Exception):
    """An error raised by (or because of) student code in the worker; its text is feedback."""


class GraderFault(Exception):
    """The grader itself failed (the worker could not start): never the student's fault."""


def format_student_error(error: dict, function: str | None = None, memory_mb: int | None = None) -> str:
    """One readable message from the worker's error description (untrusted strings, capped)."""
    kind = str(error.get("kind", ""))
    type_name = str(error.get("type", "Error"))[:100]
    message = str(error.get("message", ""))[:1500]
    if kind == "missing":
        return message
    if kind == "memory":
        limit = f" {format_size(memory_mb)}" if memory_mb else ""
        where = f" in `{function}`" if function else ""
        return f"MemoryError{where}: memory limit{limit} exceeded"
    if type_name == "SyntaxError":
        return f"SyntaxError in {error.get('file', '?')} line {error.get('line', '?')}: {message}"
    text = f"{type_name}: {message}" if message else type_name
    frames = error.get("frames") or []
    if frames and isinstance(frames[-1], dict):
        frame = frames[-1]
        text += f"\n  at {str(frame.get('file', '?'))[:200]} line {frame.get('line', '?')}, in {str(frame.get('function', '?'))[:100]}"
        if frame.get("code"):
            text += f": {str(frame['code'])[:200]}"
    return text


class RemoteFunction:
    """A callable standing for one function of the student module (or a method of a handle)."""

    def __init__(self, submission: "RemoteSubmission", name: str, handle: Handle | None = None):
        self._submission = submission
        self._name = name
        self._handle = handle

    def __call__(self, *args, **kwargs):
        return self._submission.call(self._name, args, kwargs, handle=self._handle)

    def __repr__(self) -> str:
        return f"<student function {self._name}>"


class RemoteSubmission:
    """The student's module, living in a worker process. Same interface as :class:`LocalSubmission`."""

    def __init__(self, spec: AssignmentSpec, launcher):
        self._spec = spec
        self._launcher = launcher
        self._worker = None
        self._generation = 0
        self._outputs = []
        self._deadline_total = time.monotonic() + spec.limits.total_timeout_s
        self.load_error: str | None = None
        self.last_warnings: list[str] = []  # warnings raised by the last call ("RuntimeWarning: overflow ...")
        self._timeouts: dict[str, int] = {}  # function name -> calls that timed out
        self.restarts = 0
        self._seq = 0  # sequence number of the last request sent to the worker
        self.warnings: list[str] = list(getattr(launcher, "warnings", []))

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(cls, source_dir: pathlib.Path, spec: AssignmentSpec, launcher: str = "process", gpu: bool = False, slot: int = 0) -> "RemoteSubmission":
        from autograder.sandbox import make_launcher
        from autograder.sandbox.process import WorkerSetup

        become_subreaper()
        submission = cls(spec, make_launcher(launcher, WorkerSetup(spec, source_dir, gpu=gpu, slot=slot)))
        submission._ensure_worker()
        return submission

    def _ensure_worker(self) -> None:
        if self._worker is not None or self.load_error is not None:
            return
        limits = self._spec.limits
        self._launcher.handle_base = self._generation * HANDLE_BASE_STEP
        try:
            worker = self._launcher.start()
        except OSError as exc:
            raise GraderFault(f"the worker could not be started: {exc}") from exc
        self._worker = worker
        self._outputs.append(worker.output)
        os.set_blocking(worker.fd_to, False)
        os.set_blocking(worker.fd_from, False)
        try:
            hello, _ = read_frame(worker.fd_from, deadline=time.monotonic() + max(30.0, limits.load_timeout_s))
            if hello.get("op") != "ready":
                raise ProtocolError("no ready message")
        except (EOFError, TimeoutError, ProtocolError, OSError) as exc:
            description = worker.exit_description()
            self._kill()
            raise GraderFault(f"the worker did not start ({type(exc).__name__}; {description}): {worker.output.text()[-500:]}") from exc
        try:
            reply, _ = self._exchange({"op": "load"}, [], limits.load_timeout_s)
        except TimeoutError:
            self._kill()
            self.load_error = f"timed out while loading the submission (limit {limits.load_timeout_s:g} s)"
            return
        except (EOFError, ProtocolError, OSError):
            description = worker.exit_description()
            self._kill()
            self.load_error = f"the submission stopped the worker while loading ({description})"
            return
        if "error" in reply:
            self.load_error = "could not load the submission: " + format_student_error(reply["error"] if isinstance(reply["error"], dict) else {})
            self._kill()

    def _kill(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
            self._generation += 1

    def close(self) -> None:
        self._kill()
        cleanup = getattr(self._launcher, "cleanup", None)
        if cleanup:
            cleanup()

    # ------------------------------------------------------------------ wire
    def _exchange(self, msg: dict, blobs: list[bytes], timeout: float, callbacks: dict | None = None):
        """Send one request, serve callbacks, return ``(reply, blobs)``. TimeoutError past ``timeout``.

        Every frame that answers the request must carry its sequence number: one that
        does not was written by student code (forged, or left over from an earlier
        call by a thread) and is a :class:`ProtocolError`, which ends the worker.
        """
        deadline = min(time.monotonic() + timeout, self._deadline_total + 5.0)
        worker = self._worker
        self._seq += 1
        write_frame(worker.fd_to, {**msg, "seq": self._seq}, blobs, deadline=deadline)
        while True:
            reply, reply_blobs = read_frame(worker.fd_from, deadline=deadline)
            if reply.get("seq") != self._seq:
                raise ProtocolError("a message on the grader's channel was not a reply to this call (did the submission write to it?)")
            if reply.get("op") != "callback":
                return reply, reply_blobs
            self._serve_callback(reply, reply_blobs, callbacks or {}, deadline)

    def _serve_callback(self, request: dict, blobs: list[bytes], callbacks: dict, deadline: float) -> None:
        function = callbacks.get(request.get("id"))
        try:
            if function is None:
                raise ProtocolError("callback to an unknown function")
            args = Decoder(blobs).decode(request.get("args"))
            if not isinstance(args, list):
                raise ProtocolError("callback arguments are not a list")
            value = function(*args)
            encoder = Encoder()
            tree = encoder.encode(_plain(value))
            write_frame(self._worker.fd_to, {"op": "callback_result", "value": tree}, encoder.blobs, deadline=deadline)
        except TimeoutError:
            raise
        except Exception as exc:  # noqa: BLE001 (reported back to student code as an exception)
            write_frame(self._worker.fd_to, {"op": "callback_error", "message": f"{type(exc).__name__}: {exc}"[:500]}, [], deadline=deadline)

    # ------------------------------------------------------------------ calls
    def call(self, name: str, args: tuple, kwargs: dict, handle: Handle | None = None, opaque: list | None = None):
        if self.load_error is not None:
            raise StudentCodeError(self.load_error)
        if time.monotonic() > self._deadline_total:
            raise StudentCodeError(f"the submission used up its total time limit ({self._spec.limits.total_timeout_s:g} s)")
        timeout = self._spec.call_timeout(name)
        if self._timeouts.get(name, 0) >= TIMEOUTS_BEFORE_GIVING_UP:
            # One endless loop must not cost minutes per test: after a few timeouts, fail fast.
            raise StudentCodeError(f"not run: `{name}` already timed out {self._timeouts[name]} times in this run (limit {timeout:g} s per call)")
        self._ensure_worker()
        if self.load_error is not None:
            raise StudentCodeError(self.load_error)
        callbacks: dict[int, object] = {}

        def on_other(obj):
            if isinstance(obj, ArgumentClosure):
                obj.check_fits(args)
                callbacks[len(callbacks) + 1] = obj.function
                return {"~": "callback", "id": len(callbacks), "closure_over": obj.index}
            if callable(obj):
                callbacks[len(callbacks) + 1] = obj
                return {"~": "callback", "id": len(callbacks)}
            raise TypeError(f"a test passed a {type(obj).__name__}, which cannot cross to the worker")

        encoder = Encoder(on_other=on_other)
        msg = {
            "op": "call",
            "name": name,
            "args": encoder.encode(list(args)),
            "kwargs": encoder.encode(dict(kwargs)),
            "opaque": opaque if opaque is not None else ([[1]] if name.endswith("_forward") and handle is None else []),
        }
        if handle is not None:
            msg["handle"] = handle.id
        try:
            reply, blobs = self._exchange(msg, encoder.blobs, timeout, callbacks)
        except TimeoutError:
            self._timeouts[name] = self._timeouts.get(name, 0) + 1
            self._restart_after_failure()
            raise StudentCodeError(timeout_message(name, timeout, own_limit=name in dict(self._spec.call_limits))) from None
        except (EOFError, ProtocolError, OSError) as exc:
            description = self._worker.exit_description() if self._worker else "gone"
            time.sleep(0.05)
            description = self._worker.exit_description() if self._worker else description
            self._restart_after_failure()
            detail = f": {exc}" if isinstance(exc, ProtocolError) else ""
            if "memory" in description or "SIGKILL" in description:
                raise StudentCodeError(f"the worker was killed in `{name}` ({description}; memory limit {format_size(self._spec.limits.memory_mb)}){detail}") from None
            raise StudentCodeError(f"the submission ended the worker in `{name}` ({description}){detail}") from None
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            raise StudentCodeError(format_student_error(error, name, self._spec.limits.memory_mb))
        raw_warnings = reply.get("warnings")
        self.last_warnings = [str(w)[:300] for w in raw_warnings[:20]] if isinstance(raw_warnings, list) else []
        decoder = Decoder(blobs, on_handle=lambda handle_id, type_name: Handle(handle_id, type_name, self._generation))
        try:
            value = decoder.decode(reply.get("value"))
            args_back = reply.get("args_back") or {}
            if not isinstance(args_back, dict):
                raise ProtocolError("malformed args_back")
            for key, tree in args_back.items():
                original = args[int(key)] if key.isdigit() and int(key) < len(args) else kwargs.get(key)
                if type(original) is dict:
                    updated = decoder.decode(tree)
                    if type(updated) is dict:
                        original.clear()
                        original.update(updated)
        except ProtocolError as exc:
            raise StudentCodeError(f"`{name}` returned something that is not a plain value: {exc}") from None
        return value

    def _restart_after_failure(self) -> None:
        self._kill()
        self.restarts += 1

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteFunction(self, name)

    def method(self, handle: Handle, name: str) -> RemoteFunction:
        """A method of an opaque object, callable by name."""
        return RemoteFunction(self, name, handle)

    def has(self, name: str) -> bool:
        if self.load_error is not None:
            return False
        self._ensure_worker()
        if self.load_error is not None:
            return False
        try:
            reply, _ = self._exchange({"op": "has", "name": name}, [], 5.0)
        except (TimeoutError, EOFError, ProtocolError, OSError):
            self._restart_after_failure()
            return False
        return reply.get("value") is True

    def timed(self, name: str, *args, repeat: int = 5, **kwargs):
        """``(result, best_seconds)`` of the student function alone: the harness's own clock,
        minus the transfer cost measured by echoing the same arguments."""
        result = None
        best_call = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            result = self.call(name, args, kwargs)
            best_call = min(best_call, time.perf_counter() - start)
        best_echo = float("inf")
        encoder = Encoder(on_other=lambda obj: (_ for _ in ()).throw(TypeError("cannot time with callables")))
        tree = encoder.encode([list(args), result])
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                self._exchange({"op": "echo", "args": tree}, encoder.blobs, self._spec.limits.call_timeout_s)
            except (TimeoutError, EOFError, ProtocolError, OSError):
                self._restart_after_failure()
                break
            best_echo = min(best_echo, time.perf_counter() - start)
        if best_echo == float("inf"):
            best_echo = 0.0
        return result, max(best_call - best_echo, best_call * 0.05)

    def reset(self) -> None:
        """Forget the handles of the last test (keeps worker memory bounded)."""
        if self._worker is None:
            return
        try:
            self._exchange({"op": "drop"}, [], 5.0)
        except (TimeoutError, EOFError, ProtocolError, OSError):
            self._restart_after_failure()

    # ------------------------------------------------------------------ feedback
    def output_text(self) -> str:
        limit = int(self._spec.limits.output_kb) << 10
        text = "".join(collector.text() for collector in self._outputs)
        return text[:limit]

    @property
    def output_limit_kb(self) -> int:
        return int(self._spec.limits.output_kb)

    @property
    def output_truncated(self) -> bool:
        limit = int(self._spec.limits.output_kb) << 10
        return sum(collector.total for collector in self._outputs) > limit


def _plain(value):
    """A callback's return value as something the encoder accepts (torch tensors -> arrays)."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    return value
