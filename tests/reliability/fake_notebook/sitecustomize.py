"""Loaded by the ``exitcheck`` subprocesses of the nothing-lost tests (via PYTHONPATH).

Slows the last step of ``exitcheck assess`` — rendering the report page — by
``FAKE_NOTEBOOK_SECONDS``, so a test can kill the real command part-way (after the records are
written, before the report is) or run two at once. Everything else — checks, computation,
version folders, lock, copies, records, STATUS — is the real code.
"""

import os
import time

import workbench.reporting as _reporting

_write_page = _reporting.write_page


def _slow_write_page(*args, **kwargs):
    time.sleep(float(os.environ.get("FAKE_NOTEBOOK_SECONDS", "1")))
    return _write_page(*args, **kwargs)


_reporting.write_page = _slow_write_page
