"""The ``cscbench`` command: a thin layer over library functions a notebook can call too.

Every command prints a table (default), CSV or JSON, reads the shipped snapshot unless
``--data DIR`` names another snapshot or a folder of raw DfE files, and turns any error into
one line on standard error with exit status 2.

A command line that names a command imports only the module that registers it
(:data:`COMMAND_HOMES`): typer builds every command it holds before running one, so
``cscbench benchmark`` would otherwise build all 21. ``app`` (as ``from cscbench.cli import
app``) holds every command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib import import_module

import typer

from cscbench.errors import CscbenchError

#: The modules that register commands on ``app``, in the order ``--help`` lists them.
COMMAND_MODULES = ("views", "pack", "data", "local")

#: The module of :data:`COMMAND_MODULES` that registers each top-level command or group
#: (tests/test_cli.py checks it against what each module registers).
COMMAND_HOMES = {
    **dict.fromkeys(
        ("benchmark", "targets", "table", "rank", "trend", "outliers", "chart", "narrative"),
        "views",
    ),
    "inspections": "views",
    "report": "pack",
    **dict.fromkeys(("data", "indicators", "areas"), "data"),
    "local": "local",
}

__all__ = ["COMMAND_HOMES", "COMMAND_MODULES", "app", "commands_for", "main", "usage_line"]


def commands_for(args: Sequence[str]) -> typer.Typer:
    """The app with the commands a command line ``args`` can run: the module of the command
    it names (its first word), else every module (no command, ``--help``, ``--version``, a
    misspelt command, which typer answers with the names it knows).

    Example:
        >>> COMMAND_HOMES["benchmark"], COMMAND_HOMES["report"]
        ('views', 'pack')
    """
    from cscbench.cli.common import app

    home = COMMAND_HOMES.get(args[0]) if args else None
    for module in (home,) if home is not None else COMMAND_MODULES:
        import_module(f"cscbench.cli.{module}")
    return app


def __getattr__(name: str):
    if name == "app":  # every command, as --help lists them
        return commands_for([])
    raise AttributeError(f"module 'cscbench.cli' has no attribute {name!r}")


def usage_line(exc: typer.TyperException) -> str:
    """A command-line mistake (unknown option, bad value, missing argument) as one line naming
    the command and where to read its help.

    Example:
        >>> from typer.testing import CliRunner
        >>> from cscbench.cli import app
        >>> run = CliRunner().invoke(app, ["rank"], prog_name="cscbench", standalone_mode=False)
        >>> usage_line(run.exception)
        "cscbench rank: missing argument 'indicator' (see 'cscbench rank --help')"
    """
    message = exc.format_message().rstrip(".")
    message = message[:1].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return f"cscbench: {message}"
    return f"{ctx.command_path}: {message} (see '{ctx.command_path} --help')"


def main() -> None:
    """Entry point: run the app, turning errors into one line and a non-zero exit."""
    try:
        app = commands_for(sys.argv[1:])
        status = app(prog_name="cscbench", standalone_mode=False)
    except typer.TyperException as exc:  # the command line itself is wrong
        if type(exc).__name__ == "NoArgsIsHelpError":  # no arguments: the help is the answer
            typer.echo(exc.format_message(), err=True)
        else:
            typer.echo(usage_line(exc), err=True)
        sys.exit(2)
    except CscbenchError as exc:
        typer.echo(f"cscbench: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug, not bad input: still one line unless asked for more
        if os.environ.get("CSCBENCH_DEBUG"):
            raise
        typer.echo(
            f"cscbench: internal error: {type(exc).__name__}: {exc} "
            "(set CSCBENCH_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(3)
    if isinstance(status, int) and status:  # typer.Exit(code), or 130 for Ctrl-C
        sys.exit(status)
