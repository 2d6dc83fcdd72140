"""Hints: a named mistake, shown only when the student's value is what that mistake gives.

A hint is the wrong answer a known mistake produces, computed by the test from the
same inputs (``x.var(ddof=1)`` for "used the unbiased variance"), passed to
:func:`~autograder.testing.compare.assert_close` as ``hints={"unbiased_variance": wrong}``.
The comparison names the mistake only when the student's value equals that wrong
answer, so a hint can be checked: ``autograder validate`` grades mutants that make
the mistake on purpose and proves every hint fires on its mutants and nowhere else.

Hidden tests name hints by id; the ids and the sentences students read are declared
once per test folder in ``hints.toml``::

    [hints]
    unbiased_variance = "used the unbiased variance (ddof=1); batch norm uses the biased one"

and a mutant declares the hints it must trigger with ``# hint: unbiased_variance``
lines. Public tests may pass the sentence itself as the key.
"""

from __future__ import annotations

import pathlib
import re
import tomllib

from autograder.errors import AuthoringError

__all__ = ["HINTS_FILE", "HintsFileError", "declared_hints", "describe_hint", "load_hints", "use_hints"]

HINTS_FILE = "hints.toml"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# The hints of the test folder being run: id -> sentence (set by the plugin per session).
_declared: dict[str, str] = {}


class HintsFileError(AuthoringError):
    """A ``hints.toml`` that cannot be read; the message names the file and the problem."""


def load_hints(tests_dir: pathlib.Path) -> dict[str, str]:
    """``tests_dir/hints.toml`` -> ``{id: sentence}`` (empty when there is no such file)."""
    path = pathlib.Path(tests_dir) / HINTS_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HintsFileError(f"{path}: {exc}") from None
    hints = data.get("hints", {})
    if not isinstance(hints, dict) or set(data) - {"hints"}:
        raise HintsFileError(f"{path}: expected one table [hints] of id = \"sentence\" entries")
    for hint_id, sentence in hints.items():
        if not _ID.match(hint_id) or not isinstance(sentence, str) or not sentence.strip():
            raise HintsFileError(f"{path}: hint {hint_id!r} needs a lower-case id and a sentence")
    return dict(hints)


def use_hints(hints: dict[str, str]) -> None:
    """Make ``hints`` the declared hints of the tests about to run."""
    _declared.clear()
    _declared.update(hints)


def declared_hints() -> dict[str, str]:
    return dict(_declared)


def describe_hint(key: str) -> tuple[str, str]:
    """``(id, sentence)`` for a hint key: a declared id, else the key is the sentence (and its own id)."""
    key = str(key)
    if key in _declared:
        return key, _declared[key]
    return key, key
