"""The ``exitcheck`` command: parses arguments and dispatches to ``workbench.commands``."""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence
from importlib import metadata
from types import ModuleType

from data_contracts.errors import DesignError, ExitcheckError, InputError, RequestError
from workbench.commands import COMMANDS, EXAMPLES

#: Exit status of each error class (the first class in an error's MRO that is listed wins);
#: the only place where library errors meet exit codes.
EXIT_CODES: dict[type[BaseException], int] = {
    InputError: 1,  # the input has problems
    DesignError: 1,  # the survey data do not support the design or the estimate
    RequestError: 2,  # the request cannot be carried out
    ExitcheckError: 2,
    OSError: 2,  # the environment failed: disk full, read-only folder, odd links
    KeyboardInterrupt: 130,
}
_OS_HINTS = {
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EROFS: "the folder is on a read-only file system; choose another --out folder",
    errno.EACCES: "permission denied; choose a folder you may write to",
    errno.EPERM: "operation not permitted; choose a folder you may write to",
    errno.ELOOP: "a symbolic link points to itself or loops; remove it",
}


def os_message(exc: OSError) -> str:
    """One line for an environment failure: what, where, and what to do (no traceback)."""
    where = f"{exc.filename}: " if exc.filename else ""
    hint = _OS_HINTS.get(exc.errno or 0, "nothing was recorded; run the command again")
    return f"{where}{exc.strerror or exc} ({hint})."


def exit_code(exc: BaseException) -> int:
    """The exit status for ``exc`` (see :data:`EXIT_CODES`)."""
    return next(EXIT_CODES[cls] for cls in type(exc).__mro__ if cls in EXIT_CODES)


def _command_module(name: str) -> ModuleType:
    """Import the module of one subcommand (only the one being run)."""
    return importlib.import_module(f"workbench.commands.{name}")


def _version() -> str:
    """The installed distribution's version."""
    try:
        return metadata.version("exitcheck")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Top-level parser; only ``command``'s own arguments are added (its module imported)."""
    parser = argparse.ArgumentParser(
        prog="exitcheck",
        description="脱贫退出第三方评估工作台 — exit verification workbench for assessors.",
    )
    parser.add_argument("--version", action="version", version=f"exitcheck {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        sp = sub.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"example: {EXAMPLES[name]}",
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        )
        if name == command:
            module = _command_module(name)
            module.add_arguments(sp)
            sp.set_defaults(_module=module)
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The parser of ``command`` (the top-level parser when there is none)."""
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return action.choices[command]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user mistakes become one message on stderr and a non-zero exit."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args, stray = parser.parse_known_args(argv)
    if stray:  # a wrong option: the subcommand's own usage, not the top-level one (exit 2)
        subparser = _subparser(parser, args.command)
        subparser.error(f"unrecognized arguments: {' '.join(stray)}")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args._module.run(args) or 0)
    except ExitcheckError as exc:
        print(f"exitcheck {args.command}: {exc.message}", file=sys.stderr)
        return exit_code(exc)
    except OSError as exc:
        print(f"exitcheck {args.command}: {os_message(exc)}", file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt as exc:
        print(f"exitcheck {args.command}: interrupted", file=sys.stderr)
        return exit_code(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
