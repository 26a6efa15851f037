"""The ``fanpin`` command line: a thin typer app over the library.

Only this subpackage prints; nothing imports it.
"""

from __future__ import annotations

import warnings

# Each import registers its commands on ``app``.
from . import (
    _alerts,  # noqa: E402,F401
    _cases,  # noqa: E402,F401
    _convert,  # noqa: E402,F401
    _evaluate,  # noqa: E402,F401
    _report,  # noqa: E402,F401
    _score,  # noqa: E402,F401
    _simulate,  # noqa: E402,F401
    _train,  # noqa: E402,F401
    _validate,  # noqa: E402,F401
)
from ._app import app, err_console

__all__ = ["app", "main"]


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings for the person at the terminal: one yellow line, no source code."""
    err_console.print(f"[yellow]warning:[/yellow] {message}", highlight=False)


def main() -> None:
    """Entry point of the ``fanpin`` console script (and ``python -m fanpin``)."""
    warnings.showwarning = _show_warning
    app()
