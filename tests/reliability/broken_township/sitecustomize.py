"""Loaded by the ``exitcheck demo`` subprocess of the batch test (via PYTHONPATH).

Breaks the survey returns of one township (``BROKEN_TOWNSHIP``): its first data row is written
twice, as a field team's copy-paste slip would. Everything else is the real pipeline.
"""

import os

import workbench.pipeline as _pipeline

_real_survey = _pipeline._survey


def _broken_survey(run_dir, township, survey_dir, seed, demo_seed):
    survey, villages = _real_survey(run_dir, township, survey_dir, seed, demo_seed)
    if township == os.environ.get("BROKEN_TOWNSHIP"):
        lines = survey.read_bytes().splitlines(keepends=True)
        survey.write_bytes(b"".join([*lines, lines[1]]))
    return survey, villages


_pipeline._survey = _broken_survey
