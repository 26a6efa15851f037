"""The ``fanpin`` command line: a thin typer app over the library.

Only this subpackage prints; nothing imports it. It speaks Chinese or English
(``--lang``, ``FANPIN_LANG``, the locale; see :mod:`fanpin.cli._i18n`).
"""

from __future__ import annotations

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
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``fanpin`` console script (and ``python -m fanpin``)."""
    app()
