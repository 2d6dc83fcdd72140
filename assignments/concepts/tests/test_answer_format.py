"""Public checks of the concepts assignment: is every answer in ANSWERS of the right FORMAT?

One test per question (its task): a letter among its options, a list of such
letters, a number, a whole number. These checks never say whether an answer is
right; there is no key here.
"""

from autograder.question_grading import format_problem, parametrize_questions, sheet_of


def pytest_generate_tests(metafunc):
    parametrize_questions(metafunc)


def test_answer_format(question, submission):
    """The format of your answer"""
    answers, malformed = sheet_of(submission)
    problem = format_problem(question, answers, malformed)
    if problem:
        raise AssertionError(problem)
