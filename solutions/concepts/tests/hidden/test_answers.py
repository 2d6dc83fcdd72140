"""Hidden tests of the concepts assignment: each answer compared with key.toml.

One test per question (its task). The verdict and the student's normalised
answer are recorded for instructor statistics (``record_property``); the failure
message names the question and says wrong, unanswered or malformed, never the
key (the explanation only with ``reveal = "explanations"``).
"""

from autograder.question_grading import judge, parametrize_questions, sheet_of


def pytest_generate_tests(metafunc):
    parametrize_questions(metafunc, with_key=True)


def test_answer(question, key, reveal, submission, record_property):
    """Your answer"""
    answers, malformed = sheet_of(submission)
    judged = judge(question, answers, malformed, key, reveal)
    record_property("verdict", judged.verdict)
    record_property("answer", judged.answer)
    if not judged.right:
        raise AssertionError(judged.message)
