"""The ``autograder`` command: parses arguments and calls the modules that do the work.

    autograder grade --assignment ID [--sandbox process] [--jobs N] --out DIR [--gradebook PATH] [--resume] SUBMISSION...
                     [--executor ray [--ray-address ADDRESS]]
    autograder export csv|gradescope --gradebook PATH --out PATH [--assignment ID]
    autograder export canvas|moodle --gradebook PATH --roster ROSTER.csv --out FILE [--assignment ID]
    autograder check SUBMISSION [--assignment ID] [--task TASK]
    autograder validate [ID ... | --all]
    autograder release [ID ... | --all] [--check]
    autograder gradescope ID --out autograder.zip [--wheels DIR]
    autograder classroom ID [--repository DIR] [--file NAME]     (in GitHub Actions)
    autograder report --gradebook PATH --out report.html [--assignment ID]
"""

from __future__ import annotations

import argparse
import pathlib
import signal
import sys

__all__ = ["main"]

def _sandbox_choices() -> tuple[str, ...]:
    from autograder.sandbox import SANDBOXES

    return ("auto", *SANDBOXES)


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
    from autograder.errors import BatchInterrupted, SandboxUnavailable, SpecError
    from autograder.grading import GradeOptions, grade_batch
    from autograder.scratch import enter_run_scratch
    from autograder.spec import find_assignment

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
    try:
        executor = _executor(options)  # connects to a cluster before the run's scratch folder becomes $TMPDIR
        enter_run_scratch()
        results = grade_batch(spec, paths, pathlib.Path(options.out), grade_options, executor=executor)
    except SandboxUnavailable as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except BatchInterrupted as exc:
        print(f"\nautograder: {exc}; run the same command with --resume to grade the rest", file=sys.stderr)
        return 130
    except KeyboardInterrupt:  # before the batch started (connecting to a cluster)
        print("\nautograder: interrupted before grading started", file=sys.stderr)
        return 130
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    for warning in sorted({w for result in results for w in result.warnings}):
        print(f"autograder: warning: {warning}", file=sys.stderr)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"graded {len(results)} submission(s) of {spec.id} (seed {grade_options.seed}): {summary}; results in {options.out}")
    return 0


def _executor(options):
    """None (local job slots) or the cluster executor ``--executor`` names, connected."""
    if options.executor == "local":
        if options.ray_address or options.ray_resources:
            raise SystemExit("autograder: --ray-address and --ray-resources need --executor ray")
        return None
    from autograder.ray_executor import RayExecutor

    def log(message: str) -> None:
        if not options.quiet:
            print(f"autograder: {message}", file=sys.stderr, flush=True)

    executor = RayExecutor(options.jobs, address=options.ray_address, resources=_ray_resources(options.ray_resources), log=log)
    executor.connect()
    return executor


def _ray_resources(text: str | None) -> dict[str, float]:
    """``--ray-resources autograder=1,fast_disk=1`` -> ``{"autograder": 1.0, "fast_disk": 1.0}``."""
    resources: dict[str, float] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, _, amount = item.partition("=")
        try:
            resources[name.strip()] = float(amount) if amount.strip() else 1.0
        except ValueError:
            raise SystemExit(f"autograder: --ray-resources takes NAME=AMOUNT,...; '{item}' is not that") from None
        if not name.strip() or resources[name.strip()] <= 0:
            raise SystemExit(f"autograder: --ray-resources takes NAME=AMOUNT,... with AMOUNT > 0; '{item}' is not that")
    return resources


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
    if options.format in ("canvas", "moodle"):
        return _export_lms(options, assignments[0], results, out)
    if options.format == "csv":
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(out, results, task_ids)
    else:
        for result in results:
            write_submission_files(out, result)
    print(f"exported {len(results)} result(s) of {assignments[0]} to {out}")
    return 0


def _export_lms(options, assignment: str, results, out: pathlib.Path) -> int:
    from autograder.formats.lms import export_lms
    from autograder.formats.roster import RosterError, read_roster
    from autograder.spec import SpecError, find_assignment

    if not options.roster:
        print(f"autograder: export {options.format} needs --roster (the LMS's gradebook export, or a CSV of students)", file=sys.stderr)
        return 2
    try:
        roster = read_roster(options.roster)
    except RosterError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    try:
        title = find_assignment(assignment, options.base).title
    except SpecError:
        title = assignment
    max_score = max((result.max_score for result in results), default=0.0)
    report = export_lms(options.format, results, roster, out, title=title, assignment_id=assignment, max_score=max_score,
                        column=options.column, out_of=options.out_of)
    print(f"exported {assignment} for {options.format} to {out}: {len(roster.entries)} student(s) in the roster")
    for line in report.lines():
        print(f"  {line}")
    return 0


def _cmd_check(options) -> int:
    from autograder.check import format_check_table, run_check
    from autograder.errors import IntakeError, SpecError
    from autograder.spec import find_assignment

    submission = pathlib.Path(options.submission)
    released = _released_folder(submission, options.assignment) if not options.hidden else None
    assignment = options.assignment or _guess_assignment(submission, options.base)
    if assignment is None and released is None:
        print("autograder: cannot tell which assignment this is; pass --assignment ID", file=sys.stderr)
        return 2
    try:
        from autograder.spec import load_spec

        spec = load_spec(released) if released else find_assignment(assignment, options.base, prefer="assignments" if not options.hidden else "solutions")
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


def _released_folder(submission: pathlib.Path, assignment: str | None) -> pathlib.Path | None:
    """The released assignment folder a student works in (``assignment.toml`` next to the file, or here),
    when it is the one asked for: a student's installed package has no ``assignments/`` of its own."""
    import tomllib

    for folder in dict.fromkeys((submission.resolve().parent, pathlib.Path.cwd().resolve())):
        toml = folder / "assignment.toml"
        if toml.is_file():
            try:
                found = tomllib.loads(toml.read_text(encoding="utf-8")).get("id")
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if found and (assignment is None or assignment == found):
                return folder
    return None


def _guess_assignment(submission: pathlib.Path, base: str | None) -> str | None:
    root = pathlib.Path(base) if base else _repo_base()
    known = {p.parent.name for folder in ("assignments", "solutions") for p in (root / folder).glob("*/assignment.toml")}
    stem = submission.stem.split("_")[0] if submission.stem not in known else submission.stem
    return submission.stem if submission.stem in known else (stem if stem in known else None)


def _cmd_validate(options) -> int:
    from autograder.errors import GradingCancelled, SandboxUnavailable
    from autograder.scratch import enter_run_scratch
    from autograder.spec import find_assignment
    from autograder.validate import validate

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
        except SandboxUnavailable as exc:
            print(f"autograder: {exc}", file=sys.stderr)
            return 2
        failed = [check for check in checks if not check.ok]
        print(f"{spec.id}: {len(checks) - len(failed)}/{len(checks)} checks passed")
        failures += len(failed)
    return 1 if failures else 0


def _cmd_release(options) -> int:
    from autograder.errors import ReleaseError
    from autograder.release import check_release, release

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
    from autograder.errors import ImageBuildError, SpecError
    from autograder.image import build_image
    from autograder.spec import find_assignment

    try:
        spec = find_assignment(options.assignment, options.base)
        tag = build_image(spec, gpu=options.gpu, base=options.base_image, tag=options.tag,
                          wheelhouse=pathlib.Path(options.wheelhouse) if options.wheelhouse else None, torch_index_url=options.torch_index_url)
    except (SpecError, ImageBuildError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    print(f"built {tag}")
    return 0


def _cmd_gradescope(options) -> int:
    from autograder.formats.gradescope_package import PackageError, build_gradescope_zip
    from autograder.spec import SpecError, find_assignment

    try:
        spec = find_assignment(options.assignment, options.base, prefer="solutions")
        out = build_gradescope_zip(spec, pathlib.Path(options.out), pathlib.Path(options.wheels) if options.wheels else None)
    except (SpecError, PackageError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB): upload it as the assignment's autograder on Gradescope (docs/courses.md)")
    return 0


def _cmd_classroom(options) -> int:
    from autograder.formats.github_classroom import run_classroom
    from autograder.sandbox import SandboxUnavailable
    from autograder.spec import SpecError, find_assignment

    try:
        spec = find_assignment(options.assignment, options.base, prefer="solutions")
        if not spec.tests_dir("hidden").is_dir():
            raise SpecError(f"{spec.root} has no hidden tests; pass --base with the grader's checkout (solutions/)")
        run_classroom(spec, pathlib.Path(options.repository), options.file, options.sandbox, options.seed)
    except (SpecError, SandboxUnavailable) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_report(options) -> int:
    from autograder.gradebook import Gradebook
    from autograder.spec import SpecError, find_assignment

    if not pathlib.Path(options.gradebook).is_file():
        print(f"autograder: no gradebook at {options.gradebook}", file=sys.stderr)
        return 2
    try:
        from autograder.report.page import write_report
        from autograder.report.stats import assignment_stats
    except ImportError as exc:  # matplotlib
        print(f"autograder: the report needs matplotlib ({exc}): pip install \"dl-autograder[report]\"", file=sys.stderr)
        return 2
    with Gradebook(options.gradebook) as gradebook:
        assignments = [options.assignment] if options.assignment else gradebook.assignments()
        per_assignment = {assignment: gradebook.latest_results(assignment) for assignment in assignments}
    if not any(per_assignment.values()):
        print(f"autograder: the gradebook holds no results{' for ' + options.assignment if options.assignment else ''}", file=sys.stderr)
        return 2
    out = pathlib.Path(options.out)
    for assignment, results in per_assignment.items():
        try:
            title = find_assignment(assignment, options.base).title
        except SpecError:
            title = assignment
        target = out if len(per_assignment) == 1 else out.with_name(f"{out.stem}-{assignment}{out.suffix or '.html'}")
        write_report(assignment_stats(results, title), target, source=str(options.gradebook))
        print(f"wrote {target}: {len(results)} submission(s) of {assignment}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Deep-learning course kit: grade, check, validate and release assignments.")
    parser.add_argument("--base", help="folder holding solutions/ and assignments/ (default: here, else the package's repository)")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a batch of submissions with hidden tests")
    grade.add_argument("submissions", nargs="+", metavar="SUBMISSION", help=".py, .ipynb, .zip or a directory")
    grade.add_argument("--assignment", required=True, metavar="ID")
    grade.add_argument("--out", required=True, metavar="DIR")
    grade.add_argument("--sandbox", default="auto", choices=_sandbox_choices(),
                       help="auto (default: bwrap where bubblewrap works, else process), process, bwrap or docker")
    grade.add_argument("--jobs", type=int, default=1, metavar="N", help="job slots (with --executor ray: across the cluster)")
    grade.add_argument("--executor", default="local", choices=("local", "ray"),
                       help="where gradings run: local job slots (default) or a Ray cluster (docs/cluster.md)")
    grade.add_argument("--ray-address", metavar="ADDRESS", help="the Ray cluster (host:port or ray://host:10001; default $RAY_ADDRESS, "
                       "else one started here with `ray start`)")
    grade.add_argument("--ray-resources", metavar="NAME=N,...", help="custom Ray resources every slot asks for (e.g. autograder=1)")
    grade.add_argument("--seed", type=int, help="seed of the hidden inputs (default: random, recorded in the results)")
    grade.add_argument("--format", action="append", choices=("junit",), help="extra output formats")
    grade.add_argument("--gpus", nargs="?", const="all", default=None, help="run GPU tests (all, or a device list)")
    grade.add_argument("--retries", type=int, default=2, help="retries of a grader fault before it is recorded (default 2)")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument("--gradebook", metavar="PATH", help="SQLite gradebook recording every attempt (default OUT/gradebook.sqlite)")
    grade.add_argument("--resume", action="store_true", help="skip submissions the gradebook already holds a result for (same content)")
    grade.set_defaults(run=_cmd_grade)

    export = commands.add_parser("export", help="write grades from a gradebook: csv (one file), gradescope (results.json per "
                                 "submission), canvas or moodle (a gradebook import file, with --roster)")
    export.add_argument("format", choices=("csv", "gradescope", "canvas", "moodle"))
    export.add_argument("--gradebook", required=True, metavar="PATH")
    export.add_argument("--assignment", metavar="ID", help="only this assignment (required if the gradebook holds several)")
    export.add_argument("--out", required=True, metavar="PATH", help="CSV file, or folder for gradescope")
    export.add_argument("--roster", metavar="CSV", help="canvas/moodle: the students (the LMS's gradebook export, or any CSV of names, emails, ids)")
    export.add_argument("--column", metavar="NAME", help="canvas/moodle: the grade column's name (default: the roster's column for "
                        "the assignment, else its title)")
    export.add_argument("--out-of", type=float, metavar="POINTS", help="canvas/moodle: scale scores to this many points")
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
    validate.add_argument("--sandbox", default="process", choices=_sandbox_choices())
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

    gradescope = commands.add_parser("gradescope", help="make the autograder zip for Gradescope (setup.sh, run_autograder, hidden tests)")
    gradescope.add_argument("assignment", metavar="ID")
    gradescope.add_argument("--out", required=True, metavar="ZIP")
    gradescope.add_argument("--wheels", metavar="DIR", help="put this wheelhouse in the zip: setup.sh then installs offline")
    gradescope.set_defaults(run=_cmd_gradescope)

    classroom = commands.add_parser("classroom", help="grade a student's repository in GitHub Actions and report points to GitHub Classroom")
    classroom.add_argument("assignment", metavar="ID")
    classroom.add_argument("--repository", default=".", metavar="DIR", help="the student's checkout (default: here)")
    classroom.add_argument("--file", metavar="NAME", help="the file to grade (default: MODULE.py, or ID.ipynb when MODULE.py is the untouched stub)")
    classroom.add_argument("--sandbox", default="auto", choices=("auto", "process", "bwrap"))
    classroom.add_argument("--seed", type=int)
    classroom.set_defaults(run=_cmd_classroom)

    report = commands.add_parser("report", help="an HTML page per assignment for instructors: scores, tasks, tests, mistakes, errors")
    report.add_argument("--gradebook", required=True, metavar="PATH")
    report.add_argument("--out", required=True, metavar="HTML", help="the page (with several assignments: OUT-<id>.html each)")
    report.add_argument("--assignment", metavar="ID", help="only this assignment")
    report.set_defaults(run=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    return options.run(options)


if __name__ == "__main__":
    sys.exit(main())
