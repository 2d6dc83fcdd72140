"""What ``run_autograder`` runs on Gradescope: grade one submission, write ``results.json``.

    python -m autograder.formats.gradescope_run --assignment DIR --submission DIR \\
        --metadata submission_metadata.json --results results/results.json
    python -m autograder.formats.gradescope_run --check --assignment DIR      (setup.sh: the image works)

- The submission is graded like ``autograder grade`` grades one file: intake, then
  the harness with student code in a worker confined by ``bwrap`` where the image
  allows it, else by the ``process`` sandbox (the first lines of the output say
  which, and why). Grader faults are retried.
- ``submission_metadata.json`` names the student (:func:`autograder.owner.owner_from_gradescope`):
  the result is called after their email, ``extra_data.owner`` records them, and
  the harness gets them as the ``owner`` fixture (per-student question variants).
- ``results.json`` follows Gradescope's schema (:func:`autograder.results.gradescope_json`,
  outputs as plain text). It is written once, at the end, by this process: the
  results folder is made root-owned and closed to others first, and whatever a
  submission left there is replaced.
- A grader fault (``grader_error`` after the retries, or this program failing)
  writes no ``results.json`` and exits 1: Gradescope reports "The autograder
  failed to execute correctly" and keeps no score, so staff rerun it. A student's
  own error (unreadable file, syntax error) is a graded result with its message.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import sys
import traceback

from autograder.formats.one_submission import choose_sandbox, grade_submission

__all__ = ["main", "submission_path"]


def _say(line: str) -> None:
    print(line, flush=True)


def _read_owner(metadata_path: pathlib.Path):
    from autograder.owner import owner_from_gradescope

    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _say(f"owner: unknown (no {metadata_path})")
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _say(f"owner: unknown ({metadata_path} cannot be read: {exc})")
        return None
    owner = owner_from_gradescope(metadata if isinstance(metadata, dict) else {})
    _say(f"owner: {owner.label} (Gradescope user {owner.id}{', group of ' + str(len(owner.members)) if len(owner.members) > 1 else ''})"
         if owner else "owner: unknown (the metadata lists no users)")
    return owner


def submission_path(folder: pathlib.Path, module_file: str) -> pathlib.Path:
    """What to grade in Gradescope's submission folder: the folder, or the one zip uploaded into it."""
    try:
        files = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and not p.name.startswith(".")]
    except OSError:
        return folder
    names = {p.name for p in files}
    if module_file in names or any(name.endswith(".ipynb") for name in names):
        return folder
    zips = [p for p in files if p.suffix.lower() == ".zip"]
    return zips[0] if len(zips) == 1 and len(files) == 1 else folder


def _prepare_results_folder(results: pathlib.Path) -> None:
    """Root-owned 0755 (no worker uid can write there), and no results file left from before."""
    folder = results.parent
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(folder, 0, 0, follow_symlinks=False)
        os.chmod(folder, 0o755)
    _remove(results)


def _remove(path: pathlib.Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _write_results(results: pathlib.Path, payload: dict) -> None:
    temporary = results.with_name(f".{results.name}.{os.getpid()}.tmp")
    _remove(temporary)
    with open(temporary, "x", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, ensure_ascii=False)
    _remove(results)
    os.replace(temporary, results)


def _report(result) -> None:
    _say(f"status: {result.status}" + (f" ({result.message[:500]})" if result.message else ""))
    if result.status != "grader_error":
        _say(f"score: {result.score:g} / {result.max_score:g} (seed {result.seed})")
        for task in result.tasks:
            _say(f"  {task.id}: {task.score:g} / {task.max_score:g} ({task.passed}/{task.total} tests)")
    for warning in result.warnings:
        _say(f"warning: {warning}")


def _result_name(owner) -> str:
    label = owner.label if owner else "submission"
    return re.sub(r"[^\w.@+-]", "_", label)[:100] or "submission"


def run(options) -> int:
    from autograder import __version__
    from autograder.results import gradescope_json
    from autograder.scratch import enter_run_scratch
    from autograder.spec import load_spec

    results = pathlib.Path(options.results)
    _prepare_results_folder(results)
    spec = load_spec(options.assignment)
    _say(f"autograder {__version__}: {spec.id} ({spec.title}), {spec.max_score:g} points")
    owner = _read_owner(pathlib.Path(options.metadata))  # the tests get it (the `owner` fixture); the worker never sees it
    sandbox_name = choose_sandbox(options.sandbox, _say)
    enter_run_scratch()
    path = submission_path(pathlib.Path(options.submission), spec.module_file)
    result = grade_submission(spec, path, _result_name(owner), sandbox_name, options.seed, owner=owner)
    _report(result)
    if result.status == "grader_error":
        _say("The grader failed (not the submission): no results.json is written, so Gradescope reports a failed run. Rerun it.")
        return 1
    payload = gradescope_json(result)
    payload["output_format"] = "text"        # student-made text is shown as text, never as HTML
    payload["test_output_format"] = "text"
    payload["extra_data"]["sandbox"] = sandbox_name
    if owner is not None:
        payload["extra_data"]["owner"] = {"id": owner.id, "email": owner.email, "name": owner.name, "members": list(owner.members)}
    _write_results(results, payload)
    _say(f"wrote {results}")
    return 0


def check(options) -> int:
    """setup.sh's last step: grade the reference in this image; it must get full marks."""
    from autograder.scratch import enter_run_scratch
    from autograder.spec import load_spec

    spec = load_spec(options.assignment)
    sandbox_name = choose_sandbox(options.sandbox, _say)
    enter_run_scratch()
    result = grade_submission(spec, spec.root / spec.module_file, "reference", sandbox_name, options.seed)
    _report(result)
    if spec.limits.total_timeout_s + 120 > 600:
        _say(f"note: a submission may take up to {spec.limits.total_timeout_s + 120:g} s (total_timeout_s + 120); "
             "raise the assignment's timeout on Gradescope above it (the default is 10 minutes)")
    if result.status != "ok" or result.score < result.max_score:
        _say("check FAILED: the reference solution does not get full marks in this image")
        return 1
    _say("check passed: the reference solution gets full marks in this image")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_autograder", description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", required=True, help="the assignment folder (assignment.toml, tests/hidden)")
    parser.add_argument("--submission", default="/autograder/submission")
    parser.add_argument("--metadata", default="/autograder/submission_metadata.json")
    parser.add_argument("--results", default="/autograder/results/results.json")
    parser.add_argument("--sandbox", default="auto", choices=("auto", "process", "bwrap"))
    parser.add_argument("--seed", type=int, help="seed of the hidden inputs (default: random, recorded in results.json)")
    parser.add_argument("--check", action="store_true", help="grade the reference solution instead (setup.sh)")
    options = parser.parse_args(argv)
    try:
        return check(options) if options.check else run(options)
    except Exception:  # a fault of the grader: never a results.json with a 0
        _say("The grader failed (not the submission); no results.json is written:")
        _say(traceback.format_exc())
        if not options.check:
            _remove(pathlib.Path(options.results))
        return 2


if __name__ == "__main__":
    sys.exit(main())
