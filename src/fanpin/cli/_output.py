"""What the command line prints: translated, and never read as rich markup.

Every value that comes from the data or the user (a village named ``[/]``, a
path with ``[postgres]`` in it) reaches the terminal as plain text: messages are
printed as :class:`rich.text.Text`, never as markup strings, and table cells go
through :func:`cell`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.text import Text

from ..messages import N_
from ._i18n import describe, tr

__all__ = [
    "MSG_ERROR",
    "MSG_NEXT",
    "MSG_OUTPUTS",
    "MSG_WARNING",
    "cell",
    "command_line",
    "console",
    "err_console",
    "finish",
    "fit_width",
    "say",
    "show_error",
    "show_warning",
    "wrap_cjk",
    "year_span",
]

MSG_ERROR = N_("error: ")
MSG_WARNING = N_("warning: ")
MSG_OUTPUTS = N_("Outputs:")
MSG_NEXT = N_("Next:")

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


#: Chinese characters and full-width punctuation: a line may break between any two.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
#: Punctuation that must not start a line, and that must not end one.
_CLOSE = "，。、；：？！）》〉】」』〕…—％”’"
_OPEN = "（《〈【「『〔“‘"
_CJK_WORD = re.compile(
    rf"\s*(?:[{_OPEN}]*[{_CJK}][{_CLOSE}]*"
    rf"|[^\s{_CJK}{_OPEN}{_CLOSE}]+[{_CLOSE}]*|\S)\s*"
)


def _rstrip_end(self: Text, size: int) -> None:
    """:meth:`rich.text.Text.rstrip_end` measured in cells, not characters (rich
    counts characters, so a wrapped Chinese line keeps its trailing space, is one
    cell too wide and gets cut with "…")."""
    excess = self.cell_len - size
    if excess > 0:
        trailing = len(self.plain) - len(self.plain.rstrip())
        if trailing:
            self.right_crop(min(trailing, excess))


def wrap_cjk() -> None:
    """Let rich wrap Chinese text between characters (it breaks lines only at
    spaces, so a Chinese help text or table cell is cut with "…"), keeping
    closing punctuation (，。）) off the start of a line."""
    from rich import _wrap

    _wrap.re_word = _CJK_WORD
    Text.rstrip_end = _rstrip_end  # type: ignore[method-assign]


def fit_width() -> None:
    """Size both consoles for this run: ``COLUMNS`` when set, else the terminal;
    piped output (make, cron, logs) gets 120 columns instead of rich's 80 so that
    the tables stay readable."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    elif sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    else:
        width = 120
    console.width = err_console.width = width


def say(template: str, /, *, style: str = "", err: bool = False, **params: Any) -> None:
    """Print a message in the reader's language (values as plain text)."""
    out = err_console if err else console
    out.print(Text(tr(template, **params), style=style))


def cell(value: object) -> Text:
    """A table cell or header that rich prints as it is (no markup)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return Text("")
    return Text(str(value))


def show_error(exc: BaseException) -> None:
    """``错误：`` (``error:``) and what the error says, on stderr."""
    err_console.print(Text.assemble((tr(MSG_ERROR), "bold red"), describe(exc)))


def show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001, ANN201
    """Warnings for the person at the terminal: one yellow label, no source code
    (a replacement for :func:`warnings.showwarning`)."""
    text = describe(message) if isinstance(message, Warning) else tr(str(message))
    err_console.print(Text.assemble((tr(MSG_WARNING), "yellow"), text))


def year_span(years: Iterable[int]) -> str:
    """``[2021, 2022, 2023]`` -> ``"2021–2023"``; gaps are listed.

    Examples
    --------
    >>> year_span([2021, 2022, 2023]), year_span([2021, 2023])
    ('2021–2023', '2021, 2023')
    """
    ys = sorted({int(y) for y in years})
    if ys and ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 1:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def command_line(*words: object) -> str:
    """A command to copy into a shell (each word quoted where it must be).

    Examples
    --------
    >>> command_line("fanpin", "score", Path("my panel.csv"), "--township", "甲镇")
    "fanpin score 'my panel.csv' --township 甲镇"
    """
    return " ".join(_quote(str(w)) for w in words)


def _quote(word: str) -> str:
    """``shlex.quote``, but Chinese letters (滇01县01镇) need no quotes."""
    return word if _SAFE.fullmatch(word) else shlex.quote(word)


_SAFE = re.compile(r"[\w@%+=:,./-]+")


def finish(
    outputs: Iterable[tuple[str, Path | str]],
    steps: Sequence[tuple[str, str]] = (),
) -> None:
    """End a long command: where every output is, then the next step(s).

    ``outputs`` are (what it is, path); ``steps`` are (what it does, command).
    """
    rows = [(tr(what), str(path)) for what, path in outputs]
    if rows:
        console.print(Text(tr(MSG_OUTPUTS), style="bold"))
        width = max(_cells(path) for _, path in rows)
        for what, path in rows:
            pad = " " * (width - _cells(path))
            console.print(Text.assemble("  ", (path, "cyan"), pad, "  ", what))
    if steps:
        console.print(Text(tr(MSG_NEXT), style="bold"))
        for what, command in steps:
            console.print(Text("  " + tr(what)))
            console.print(Text.assemble("    ", (command, "green")))


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)
