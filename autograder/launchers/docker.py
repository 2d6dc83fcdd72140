"""The ``docker`` launcher: every worker in a fresh container of the assignment's grader image.

Used by the ``docker`` sandbox: the warm harness runs on the host (as for ``process``
and ``bwrap``: pytest, torch and the tests imported once per slot), and each worker
it starts, so each submission, gets a container of its own, removed when the worker
ends. The student's code never shares a container, a file system or a process table
with another submission. The tests and the reference run with the harness on the host;
the image's copy of the assignment (``/opt/assignment``, used by ``docker-chunk``) is
root-only, and the worker is uid 62000 without capabilities.

Each container: ``--network none``, a read-only root, a size-capped tmpfs ``/tmp``
(the worker's home), ``--memory`` = ``--memory-swap`` (the assignment's worker limit),
``--pids-limit``, ``--cpus``, ``--cap-drop ALL``, ``no-new-privileges``, an init
process, uid 62000, the submission mounted read-only at ``/submission``, ``--gpus``
when asked. The worker copies the submission into ``/tmp/src``, its writable work
dir, and talks to the harness over the container's attached stdin and stdout
(``docker run -i``); what the student prints comes on stderr.

Spare containers: starting a container and its Python takes about 0.4 s, which a
submission would wait for. So the harness keeps one *spare* per slot, started while
the previous submission is graded: the same container, limits and worker, with an
empty folder of its own mounted at ``/submission``, its worker waiting (Python and
NumPy imported, nothing of a student's read) for a ``go`` frame on stdin. The
submission's first worker takes it: its files are copied into that folder, ``go`` is
sent, and from then on it is that submission's worker like any other, used by one
submission only and removed after it. Spares carry a label of their own, so the
sweep between submissions leaves the next one alone; the harness removes the one it
handed over (:meth:`DockerLauncher.sweep`). A worker restarted within a submission,
or a spare that died, is started cold.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import uuid

from autograder.errors import GraderFault, SandboxUnavailable
from autograder.launchers.process import ProcessLauncher, WorkerSession
from autograder.launchers.worker_handle import OutputCollector, WorkerExit, WorkerHandle, process_is_running

__all__ = ["DockerLauncher", "DockerWorker", "HandedSpareWorker", "SpareContainer"]

CONTAINER_UID = 62000
TMPFS_MB = 512


class DockerWorker(WorkerHandle):
    """A worker in its own container; ``popen`` is the attached ``docker run -i`` client."""

    def __init__(self, popen: subprocess.Popen, name: str, output: OutputCollector, docker: str = "docker"):
        self.popen = popen
        self.pid = popen.pid
        self.name = name
        self.fd_to = popen.stdin.fileno()
        self.fd_from = popen.stdout.fileno()
        self.output = output
        self.uid = None
        self._docker = docker

    def kill(self) -> None:
        subprocess.run([self._docker, "rm", "-f", self.name], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        for stream in (self.popen.stdin, self.popen.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.output.join()

    def close_pipes(self) -> None:  # the streams own the descriptors
        for stream in (self.popen.stdin, self.popen.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.output.join()

    def exit(self) -> WorkerExit:
        code = self.popen.poll()
        if code is not None and code > 128:
            return WorkerExit("signaled", signal=code - 128)  # docker reports a signal as 128 + its number
        return WorkerExit.from_returncode(code)

    def settle(self, timeout: float) -> None:
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass


class SpareContainer:
    """A started container whose worker waits for its submission (see the module docstring).

    ``popen`` is the ``docker run -i`` client (a child of the harness that started it),
    ``inbox`` the host folder mounted at ``/submission``.
    """

    def __init__(self, popen: subprocess.Popen, name: str, inbox: pathlib.Path):
        self.popen = popen
        self.name = name
        self.inbox = inbox


class HandedSpareWorker(DockerWorker):
    """The worker of a spare container, in the harness child it was handed to.

    The ``docker run`` client is the harness's child, not this process's (``waitpid`` cannot
    see it), so how the container ended is asked from docker; the container is not ``--rm``,
    so that its state is still there to ask.
    """

    def __init__(self, spare: SpareContainer, output: OutputCollector, docker: str = "docker"):
        super().__init__(spare.popen, spare.name, output, docker)

    def kill(self) -> None:
        subprocess.run([self._docker, "rm", "-f", self.name], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        self.close_pipes()

    def exit(self) -> WorkerExit:
        state = subprocess.run([self._docker, "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}", self.name],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        fields = state.stdout.split()
        if state.returncode != 0 or len(fields) != 3:
            return WorkerExit("unknown")
        running, code, oom_killed = fields[0] == "true", int(fields[1]), fields[2] == "true"
        if running:
            return WorkerExit("running")
        if oom_killed:
            return WorkerExit("signaled", signal=signal.SIGKILL)
        return WorkerExit("signaled", signal=code - 128) if code > 128 else WorkerExit("exited", code=code)

    def settle(self, timeout: float) -> None:
        try:
            subprocess.run([self._docker, "wait", self.name], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            pass


class DockerLauncher(ProcessLauncher):
    """Starts each worker as ``docker run -i`` of the grader image (see the module docstring)."""

    name = "docker"

    def __init__(self, setup, *, cold: bool = True, gpus: str = "all", cpus: float = 1.0, docker: str = "docker"):
        self.gpus = gpus
        self.cpus = cpus
        # The assignment's process limit, counted by the container's cgroup (threads included), plus the
        # init process and the worker's own few threads. (RLIMIT_NPROC would count every container's uid 62000.)
        self.pids_limit = setup.spec.limits.max_processes + 16
        self.docker = docker
        # Every worker container of this launcher carries this label (also those a forked harness child
        # starts): the sweep finds them all, whoever started them.
        launcher_id = uuid.uuid4().hex
        self.label = f"org.autograder.launcher={launcher_id}"
        self.spare_label = f"org.autograder.spare-of={launcher_id}"  # not the workers' label: the sweep spares it
        self._spare: SpareContainer | None = None
        self._handed: SpareContainer | None = None
        self._starter_pid = os.getpid()
        super().__init__(setup, cold=True)
        self.warnings = []  # workers are uid 62000 in containers, never root on the host
        from autograder.grader_image import check_image, image_tag

        self.image = image_tag(self.spec.id, setup.gpu)
        check_image(self.spec, self.image, docker)

    @staticmethod
    def check_available() -> None:
        from autograder.grader_image import docker_unavailable_reason

        reason = docker_unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)

    def _wants_dedicated_uid(self) -> bool:
        return False  # workers are uid 62000 in containers of their own, not host uids

    def zygote_supported(self) -> bool:
        return False  # a fresh container for every worker

    @property
    def private_tmp(self) -> bool:
        return False  # the container's own tmpfs

    def container_python(self) -> str:
        restricted = self.spec.forbidden_imports or self.spec.student_packages is not None
        return "/opt/worker/bin/python" if restricted else "/opt/grader/bin/python"

    def confinement_flags(self, name: str, *, spare: bool = False) -> list[str]:
        memory_mb = int(self.spec.limits.memory_mb)
        flags = [
            *([] if spare else ["--rm"]), "-i", "--name", name, "--init",
            "--network", "none",
            "--read-only", "--tmpfs", f"/tmp:rw,nosuid,nodev,size={TMPFS_MB}m,mode=1777",
            "--memory", f"{memory_mb}m", "--memory-swap", f"{memory_mb}m",
            "--pids-limit", str(self.pids_limit), "--cpus", str(self.cpus),
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", f"{CONTAINER_UID}:{CONTAINER_UID}",
            "--log-driver", "none",
            "--label", "org.autograder.role=worker", "--label", self.spare_label if spare else self.label,
            "--workdir", "/tmp",
        ]
        if self.setup.gpu:
            flags += ["--gpus", self.gpus]
        return flags

    def docker_run_command(self, source_dir: pathlib.Path, name: str, config: dict, *, spare: bool = False) -> list[str]:
        environment = [arg for key, value in sorted(config["env"].items()) for arg in ("--env", f"{key}={value}")]
        return [self.docker, "run", *self.confinement_flags(name, spare=spare), *environment, "--volume", f"{source_dir}:/submission:ro",
                self.image, self.container_python(), "-I", "-m", "autograder.worker", "--config", json.dumps(config)]

    def container_config(self, session_config: dict) -> dict:
        """A worker's config inside its container: the submission is copied from ``/submission`` to
        the tmpfs, the channel is stdin/stdout, the container's pids limit holds."""
        config = dict(session_config)
        config.update(source_dir="/tmp/src", copy_from="/submission", uid=None, private_tmp=False, stdio=True, sys_path=["/opt/autograder"])
        config["env"] = {**config["env"], "HOME": "/tmp", "TMPDIR": "/tmp"}
        config["limits"] = {**config["limits"], "processes": None}
        return config

    def start_worker(self, session: WorkerSession, handle_base: int) -> WorkerHandle:
        for path in [session.source_dir, *session.source_dir.rglob("*")]:  # readable by the container's uid
            path.chmod(0o755 if path.is_dir() else 0o644)
        spare, self._spare = self._spare, None
        if spare is not None and handle_base == 0:
            worker = self._take_spare(spare, session)
            if worker is not None:
                return worker
        config = self.container_config(self.worker_config(session, handle_base))
        name = f"ag-w-{self.spec.id.lower()}-{uuid.uuid4().hex[:12]}"
        try:
            popen = subprocess.Popen(self.docker_run_command(session.source_dir, name, config), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True, bufsize=0)
        except OSError as exc:
            raise GraderFault(f"the worker container could not be started: {exc}") from exc
        output = OutputCollector(os.dup(popen.stderr.fileno()), int(self.spec.limits.output_kb) << 10)
        popen.stderr.close()
        return DockerWorker(popen, name, output, self.docker)

    # ------------------------------------------------------------------ spare containers

    def warm_up(self) -> None:
        """Start the slot's first spare container (the harness calls this once, at its start)."""
        self._start_spare()

    def forked(self) -> None:
        """The child just forked owns the spare now (if it takes it); start the next one for the submission after."""
        self._handed, self._spare = self._spare, None
        if self._handed is not None:
            for stream in (self._handed.popen.stdin, self._handed.popen.stdout, self._handed.popen.stderr):
                try:
                    stream.close()  # the child holds the channel; the harness keeps no end of it
                except OSError:
                    pass
        self._start_spare()

    def _start_spare(self) -> None:
        if self._spare is not None:
            return
        inbox = self.slot_dir / f"spare-{uuid.uuid4().hex[:12]}"
        name = f"ag-s-{self.spec.id.lower()}-{uuid.uuid4().hex[:12]}"
        # The config of a submission's first worker (handle base 0); nothing in it depends on the submission.
        config = self.container_config(self.worker_config(_NoSession(inbox), 0))
        config["await_go"] = True
        try:
            inbox.mkdir(mode=0o755)
            popen = subprocess.Popen(self.docker_run_command(inbox, name, config, spare=True), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, bufsize=0)
        except OSError:
            shutil.rmtree(inbox, ignore_errors=True)
            return  # no spare: the next submission starts its container itself
        if process_is_running(popen.pid):
            self._spare = SpareContainer(popen, name, inbox)

    def _take_spare(self, spare: SpareContainer, session: WorkerSession) -> WorkerHandle | None:
        """The spare as this submission's worker: its files copied in, then ``go``; None if the spare is gone."""
        from autograder.protocol import write_frame

        if not process_is_running(spare.popen.pid):
            return None
        try:
            shutil.copytree(session.source_dir, spare.inbox, dirs_exist_ok=True, symlinks=False)
            for path in spare.inbox.rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            write_frame(spare.popen.stdin.fileno(), {"op": "go"}, [])
        except OSError:
            subprocess.run([self.docker, "rm", "-f", spare.name], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
            return None
        output = OutputCollector(os.dup(spare.popen.stderr.fileno()), int(self.spec.limits.output_kb) << 10)
        spare.popen.stderr.close()
        return HandedSpareWorker(spare, output, self.docker)

    def _remove_spare(self, spare: SpareContainer | None) -> None:
        if spare is None:
            return
        subprocess.run([self.docker, "rm", "-f", spare.name], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        for stream in (spare.popen.stdin, spare.popen.stdout, spare.popen.stderr):
            try:
                stream.close()
            except OSError:
                pass
        try:
            spare.popen.wait(timeout=30)
        except (subprocess.TimeoutExpired, ChildProcessError):
            pass
        shutil.rmtree(spare.inbox, ignore_errors=True)

    def sweep(self) -> None:
        """Remove every worker container of this launcher that is still there (whichever process started it),
        and the spare handed to the submission just graded; the next spare stays."""
        listed = subprocess.run([self.docker, "ps", "-aq", "--filter", f"label={self.label}"], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=120)
        names = listed.stdout.split()
        if names:
            subprocess.run([self.docker, "rm", "-f", *names], stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        handed, self._handed = self._handed, None
        if handed is not None and os.getpid() == self._starter_pid:
            self._remove_spare(handed)

    def close(self) -> None:
        """Remove the spares (the waiting one and any handed one), then what ProcessLauncher.close does."""
        if os.getpid() == self._starter_pid:
            spare, self._spare = self._spare, None
            self._remove_spare(spare)
        super().close()


class _NoSession:
    """What ``worker_config`` reads of a session, for a spare container made before its submission is known."""

    def __init__(self, folder: pathlib.Path):
        self.source_dir = folder
        self.workdir = folder
