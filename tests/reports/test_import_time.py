"""Import-time fix: `exitcheck` processes do not build rfc3987_syntax's lark parsers (1.4 s)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.slow
def test_nbformat_import_skips_the_iri_grammar() -> None:
    code = (
        "import sys, workbench.runner, jsonschema\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "assert 'lark' not in sys.modules\n"
        "assert 'iri' not in jsonschema.FormatChecker.checkers\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
