"""``fanpin validate``: check a household file against the contract."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from ..config import load_monitoring_lines
from ..exceptions import DataRepairWarning, SchemaError
from ..schema import COLUMNS, read_households, summarise_panel
from ._app import PanelArgument, app, console, err_console, fail_on_fanpin_error

LinesOption = Annotated[
    Path | None,
    typer.Option(
        "--lines", help="Your monitoring-lines YAML (default: the shipped table)."
    ),
]


def summary_table(summary: pd.DataFrame) -> Table:
    """Render :func:`fanpin.schema.summarise_panel` as a rich table."""
    heads = {
        "households": "households 户数",
        "mean_income_pc": "income/person 人均纯收入",
        "in_hardship": "in hardship 困难户",
        "share": "share 占比",
        "income": "income 收入",
        "housing": "housing 住房",
        "water": "water 饮水",
        "dropout": "dropout 辍学",
    }
    table = Table(title="Panel summary / 数据概况")
    table.add_column("year 年度", justify="right")
    for c in summary.columns:
        table.add_column(heads.get(c, c), justify="right")
    for year, row in summary.iterrows():
        cells = [f"{v:.1%}" if c == "share" else f"{v:,.0f}" for c, v in row.items()]
        table.add_row(str(year), *cells)
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
                err_console.print(f"[red]✗ {path.name} is not valid[/red]")
                raise exc
        for w in caught:
            err_console.print(f"[yellow]repaired:[/yellow] {w.message}")
        present = [c for c in COLUMNS if panel[c.name].notna().any()]
        console.print(
            f"[green]✓ {path.name} is valid[/green]: {len(panel):,} rows, "
            f"{panel['household_id'].nunique():,} households, years "
            f"{int(panel['year'].min())}–{int(panel['year'].max())}, "
            f"{panel['province'].nunique()} province(s), {panel['county'].nunique()} "
            f"county(ies); {len(present)}/{len(COLUMNS)} contract columns filled."
        )
        absent = [f"{c.name} ({c.alias})" for c in COLUMNS if c not in present]
        if absent:
            console.print("Optional columns absent or empty: " + ", ".join(absent))
        extra = [c for c in panel.columns if c not in {k.name for k in COLUMNS}]
        if extra:
            console.print(
                "Extra columns kept, not used by the models: " + ", ".join(extra)
            )
        own = set(monitoring.provinces)
        fallback = sorted(
            str(v) for v in panel["province"].dropna().unique() if str(v) not in own
        )
        if fallback:
            console.print(
                f"Note: the default line applies to {len(fallback)} province(s) "
                "without a line of their own: "
                + ", ".join(fallback[:10])
                + (", …" if len(fallback) > 10 else "")
                + " (check the spelling if a province should have its own line)."
            )
        console.print(summary_table(summarise_panel(panel, monitoring)))
