"""The ``exitcheck`` entry point lists every subcommand and never shows a traceback for misuse."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workbench.cli import main
from workbench.commands import COMMANDS


def test_help_lists_every_subcommand_with_description(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("demo", "validate", "sample", "assess", "district", "review", "plan"):
        assert name in COMMANDS
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name))
        assert len(line.split(maxsplit=1)) == 2, f"{name} has no description"


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_console_script_runs_as_module() -> None:
    command = [sys.executable, "-m", "workbench.cli", "--help"]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr


def test_version_names_the_installed_distribution(capsys) -> None:
    from importlib import metadata

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"exitcheck {metadata.version('exitcheck')}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_subcommand_help_shows_an_example_and_defaults(name: str, capsys) -> None:
    """Issue 16: help with defaults and one example per subcommand."""
    from workbench.commands import EXAMPLES

    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: exitcheck {name}" in out
    assert "example: exitcheck " + name in " ".join(out.split())
    assert EXAMPLES[name].startswith(f"exitcheck {name}")
    if name in ("sample", "review", "allocate"):  # commands with defaulted options
        assert "(default:" in out


def test_a_wrong_option_shows_the_subcommands_usage(capsys) -> None:
    """Issue 16: `exitcheck sample --bogus` names `exitcheck sample`, not the top-level usage."""
    with pytest.raises(SystemExit) as done:
        main(["sample", "--households", "h.csv", "--villages", "v.csv", "--township", "T",
              "--design", "stratified", "--seed", "1", "--out", "o", "--bogus"])  # fmt: skip
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: exitcheck sample") and "--bogus" in err
    with pytest.raises(SystemExit) as done:
        main(["plan", "--threshold", "0.02", "--bogus", "1"])
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("usage: exitcheck plan")
