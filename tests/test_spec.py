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
