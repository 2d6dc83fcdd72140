"""A course roster (CSV), and which roster entry each graded submission belongs to.

A roster is the LMS's own export (Canvas: Gradebook > Export; Moodle: Grades >
Export > Plain text file) or any CSV with a header naming, in any case and
order, some of: a name (``Student``, ``Name``, ``Full name``, or ``First name`` and
``Last name``), an email (``Email``, ``Email address``) and identifiers (``ID``,
``SIS User ID``, ``SIS Login ID``, ``ID number``, ``Student ID``, ``Username``,
``GitHub``...). UTF-8 (with or without BOM), comma or semicolon separated.

A submission is named after its file (``autograder grade``) or its owner
(Gradescope: the email). Matching, in order:

1. an identifier or the email equal to the submission's name (case and spaces ignored),
   or the email's local part (``jdoe`` for ``jdoe@uni.edu``) when no one else has it;
2. the name, as a set of words with case, accents and punctuation ignored:
   ``Zoë Martin``, ``martin_zoe`` and ``Martin, Zoe`` are the same.

A key that two roster entries share matches neither (*ambiguous*); two
submissions matching one entry are both left out (*conflict*). Everything not
matched is reported, never guessed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import pathlib
import re
import unicodedata

__all__ = ["Matching", "Roster", "RosterEntry", "RosterError", "match_submissions", "name_key", "read_roster"]

NAME_COLUMNS = ("student", "name", "full name", "student name", "fullname")
FIRST_COLUMNS = ("first name", "firstname", "given name", "first")
LAST_COLUMNS = ("last name", "lastname", "surname", "family name", "last")
EMAIL_COLUMNS = ("email", "email address", "e-mail", "e-mail address", "mail")
ID_COLUMNS = ("id", "sis user id", "sis login id", "id number", "idnumber", "student id", "student number", "username", "user name",
              "login", "login id", "user id", "userid", "sid", "github", "github username", "github login", "matriculation number")
# Rows of an LMS export that are not students (Canvas: "Points Possible", "Manual Posting").
_NOT_STUDENTS = {"points possible", "manual posting", "read only"}


class RosterError(ValueError):
    """The roster cannot be read; the message says why."""


def _fold(text: str) -> str:
    """Case, accents and surrounding space removed: ``" Zoë "`` -> ``"zoe"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def name_key(text: str) -> str:
    """A name as its sorted words, case, accents and punctuation ignored: ``"Martin, Zoë"`` -> ``"martin zoe"``."""
    words = re.split(r"[\W_]+", _fold(text))
    return " ".join(sorted(word for word in words if word))


@dataclasses.dataclass
class RosterEntry:
    """One student of the roster; ``row`` is the CSV row as read (written back unchanged)."""

    index: int
    row: dict[str, str]
    name: str
    first: str
    last: str
    email: str
    ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.name or self.email or (self.ids[0] if self.ids else f"row {self.index + 2}")


@dataclasses.dataclass
class Roster:
    path: pathlib.Path
    columns: list[str]
    entries: list[RosterEntry]

    def column(self, *aliases: str) -> str | None:
        """The roster's own spelling of the first column named by one of ``aliases``."""
        folded = {_fold(column): column for column in self.columns}
        for alias in aliases:
            if alias in folded:
                return folded[alias]
        return None


def read_roster(path: str | pathlib.Path) -> Roster:
    """Read a roster CSV (see the module's docstring)."""
    path = pathlib.Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"cannot read the roster {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"the roster {path.name} is not UTF-8; export it again as UTF-8 CSV (Excel: 'CSV UTF-8')") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [column for column in reader.fieldnames or [] if column is not None]
    if not columns:
        raise RosterError(f"the roster {path.name} is empty")
    roster = Roster(path, columns, [])
    name_col, first_col, last_col = roster.column(*NAME_COLUMNS), roster.column(*FIRST_COLUMNS), roster.column(*LAST_COLUMNS)
    email_col = roster.column(*EMAIL_COLUMNS)
    id_cols = [column for column in columns if _fold(column) in ID_COLUMNS]
    if not (name_col or first_col or last_col or email_col or id_cols):
        raise RosterError(f"the roster {path.name} has no column for names, emails or ids (its columns: {', '.join(columns)}); "
                          "see docs/courses.md for the columns it may have")
    for index, row in enumerate(reader):
        row = {key: (value or "").strip() for key, value in row.items() if key is not None}
        first, last = row.get(first_col, "") if first_col else "", row.get(last_col, "") if last_col else ""
        name = row.get(name_col, "") if name_col else ""
        name = name or " ".join(part for part in (first, last) if part)
        email = row.get(email_col, "") if email_col else ""
        ids = tuple(row[column] for column in id_cols if row.get(column))
        if not (name or email or ids) or (_fold(name) in _NOT_STUDENTS and not email):
            continue
        roster.entries.append(RosterEntry(index, row, name, first, last, email, ids))
    if not roster.entries:
        raise RosterError(f"the roster {path.name} lists no students")
    return roster


@dataclasses.dataclass
class Matching:
    """Submission name -> roster entry, and everything that could not be paired."""

    matched: dict[str, RosterEntry]
    unmatched_submissions: list[str]
    ambiguous: dict[str, list[RosterEntry]]        # submission -> the entries its key fits
    conflicts: dict[int, list[str]]                 # roster entry index -> submissions that all match it
    missing: list[RosterEntry]                      # roster entries without a submission


def _index(entries: list[RosterEntry]) -> tuple[dict[str, list[RosterEntry]], dict[str, list[RosterEntry]]]:
    by_id: dict[str, list[RosterEntry]] = {}
    by_name: dict[str, list[RosterEntry]] = {}
    for entry in entries:
        keys = {_fold(value) for value in entry.ids}
        if entry.email:
            keys.add(_fold(entry.email))
        for key in keys:
            by_id.setdefault(key, []).append(entry)
        if entry.name:
            by_name.setdefault(name_key(entry.name), []).append(entry)
    local_parts: dict[str, list[RosterEntry]] = {}
    for entry in entries:
        if "@" in entry.email:
            local_parts.setdefault(_fold(entry.email.split("@", 1)[0]), []).append(entry)
    for key, found in local_parts.items():
        if len(found) == 1 and key not in by_id:  # "jdoe" for jdoe@uni.edu, unless it is someone's id or shared
            by_id[key] = found
    return by_id, by_name


def match_submissions(names: list[str], roster: Roster) -> Matching:
    """Pair each submission name with a roster entry (see the module's docstring)."""
    by_id, by_name = _index(roster.entries)
    candidates: dict[str, RosterEntry] = {}
    unmatched: list[str] = []
    ambiguous: dict[str, list[RosterEntry]] = {}
    for name in names:
        found = by_id.get(_fold(name)) or by_name.get(name_key(name)) or []
        if len(found) == 1:
            candidates[name] = found[0]
        elif found:
            ambiguous[name] = found
        else:
            unmatched.append(name)
    claims: dict[int, list[str]] = {}
    for name, entry in candidates.items():
        claims.setdefault(entry.index, []).append(name)
    conflicts = {index: sorted(claimants) for index, claimants in claims.items() if len(claimants) > 1}
    matched = {name: entry for name, entry in candidates.items() if entry.index not in conflicts}
    taken = {entry.index for entry in matched.values()} | set(conflicts)
    missing = [entry for entry in roster.entries if entry.index not in taken]
    return Matching(matched, sorted(unmatched), ambiguous, conflicts, missing)
