"""Who a submission belongs to: the student (or group) one grading run is for.

Platforms that know the student say so: Gradescope in
``/autograder/submission_metadata.json`` (:func:`owner_from_gradescope`), GitHub
Actions through the repository and the actor that pushed. The grader hands the
owner to the harness in the environment variable ``AG_SUBMISSION_OWNER`` (JSON;
the worker that runs student code never sees it: its environment is clean), and
tests read it through the ``owner`` fixture of the plugin::

    @pytest.mark.task("q3")
    def test_q3(submission, owner):
        variant = owner.variant(4) if owner else 0     # 0..3, the same for this student every run

``owner`` is ``None`` when nobody said (``autograder grade`` on a folder of files,
``autograder check`` on a laptop), so a test must work without it. Only the
``process`` and ``bwrap`` sandboxes pass the owner on (their harness runs here).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os

__all__ = ["ENV_VAR", "SubmissionOwner", "current_owner", "owner_from_gradescope"]

ENV_VAR = "AG_SUBMISSION_OWNER"


@dataclasses.dataclass(frozen=True)
class SubmissionOwner:
    """A student, or a group's representative with every member listed.

    id:      the platform's id of the student (Gradescope user id, GitHub login);
    email:   the student's email ("" when unknown);
    name:    the full name ("" when unknown);
    members: the emails (else ids) of every member of a group submission, sorted;
             ``(email or id,)`` for one student.
    source:  which platform said so ("gradescope", "github").
    """

    id: str
    email: str = ""
    name: str = ""
    members: tuple[str, ...] = ()
    source: str = ""

    @property
    def key(self) -> str:
        """A stable identity: the sorted members (a group shares one key), else the id."""
        return "+".join(self.members) if self.members else self.id

    @property
    def label(self) -> str:
        """What the submission is called in results and gradebooks: the email, else the id."""
        return self.email or self.id

    def variant(self, count: int, salt: str = "") -> int:
        """A number in ``range(count)`` fixed for this owner (and ``salt``, e.g. a question id)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        digest = hashlib.sha256(f"{salt}\0{self.key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % count

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "SubmissionOwner":
        data = json.loads(text)
        if not isinstance(data, dict) or not str(data.get("id", "")):
            raise ValueError("an owner needs an id")
        return cls(id=str(data["id"]), email=str(data.get("email") or ""), name=str(data.get("name") or ""),
                   members=tuple(str(m) for m in data.get("members") or ()), source=str(data.get("source") or ""))


def current_owner() -> SubmissionOwner | None:
    """The owner the grader put in the environment, or None (absent or unreadable)."""
    text = os.environ.get(ENV_VAR)
    if not text:
        return None
    try:
        return SubmissionOwner.from_json(text)
    except (ValueError, TypeError):
        return None


def owner_from_gradescope(metadata: dict) -> SubmissionOwner | None:
    """The owner described by Gradescope's ``submission_metadata.json`` (its ``users`` list).

    A group submission lists several users; its owner is the one with the smallest
    id (the same whichever member uploaded), with every member in ``members``.
    None when the metadata names nobody.
    """
    users = [user for user in metadata.get("users") or [] if isinstance(user, dict) and str(user.get("id", "")).strip()]
    if not users:
        return None
    users.sort(key=lambda user: (len(str(user["id"])), str(user["id"])))  # numeric ids, compared as numbers
    first = users[0]
    members = tuple(sorted(str(user.get("email") or user["id"]).strip() for user in users))
    return SubmissionOwner(id=str(first["id"]).strip(), email=str(first.get("email") or "").strip(),
                           name=str(first.get("name") or "").strip(), members=members, source="gradescope")
