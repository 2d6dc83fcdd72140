"""``autograder report``: one self-contained HTML page per assignment for instructors.

- :mod:`~autograder.report.stats`  what the class did, from a gradebook's latest results
- :mod:`~autograder.report.plots`  the figures (matplotlib, embedded as SVG data)
- :mod:`~autograder.report.page`   the HTML page (no script, no network: a Content-Security-Policy forbids both)
"""
