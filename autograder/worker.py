"""The worker: the ONLY code that imports student code. Runs inside the sandbox.

Forked by the zygote (:mod:`autograder.zygote`, the usual way: the zygote has
already imported the allowed packages), or started cold as::

    python -I -m autograder.worker --config JSON

Either way it is confined (:mod:`autograder.confinement`) and its import rule
installed *before* it touches student code; then it answers requests read from one
pipe on another. Student output (fd 1 and 2) goes to a third pipe the harness
drains and caps.

Requests (``op``) and replies:

``load``      import the student module -> ``{"ok": true}`` or ``{"error": {...}}``
``call``      call a module function (or, with ``handle``, a method of a handle)
              -> ``{"value": v, "args_back": {...}}`` or ``{"error": {...}}``;
              while the call runs the worker may send ``{"op": "callback"}``
              requests, answered by ``callback_result`` / ``callback_error``
``echo``      decode and re-encode the arguments (measures transfer cost)
``has``       whether the module defines a callable of that name
``attribute`` an attribute of a handle's object: its value, or ``{"method": true}``
``value``     a module-level value by name -> ``{"value": v}``, ``{"missing": true}``
              when the module does not define it, or ``{"error": {...}}`` when it is
              not a plain value (the ``ANSWERS`` dict of a question assignment)

A request may also carry ``"drop": true``: the harness has moved on to the next test, so
the worker forgets every handle before serving it (keeps its memory bounded without a
round trip of its own).

Every request carries a sequence number ``seq``; every frame the worker sends
while serving it (the reply and any callback requests) carries the same one, so
the harness can tell a genuine reply from a frame that student code wrote to
the channel itself (a forged or stale frame ends the worker, not the batch).

The worker never decides anything: it only reports values. The harness treats
everything it sends as untrusted.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import traceback
import warnings

from autograder.student_imports import ImportRule, install_import_guard

__all__ = ["main"]


def _student_traceback(exc: BaseException, source_dir: str) -> list[dict]:
    """The frames of ``exc``'s traceback that are in student files (file, line, function)."""
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(source_dir):
            frames.append({"file": os.path.relpath(frame.filename, source_dir), "line": frame.lineno, "function": frame.name, "code": (frame.line or "")[:200]})
    return frames[-8:]


def _error(exc: BaseException, source_dir: str, kind: str = "exception", import_rule: ImportRule | None = None) -> dict:
    try:
        message = str(exc)
    except BaseException:  # a hostile __str__
        message = "<unprintable>"
    if import_rule is not None and type(exc) is ModuleNotFoundError:
        # Not installed here (the container's worker venv has student_packages only):
        # the same explanation the import guard gives where the package is installed.
        message = import_rule.explain_missing(getattr(exc, "name", None), message)
    error = {"kind": kind, "type": type(exc).__name__[:100], "bases": [cls.__name__[:100] for cls in type(exc).__mro__][:30],
             "message": message[:2000], "frames": _student_traceback(exc, source_dir)}
    if isinstance(exc, SyntaxError):
        error["file"] = os.path.relpath(exc.filename or "?", source_dir) if exc.filename else "?"
        error["line"] = exc.lineno
    if isinstance(exc, MemoryError):
        error["kind"] = "memory"
    return error


class Worker:
    """Request loop. ``channel_in``/``channel_out`` are pipe fds to and from the harness."""

    def __init__(self, config: dict):
        from autograder import protocol  # imported before student code runs

        self.protocol = protocol
        self.config = config
        self.fd_in = config["fd_in"]
        self.fd_out = config["fd_out"]
        self.source_dir = os.path.realpath(config["source_dir"])
        self.import_rule = ImportRule.of(config.get("forbidden", []), config.get("student_packages"), config.get("own_modules", ()))
        self.tensors = bool(config.get("tensors"))  # a PyTorch assignment: tensors are values
        self.module = None
        self.handles: dict[int, object] = {}
        self.next_handle = int(config.get("handle_base", 0)) + 1
        self.seq = None  # sequence number of the request being served
        self.current_args: list = []  # positional arguments of the call being served

    # -- wire helpers
    def send(self, msg: dict, blobs: list[bytes] | None = None) -> None:
        self.protocol.write_frame(self.fd_out, {**msg, "seq": self.seq}, blobs or [])

    def receive(self) -> tuple[dict, list[bytes]]:
        return self.protocol.read_frame(self.fd_in)

    def _store(self, obj):
        """Keep ``obj`` in the worker; return the :class:`Handle` that stands for it."""
        if isinstance(obj, self.protocol.Handle):
            return obj
        handle_id = self.next_handle
        self.next_handle += 1
        self.handles[handle_id] = obj
        return self.protocol.Handle(handle_id, type(obj).__name__[:100])

    def _make_handle(self, obj) -> dict:
        """Encoder fallback for a non-value: keep it as a handle (a torch tensor is refused where
        the assignment's values are NumPy arrays)."""
        if type(obj).__name__ in ("Tensor", "Parameter") and type(obj).__module__.split(".")[0] == "torch":
            raise TypeError("returned a torch tensor; return NumPy arrays (convert with .detach().cpu().numpy())")
        handle = self._store(obj)
        return {"~": "handle", "id": handle.id, "type": handle.type_name}

    def _encoder(self):
        return self.protocol.Encoder(on_other=self._make_handle, tensors=self.tensors)

    def _decode(self, tree, blobs):
        def on_handle(handle_id, _type_name):
            if handle_id not in self.handles:
                raise LookupError("this value no longer exists in the worker (it was restarted after an earlier failure)")
            return self.handles[handle_id]

        return self.protocol.Decoder(blobs, on_handle=on_handle, on_callback=self._callback,
                                     tensors="worker" if self.tensors else None).decode(tree)

    def _callback(self, callback_id: int, closure_over: int | None = None):
        """A stand-in for a test's function. With ``closure_over=k`` it behaves like the
        closure ``lambda *_: f(x)`` over argument ``k`` of the current call: whatever it is
        given, the harness receives that argument's value *as it is now* in the worker."""
        worker = self

        def call_harness(*args):
            if closure_over is not None:
                args = (worker.current_args[closure_over],)
            encoder = worker.protocol.Encoder(tensors=worker.tensors)
            tree = encoder.encode(list(args))
            worker.send({"op": "callback", "id": callback_id, "args": tree}, encoder.blobs)
            reply, blobs = worker.receive()
            if reply.get("op") == "callback_error":
                raise RuntimeError(f"the test's function raised: {reply.get('message', '')}")
            return worker.protocol.Decoder(blobs, tensors="worker" if worker.tensors else None).decode(reply.get("value"))

        return call_harness

    # -- ops
    def load(self) -> dict:
        import importlib

        sys.path.insert(0, self.source_dir)
        try:
            self.module = importlib.import_module(self.config["module"])
        except BaseException as exc:  # SyntaxError, ImportError, SystemExit at import, ...
            return {"error": _error(exc, self.source_dir, "load", self.import_rule)}
        return {"ok": True}

    def call(self, msg: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        name = str(msg.get("name", ""))
        try:
            if msg.get("grader"):
                target = _grader_operation(name)
            elif msg.get("handle") is not None:
                target = getattr(self._decode({"~": "handle", "id": msg["handle"], "type": ""}, []), name)
            else:
                target = getattr(self.module, name, None)
                if target is None or not callable(target):
                    return {"error": {"kind": "missing", "type": "AttributeError", "message": f"the submission has no function '{name}' (is it defined, and spelled exactly so?)", "frames": []}}, []
            self.current_args = []
            args = self._decode(msg.get("args", []), blobs)
            kwargs = self._decode(msg.get("kwargs", {"~": "dict", "v": []}), blobs)
            if not isinstance(args, list):
                raise TypeError("arguments are not a list")
            self.current_args = args
        except BaseException as exc:
            return {"error": _error(exc, self.source_dir, import_rule=self.import_rule)}, []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = target(*args, **kwargs)
        except BaseException as exc:
            return {"error": _error(exc, self.source_dir, import_rule=self.import_rule)}, []
        try:
            for path in msg.get("opaque", []):
                value = _replace_at(value, path, self._store)
            encoder = self._encoder()
            reply = {"value": encoder.encode(value)}
            args_back = {}
            for index, arg in enumerate(args):
                if type(arg) is dict:
                    args_back[str(index)] = encoder.encode(arg)
            for key, arg in kwargs.items():
                if type(arg) is dict:
                    args_back[key] = encoder.encode(arg)
            reply["args_back"] = args_back
            reply["warnings"] = [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:20]]
        except BaseException as exc:
            return {"error": _error(exc, self.source_dir, "result")}, []
        return reply, encoder.blobs

    def attribute(self, msg: dict) -> tuple[dict, list[bytes]]:
        """An attribute of a handle's object: ``{"method": true}`` for a method (to be called with
        ``call``), else its value (a handle for what is not a value)."""
        try:
            owner = self._decode({"~": "handle", "id": msg.get("handle"), "type": ""}, [])
            value = getattr(owner, str(msg.get("name", "")))
            if inspect.ismethod(value) or inspect.isbuiltin(value) or inspect.ismethoddescriptor(value):
                return {"method": True}, []
            encoder = self._encoder()
            return {"value": encoder.encode(value)}, encoder.blobs
        except BaseException as exc:
            return {"error": _error(exc, self.source_dir, import_rule=self.import_rule)}, []

    def value(self, msg: dict) -> tuple[dict, list[bytes]]:
        """A module-level value, encoded as a value only (no handles)."""
        name = str(msg.get("name", ""))
        if self.module is None or not hasattr(self.module, name):
            return {"missing": True}, []
        try:
            encoder = self.protocol.Encoder()
            return {"value": encoder.encode(getattr(self.module, name))}, encoder.blobs
        except BaseException as exc:
            return {"error": _error(exc, self.source_dir, "result")}, []

    def echo(self, msg: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        args = self._decode(msg.get("args", []), blobs)
        encoder = self._encoder()
        return {"value": encoder.encode(args)}, encoder.blobs

    def serve(self) -> None:
        self.send({"op": "ready", "pid": os.getpid(), "environment": _environment(self.config.get("gpu", False))})
        while True:
            try:
                msg, blobs = self.receive()
            except EOFError:
                return
            self.seq = msg.get("seq")
            if msg.get("drop") is True:  # the harness moved on to the next test: its handles are gone
                self.handles.clear()
            op = msg.get("op")
            if op == "load":
                self.send(self.load())
            elif op == "call":
                reply, out_blobs = self.call(msg, blobs)
                self.send(reply, out_blobs)
            elif op == "echo":
                reply, out_blobs = self.echo(msg, blobs)
                self.send(reply, out_blobs)
            elif op == "attribute":
                reply, out_blobs = self.attribute(msg)
                self.send(reply, out_blobs)
            elif op == "value":
                reply, out_blobs = self.value(msg)
                self.send(reply, out_blobs)
            elif op == "has":
                self.send({"value": callable(getattr(self.module, str(msg.get("name")), None))})
            else:
                self.send({"error": {"kind": "protocol", "type": "ValueError", "message": f"unknown op {op!r}", "frames": []}})


def _grader_operation(name: str):
    """A grader-side operation run next to the student's objects (:mod:`autograder.torch_ops`): the
    grader's code, whose results are values like any other; the verdict is made in the harness."""
    from autograder.torch_ops import GRADER_OPS

    if name not in GRADER_OPS:
        raise LookupError(f"no grader operation {name!r}")
    return GRADER_OPS[name]


def _replace_at(value, path: list, store):
    """Replace ``value[path[0]][path[1]]...`` by ``store(element)`` (a handle), if that element exists."""
    if not path:
        return store(value)
    index = path[0]
    if type(value) in (tuple, list) and isinstance(index, int) and -len(value) <= index < len(value):
        items = list(value)
        items[index] = _replace_at(items[index], path[1:], store)
        return type(value)(items)
    return value


def _environment(gpu: bool) -> dict:
    """What the harness records about the worker's numerics: versions, and the GPU when one was asked for.

    On a GPU run, TF32 is switched off here (float32 results must match a float64
    reference to 1e-4) and the settings are reported, so results.json says what was used.
    """
    import numpy

    environment = {"python": sys.version.split()[0], "numpy": numpy.__version__}
    torch = sys.modules.get("torch")
    if gpu:
        try:
            import torch

            from autograder.torch_ops import strict_float_math
        except ImportError:
            environment["cuda_available"] = False
            return environment
        available = bool(torch.cuda.is_available())
        environment["cuda_available"] = available
        if available:
            environment.update(strict_float_math())  # TF32 off, deterministic cuDNN; versions and device name
            environment["device_count"] = torch.cuda.device_count()
    if torch is not None:
        environment["torch"] = torch.__version__
    return environment


def serve_worker(config: dict) -> None:
    """Serve the harness on ``config["fd_in"]``/``["fd_out"]`` until it closes the channel.

    Called in an already confined process (limits, uid, working directory set), with
    the allowed packages imported: installs the import rule, then serves.
    """
    # Printed output must reach the harness even if the worker is killed.
    sys.stdout.reconfigure(line_buffering=True, write_through=True)
    sys.stderr.reconfigure(line_buffering=True, write_through=True)
    worker = Worker(config)
    install_import_guard(worker.import_rule, worker.source_dir)
    worker.serve()


def main(argv: list[str] | None = None) -> None:
    """A worker started cold (no zygote): confine, import numpy, serve."""
    from autograder.confinement import apply_limits, no_new_privileges

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="JSON: fd_in, fd_out, source_dir, module, limits, forbidden, student_packages, own_modules, sys_path")
    config = json.loads(parser.parse_args(argv).config)
    try:
        no_new_privileges()
    except OSError:
        pass
    apply_limits(config.get("limits", {}))
    # The grader's own package first: this copy of autograder, whatever else is installed.
    sys.path[:] = list(config.get("sys_path", [])) + [p for p in sys.path if p and os.path.isdir(p) and p not in config.get("sys_path", [])]
    import numpy  # noqa: F401  (loaded before the import restrictions and student code)

    if config.get("await_go"):
        # A spare container, started before its submission was known (the docker launcher): wait until
        # the submission's files are in copy_from and the harness says go. Nothing of a student's exists yet.
        from autograder.protocol import read_frame

        try:
            go, _ = read_frame(0, max_bytes=0)
        except (EOFError, OSError, ValueError):
            sys.exit(0)  # the spare was removed unused
        if go.get("op") != "go":
            sys.exit(2)
    if config.get("copy_from"):
        import shutil

        shutil.copytree(config["copy_from"], config["source_dir"], symlinks=False)
    if config.get("stdio"):
        # In a container of its own (the docker launcher): requests on stdin, replies on stdout, and
        # whatever the student prints goes to stderr.
        config = {**config, "fd_in": os.dup(0), "fd_out": os.dup(1)}
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(2, 1)
        os.close(devnull)
    os.chdir(config["source_dir"])
    serve_worker(config)


if __name__ == "__main__":
    main()
