"""``fanpin score``: rank the latest year's households by risk of falling next year."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import load_monitoring_lines
from ..exceptions import OutputError
from ..io import write_table
from ..models import load_model, score_panel
from ..schema import read_households
from ._app import app, console, fail_on_fanpin_error


def monitored_path(out: Path) -> Path:
    """``scores.csv`` -> ``scores.monitored.csv`` (same folder and format)."""
    return out.with_name(f"{out.stem}.monitored{out.suffix}")


@app.command("score")
def score(
    panel: Annotated[
        Path, typer.Argument(help="Household panel: CSV, Parquet or Excel.")
    ],
    model: Annotated[
        Path, typer.Option("--model", help="Model directory from `train`.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Scores file (.csv or .parquet).")],
    lines: Annotated[
        Path | None,
        typer.Option("--lines", help="Monitoring-lines YAML (default: the model's)."),
    ] = None,
) -> None:
    """Score households of the panel's latest year not in hardship (ranked) and
    list those already in hardship apart, in <stem>.monitored.<ext>."""
    with fail_on_fanpin_error():
        if out.suffix.lower() not in (".csv", ".parquet"):
            raise OutputError(f"--out must end in .csv or .parquet; got {out.name!r}.")
        pipe = load_model(model)
        if not hasattr(pipe, "features"):
            raise OutputError(
                f"{model} holds a bare RiskModel, not a panel pipeline; train it with "
                "`fanpin train`."
            )
        monitoring = load_monitoring_lines(lines) if lines is not None else None
        data = read_households(panel)
        scores, monitored = score_panel(pipe, data, monitoring)
        write_table(scores, out)
        mon_out = monitored_path(out)
        write_table(monitored, mon_out)
    latest = int(data["year"].max())
    n = int(data.loc[data["year"] == latest, "household_id"].nunique())
    levels = scores["risk_level"].value_counts().to_dict()
    console.print(
        f"{latest}: {len(scores):,} scored + {len(monitored):,} monitored = "
        f"{len(scores) + len(monitored):,} households (panel has {n:,})."
    )
    console.print(
        "Risk levels: "
        + ", ".join(f"{k} {levels.get(k, 0):,}" for k in ("高", "中", "低"))
    )
    console.print(f"Wrote {out} and {mon_out}.")
