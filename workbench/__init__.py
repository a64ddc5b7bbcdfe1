"""Command-line interface and report runner for the exit verification workbench."""
