"""The instructor report page: one self-contained HTML file per assignment.

No script and nothing fetched: the figures are SVG ``data:`` images, the style is
inline, and a Content-Security-Policy forbids anything else, so the page renders
the same offline and cannot be made to load anything by the text it shows (file
names and failure messages come from submissions: all of it is escaped).
"""

from __future__ import annotations

import base64
import datetime
import html
import pathlib

from autograder import __version__
from autograder.report import plots
from autograder.report.stats import AssignmentStats

__all__ = ["render_report", "write_report"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
.meta { color: #6e7781; } .cards { display: flex; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .6em 1em; min-width: 8em; }
.card b { display: block; font-size: 1.5em; } .figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eaeef2; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; } th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { background: #f6f8fa; } td.n { text-align: right; white-space: nowrap; } code { background: #f6f8fa; padding: 0 .2em; border-radius: 3px; }
.ok { color: #1a7f37; } .student_error { color: #9a6700; } .grader_error { color: #cf222e; font-weight: bold; }
.empty { color: #6e7781; font-style: italic; } pre { white-space: pre-wrap; margin: 0; font-size: 12px; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _figure(svg: str | None, alt: str) -> str:
    if svg is None:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/svg+xml;base64,{data}"></figure>'


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), empty: str = "none") -> str:
    if not rows:
        return f'<p class="empty">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f'<td class="n">{cell}</td>' if index in numeric else f"<td>{cell}</td>" for index, cell in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def render_report(stats: AssignmentStats, source: str = "") -> str:
    """The whole page for one assignment."""
    generated = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    mean = f"{stats.mean:.3g}" if stats.mean is not None else "–"
    median = f"{stats.median:.3g}" if stats.median is not None else "–"
    statuses = "".join(f'<div class="card"><b class="{_e(status)}">{count}</b>{_e(status)}</div>' for status, count in sorted(stats.statuses.items()))
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(stats.assignment)}: instructor report</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(stats.title)} <code>{_e(stats.assignment)}</code></h1>",
        f'<p class="meta">{stats.submissions} submission(s) (latest result of each) from {_e(source)}; generated {_e(generated)} by autograder {__version__}. '
        f"Assignment version(s): {_e(', '.join(stats.assignment_versions) or '–')}; {len(stats.seeds)} grading seed(s).</p>",
        f'<div class="cards"><div class="card"><b>{stats.submissions}</b>submissions</div>'
        f'<div class="card"><b>{mean}</b>mean score / {stats.max_score:g}</div><div class="card"><b>{median}</b>median</div>{statuses}</div>',
        "<h2>Scores</h2>",
        '<div class="figures">' + _figure(plots.score_histogram(stats), "score distribution") + _figure(plots.time_histogram(stats), "grading time per submission") + "</div>",
        "<h2>Tasks</h2>",
        _figure(plots.task_chart(stats), "per-task scores"),
        _table(["task", "points", "mean share of points", "full marks", "graded"],
               [[f"<code>{_e(t.id)}</code> {_e(t.title)}", f"{t.points:g}", _pct(t.mean_fraction), _pct(t.complete_share), str(t.graded)] for t in stats.tasks],
               numeric={1, 2, 3, 4}),
        "<h2>Hidden tests</h2>",
        '<p class="meta">Share of the <code>ok</code> submissions that passed each test.</p>',
        _figure(plots.test_chart(stats), "per-test pass rates"),
        "<h2>Diagnosed mistakes</h2>",
        '<p class="meta">Known mistakes the tests recognised (hints of <code>assert_close</code>, and sign or factor errors), by the number of submissions that made them.</p>',
        _figure(plots.mistakes_chart(stats), "diagnosed mistakes"),
        _table(["task", "it looks like the student…", "submissions", "test failures", "seen in"],
               [[f"<code>{_e(m.task)}</code>", _e(m.text), str(m.submissions), str(m.tests), _e(m.example)] for m in stats.mistakes],
               numeric={2, 3}, empty="no hint fired"),
        "<h2>Most common failure messages</h2>",
        '<p class="meta">Numbers blanked (<code>#</code>) so that the same mistake on other inputs counts once per submission.</p>',
        _table(["task", "message", "submissions", "test failures", "an example"],
               [[f"<code>{_e(f.task)}</code>", _e(f.text), str(f.submissions), str(f.tests), f"<pre>{_e(f.example)}</pre>"] for f in stats.failures[:25]],
               numeric={2, 3}, empty="no test failed"),
    ]
    if stats.concepts:
        parts += [
            "<h2>Concept questions</h2>",
            _figure(plots.concept_chart(stats), "concept questions answered right"),
            _table(["task", "question", "answered", "right", "not answered", "most common wrong answers"],
                   [[f"<code>{_e(q.task)}</code>", _e(q.label), str(q.answered), _pct(q.share_right), str(q.unanswered),
                     "; ".join(f"<code>{_e(answer)}</code> ({count})" for answer, count in q.wrong_answers) or "–"] for q in stats.concepts],
                   numeric={2, 3, 4}),
        ]
    parts += [
        "<h2>Statuses and errors</h2>",
        '<p class="meta"><span class="grader_error">grader_error</span>: the grader failed; no score was recorded: regrade these. '
        '<span class="student_error">student_error</span>: the submission could not be used (its score is 0).</p>',
        "<h3>Grader errors</h3>",
        _table(["submission", "message"], [[_e(name), f"<pre>{_e(message[:2000])}</pre>"] for name, message in stats.grader_errors], empty="none"),
        "<h3>Submissions that could not be used</h3>",
        _table(["submission", "message"], [[_e(name), f"<pre>{_e(message[:1000])}</pre>"] for name, message in stats.student_errors], empty="none"),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(stats: AssignmentStats, out: pathlib.Path, source: str = "") -> pathlib.Path:
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(stats, source), encoding="utf-8")
    return out
