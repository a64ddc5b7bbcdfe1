"""The ``exitcheck`` console script (入口): Ctrl-C at any moment, even while Python is still
importing pandas and scipy, ends with one line and exit status 130, never a traceback."""

from __future__ import annotations

import sys


def main() -> int:
    """Import the command line, then run it; an interrupt during the imports is handled too."""
    try:
        from workbench.cli import main as run

        return run()
    except KeyboardInterrupt:
        print("exitcheck: interrupted", file=sys.stderr)
        return 130
