"""``fanpin score``: rank the latest year's households by risk of falling next year.

The panel is read and scored in chunks of whole counties (bounded memory, any
size), locally or on a Dask cluster; see :func:`fanpin.scoring.score_file`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..config import load_monitoring_lines
from ..io import read_table
from ..scoring import monitored_path, score_file
from ._app import (
    ModelOption,
    PanelArgument,
    app,
    console,
    err_console,
    fail_on_fanpin_error,
)

__all__ = ["monitored_path", "score"]

_STAGES = {"score": "scoring", "explain": "explaining", "write": "writing"}


class _Bar:
    """A rich progress bar on stderr fed by score_file's progress callback."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(
                _STAGES.get(stage, stage), total=max(total, 1), rate=""
            )
        task_id = self.tasks[stage]
        task = self.progress.tasks[task_id]
        speed = task.speed
        unit = "rows" if stage == "write" else "households"
        rate = f"{speed:,.0f} {unit}/s" if speed else ""
        self.progress.update(task_id, completed=done, total=max(total, 1), rate=rate)


@app.command("score")
def score(
    panel: PanelArgument,
    model: ModelOption,
    out: Annotated[Path, typer.Option("--out", help="Scores file (.csv or .parquet).")],
    lines: Annotated[
        Path | None,
        typer.Option("--lines", help="Monitoring-lines YAML (default: the model's)."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (streaming on this machine) or dask (pip install "
            "'fanpin[dask]').",
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a "
            "LocalCluster).",
        ),
    ] = None,
    chunk_households: Annotated[
        int,
        typer.Option(
            "--chunk-households",
            min=1,
            help="Households per chunk (whole counties; bounds memory).",
        ),
    ] = 100_000,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            help="Add risk types and reasons for: alerts (the alert list), top:F "
            "(highest-risk share F, e.g. top:0.1) or all. Default: none.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar.")
    ] = False,
    show: Annotated[
        int,
        typer.Option("--show", min=0, help="Print the N highest-risk households."),
    ] = 0,
) -> None:
    """Score households of the panel's latest year not in hardship (ranked) and
    list those already in hardship apart, in <stem>.monitored.<ext>."""
    if engine not in ("local", "dask"):
        raise typer.BadParameter(
            f"expected 'local' or 'dask'; got {engine!r}", param_hint="--engine"
        )
    if scheduler is not None and engine != "dask":
        raise typer.BadParameter("needs --engine dask", param_hint="--scheduler")
    with fail_on_fanpin_error():
        monitoring = load_monitoring_lines(lines) if lines is not None else None
        bar = None if quiet else _Bar()
        if bar is not None:
            bar.progress.start()
        try:
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
            )
        finally:
            if bar is not None:
                bar.progress.stop()
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
