"""``fanpin score``: rank the latest year's households by risk of falling next year.

The panel is read and scored in chunks of whole counties (bounded memory, any
size), locally or on a Dask cluster; see :func:`fanpin.scoring.score_file`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..config import load_configs
from ..io import read_table
from ..scoring import CHUNK_HOUSEHOLDS, monitored_path, score_file
from ._app import (
    ChunkHouseholdsOption,
    EngineOption,
    LinesOption,
    ModelOption,
    PanelArgument,
    QuietOption,
    RiskTypesOption,
    SchedulerOption,
    WorkersOption,
    app,
    check_engine_options,
    console,
    fail_on_fanpin_error,
    progress_bar,
)

__all__ = ["monitored_path", "score"]


@app.command("score")
def score(
    panel: PanelArgument,
    model: ModelOption,
    out: Annotated[Path, typer.Option("--out", help="Scores file (.csv or .parquet).")],
    lines: LinesOption = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    chunk_households: ChunkHouseholdsOption = CHUNK_HOUSEHOLDS,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            help="Add risk types and reasons for: alerts (the alert list), top:F "
            "(highest-risk share F, e.g. top:0.1) or all. Default: none.",
        ),
    ] = None,
    quiet: QuietOption = False,
    workers: WorkersOption = None,
    alerts_config: Annotated[
        Path | None,
        typer.Option(
            "--alerts-config",
            help="alerts.yaml whose alert level --explain alerts follows "
            "(default: shipped).",
        ),
    ] = None,
    risk_types: RiskTypesOption = None,
    show: Annotated[
        int,
        typer.Option("--show", min=0, help="Print the N highest-risk households."),
    ] = 0,
) -> None:
    """Score households of the panel's latest year not in hardship (ranked) and
    list those already in hardship apart, in <stem>.monitored.<ext>."""
    check_engine_options(engine, scheduler, workers)
    with fail_on_fanpin_error():
        cfg = load_configs(lines=lines, alerts=alerts_config, risk_types=risk_types)
        monitoring = cfg.lines if lines is not None else None
        with progress_bar(quiet) as bar:
            summary = score_file(
                panel,
                model,
                out=out,
                lines=monitoring,
                engine=engine,
                chunk_households=chunk_households,
                explain=explain,
                progress=bar,
                scheduler=scheduler,
                workers=workers,
                alerts=cfg.alerts,
                explain_config=cfg.explain,
            )
    s = summary
    console.print(
        f"{s.latest_year}: {s.scored:,} scored + {s.monitored:,} monitored = "
        f"{s.scored + s.monitored:,} households (panel has {s.households:,}; "
        f"{s.excluded:,} without a {s.latest_year} record, listed with the reason "
        f"in {s.excluded_path})."
    )
    console.print(
        "Risk levels: " + ", ".join(f"{k} {v:,}" for k, v in s.levels.items())
    )
    if s.explained:
        console.print(f"Explained {s.explained:,} households.")
    if show:
        console.print(_top_table(s.scores_path, show))
    rate = s.households / s.seconds if s.seconds else 0.0
    console.print(
        f"Wrote {s.scores_path} and {s.monitored_path} in {s.seconds:.1f}s "
        f"({rate:,.0f} households/s, {s.chunks} chunk(s), engine {s.engine})."
    )


def _top_table(path: Path, n: int) -> Table:
    """The ``n`` highest-risk households of a written scores file."""
    cols = [
        "risk_rank",
        "household_id",
        "county",
        "township",
        "village",
        "household_type",
        "risk_score",
        "risk_level",
    ]
    top = read_table(path, known_columns=cols).head(n)
    table = Table(title=f"Highest risk / 风险最高的 {n} 户")
    heads = {
        "risk_rank": "rank 排名",
        "household_id": "户编码",
        "county": "县",
        "township": "乡镇",
        "village": "村",
        "household_type": "户类型",
        "risk_score": "risk 风险",
        "risk_level": "level 等级",
    }
    for c in cols:
        table.add_column(heads[c], justify="right" if c.startswith("risk_") else "left")
    for _, row in top.iterrows():
        cells = [
            f"{float(row[c]):.3f}" if c == "risk_score" else str(row[c]) for c in cols
        ]
        table.add_row(*cells)
    return table
