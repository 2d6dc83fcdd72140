"""``autograder gradescope ID --out autograder.zip``: the autograder zip Gradescope expects.

Gradescope unpacks the zip in ``/autograder/source``, runs ``setup.sh`` once to
build its image, then ``run_autograder`` for every submission
(https://gradescope-autograders.readthedocs.io/en/latest/specs/). The zip holds,
at its top level::

    setup.sh            installs Python >= 3.11, bubblewrap, the environment, the grader (gradescope_files/)
    run_autograder      grades /autograder/submission (autograder.formats.gradescope_run)
    requirements.txt    the harness's packages and their dependencies, pinned to this machine's versions
    autograder/         the framework
    assignment/         solutions/<id> without mutants/: spec, reference, public and hidden tests
    wheels/             only with ``wheels=``: a wheelhouse, so setup.sh installs offline

The zip is deterministic (fixed entry dates, sorted entries): the same inputs
give the same bytes, so a test can tag the image it builds by the zip's hash.
"""

from __future__ import annotations

import importlib.metadata
import pathlib
import zipfile

from autograder.spec import AssignmentSpec

__all__ = ["HARNESS_PACKAGES", "build_gradescope_zip", "pinned_requirements", "zip_entries"]

FILES = pathlib.Path(__file__).resolve().parent / "gradescope_files"
FRAMEWORK = pathlib.Path(__file__).resolve().parent.parent
#: what the harness imports (torch and scikit-learn are the oracles of hidden tests)
HARNESS_PACKAGES = ("numpy", "pytest", "torch", "scikit-learn")
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache", "mutants", ".ipynb_checkpoints"}
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)


class PackageError(RuntimeError):
    """The zip cannot be made (a package missing here, an assignment without hidden tests)."""


def pinned_requirements(packages: list[str] | tuple[str, ...]) -> list[str]:
    """``packages`` and everything they need, as ``name==version`` of what is installed here.

    Dependencies are followed through the installed distributions' metadata (extras
    and markers that do not apply here are skipped). A local version label is
    dropped (``torch==2.13.0`` matches the CPU build ``2.13.0+cpu``).
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    versions: dict[str, str] = {}
    todo = [canonicalize_name(name) for name in packages]
    while todo:
        name = todo.pop()
        if name in versions:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise PackageError(f"{name} is not installed here; install the grader's environment first (./setup.sh)") from None
        versions[name] = distribution.version.split("+")[0]
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(canonicalize_name(requirement.name))
    return [f"{name}=={version}" for name, version in sorted(versions.items())]


def _tree(root: pathlib.Path, prefix: str) -> list[tuple[str, pathlib.Path]]:
    """``(zip name, file)`` for every file under ``root`` (skipping caches, mutants, links)."""
    entries = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in _SKIPPED_DIRS for part in relative.parts) or path.suffix == ".pyc" or path.is_symlink() or not path.is_file():
            continue
        entries.append((f"{prefix}/{relative.as_posix()}", path))
    return entries


def zip_entries(spec: AssignmentSpec, wheels: pathlib.Path | None = None) -> list[tuple[str, pathlib.Path | bytes]]:
    """What goes in the zip, in order: ``(name, file or content)``."""
    if not spec.tests_dir("hidden").is_dir():
        raise PackageError(f"{spec.root} has no tests/hidden: package the solutions/ folder of {spec.id}, not its release")
    packages = list(HARNESS_PACKAGES) + [p for p in spec.student_packages or () if p not in HARNESS_PACKAGES]
    requirements = "\n".join(pinned_requirements(packages)) + "\n"
    entries: list[tuple[str, pathlib.Path | bytes]] = [
        ("setup.sh", FILES / "setup.sh"),
        ("run_autograder", FILES / "run_autograder"),
        ("requirements.txt", requirements.encode()),
    ]
    entries += _tree(FRAMEWORK, "autograder")
    entries += _tree(spec.root, "assignment")
    if wheels is not None:
        found = sorted(wheels.glob("*.whl"))
        if not found:
            raise PackageError(f"no wheels in {wheels}")
        entries += [(f"wheels/{wheel.name}", wheel) for wheel in found]
    return entries


def build_gradescope_zip(spec: AssignmentSpec, out: pathlib.Path, wheels: pathlib.Path | None = None) -> pathlib.Path:
    """Write the autograder zip of ``spec`` (a ``solutions/<id>`` spec) to ``out``; returns ``out``."""
    entries = zip_entries(spec, wheels)
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".part")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, source in entries:
            data = source if isinstance(source, bytes) else source.read_bytes()
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".whl") else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    temporary.replace(out)
    return out
