"""Command-line interface and report runner for the exit verification workbench."""

import sys

# Import-time fix: nbformat (papermill, nbconvert) imports jsonschema, whose optional "iri" format
# check imports ``rfc3987_syntax`` (installed for jupyter_events) and builds ~40 lark parsers —
# 1.4 s in every `exitcheck` process. No notebook schema uses that format, so it is not loaded.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
