"""``fanpin simulate``: write a calibrated synthetic panel, events and true risks."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from ..config import load_monitoring_lines
from ..io import write_table, write_text
from ..schema._columns import COLUMNS, EVENT_COLUMNS
from ..synthetic import CAUSE_LABELS, calibration_table, simulate
from ._app import app, console, fail_on_fanpin_error

__all__ = ["parse_years", "write_simulation"]

BAD_YEARS = "--years must look like 2021-2025 (first-last) or 2023; got {value!r}."


class OutputFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


def parse_years(value: str) -> range:
    """``"2021-2025"`` -> ``range(2021, 2026)``; ``"2023"`` -> ``range(2023, 2024)``."""
    try:
        parts = [int(v) for v in value.replace("–", "-").split("-")]
    except ValueError:
        raise typer.BadParameter(BAD_YEARS.format(value=value)) from None
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or parts[1] < parts[0]:
        raise typer.BadParameter(BAD_YEARS.format(value=value))
    return range(parts[0], parts[1] + 1)


def write_simulation(result, out: Path, fmt: str = "parquet") -> list[Path]:
    """Write panel, truth, events and the lines used into ``out`` (atomically).

    ``pushes`` (events after the last annual record) is written too when the
    simulation produced it (``simulate(..., pushes_until=...)``).
    """
    written = []
    tables = [("panel", result.panel), ("truth", result.truth),
              ("events", result.events)]  # fmt: skip
    if result.pushes_until is not None:
        tables.append(("pushes", result.pushes))
    if fmt == "csv":
        panel_names = {c.name: c.alias for c in COLUMNS}
        event_names = {c.name: c.alias for c in EVENT_COLUMNS}
        truth_names = {
            "household_id": "户编码",
            "year": "年度",
            "p_next": "次年困难真实概率",
            **CAUSE_LABELS,
        }
        heads = {"panel": panel_names, "truth": truth_names}
        for name, df in tables:
            written.append(
                write_table(
                    df, out / f"{name}.csv", headers=heads.get(name, event_names)
                )
            )
    else:
        for name, df in tables:
            written.append(write_table(df, out / f"{name}.parquet"))
    written.append(write_text(result.lines.to_yaml(), out / "monitoring_lines.yaml"))
    return written


def calibration_rich(table: pd.DataFrame) -> Table:
    """Render :func:`fanpin.synthetic.calibration_table` as a rich table."""
    out = Table(title="Calibration / 校准")
    for col, justify in (
        ("target", "left"),
        ("source", "left"),
        ("target_value", "right"),
        ("simulated", "right"),
    ):
        out.add_column(col, justify=justify)
    for row in table.itertuples(index=False):
        sim = row.simulated
        cell = f"{sim:,.0f}" if abs(sim) >= 100 else f"{sim:.3g}"
        out.add_row(row.target, row.source, row.target_value, cell)
    return out


@app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    households: Annotated[
        int, typer.Option("--households", "-n", min=1, help="Number of households.")
    ] = 3000,
    years: Annotated[
        str, typer.Option("--years", help="Years, first-last, e.g. 2021-2025.")
    ] = "2021-2025",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", help="parquet, or csv (UTF-8, Chinese headers)."),
    ] = OutputFormat.parquet,
    lines: Annotated[
        Path | None,
        typer.Option("--lines", help="Your monitoring-lines YAML (default: shipped)."),
    ] = None,
    report: Annotated[
        bool, typer.Option("--report", help="Print the calibration table.")
    ] = False,
    pushes_until: Annotated[
        str | None,
        typer.Option(
            "--pushes-until",
            help="Also write pushes: the department events of the year after "
            "--years dated up to this date (YYYY-MM-DD), i.e. the pushes that "
            "arrive after the last annual record. Earlier files are unchanged.",
        ),
    ] = None,
) -> None:
    """Simulate a synthetic household panel with department events and true risks.

    Writes panel, truth (p_next: the true chance of hardship next year), events and
    monitoring_lines.yaml into OUT; with --pushes-until also pushes.
    """
    year_range = parse_years(years)
    until = None
    if pushes_until is not None:
        try:
            until = pd.Timestamp(pushes_until).date()
        except ValueError:
            raise typer.BadParameter(
                f"--pushes-until must be a date like 2026-06-30; got {pushes_until!r}."
            ) from None
    with fail_on_fanpin_error():
        monitoring = load_monitoring_lines(lines)
        result = simulate(
            households,
            years=year_range,
            seed=seed,
            lines=monitoring,
            pushes_until=until,
        )
        paths = write_simulation(result, out, fmt.value)
    console.print(
        f"simulated {households:,} households × {len(year_range)} years "
        f"(seed {seed}): {len(result.panel):,} rows, {len(result.events):,} events"
        + (f", {len(result.pushes):,} pushes" if until is not None else "")
    )
    for p in paths:
        console.print(f"  wrote {p}")
    if report:
        console.print(calibration_rich(calibration_table(result)))
