"""The ``autograder`` command: parses arguments and calls the modules that do the work.

    autograder grade --assignment ID [--sandbox process] [--jobs N] --out DIR [--gradebook PATH] [--resume] SUBMISSION...
    autograder export csv|gradescope --gradebook PATH --out PATH [--assignment ID]
    autograder check SUBMISSION [--assignment ID] [--task TASK]
    autograder validate [ID ... | --all]
    autograder release [ID ... | --all] [--check]
"""

from __future__ import annotations

import argparse
import pathlib
import signal
import sys

__all__ = ["main"]

SANDBOX_CHOICES = ("auto", "process", "bwrap", "docker", "docker-chunk")  # autograder.sandbox.SANDBOXES (not imported: startup time)


def _repo_base() -> pathlib.Path:
    """Where ``solutions/`` and ``assignments/`` live: the current directory if it has them, else the package's repo."""
    cwd = pathlib.Path.cwd()
    if (cwd / "solutions").is_dir() or (cwd / "assignments").is_dir():
        return cwd
    return pathlib.Path(__file__).resolve().parent.parent


def _assignment_ids(base: pathlib.Path, names: list[str], everything: bool, folder: str = "solutions") -> list[str]:
    if everything or not names:
        found = sorted(p.parent.name for p in (base / folder).glob("*/assignment.toml"))
        if not found:
            raise SystemExit(f"autograder: no assignments in {base / folder}")
        return found if everything or not names else names
    return names


def _stop_on_sigterm() -> None:
    """SIGTERM (a CI job cancelled, ``kill``) stops a batch as Ctrl-C does: cleanly, results kept."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _cmd_grade(options) -> int:
    from autograder.grading import BatchInterrupted, GradeOptions, grade_batch
    from autograder.scratch import enter_run_scratch
    from autograder.sandbox import SandboxUnavailable
    from autograder.spec import SpecError, find_assignment

    try:
        spec = find_assignment(options.assignment, options.base)
    except SpecError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    paths = [pathlib.Path(p) for p in options.submissions]
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        print(f"autograder: no such submission: {', '.join(missing)}", file=sys.stderr)
        return 2
    grade_options = GradeOptions(sandbox=options.sandbox, jobs=options.jobs, seed=options.seed, gpu=options.gpus is not None,
                                 gpu_devices=options.gpus or "all",
                                 retries=options.retries, formats=tuple(options.format or ()), progress=not options.quiet,
                                 gradebook=pathlib.Path(options.gradebook or pathlib.Path(options.out) / "gradebook.sqlite"), resume=options.resume)
    _stop_on_sigterm()
    enter_run_scratch()
    try:
        results = grade_batch(spec, paths, pathlib.Path(options.out), grade_options)
    except SandboxUnavailable as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except BatchInterrupted as exc:
        print(f"\nautograder: {exc}; run the same command with --resume to grade the rest", file=sys.stderr)
        return 130
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    for warning in sorted({w for result in results for w in result.warnings}):
        print(f"autograder: warning: {warning}", file=sys.stderr)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"graded {len(results)} submission(s) of {spec.id} (seed {grade_options.seed}): {summary}; results in {options.out}")
    return 0


def _cmd_export(options) -> int:
    from autograder.gradebook import Gradebook
    from autograder.results import write_csv, write_submission_files

    if not pathlib.Path(options.gradebook).is_file():
        print(f"autograder: no gradebook at {options.gradebook}", file=sys.stderr)
        return 2
    with Gradebook(options.gradebook) as gradebook:
        assignments = [options.assignment] if options.assignment else gradebook.assignments()
        if len(assignments) != 1:
            print(f"autograder: the gradebook holds {len(assignments)} assignments ({', '.join(assignments)}); pass --assignment ID", file=sys.stderr)
            return 2
        results = gradebook.latest_results(assignments[0])
        task_ids = gradebook.task_ids(assignments[0])
    out = pathlib.Path(options.out)
    if options.format == "csv":
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(out, results, task_ids)
    else:
        for result in results:
            write_submission_files(out, result)
    print(f"exported {len(results)} result(s) of {assignments[0]} to {out}")
    return 0


def _cmd_check(options) -> int:
    from autograder.check import format_check_table, run_check
    from autograder.intake import IntakeError
    from autograder.spec import SpecError, find_assignment

    submission = pathlib.Path(options.submission)
    assignment = options.assignment or _guess_assignment(submission, options.base)
    if assignment is None:
        print("autograder: cannot tell which assignment this is; pass --assignment ID", file=sys.stderr)
        return 2
    try:
        spec = find_assignment(assignment, options.base, prefer="assignments" if not options.hidden else "solutions")
        if options.task and options.task not in {task.id for task in spec.tasks}:
            raise SpecError(f"{spec.id} has no task '{options.task}'; tasks: {', '.join(task.id for task in spec.tasks)}")
        result = run_check(spec, submission, tests="hidden" if options.hidden else "public", task=options.task)
    except (SpecError, IntakeError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    print(format_check_table(result, "hidden" if options.hidden else "public"))
    if result.status == "student_error":
        print(f"\nYour submission could not be loaded: {result.message}")
    return 0 if all(task.complete for task in result.tasks) and result.status == "ok" else 1


def _guess_assignment(submission: pathlib.Path, base: str | None) -> str | None:
    root = pathlib.Path(base) if base else _repo_base()
    known = {p.parent.name for folder in ("assignments", "solutions") for p in (root / folder).glob("*/assignment.toml")}
    stem = submission.stem.split("_")[0] if submission.stem not in known else submission.stem
    return submission.stem if submission.stem in known else (stem if stem in known else None)


def _cmd_validate(options) -> int:
    from autograder.spec import find_assignment
    from autograder.validate import validate

    from autograder.sandbox import GradingCancelled
    from autograder.scratch import enter_run_scratch

    _stop_on_sigterm()
    enter_run_scratch()
    base = pathlib.Path(options.base) if options.base else _repo_base()
    failures = 0
    for assignment_id in _assignment_ids(base, options.ids, options.all):
        spec = find_assignment(assignment_id, base)
        try:
            checks = validate(spec, sandbox_name=options.sandbox, jobs=options.jobs, seed=options.seed, seeds=options.seeds,
                              claim_trials=options.claim_seeds)
        except (KeyboardInterrupt, GradingCancelled):
            print(f"\nautograder: validate {spec.id} interrupted", file=sys.stderr)
            return 130
        failed = [check for check in checks if not check.ok]
        print(f"{spec.id}: {len(checks) - len(failed)}/{len(checks)} checks passed")
        failures += len(failed)
    return 1 if failures else 0


def _cmd_release(options) -> int:
    from autograder.release import ReleaseError, check_release, release

    base = pathlib.Path(options.base) if options.base else _repo_base()
    problems: list[str] = []
    for assignment_id in _assignment_ids(base, options.ids, options.all):
        root = base / "solutions" / assignment_id
        try:
            if options.check:
                problems += check_release(root, base / "assignments")
            else:
                target = release(root, base / "assignments")
                print(f"released {assignment_id} -> {target}")
        except ReleaseError as exc:
            problems.append(str(exc))
    for problem in problems:
        print(problem, file=sys.stderr)
    if options.check and problems:
        print("autograder: generated assignments are out of date; run `autograder release --all`", file=sys.stderr)
    elif options.check:
        print("released assignments are up to date")
    return 1 if problems else 0


def _cmd_image_build(options) -> int:
    from autograder.image import ImageBuildError, build_image
    from autograder.spec import SpecError, find_assignment

    try:
        spec = find_assignment(options.assignment, options.base)
        tag = build_image(spec, gpu=options.gpu, base=options.base_image, tag=options.tag,
                          wheelhouse=pathlib.Path(options.wheelhouse) if options.wheelhouse else None, torch_index_url=options.torch_index_url)
    except (SpecError, ImageBuildError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    print(f"built {tag}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Deep-learning course kit: grade, check, validate and release assignments.")
    parser.add_argument("--base", help="folder holding solutions/ and assignments/ (default: here, else the package's repository)")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a batch of submissions with hidden tests")
    grade.add_argument("submissions", nargs="+", metavar="SUBMISSION", help=".py, .ipynb, .zip or a directory")
    grade.add_argument("--assignment", required=True, metavar="ID")
    grade.add_argument("--out", required=True, metavar="DIR")
    grade.add_argument("--sandbox", default="auto", choices=SANDBOX_CHOICES,
                       help="auto (default: bwrap where bubblewrap works, else process), process, bwrap or docker")
    grade.add_argument("--jobs", type=int, default=1, metavar="N")
    grade.add_argument("--seed", type=int, help="seed of the hidden inputs (default: random, recorded in the results)")
    grade.add_argument("--format", action="append", choices=("junit",), help="extra output formats")
    grade.add_argument("--gpus", nargs="?", const="all", default=None, help="run GPU tests (all, or a device list)")
    grade.add_argument("--retries", type=int, default=2, help="retries of a grader fault before it is recorded (default 2)")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument("--gradebook", metavar="PATH", help="SQLite gradebook recording every attempt (default OUT/gradebook.sqlite)")
    grade.add_argument("--resume", action="store_true", help="skip submissions the gradebook already holds a result for (same content)")
    grade.set_defaults(run=_cmd_grade)

    export = commands.add_parser("export", help="write grades from a gradebook: csv (one file) or gradescope (results.json per submission)")
    export.add_argument("format", choices=("csv", "gradescope"))
    export.add_argument("--gradebook", required=True, metavar="PATH")
    export.add_argument("--assignment", metavar="ID", help="only this assignment (required if the gradebook holds several)")
    export.add_argument("--out", required=True, metavar="PATH", help="CSV file, or folder for gradescope")
    export.set_defaults(run=_cmd_export)

    check = commands.add_parser("check", help="run the public tests on your work, in-process")
    check.add_argument("submission", metavar="SUBMISSION")
    check.add_argument("--assignment", metavar="ID")
    check.add_argument("--task", help="only this task")
    check.add_argument("--hidden", action="store_true", help="(instructors) the hidden tests instead")
    check.set_defaults(run=_cmd_check)

    validate = commands.add_parser("validate", help="prove an assignment's tests: reference full marks, stub zero, mutants caught")
    validate.add_argument("ids", nargs="*", metavar="ID")
    validate.add_argument("--all", action="store_true")
    validate.add_argument("--sandbox", default="process", choices=SANDBOX_CHOICES)
    validate.add_argument("--jobs", type=int, default=2)
    validate.add_argument("--seed", type=int, help="first grading seed (random when left out; printed either way)")
    validate.add_argument("--seeds", type=int, default=1, metavar="K",
                          help="grade the reference and every mutant under K consecutive seeds; a mutant must be caught under each")
    validate.add_argument("--claim-seeds", type=int, default=100, metavar="N",
                          help="evaluate each graded claim on the reference under N seeds (at least 50; see autograder/claim_validation.py)")
    validate.set_defaults(run=_cmd_validate)

    release = commands.add_parser("release", help="build assignments/<id> from solutions/<id>")
    release.add_argument("ids", nargs="*", metavar="ID")
    release.add_argument("--all", action="store_true")
    release.add_argument("--check", action="store_true", help="fail if assignments/ is out of date instead of writing")
    release.set_defaults(run=_cmd_release)

    image = commands.add_parser("image", help="grader images for the docker sandbox")
    image_commands = image.add_subparsers(dest="image_command", required=True)
    image_build = image_commands.add_parser("build", help="build the grader image of an assignment, offline (docs/sandboxes.md)")
    image_build.add_argument("--assignment", required=True, metavar="ID")
    image_build.add_argument("--gpu", action="store_true", help="CUDA variant (CUDA runtime base, CUDA build of torch)")
    image_build.add_argument("--base", "--base-image", dest="base_image", metavar="IMAGE", help="base image (default python:3.11-slim; CI: autograder-base:bookworm)")
    image_build.add_argument("--tag", metavar="TAG", help="image tag (default autograder-grader-ID[-cuda]:latest)")
    image_build.add_argument("--wheelhouse", metavar="DIR", help="where wheels are collected (default ~/.cache/autograder/wheels)")
    image_build.add_argument("--torch-index-url", metavar="URL", help="extra index for torch wheels (e.g. a CUDA build)")
    image_build.set_defaults(run=_cmd_image_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    return options.run(options)


if __name__ == "__main__":
    sys.exit(main())
