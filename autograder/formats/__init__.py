"""Where courses grade: the files each platform expects, one module per platform.

- :mod:`~autograder.formats.gradescope_package`  ``autograder gradescope``: the autograder zip
- :mod:`~autograder.formats.gradescope_run`      what that zip's ``run_autograder`` runs on Gradescope
- :mod:`~autograder.formats.github_classroom`    ``autograder classroom``: points for GitHub Classroom, a job summary
- :mod:`~autograder.formats.roster`              matching submissions to a course roster
- :mod:`~autograder.formats.lms`                 ``autograder export canvas|moodle``: gradebook import files

The Gradescope ``results.json``, CSV, JUnit and Markdown feedback of ``autograder
grade`` itself are written by :mod:`autograder.results`.
"""
