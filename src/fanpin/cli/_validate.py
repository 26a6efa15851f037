"""``fanpin validate``: check a household file against the contract."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from ..config import load_monitoring_lines
from ..exceptions import DataRepairWarning, SchemaError
from ..messages import N_
from ..schema import COLUMNS, read_households, summarise_panel
from ._app import PanelArgument, app, console, err_console, fail_on_fanpin_error
from ._i18n import describe, tr
from ._output import cell, say

MSG_NOT_VALID = N_("✗ {name} is not valid")
MSG_REPAIRED = N_("repaired: ")
MSG_VALID = N_(
    "✓ {name} is valid: {rows:,} rows, {households:,} households, years "
    "{first}–{last}, {provinces} province(s), {counties} county(ies); "
    "{filled}/{total} contract columns filled."
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


@app.command("validate")
def validate(
    path: PanelArgument,
    lines: LinesOption = None,
) -> None:
    """Check a household file against the data contract and summarise it.

    Exit code 0 when the file is valid, 1 when it is not (every problem is listed).
    """
    with fail_on_fanpin_error():
        monitoring = load_monitoring_lines(lines)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataRepairWarning)
            try:
                panel = read_households(path)
            except SchemaError as exc:
                say(MSG_NOT_VALID, name=path.name, style="red", err=True)
                raise exc
        for w in caught:
            err_console.print(
                Text.assemble((tr(MSG_REPAIRED), "yellow"), describe(w.message))
            )
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
        console.print(summary_table(summarise_panel(panel, monitoring)))
