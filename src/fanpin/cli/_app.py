"""The typer application object and the helpers every command shares.

Each command lives in its own module (``_simulate.py``, ``_validate.py`` ...) and
registers itself on :data:`app`. Only this subpackage prints.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..exceptions import FanpinError

__all__ = [
    "ModelOption",
    "PanelArgument",
    "app",
    "console",
    "err_console",
    "fail_on_fanpin_error",
]

PanelArgument = Annotated[
    Path,
    typer.Argument(help="Household panel: CSV (UTF-8 or GBK), Parquet or Excel."),
]
"""The panel argument every command that reads households takes."""
ModelOption = Annotated[
    Path, typer.Option("--model", help="Model directory from `fanpin train`.")
]
"""The ``--model`` option of the commands that score."""

app = typer.Typer(
    name="fanpin",
    help=(
        "fanpin: early warning of rural households at risk of falling (back) into "
        "poverty (防止返贫致贫监测预警), with reasons, assistance and case tracking."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (make, cron, logs) gets 120 columns instead of rich's 80 so that the
# bilingual tables stay readable.
_WIDTH = None if sys.stdout.isatty() else 120
console = Console(soft_wrap=True, width=_WIDTH)
err_console = Console(stderr=True, soft_wrap=True, width=_WIDTH)


@app.callback()
def _main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log progress to stderr."
    ),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@contextmanager
def fail_on_fanpin_error() -> Iterator[None]:
    """Turn a :class:`FanpinError` into a red message and exit code 1."""
    try:
        yield
    except FanpinError as exc:
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
