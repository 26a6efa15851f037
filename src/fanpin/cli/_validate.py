"""``fanpin validate``: check a household file against the contract."""

from __future__ import annotations

import shlex
import warnings
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from ..config import load_monitoring_lines
from ..exceptions import DataRepairWarning, FanpinWarning, SchemaError
from ..io import TableLayout, inspect_table
from ..messages import N_, Message
from ..schema import COLUMNS, HEADER_NAMES, read_households, summarise_panel
from ._app import PanelArgument, app, console, err_console, fail_on_fanpin_error
from ._i18n import describe, tr
from ._output import cell, say

MSG_NOT_VALID = N_("✗ {name} is not valid")
MSG_REPAIRED = N_("repaired: ")
MSG_WARNED = N_("warning: ")
MSG_VALID = N_(
    "✓ {name} is valid: {rows:,} rows, {households:,} households, years "
    "{first}–{last}, {provinces} province(s), {counties} county(ies); "
    "{filled}/{total} contract columns filled."
)
MSG_HEADER_AT = N_("Header on row {row}; {skipped} title row(s) above it skipped.")
MSG_SHEET_AT = N_(
    "Read sheet {sheet!r} (of {n}); header on row {row}, {skipped} title row(s) "
    "above it skipped."
)
MSG_NEXT_CONVERT = N_(
    "Next: convert it once to Parquet (fast to stream, sorted by county), then "
    "train or score on the Parquet file:\n  {convert}\n  {train}"
)
MSG_NEXT_TRAIN = N_(
    "Next: train a model on it (or score it with your model):\n  {train}"
)

MSG_ABSENT = N_("Optional columns absent or empty: {columns}")
MSG_EXTRA = N_("Extra columns kept, not used by the models: {columns}")
MSG_FALLBACK = N_(
    "Note: the default line applies to {n} province(s) without a line of their "
    "own: {provinces} (check the spelling if a province should have its own line)."
)
MSG_SUMMARY = N_("Panel summary")
MSG_SEP = N_(", ")
SUMMARY_HEADS = {
    "year": N_("year"),
    "households": N_("households"),
    "mean_income_pc": N_("income per person"),
    "in_hardship": N_("in hardship"),
    "share": N_("share"),
    "income": N_("income"),
    "housing": N_("housing"),
    "water": N_("water"),
    "dropout": N_("dropout"),
}

LinesOption = Annotated[
    Path | None,
    typer.Option(
        "--lines", help="Your monitoring-lines YAML (default: the shipped table)."
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="Excel: the sheet to read (name, or number from 0); default: the "
        "sheet whose header holds the contract's columns.",
    ),
]

def summary_table(summary: pd.DataFrame) -> Table:
    """Render :func:`fanpin.schema.summarise_panel` as a rich table."""
    table = Table(title=cell(tr(MSG_SUMMARY)))
    table.add_column(cell(tr(SUMMARY_HEADS["year"])), justify="right")
    for c in summary.columns:
        head = tr(SUMMARY_HEADS[c]) if c in SUMMARY_HEADS else c
        table.add_column(cell(head), justify="right")
    for year, row in summary.iterrows():
        cells = [f"{v:.1%}" if c == "share" else f"{v:,.0f}" for c, v in row.items()]
        table.add_row(cell(year), *(cell(v) for v in cells))
    return table


def next_steps(path: Path, layout: TableLayout, latest_year: int) -> Message:
    """What to run after a successful ``validate`` of ``path``."""
    model = f"models/{latest_year}"
    if layout.kind == "parquet":
        train = f"fanpin train {shlex.quote(str(path))} --out {model}"
        return Message(MSG_NEXT_TRAIN, train=train)
    parquet = path.with_suffix(".parquet")
    if parquet == path:  # pragma: no cover - a .parquet file is Parquet
        parquet = path.with_name(path.name + ".parquet")
    convert = f"fanpin convert {shlex.quote(str(path))} {shlex.quote(str(parquet))}"
    train = f"fanpin train {shlex.quote(str(parquet))} --out {model}"
    return Message(MSG_NEXT_CONVERT, convert=convert, train=train)


def print_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Repairs as "repaired:" lines, other fanpin warnings as "warning:" lines."""
    for w in caught:
        if issubclass(w.category, DataRepairWarning):
            prefix = tr(MSG_REPAIRED)
        elif issubclass(w.category, FanpinWarning):
            prefix = tr(MSG_WARNED)
        else:
            prefix = None
        if prefix is not None:
            err_console.print(Text.assemble((prefix, "yellow"), describe(w.message)))
        else:  # not fanpin's: shown the usual way
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def header_note(layout: TableLayout) -> Message | None:
    """Where the table was found, when not on the first row of the only sheet."""
    if layout.kind == "parquet" or (layout.title_rows == 0 and layout.n_sheets < 2):
        return None
    if layout.kind == "excel":
        return Message(
            MSG_SHEET_AT,
            sheet=layout.sheet,
            n=layout.n_sheets,
            row=layout.header_row,
            skipped=layout.title_rows,
        )
    return Message(MSG_HEADER_AT, row=layout.header_row, skipped=layout.title_rows)


@app.command("validate")
def validate(
    path: PanelArgument,
    lines: LinesOption = None,
    sheet: SheetOption = None,
) -> None:
    """Check a household file against the data contract and summarise it.

    Exit code 0 when the file is valid, 1 when it is not (every problem is listed,
    with the household, year and row of the file).
    """
    with fail_on_fanpin_error():
        monitoring = load_monitoring_lines(lines)
        layout = inspect_table(path, known_columns=HEADER_NAMES, sheet=sheet)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FanpinWarning)
            try:
                panel = read_households(path, sheet=sheet)
            except SchemaError:
                say(MSG_NOT_VALID, name=path.name, style="red", err=True)
                raise
        # Everything that can still fail (the lines of every year) before "valid".
        summary = summarise_panel(panel, monitoring)
        print_warnings(caught)
        note = header_note(layout)
        if note is not None:
            console.print(Text(tr(note)))
        present = [c for c in COLUMNS if panel[c.name].notna().any()]
        say(MSG_VALID, name=path.name, rows=len(panel),
            households=panel["household_id"].nunique(),
            first=int(panel["year"].min()), last=int(panel["year"].max()),
            provinces=panel["province"].nunique(), counties=panel["county"].nunique(),
            filled=len(present), total=len(COLUMNS), style="green")  # fmt: skip
        sep = tr(MSG_SEP)
        absent = [f"{c.name} ({c.alias})" for c in COLUMNS if c not in present]
        if absent:
            say(MSG_ABSENT, columns=sep.join(absent))
        extra = [str(c) for c in panel.columns if c not in {k.name for k in COLUMNS}]
        if extra:
            say(MSG_EXTRA, columns=sep.join(extra))
        own = set(monitoring.provinces)
        fallback = sorted(
            str(v) for v in panel["province"].dropna().unique() if str(v) not in own
        )
        if fallback:
            shown = sep.join(fallback[:10]) + (sep + "…" if len(fallback) > 10 else "")
            say(MSG_FALLBACK, n=len(fallback), provinces=shown)
        console.print(summary_table(summary))
        console.print(Text(tr(next_steps(path, layout, int(panel["year"].max())))))
