import pytest

from autograder.spec import SpecError, load_spec


def write(tmp_path, text):
    (tmp_path / "assignment.toml").write_text(text)
    return tmp_path


def test_loads_tasks_points_and_limits(toy_spec):
    assert [t.id for t in toy_spec.tasks] == ["scale", "stats"]
    assert toy_spec.max_score == 3
    assert toy_spec.limits.call_timeout_s == 3
    assert toy_spec.task_of_function("apply_twice").id == "stats"
    assert "torch" in toy_spec.forbidden_imports


@pytest.mark.parametrize("text, phrase", [
    ('title = "x"\n[[tasks]]\nid="a"\npoints=1\n', "missing key 'id'"),
    ('id = "x"\n[[tasks]]\nid="a"\npoints=1\n[[tasks]]\nid="a"\npoints=2\n', "duplicate task ids"),
    ('id = "x"\n[limits]\nbogus = 1\n[[tasks]]\nid="a"\npoints=1\n', "unknown limits"),
    ('id = "Bad-Id"\n[[tasks]]\nid="a"\npoints=1\n', "must be lower-case"),
    ('id = "x"\ntasks = [\n', "assignment.toml"),
])
def test_malformed_specs_are_explained(tmp_path, text, phrase):
    with pytest.raises(SpecError, match=phrase):
        load_spec(write(tmp_path, text))


def test_a_snapshot_is_a_separate_copy_with_the_same_hash(toy_spec, tmp_path):
    from autograder.spec import assignment_version, snapshot_spec, source_hash

    (toy_spec.root / "__pycache__").mkdir(exist_ok=True)
    (toy_spec.root / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    copy = snapshot_spec(toy_spec, tmp_path / "snap")
    assert copy.root != toy_spec.root and copy.id == toy_spec.id and copy.tasks == toy_spec.tasks
    assert source_hash(copy.root) == source_hash(toy_spec.root) and not (copy.root / "__pycache__").exists()
    before = assignment_version(toy_spec)
    test_file = next((toy_spec.root / "tests" / "hidden").glob("test_*.py"))
    test_file.write_text(test_file.read_text() + "\n# edited while a batch runs\n")
    assert assignment_version(toy_spec) != before and assignment_version(copy) == before
    assert before.startswith(toy_spec.version + "+")
