"""The report's figures, drawn with matplotlib and returned as SVG text.

Each function takes :class:`~autograder.report.stats.AssignmentStats` and returns
an SVG document (glyphs as paths, so it needs no font), or ``None`` when there is
nothing to draw. The page embeds them as ``data:`` images.
"""

from __future__ import annotations

import io
import textwrap

from autograder.report.stats import AssignmentStats

__all__ = ["concept_chart", "mistakes_chart", "score_histogram", "task_chart", "test_chart", "time_histogram"]

BLUE, GREEN, RED, GREY = "#1f6feb", "#1a7f37", "#cf222e", "#6e7781"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.fonttype": "path", "svg.hashsalt": "autograder-report", "font.size": 9,
                                "axes.spines.top": False, "axes.spines.right": False})
    import matplotlib.pyplot as plt

    return plt


def _svg(figure) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def _integer_counts(axis) -> None:
    """Counts of submissions: whole-number ticks only."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _short(text: str, width: int = 60) -> str:
    return textwrap.shorten(text, width=width, placeholder="…")


def score_histogram(stats: AssignmentStats) -> str | None:
    """Distribution of total scores, with the mean and median marked."""
    if not stats.scores:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 2.8))
    top = stats.max_score or max(stats.scores) or 1.0
    bins = int(min(20, max(5, 2 * top)))  # half points up to 10 points, then 20 bins
    axes.hist(stats.scores, bins=bins, range=(0, top), color=BLUE, edgecolor="white")
    axes.axvline(stats.mean, color=RED, linestyle="--", label=f"mean {stats.mean:.3g}")
    axes.axvline(stats.median, color=GREEN, linestyle=":", label=f"median {stats.median:.3g}")
    axes.set_xlabel(f"score (out of {top:g})")
    axes.set_ylabel("submissions")
    _integer_counts(axes.yaxis)
    axes.set_title("Score distribution")
    axes.legend(frameon=False)
    return _svg(figure)


def time_histogram(stats: AssignmentStats) -> str | None:
    """Grading time per submission (seconds)."""
    if not stats.seconds:
        return None
    import numpy as np

    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 2.8))
    seconds = np.maximum(np.asarray(stats.seconds, dtype=float), 0.01)
    median = float(np.median(seconds))
    count = min(30, max(5, len(seconds) // 2))
    if seconds.max() > 10 * median:  # a few timeouts next to seconds-long gradings: a log axis shows both
        bins = np.geomspace(seconds.min(), seconds.max() * 1.01, count + 1)
        axes.set_xscale("log")
    else:
        bins = count
    axes.hist(seconds, bins=bins, color=GREY, edgecolor="white")
    axes.set_xlabel("seconds to grade one submission")
    axes.set_ylabel("submissions")
    _integer_counts(axes.yaxis)
    axes.set_title(f"Time per submission (median {median:.1f} s, longest {seconds.max():.0f} s)")
    return _svg(figure)


def task_chart(stats: AssignmentStats) -> str | None:
    """Per task: mean share of its points, and share of submissions with all of them."""
    if not stats.tasks:
        return None
    plt = _pyplot()
    tasks = stats.tasks[::-1]
    figure, axes = plt.subplots(figsize=(6.4, 0.45 * len(tasks) + 1.0))
    positions = range(len(tasks))
    axes.barh([p + 0.2 for p in positions], [100 * t.mean_fraction for t in tasks], height=0.4, color=BLUE, label="mean share of points")
    axes.barh([p - 0.2 for p in positions], [100 * t.complete_share for t in tasks], height=0.4, color=GREEN, label="full marks")
    axes.set_yticks(list(positions), [f"{t.id} ({t.points:g} pt)" for t in tasks])
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of graded submissions")
    axes.set_title("Per task", pad=22)
    axes.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8)
    return _svg(figure)


def test_chart(stats: AssignmentStats) -> str | None:
    """Per hidden test: the share of graded submissions that passed it, coloured by task."""
    tests = [test for test in stats.tests if test.total]
    if not tests:
        return None
    plt = _pyplot()
    palette = plt.get_cmap("tab10")
    task_colour = {task: palette(index % 10) for index, task in enumerate(dict.fromkeys(t.task for t in tests))}
    tests = tests[::-1]
    figure, axes = plt.subplots(figsize=(7.2, 0.22 * len(tests) + 1.0))
    axes.barh(range(len(tests)), [100 * t.pass_rate for t in tests], color=[task_colour[t.task] for t in tests])
    axes.set_yticks(range(len(tests)), [f"{t.task}: {_short(t.label, 55)}" for t in tests], fontsize=7)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of submissions that passed")
    axes.set_title("Per hidden test")
    return _svg(figure)


def mistakes_chart(stats: AssignmentStats, limit: int = 15) -> str | None:
    """The diagnosed mistakes seen in most submissions."""
    mistakes = stats.mistakes[:limit]
    if not mistakes:
        return None
    plt = _pyplot()
    mistakes = mistakes[::-1]
    figure, axes = plt.subplots(figsize=(7.2, 0.3 * len(mistakes) + 1.0))
    axes.barh(range(len(mistakes)), [m.submissions for m in mistakes], color=RED)
    axes.set_yticks(range(len(mistakes)), [f"{m.task}: {_short(m.text, 60)}" for m in mistakes], fontsize=7)
    axes.set_xlabel("submissions")
    _integer_counts(axes.xaxis)
    axes.set_title("Diagnosed mistakes")
    return _svg(figure)


def concept_chart(stats: AssignmentStats) -> str | None:
    """Concept questions: the share of students who answered right."""
    questions = stats.concepts
    if not questions:
        return None
    plt = _pyplot()
    questions = questions[::-1]
    figure, axes = plt.subplots(figsize=(6.4, 0.3 * len(questions) + 1.0))
    axes.barh(range(len(questions)), [100 * q.share_right for q in questions], color=GREEN)
    axes.set_yticks(range(len(questions)), [_short(q.label, 55) for q in questions], fontsize=7)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% answered right")
    axes.set_title("Concept questions")
    return _svg(figure)
