"""The gradebook: an SQLite record of every graded attempt, so batches can resume.

One row per grading *attempt* of a submission (``attempts``) and one row per
task of that attempt (``task_scores``). A row is written, in one transaction,
when a submission's grading has finished, so a grader killed mid-batch leaves
no half-written result: rerunning with ``--resume`` grades exactly what is not
recorded yet (or was recorded as ``grader_error``, which is retried).

A submission is identified by (assignment, name, hash of its content): a new
file under the same name is graded again; the same file is not, unless the
assignment's files (tests) changed since (``assignment_version`` holds their hash).

Only the stdlib ``sqlite3`` is used. The full :class:`SubmissionResult` is kept
as JSON next to the columns, so exports (``autograder export``) rebuild exactly
what ``grade`` wrote.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import sqlite3
import threading
import time

from autograder import __version__
from autograder.outcomes import SubmissionResult

__all__ = ["Gradebook"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment         TEXT NOT NULL,
    assignment_version TEXT NOT NULL,
    grader_version     TEXT NOT NULL,
    name               TEXT NOT NULL,
    submission_path    TEXT NOT NULL,
    submission_hash    TEXT NOT NULL,
    status             TEXT NOT NULL,
    score              REAL,
    max_score          REAL NOT NULL,
    message            TEXT NOT NULL,
    seed               INTEGER,
    sandbox            TEXT NOT NULL,
    retries            INTEGER NOT NULL,
    started_at         REAL NOT NULL,
    finished_at        REAL NOT NULL,
    duration_s         REAL NOT NULL,
    result_json        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_submission ON attempts (assignment, name, submission_hash);
CREATE TABLE IF NOT EXISTS task_scores (
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    task        TEXT NOT NULL,
    score       REAL,
    max_score   REAL NOT NULL,
    passed      INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, task)
);
"""


class Gradebook:
    """An SQLite gradebook; safe to share between the threads of one batch."""

    def __init__(self, path: str | pathlib.Path):
        self.path = pathlib.Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a recorded result survives a SIGKILL or power loss
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def record(self, result: SubmissionResult, *, path: pathlib.Path | str, assignment_version: str, sandbox: str, started_at: float | None = None) -> int:
        """Store one finished attempt and its task scores atomically; returns the attempt id."""
        finished = time.time()
        started = started_at if started_at is not None else finished - result.execution_time
        graded = result.status != "grader_error"
        with self._lock:
            cursor = self._db.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.execute(
                    "INSERT INTO attempts (assignment, assignment_version, grader_version, name, submission_path, submission_hash, status,"
                    " score, max_score, message, seed, sandbox, retries, started_at, finished_at, duration_s, result_json)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (result.assignment, assignment_version, __version__, result.name, str(path), result.submission_hash, result.status,
                     result.score if graded else None, result.max_score, result.message, result.seed, sandbox, result.attempts,
                     started, finished, result.execution_time, result.to_json()),
                )
                attempt_id = cursor.lastrowid
                cursor.executemany(
                    "INSERT INTO task_scores (attempt_id, task, score, max_score, passed, total) VALUES (?, ?, ?, ?, ?, ?)",
                    [(attempt_id, task.id, task.score if graded else None, task.max_score, task.passed, task.total) for task in result.tasks],
                )
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
        return attempt_id

    def finished(self, assignment: str, name: str, submission_hash: str, assignment_version: str | None = None) -> SubmissionResult | None:
        """The latest graded (not ``grader_error``) result of this exact submission, if any.

        With ``assignment_version``, only a result graded with that version of the
        assignment counts: after a change to the tests, ``--resume`` grades again.
        """
        if not submission_hash:
            return None
        query = "SELECT result_json FROM attempts WHERE assignment = ? AND name = ? AND submission_hash = ? AND status != 'grader_error'"
        params: tuple = (assignment, name, submission_hash)
        if assignment_version is not None:
            query += " AND assignment_version = ?"
            params += (assignment_version,)
        with self._lock:
            row = self._db.execute(query + " ORDER BY id DESC LIMIT 1", params).fetchone()
        return SubmissionResult.from_json(row[0]) if row else None

    def latest_results(self, assignment: str | None = None) -> list[SubmissionResult]:
        """The latest attempt of each submission name (per assignment), sorted by name."""
        query = (
            "SELECT result_json FROM attempts WHERE id IN (SELECT MAX(id) FROM attempts"
            + (" WHERE assignment = ?" if assignment else "")
            + " GROUP BY assignment, name) ORDER BY assignment, name"
        )
        with self._lock:
            rows = self._db.execute(query, (assignment,) if assignment else ()).fetchall()
        return [SubmissionResult.from_json(row[0]) for row in rows]

    def last_seed(self, assignment: str) -> int | None:
        """The seed of the latest attempt for ``assignment`` (a resumed batch keeps its hidden inputs)."""
        with self._lock:
            row = self._db.execute("SELECT seed FROM attempts WHERE assignment = ? ORDER BY id DESC LIMIT 1", (assignment,)).fetchone()
        return row[0] if row else None

    def assignments(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT DISTINCT assignment FROM attempts ORDER BY assignment")]

    def task_ids(self, assignment: str) -> list[str]:
        """Task ids of an assignment, in the order they were recorded."""
        with self._lock:
            rows = self._db.execute(
                "SELECT task FROM task_scores WHERE attempt_id = (SELECT MAX(id) FROM attempts WHERE assignment = ?) ORDER BY rowid", (assignment,)
            ).fetchall()
        return [row[0] for row in rows]

    def count(self, where: str = "", params: tuple = ()) -> int:
        """Number of attempt rows (optionally filtered by an SQL condition on ``attempts``)."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM attempts" + (f" WHERE {where}" if where else ""), params).fetchone()[0]
