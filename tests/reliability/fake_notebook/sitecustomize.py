"""Loaded by the ``exitcheck`` subprocesses of the nothing-lost tests (via PYTHONPATH).

Replaces the report notebook of ``exitcheck assess`` by a stand-in that writes its files slowly
(``FAKE_NOTEBOOK_SECONDS``), so a test can kill the real command part-way or run two at once
without paying for Jupyter kernels. Everything else — checks, version folders, lock, copies,
STATUS — is the real code.
"""

import json
import os
import time
from pathlib import Path

import workbench.commands.assess as _assess


def _fake_run_notebook(name, parameters, out_dir, html_name, lang="zh"):
    out = Path(out_dir)
    (out / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    time.sleep(float(os.environ.get("FAKE_NOTEBOOK_SECONDS", "1")))
    (out / "results.json").write_text(json.dumps({"version": parameters["version"]}))
    (out / html_name).write_text("<html></html>", encoding="utf-8")
    return out / html_name


_assess.run_notebook = _fake_run_notebook
