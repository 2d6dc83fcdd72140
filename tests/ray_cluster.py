"""A real Ray cluster on this machine, for the tests and the benchmark of ``--executor ray``.

Each node is a ``ray start --block`` process in a session of its own, as an operator
would start it: the head, then worker nodes that join it. Every node has its own
loopback address (127.0.0.2, 127.0.0.3, ...; Ray turns 127.0.0.1 into the machine's
network address), so no traffic leaves the machine. :meth:`LocalRayCluster.kill_node`
SIGKILLs one node's whole process tree (``ray start``, raylet, its workers and what
they started): a machine lost mid-batch. :meth:`LocalRayCluster.stop` ends every node
the same way, by the process ids it started, never by name.

    with LocalRayCluster() as cluster:
        cluster.start_head(cpus=1)
        node = cluster.add_node(cpus=2)
        ... autograder grade --executor ray --ray-address cluster.address ...
        cluster.kill_node(node)
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
RAY = pathlib.Path(sys.executable).with_name("ray")

__all__ = ["LocalRayCluster", "RayNode", "ray_missing_reason"]


def ray_missing_reason() -> str | None:
    """Why no local cluster can be started here (Ray or its CLI missing), or None."""
    try:
        import ray  # noqa: F401
    except ImportError as exc:
        return f"Ray is not installed ({exc}): pip install '.[ray]'"
    if not RAY.exists():
        return f"the ray command is not next to {sys.executable}"
    return None


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _wait_gone(pids: set[int], timeout: float) -> None:
    import psutil

    processes = []
    for pid in pids:
        try:
            processes.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=timeout)


class RayNode:
    """One started node: its ``ray start --block`` process, its loopback address, its log."""

    def __init__(self, process: subprocess.Popen, ip: str, log: pathlib.Path):
        self.process = process
        self.ip = ip
        self.log = log

    def tree(self) -> list[int]:
        """Process ids of the node: ``ray start`` and every descendant (raylet, workers, harnesses, ...)."""
        import psutil

        try:
            root = psutil.Process(self.process.pid)
            return [root.pid, *(child.pid for child in root.children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    def kill(self) -> None:
        """SIGKILL the node's whole tree; it is frozen first (SIGSTOP), so that nothing it starts meanwhile escapes."""
        frozen: set[int] = set()
        while True:
            fresh = [pid for pid in self.tree() if pid not in frozen]
            if not fresh:
                break
            for pid in fresh:
                try:
                    os.kill(pid, signal.SIGSTOP)
                except ProcessLookupError:
                    pass
                frozen.add(pid)
        for pid in frozen:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _wait_gone(frozen, timeout=30)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass


class LocalRayCluster:
    """A head and worker nodes on this machine; the environment makes this checkout's autograder importable on them."""

    def __init__(self, system_config: dict[str, str] | None = None):
        # A short folder: Ray's socket paths must stay under the 107 bytes a UNIX socket name may have.
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix="agray-", dir="/tmp"))
        self.nodes: list[RayNode] = []
        self.address = ""
        # RAY_AUTH_MODE said outright: a head started where ~/.ray/auth_token exists (any earlier local ray.init() writes
        # one) would otherwise turn token authentication on, and the worker nodes, which do not, could not join.
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1",
                    "RAY_AUTH_MODE": "disabled"}
        # Test tuning only (RAY_<setting>): notice a dead node in seconds rather than half a minute.
        for key, value in (system_config or {}).items():
            self.env[f"RAY_{key}"] = str(value)

    def __enter__(self) -> "LocalRayCluster":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _start(self, arguments: list[str], ip: str, name: str) -> RayNode:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as handle:
            process = subprocess.Popen([str(RAY), "start", "--block", f"--node-ip-address={ip}", "--disable-usage-stats",
                                        "--object-store-memory=100000000", *arguments],
                                       env=self.env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        node = RayNode(process, ip, log)
        self.nodes.append(node)
        return node

    def start_head(self, cpus: int, resources: dict[str, float] | None = None, timeout: float = 120) -> RayNode:
        ip = "127.0.0.2"
        port = _free_port(ip)
        head = self._start(["--head", f"--port={port}", f"--num-cpus={cpus}", "--include-dashboard=false", f"--temp-dir={self.folder / 'ray'}",
                            f"--resources={json.dumps(resources or {})}"], ip, "head")
        self.address = f"{ip}:{port}"
        self._wait_started(head, timeout)
        return head

    def add_node(self, cpus: int, resources: dict[str, float] | None = None, timeout: float = 120) -> RayNode:
        ip = f"127.0.0.{len(self.nodes) + 2}"
        node = self._start([f"--address={self.address}", f"--num-cpus={cpus}", f"--resources={json.dumps(resources or {})}"], ip,
                           f"node{len(self.nodes)}")
        self._wait_started(node, timeout)
        return node

    def _wait_started(self, node: RayNode, timeout: float) -> None:
        """Until ``ray start`` says the node runs (it has then registered with the head)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Ray runtime started" in node.log.read_text(errors="replace"):
                return
            if node.process.poll() is not None:
                raise RuntimeError(f"a Ray node exited: {node.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"a Ray node did not start in {timeout:.0f} s: {node.log.read_text(errors='replace')[-2000:]}")

    def kill_node(self, node: RayNode) -> None:
        node.kill()

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
