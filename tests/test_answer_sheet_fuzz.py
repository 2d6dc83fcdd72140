"""Fuzzing the static reader of ANSWERS: any text gives a sheet (never an exception), and the
module written from it is plain literals that parse, hold every question id and nothing else."""

from __future__ import annotations

import ast

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from autograder.answer_sheet import answers_module, read_python_answers  # noqa: E402

IDS = ("pick", "several", "ratio", "count")
SETTINGS = settings(max_examples=300, deadline=None)

FRAGMENTS = ['ANSWERS = {', '}', 'ANSWERS["pick"] = ', 'ANSWERS["count"] = ', '"b"', "'a'", "12", "3*3*64", "1/0", "2**9999", "(",
             ")", "[", "]", '["a", "c"]', "{'a'}", "f(x)", "np.pi", "\n", "    ", "#", '"""', "'''", "\\", ",", ":", "lambda: 1",
             "ANSWERS", "[", "-", "**", "1e308", "None", "True", "def f(:\n", "import os\n", "ANSWERS.update({})\n", '"pick": ']


def assert_literal_module(text: str) -> None:
    sheet = read_python_answers(text, "quiz.py", IDS)
    module = answers_module(sheet, IDS)
    tree = ast.parse(module)
    assigned = [node.targets[0].id for node in tree.body if isinstance(node, ast.Assign)]
    assert assigned == ["ANSWERS", "MALFORMED"]
    namespace = {name: ast.literal_eval(node.value) for name, node in zip(assigned, (n for n in tree.body if isinstance(n, ast.Assign)))}
    assert set(namespace["ANSWERS"]) | set(namespace["MALFORMED"]) == set(IDS)
    assert not set(namespace["ANSWERS"]) & set(namespace["MALFORMED"])
    for value in namespace["ANSWERS"].values():
        assert value is None or type(value) in (str, int, float, bool, list)


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_reads_without_error(text):
    assert_literal_module(text)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_answer_like_fragments_read_without_error(fragments):
    assert_literal_module("".join(fragments))
