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
from ..io import check_apart, read_table
from ..messages import N_
from ..scoring import CHUNK_HOUSEHOLDS, excluded_path, monitored_path, score_file
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
from ._i18n import tr
from ._output import cell, command_line, finish, say

__all__ = ["monitored_path", "score"]

MSG_SCORED = N_(
    "{year}: {scored:,} scored + {monitored:,} monitored = {total:,} households "
    "(panel has {households:,}; {excluded:,} without a {year} record, listed with "
    "the reason in {path})."
)
MSG_LEVELS = N_("Risk levels: {levels}.")
MSG_LEVEL = N_("{level} {n:,}")
MSG_SEP = N_(", ")
MSG_EXPLAINED = N_("Explained {n:,} households (risk types and reasons).")
MSG_TIMING = N_(
    "Done in {seconds:.1f}s ({rate:,.0f} households/s, {chunks} chunk(s), engine "
    "{engine})."
)
MSG_TOP = N_("The {n} households at highest risk")
TOP_HEADS = {
    "risk_rank": N_("rank"),
    "household_id": N_("household code"),
    "county": N_("county"),
    "township": N_("township"),
    "village": N_("village"),
    "household_type": N_("household type"),
    "risk_score": N_("risk"),
    "risk_level": N_("level"),
}
OUT_SCORES = N_("households not in hardship, ranked by risk of hardship next year")
OUT_MONITORED = N_("households already in hardship (monitored, not ranked)")
OUT_EXCLUDED = N_("households without a record in the latest year, with the reason")
STEP_ALERTS = N_("Make the early-warning list (reasons, measures, workbooks):")


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
    predictor: Annotated[
        str,
        typer.Option(
            "--predictor",
            help="lightgbm (default) or lignum: the same scores, faster "
            "(extra fast-predict).",
        ),
    ] = "lightgbm",
) -> None:
    """Score households of the panel's latest year not in hardship (ranked) and
    list those already in hardship apart, in <stem>.monitored.<ext>."""
    check_engine_options(engine, scheduler, workers)
    with fail_on_fanpin_error():
        check_apart(
            [out, monitored_path(out), excluded_path(out)],
            [panel, model, lines, alerts_config, risk_types],
        )
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
                explain_config=cfg.risk_types,
                predictor=predictor,
            )
    s = summary
    say(MSG_SCORED, year=s.latest_year, scored=s.scored, monitored=s.monitored,
        total=s.scored + s.monitored, households=s.households, excluded=s.excluded,
        path=s.excluded_path)  # fmt: skip
    levels = tr(MSG_SEP).join(
        tr(MSG_LEVEL, level=k, n=v) for k, v in s.levels.items()
    )
    say(MSG_LEVELS, levels=levels)
    if s.explained:
        say(MSG_EXPLAINED, n=s.explained)
    if show:
        console.print(_top_table(s.scores_path, show))
    rate = s.households / s.seconds if s.seconds else 0.0
    say(MSG_TIMING, seconds=s.seconds, rate=rate, chunks=s.chunks, engine=s.engine)
    finish(
        [
            (OUT_SCORES, s.scores_path),
            (OUT_MONITORED, s.monitored_path),
            (OUT_EXCLUDED, s.excluded_path),
        ],
        [
            (STEP_ALERTS, command_line("fanpin", "alerts", panel, "--model", model,
                                       "--out", Path(out).parent / "alerts")),
        ],  # fmt: skip
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
    table = Table(title=cell(tr(MSG_TOP, n=n)))
    for c in cols:
        table.add_column(
            cell(tr(TOP_HEADS[c])), justify="right" if c.startswith("risk_") else "left"
        )
    for _, row in top.iterrows():
        cells = [
            f"{float(row[c]):.3f}" if c == "risk_score" else row[c] for c in cols
        ]
        table.add_row(*(cell(v) for v in cells))
    return table
