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
import time

from autograder.harness.closures import ArgumentClosure
from autograder.protocol import Decoder, Encoder, Handle, read_frame, write_frame
from autograder.errors import CallTimedOut, GraderFault, ProtocolError, StudentCodeError
from autograder.spec import AssignmentSpec, format_size

__all__ = ["RemoteObject", "RemoteSubmission", "format_student_error", "student_code_error"]

HANDLE_BASE_STEP = 1_000_000_000
_MISSING = object()  # no default given to RemoteSubmission.value
TIMEOUTS_BEFORE_GIVING_UP = 2  # a function that timed out this often is not called again in this run


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


def student_code_error(error: dict, function: str | None = None, memory_mb: int | None = None) -> StudentCodeError:
    """The worker's error description as a :class:`StudentCodeError` (the exception type kept as data)."""
    kind = str(error.get("kind", "exception"))
    type_name = str(error.get("type", ""))[:100]
    bases = error.get("bases")
    bases = tuple(str(b)[:100] for b in bases[:30]) if isinstance(bases, list) else ()
    return StudentCodeError(format_student_error(error, function, memory_mb), exception_type=type_name, exception_bases=bases,
                            kind={"memory": "memory", "missing": "missing"}.get(kind, "exception"))


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


class RemoteObject(Handle):
    """An object that stays in the worker (a student's ``nn.Module``, a cache), used like the object itself:
    ``block.train()``, ``block.load_state_dict(sd)``, ``block(x)``, ``block.expansion``. Every access is a
    request to the worker; what comes back is a value (or another proxy)."""

    __slots__ = ("_submission",)

    def __init__(self, submission: "RemoteSubmission", handle_id: int, type_name: str, generation: int):
        super().__init__(handle_id, type_name, generation)
        self._submission = submission

    def __getattr__(self, name: str):
        if name.startswith("__") or name in Handle.__slots__:
            raise AttributeError(name)
        return self._submission.attribute(self, name)

    def __call__(self, *args, **kwargs):
        return self._submission.call("__call__", args, kwargs, handle=self)


class RemoteSubmission:
    """The student's module, living in a worker process. Same interface as :class:`LocalSubmission`.

    ``session``: the submission's :class:`~autograder.launchers.process.WorkerSession`
    (its work folder; ``start()`` starts a worker in it, again after a failure).
    """

    def __init__(self, spec: AssignmentSpec, session):
        self._spec = spec
        self._session = session
        self._worker = None
        self._generation = 0
        self._outputs = []
        self._deadline_total = time.monotonic() + spec.limits.total_timeout_s
        self.load_error: str | None = None
        self.load_error_type = ""
        self.last_warnings: list[str] = []  # warnings raised by the last call ("RuntimeWarning: overflow ...")
        self._timeouts: dict[str, int] = {}  # function name -> calls that timed out
        self.restarts = 0
        self._seq = 0  # sequence number of the last request sent to the worker
        self._drop_pending = False  # forget the last test's handles before the next request (reset)
        self.warnings: list[str] = list(getattr(session, "warnings", []))
        self.environment: dict = {}

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(cls, spec: AssignmentSpec, session) -> "RemoteSubmission":
        """Start a worker in ``session`` and load the submission (a failure to load is :attr:`load_error`)."""
        submission = cls(spec, session)
        submission._ensure_worker()
        return submission

    @classmethod
    def open(cls, source_dir, spec: AssignmentSpec, *, launcher: str = "process", slot: int = 0, gpu: bool = False,
             cold: bool = False) -> "RemoteSubmission":
        """A submission in a launcher of its own (closed with it): for scripts and tests outside a harness server."""
        import pathlib

        from autograder.launchers import WorkerSetup, make_launcher

        own = make_launcher(launcher, WorkerSetup(spec, gpu=gpu, slot=slot), cold=cold)
        try:
            session = own.open(pathlib.Path(source_dir))
        except BaseException:
            own.close()
            raise
        session_close = session.close

        def close_both() -> None:
            session_close()
            own.close()

        session.close = close_both
        return cls.start(spec, session)

    @property
    def cuda_available(self) -> bool | None:
        """Whether the worker sees a CUDA device (None: not asked, the run is not on a GPU)."""
        return self.environment.get("cuda_available")

    def _ensure_worker(self) -> None:
        if self._worker is not None or self.load_error is not None:
            return
        limits = self._spec.limits
        worker = self._session.start(self._generation * HANDLE_BASE_STEP)
        self._worker = worker
        self._outputs.append(worker.output)
        os.set_blocking(worker.fd_to, False)
        os.set_blocking(worker.fd_from, False)
        try:
            hello, _ = read_frame(worker.fd_from, deadline=time.monotonic() + max(30.0, limits.load_timeout_s))
            if hello.get("op") != "ready":
                raise ProtocolError("no ready message")
        except (EOFError, TimeoutError, ProtocolError, OSError) as exc:
            self._kill()
            raise GraderFault(f"the worker did not start ({type(exc).__name__}; {worker.exit().describe()}): {worker.output.text()[-500:]}") from exc
        if isinstance(hello.get("environment"), dict):
            self.environment = {str(k): v for k, v in hello["environment"].items() if isinstance(v, (str, int, float, bool))}
        if getattr(self._session, "gpu", False) and self.environment.get("cuda_available") is not True:
            self._kill()
            raise GraderFault("a GPU was requested (--gpus), but the worker sees no CUDA device: check the driver, "
                              "CUDA_VISIBLE_DEVICES and (docker) --gpus; the submission was not graded")
        try:
            reply, _ = self._exchange({"op": "load"}, [], limits.load_timeout_s)
        except TimeoutError:
            self._kill()
            self.load_error = f"timed out while loading the submission (limit {limits.load_timeout_s:g} s)"
            return
        except (EOFError, ProtocolError, OSError):
            self._kill()
            self.load_error = f"the submission stopped the worker while loading ({worker.exit().describe()})"
            return
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            self.load_error = "could not load the submission: " + format_student_error(error)
            self.load_error_type = str(error.get("type", ""))[:100]
            self._kill()

    def _kill(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
            self._generation += 1

    def close(self) -> None:
        self._kill()
        self._session.close()

    def report(self) -> dict:
        """What the outcomes carry about the worker side (see :class:`autograder.outcomes.Outcomes`)."""
        return {
            "load_error": self.load_error,
            "load_error_type": self.load_error_type,
            "output": self.output_text(),
            "output_truncated": self.output_truncated,
            "output_limit_kb": self.output_limit_kb,
            "worker_restarts": self.restarts,
            "warnings": list(self.warnings),
            "environment": dict(self.environment),
        }

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
        if self._drop_pending:
            msg = {**msg, "drop": True}
            self._drop_pending = False
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
            args = Decoder(blobs, tensors="harness" if self._spec.tensors else None).decode(request.get("args"))
            if not isinstance(args, list):
                raise ProtocolError("callback arguments are not a list")
            value = function(*args)
            encoder = Encoder(tensors=self._spec.tensors)
            tree = encoder.encode(_plain(value) if not self._spec.tensors else value)
            write_frame(self._worker.fd_to, {"op": "callback_result", "value": tree}, encoder.blobs, deadline=deadline)
        except TimeoutError:
            raise
        except Exception as exc:  # noqa: BLE001 (reported back to student code as an exception)
            write_frame(self._worker.fd_to, {"op": "callback_error", "message": f"{type(exc).__name__}: {exc}"[:500]}, [], deadline=deadline)

    # ------------------------------------------------------------------ calls
    def _usable(self, name: str) -> float:
        """Check the submission may be called now; returns the call's time limit."""
        if self.load_error is not None:
            raise StudentCodeError(self.load_error)
        if time.monotonic() > self._deadline_total:
            raise StudentCodeError(f"the submission used up its total time limit ({self._spec.limits.total_timeout_s:g} s)")
        timeout = self._spec.call_timeout(name)
        if self._timeouts.get(name, 0) >= TIMEOUTS_BEFORE_GIVING_UP:
            # One endless loop must not cost minutes per test: after a few timeouts, fail fast.
            raise CallTimedOut(f"not run: `{name}` already timed out {self._timeouts[name]} times in this run (limit {timeout:g} s per call)")
        self._ensure_worker()
        if self.load_error is not None:
            raise StudentCodeError(self.load_error)
        return timeout

    def _encoder(self, args: tuple, callbacks: dict) -> Encoder:
        def on_other(obj):
            if isinstance(obj, ArgumentClosure):
                obj.check_fits(args)
                callbacks[len(callbacks) + 1] = obj.function
                return {"~": "callback", "id": len(callbacks), "closure_over": obj.index}
            if callable(obj):
                callbacks[len(callbacks) + 1] = obj
                return {"~": "callback", "id": len(callbacks)}
            raise TypeError(f"a test passed a {type(obj).__name__}, which cannot cross to the worker")

        return Encoder(on_other=on_other, tensors=self._spec.tensors)

    def _decoder(self, blobs: list[bytes]) -> Decoder:
        return Decoder(blobs, on_handle=lambda handle_id, type_name: RemoteObject(self, handle_id, type_name, self._generation),
                       tensors="harness" if self._spec.tensors else None)

    def _student_exchange(self, msg: dict, blobs: list[bytes], name: str, timeout: float, callbacks: dict):
        """One request that runs student code; failures of the worker become :class:`StudentCodeError`."""
        try:
            reply, reply_blobs = self._exchange(msg, blobs, timeout, callbacks)
        except TimeoutError:
            self._timeouts[name] = self._timeouts.get(name, 0) + 1
            self._restart_after_failure()
            raise CallTimedOut.after(name, timeout, own_limit=name in dict(self._spec.call_limits)) from None
        except (EOFError, ProtocolError, OSError) as exc:
            worker = self._worker
            if not isinstance(exc, ProtocolError):
                worker.settle(0.2)  # the channel closed: let the worker finish ending, so its status is its own
            self._restart_after_failure()  # kills the worker and reaps it: its exit status is known after this
            ended = worker.exit()
            detail = f": {exc}" if isinstance(exc, ProtocolError) else ""
            if ended.killed:
                raise StudentCodeError(f"the worker was killed in `{name}` ({ended.describe()}; memory limit {format_size(self._spec.limits.memory_mb)}){detail}",
                                       kind="memory") from None
            raise StudentCodeError(f"the submission ended the worker in `{name}` ({ended.describe()}){detail}", kind="ended") from None
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            raise student_code_error(error, name, self._spec.limits.memory_mb)
        return reply, reply_blobs

    def call(self, name: str, args: tuple, kwargs: dict, handle: Handle | None = None, opaque: list | None = None, grader: bool = False):
        """Call the student's function ``name`` (or the method ``name`` of ``handle``'s object, or, with
        ``grader``, the grader operation ``name`` of :mod:`autograder.torch_ops`); return its value."""
        timeout = self._usable(name)
        callbacks: dict[int, object] = {}
        encoder = self._encoder(args, callbacks)
        msg = {
            "op": "call",
            "name": name,
            "args": encoder.encode(list(args)),
            "kwargs": encoder.encode(dict(kwargs)),
            "opaque": opaque if opaque is not None else ([[1]] if name.endswith("_forward") and handle is None and not grader else []),
        }
        if handle is not None:
            msg["handle"] = handle.id
        if grader:
            msg["grader"] = True
        reply, blobs = self._student_exchange(msg, encoder.blobs, name, timeout, callbacks)
        raw_warnings = reply.get("warnings")
        self.last_warnings = [str(w)[:300] for w in raw_warnings[:20]] if isinstance(raw_warnings, list) else []
        decoder = self._decoder(blobs)
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
            raise StudentCodeError(f"`{name}` returned something that is not a plain value: {exc}", kind="value") from None
        return value

    def grader_op(self, name: str, *args, **kwargs):
        """Run the grader operation ``name`` (:mod:`autograder.torch_ops`, e.g. ``forward_backward``) next to
        the student's objects in the worker; its results come back as values like any other."""
        return self.call(name, args, kwargs, grader=True)

    def attribute(self, handle: Handle, name: str):
        """An attribute of an object in the worker: a callable method, or its value (a proxy for a non-value)."""
        timeout = self._usable(name)
        reply, blobs = self._student_exchange({"op": "attribute", "handle": handle.id, "name": name}, [], name, timeout, {})
        if reply.get("method") is True:
            return RemoteFunction(self, name, handle)
        try:
            return self._decoder(blobs).decode(reply.get("value"))
        except ProtocolError as exc:
            raise StudentCodeError(f"`{name}` is not a plain value: {exc}", kind="value") from None

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

    def value(self, name: str, default=_MISSING):
        """The module-level value ``name`` (``submission.value("ANSWERS")``); ``default`` when the
        module does not define it (without a default: :class:`StudentCodeError`)."""
        if self.load_error is not None:
            raise StudentCodeError(self.load_error)
        self._ensure_worker()
        if self.load_error is not None:
            raise StudentCodeError(self.load_error)
        try:
            reply, blobs = self._exchange({"op": "value", "name": name}, [], self._spec.limits.call_timeout_s)
        except (TimeoutError, EOFError, ProtocolError, OSError) as exc:
            self._restart_after_failure()
            raise StudentCodeError(f"the worker did not return `{name}` ({type(exc).__name__})") from None
        if reply.get("missing") is True:
            if default is _MISSING:
                raise StudentCodeError(f"the submission defines no `{name}`")
            return default
        if "error" in reply:
            raise StudentCodeError(format_student_error(reply["error"] if isinstance(reply["error"], dict) else {}, name))
        try:
            return self._decoder(blobs).decode(reply.get("value"))
        except ProtocolError as exc:
            raise StudentCodeError(f"`{name}` is not a plain value: {exc}") from None

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
        encoder = Encoder(on_other=lambda obj: (_ for _ in ()).throw(TypeError("cannot time with callables")), tensors=self._spec.tensors)
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
        """Forget the handles of the last test (keeps worker memory bounded).

        The worker is not asked on its own: the next request carries ``"drop": true`` and the
        worker forgets them before serving it (a round trip per test saved; the last test's
        handles go with the worker).
        """
        self._drop_pending = self._worker is not None

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
