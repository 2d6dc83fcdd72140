"""The one in-process test runner: an assignment's tests, collected once, run against one submission at a time.

Every path that runs tests goes through :class:`TestSuite`: grading (in the warm
harness, :mod:`autograder.harness.server`, once per forked child), ``check`` and the
notebook's ``grader.check`` (in-process, the public tests), ``validate`` (public
tests on the reference) and ``release`` (recording frozen values). It is also the
one place that builds pytest's arguments.

Collecting imports the test modules (and with them torch and the oracles) once;
:meth:`TestSuite.run` then runs the collected items through pytest's own per-test
protocol (fixtures, capture, reports), so a suite can be run many times in one
process, or collected in a parent and run in forked children.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
from collections.abc import Callable

from autograder.errors import GraderFault
from autograder.harness.plugin import COLLECT_ERRORS, RUN, GradingRun, new_records
from autograder.outcomes import Outcomes

__all__ = ["TestSuite", "pytest_arguments"]


def pytest_arguments(tests_dir: pathlib.Path, assignment: pathlib.Path | None = None) -> list[str]:
    """pytest's command line for a test folder: our plugin only, no configuration from elsewhere.

    ``assignment``: the assignment folder the tests belong to (by default the nearest folder
    above them with an ``assignment.toml``).
    """
    return [
        str(tests_dir),
        "-p", "autograder.harness.plugin",
        "-p", "no:cacheprovider",
        "-p", "no:randomly",
        "-p", "no:xdist",
        "--import-mode=importlib",
        "--rootdir", str(tests_dir),
        "-c", os.devnull,  # never read a pytest.ini/conftest configuration from elsewhere
        "-q", "--no-header", "-rN", "--tb=no", "-W", "ignore::pytest.PytestAssertRewriteWarning",
        # Capture at the Python level: a process that runs suites (a Jupyter kernel, the warm harness)
        # keeps its own file descriptors.
        "--capture=sys", "-p", "no:faulthandler",
        # No log capture: no test reads `caplog`, and the plugin adds and removes handlers on every
        # logger three times per test (a tenth of a second per submission).
        "-p", "no:logging",
    ] + (["--ag-assignment", str(assignment)] if assignment else [])


class TestSuite:
    """The tests of one folder, collected in this process.

    ``tests_dir``: ``solutions/<id>/tests/hidden`` (or public); ``only_task``: keep the
    tests of one task; ``quiet``: swallow what pytest prints.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, tests_dir: pathlib.Path, *, assignment: pathlib.Path | None = None, only_task: str | None = None, quiet: bool = True):
        from _pytest.config import _prepareconfig
        from _pytest.main import Session

        self.tests_dir = pathlib.Path(tests_dir)
        self._quiet = quiet
        with self._silence():
            self.config = _prepareconfig(pytest_arguments(self.tests_dir, assignment))
            self.config._do_configure()
            self.session = Session.from_config(self.config)
            self.config.hook.pytest_sessionstart(session=self.session)
            self.session.perform_collect()
        items = list(self.session.items)
        if only_task:
            items = [item for item in items if _task_of(item) == only_task]
        self.items = items
        self.collection_errors: list[str] = list(self.config.stash[COLLECT_ERRORS])

    @contextlib.contextmanager
    def _silence(self):
        if not self._quiet:
            yield
            return
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield

    def run(self, open_submission: Callable[[], object], *, seed: int, hidden: bool = True, gpu: bool = False,
            record: bool = False, frozen_dir: pathlib.Path | None = None, owner=None) -> Outcomes:
        """Run every collected test against the submission ``open_submission()`` makes; return the outcomes.

        The submission is opened by the first test that asks for it and closed at the end
        (a remote one stops its worker). ``record``: frozen values are recorded into
        ``frozen_dir`` instead of compared (``release``). ``owner``: who submitted it
        (:class:`autograder.owner.SubmissionOwner`), for the ``owner`` fixture.
        """
        run = GradingRun(open_submission=open_submission, seed=seed, hidden=hidden, gpu=gpu, record=record, frozen_dir=frozen_dir,
                         owner=owner)
        run.records = new_records(self.config, self.items)
        self.config.stash[RUN] = run
        try:
            with self._silence():
                for index, item in enumerate(self.items):
                    following = self.items[index + 1] if index + 1 < len(self.items) else None
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            return run.outcomes(self.collection_errors)
        finally:
            close = getattr(run.submission, "close", None)
            if callable(close):
                close()
            del self.config.stash[RUN]

    def close(self) -> None:
        """End pytest's session (plugins unconfigure). The suite cannot run afterwards."""
        with self._silence():
            try:
                self.config.hook.pytest_sessionfinish(session=self.session, exitstatus=0)
            finally:
                self.config._ensure_unconfigure()


def _task_of(item) -> str | None:
    marker = item.get_closest_marker("task")
    return marker.args[0] if marker and marker.args else None


def run_outcomes_or_fault(suite: TestSuite, open_submission, **options) -> Outcomes:
    """:meth:`TestSuite.run`, with any failure of the run itself (not of a test) a :class:`GraderFault`."""
    try:
        return suite.run(open_submission, **options)
    except (GraderFault, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 (pytest or a fixture broke outside any test)
        raise GraderFault(f"the test run failed: {type(exc).__name__}: {exc}") from exc


