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
from ..messages import N_
from ..schema import COLUMNS, EVENT_COLUMNS
from ..synthetic import CAUSE_LABELS, calibration_table, simulate
from ._app import QuietOption, app, console, fail_on_fanpin_error, steps
from ._i18n import tr
from ._output import cell, command_line, finish, say

__all__ = ["parse_years", "write_simulation"]

BAD_YEARS = N_("--years must look like 2021-2025 (first-last) or 2023; got {value!r}.")
BAD_PUSHES_UNTIL = N_("--pushes-until must be a date like 2026-06-30; got {value!r}.")
MSG_SIMULATING = N_("simulating households…")
MSG_WRITING = N_("writing the files…")
MSG_SIMULATED = N_(
    "Simulated {households:,} households × {years} years (seed {seed}): {rows:,} "
    "annual records, {events:,} department events."
)
MSG_SIMULATED_PUSHES = N_(
    "Simulated {households:,} households × {years} years (seed {seed}): {rows:,} "
    "annual records, {events:,} department events, {pushes:,} pushes after the "
    "last annual record."
)
MSG_CALIBRATION = N_("Calibration of the simulator")
#: What each file of a simulation is (by file stem).
OUTPUTS = {
    "panel": N_("household panel: one annual record per household and year"),
    "truth": N_("true risks: each household's chance of hardship next year"),
    "events": N_("department events (医保, 民政, 应急管理 …) of those years"),
    "pushes": N_("department pushes dated after the last annual record"),
    "monitoring_lines": N_("the monitoring lines used"),
}
STEP_VALIDATE = N_("Check the panel against the data contract:")
STEP_TRAIN = N_("Train the risk model on it:")
CALIBRATION_HEADS = {
    "target": N_("target"),
    "source": N_("source"),
    "target_value": N_("target value"),
    "simulated": N_("simulated"),
}


class OutputFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


def parse_years(value: str) -> range:
    """``"2021-2025"`` -> ``range(2021, 2026)``; ``"2023"`` -> ``range(2023, 2024)``."""
    try:
        parts = [int(v) for v in value.replace("–", "-").split("-")]
    except ValueError:
        raise typer.BadParameter(tr(BAD_YEARS, value=value)) from None
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or parts[1] < parts[0]:
        raise typer.BadParameter(tr(BAD_YEARS, value=value))
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
    out = Table(title=cell(tr(MSG_CALIBRATION)))
    for col, justify in (
        ("target", "left"),
        ("source", "left"),
        ("target_value", "right"),
        ("simulated", "right"),
    ):
        out.add_column(cell(tr(CALIBRATION_HEADS[col])), justify=justify)
    for row in table.itertuples(index=False):
        sim = row.simulated
        value = f"{sim:,.0f}" if abs(sim) >= 100 else f"{sim:.3g}"
        out.add_row(cell(row.target), cell(row.source), cell(row.target_value),
                    cell(value))  # fmt: skip
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
    quiet: QuietOption = False,
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
            raise typer.BadParameter(tr(BAD_PUSHES_UNTIL, value=pushes_until)) from None
    with fail_on_fanpin_error(), steps(quiet) as step:
        monitoring = load_monitoring_lines(lines)
        step(MSG_SIMULATING)
        result = simulate(
            households,
            years=year_range,
            seed=seed,
            lines=monitoring,
            pushes_until=until,
        )
        step(MSG_WRITING)
        paths = write_simulation(result, out, fmt.value)
    say(
        MSG_SIMULATED_PUSHES if until is not None else MSG_SIMULATED,
        households=households,
        years=len(year_range),
        seed=seed,
        rows=len(result.panel),
        events=len(result.events),
        pushes=len(result.pushes) if until is not None else 0,
    )
    if report:
        console.print(calibration_rich(calibration_table(result)))
    panel, lines_file = paths[0], paths[-1]
    finish(
        [(OUTPUTS.get(p.stem, p.stem), p) for p in paths],
        [
            (STEP_VALIDATE, command_line("fanpin", "validate", panel, "--lines",
                                         lines_file)),
            (STEP_TRAIN, command_line("fanpin", "train", panel, "--lines", lines_file,
                                      "--out", out / "model")),
        ],  # fmt: skip
    )
