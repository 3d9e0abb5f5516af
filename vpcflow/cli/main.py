"""The `vpcflow` command: a thin shell over the library. Each area registers its commands from its own module."""

from __future__ import annotations

import importlib
import sys

import typer
from rich.markup import escape

from .. import __version__
from ..errors import VpcFlowError
from .output import err_console

app = typer.Typer(
    name="vpcflow",
    help="A workbench for AWS VPC Flow Logs: read, store, analyze, detect, alert, show and emulate them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts show [/STREAM] and the like literally
)

# Each module defines register(app); the order is the order of `vpcflow --help`.
COMMAND_MODULES = [
    "demo",
    "store",
    "read",
    "alert",
    "simulate",
    "interop",
    "scale",
    "detect",
    "rules",
    "cost",
    "web",
    "aws",
    "aws_sandbox",
    "lab",
]


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"vpcflow {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_version, help="Print the version and exit."),
) -> None:
    """A workbench for AWS VPC Flow Logs: read, store, analyze, detect, alert, show and emulate them."""


def _load() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{name}").register(app)


_load()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a VpcFlowError becomes one line on stderr and its exit code, never a traceback."""
    try:
        code = app(args=argv, standalone_mode=False)  # click returns Exit's code when not standalone
        if isinstance(code, int):
            return code
    except VpcFlowError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            err_console.print("interrupted")
            return 130
        err_console.print("aborted")
        return 1
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except typer.TyperException as exc:  # usage errors, from the click typer vendors: its message, exit code 2
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
