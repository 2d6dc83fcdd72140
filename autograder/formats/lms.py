"""``autograder export canvas|moodle``: a gradebook import file for the LMS, one row per roster student.

Canvas (Grades > Import): the columns of Canvas's own gradebook export,
``Student, ID, SIS User ID, SIS Login ID, Section``, then one assignment column, and
a ``Points Possible`` row under the header as in Canvas's export. Canvas matches
rows by ``ID`` / ``SIS User ID`` / ``SIS Login ID``, so the roster should be a
Canvas gradebook export (its values are copied unchanged). The assignment column
is ``--column``, else the roster's column naming the assignment's title or id
(``batchnorm (12345)``: Canvas updates that assignment), else the assignment's
title (Canvas then creates a new assignment).

Moodle (Grades > Import > CSV file): ``First name, Last name, ID number, Email
address`` and one grade column; on import, map "Email address" to ``useremail``
(or "ID number" to ``useridnumber``) and the grade column to the grade item.
Emails are written exactly as the roster has them (Moodle compares them
case-sensitively).

A cell is empty, never 0, when the student has no submission, when the grader
failed on it (``grader_error``: regrade it), or when the submission could not be
paired with the student; an empty cell changes nothing on import. A student's
own error (``student_error``: unreadable file, syntax error) is their score, 0.
Everything left empty is listed in the :class:`ExportReport`.
"""

from __future__ import annotations

import csv
import dataclasses
import pathlib
import re

from autograder.formats.roster import Matching, Roster, match_submissions
from autograder.outcomes import SubmissionResult

__all__ = ["CANVAS_COLUMNS", "MOODLE_COLUMNS", "ExportReport", "export_lms"]

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("First name", "Last name", "ID number", "Email address")


@dataclasses.dataclass
class ExportReport:
    """What was written and what was left empty, for the instructor to act on."""

    column: str
    written: int
    matching: Matching
    grader_errors: list[str]

    def lines(self) -> list[str]:
        out = [f"{self.written} score(s) written to column '{self.column}'"]
        if self.grader_errors:
            out.append(f"left empty, the grader failed (regrade, then export again): {', '.join(self.grader_errors)}")
        if self.matching.unmatched_submissions:
            out.append(f"submissions matching no roster entry (not written): {', '.join(self.matching.unmatched_submissions)}")
        for name, entries in sorted(self.matching.ambiguous.items()):
            out.append(f"submission {name} fits several roster entries (not written): {'; '.join(e.label for e in entries)}")
        for claimants in self.matching.conflicts.values():
            out.append(f"several submissions match one student (not written): {', '.join(claimants)}")
        if self.matching.missing:
            out.append(f"roster entries without a submission (left empty): {', '.join(e.label for e in self.matching.missing)}")
        return out


def _score_text(value: float) -> str:
    return f"{round(value, 4):g}"


def _assignment_column(roster: Roster, title: str, assignment_id: str, column: str | None) -> str:
    if column:
        return column
    word = re.compile(rf"(?<![\w]){re.escape(assignment_id.casefold())}(?![\w])")
    for existing in roster.columns:  # Canvas: "batchnorm (5501)"; Moodle: "Assignment: batchnorm (Real)"
        folded = existing.casefold()
        if title.casefold() in folded or word.search(folded):
            return existing
    return title


def _canvas_row(entry, column: str, score: str) -> list[str]:
    values = {name: entry.row.get(name, "") for name in CANVAS_COLUMNS}
    if not values["Student"]:
        values["Student"] = f"{entry.last}, {entry.first}" if entry.last and entry.first else entry.name
    return [values[name] for name in CANVAS_COLUMNS] + [score]


def _moodle_row(entry, roster: Roster, score: str) -> list[str]:
    first, last = entry.first, entry.last
    if not (first or last) and entry.name:
        if "," in entry.name:  # "Last, First" (a Canvas-style name)
            last, first = (part.strip() for part in entry.name.split(",", 1))
        else:
            first, _, last = entry.name.rpartition(" ")
            first, last = (first, last) if first else (last, "")
    id_column = roster.column("id number", "idnumber", "student id", "student number", "sis user id", "id")
    return [first, last, entry.row.get(id_column, "") if id_column else "", entry.email, score]


def export_lms(kind: str, results: list[SubmissionResult], roster: Roster, out: pathlib.Path, *, title: str, assignment_id: str,
               max_score: float, column: str | None = None, out_of: float | None = None) -> ExportReport:
    """Write the ``kind`` ("canvas" or "moodle") import file for ``results`` to ``out``.

    ``out_of``: scale scores to this many points (the LMS assignment's points), else
    the assignment's own ``max_score``.
    """
    if kind not in ("canvas", "moodle"):
        raise ValueError(f"unknown LMS {kind!r}")
    by_name = {result.name: result for result in results}
    matching = match_submissions(sorted(by_name), roster)
    scale = (out_of / max_score) if out_of and max_score else 1.0
    scores: dict[int, str] = {}
    grader_errors = []
    for name, entry in matching.matched.items():
        result = by_name[name]
        if result.status == "grader_error":
            grader_errors.append(name)
            continue
        scores[entry.index] = _score_text(result.score * scale)
    column = _assignment_column(roster, title, assignment_id, column)
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if kind == "canvas":
            writer.writerow([*CANVAS_COLUMNS, column])
            writer.writerow(["    Points Possible", "", "", "", "", _score_text(out_of or max_score)])
            for entry in roster.entries:
                writer.writerow(_canvas_row(entry, column, scores.get(entry.index, "")))
        else:
            writer.writerow([*MOODLE_COLUMNS, column])
            for entry in roster.entries:
                writer.writerow(_moodle_row(entry, roster, scores.get(entry.index, "")))
    return ExportReport(column, len(scores), matching, sorted(grader_errors))
