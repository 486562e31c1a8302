"""The ``cscbench`` command: a thin layer over library functions a notebook can call too.

Every command prints a table (default), CSV or JSON, reads the shipped snapshot unless
``--data DIR`` names another snapshot or a folder of raw DfE files, and turns any error into
one line on standard error with exit status 2.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

import typer

from cscbench.cli.common import app
from cscbench.errors import CscbenchError

#: The modules that register commands on ``app``, in the order ``--help`` lists them.
COMMAND_MODULES = ("views", "pack", "data", "local")
for _module in COMMAND_MODULES:
    import_module(f"cscbench.cli.{_module}")

__all__ = ["app", "main", "usage_line"]


def usage_line(exc: typer.TyperException) -> str:
    """A command-line mistake (unknown option, bad value, missing argument) as one line naming
    the command and where to read its help.

    Example:
        >>> from typer.testing import CliRunner
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
