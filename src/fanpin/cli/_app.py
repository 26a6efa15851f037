"""The typer application object and the helpers every command shares.

Each command lives in its own module (``_simulate.py``, ``_validate.py`` ...) and
registers itself on :data:`app`. Only this subpackage prints.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from ..exceptions import FanpinError

__all__ = [
    "AssistanceOption",
    "ChunkHouseholdsOption",
    "EngineOption",
    "LinesOption",
    "ModelOption",
    "PanelArgument",
    "ProgressBar",
    "QuietOption",
    "RiskTypesOption",
    "SchedulerOption",
    "TruthOption",
    "WorkersOption",
    "app",
    "check_engine_options",
    "console",
    "err_console",
    "fail_on_fanpin_error",
    "progress_bar",
]

PanelArgument = Annotated[
    Path,
    typer.Argument(help="Household panel: CSV (UTF-8 or GBK), Parquet or Excel."),
]
"""The panel argument every command that reads households takes."""
ModelOption = Annotated[
    Path, typer.Option("--model", help="Model directory from `fanpin train`.")
]
"""The ``--model`` option of the commands that score."""
LinesOption = Annotated[
    Path | None,
    typer.Option("--lines", help="Monitoring-lines YAML (default: the model's)."),
]
"""The ``--lines`` option of the commands that score with a trained model."""
ChunkHouseholdsOption = Annotated[
    int,
    typer.Option(
        "--chunk-households",
        min=1,
        help="Households per chunk (whole counties; bounds memory).",
    ),
]
"""The ``--chunk-households`` option of the commands that stream a panel file."""
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
"""The ``--quiet`` option of the commands that show a :class:`ProgressBar`."""
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local (streaming on this machine) or dask (pip install "
        "'fanpin[dask]').",
    ),
]
"""The ``--engine`` option of the commands that stream a panel file."""
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a "
        "LocalCluster).",
    ),
]
"""The ``--scheduler`` option (``--engine dask``)."""
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Local engine: chunks processed at once, one thread each "
        "(default: one per core). Each holds one chunk in memory.",
    ),
]
"""The ``--workers`` option of the local engine."""
RiskTypesOption = Annotated[
    Path | None,
    typer.Option(
        "--risk-types",
        help="risk_types.yaml: risk types and explanation sentences "
        "(default: shipped).",
    ),
]
"""The ``--risk-types`` option of the commands that explain."""
AssistanceOption = Annotated[
    Path | None,
    typer.Option(
        "--assistance",
        help="assistance.yaml: measures and departments (default: shipped).",
    ),
]
"""The ``--assistance`` option of the commands that suggest measures."""
TruthOption = Annotated[
    Path | None,
    typer.Option("--truth", help="True risks (household_id, year, p_next), if known."),
]
"""The ``--truth`` option of the commands that can compare with true risks."""

app = typer.Typer(
    name="fanpin",
    help=(
        "fanpin: early warning of rural households at risk of falling (back) into "
        "poverty (防止返贫致贫监测预警), with reasons, assistance and case tracking."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (make, cron, logs) gets 120 columns instead of rich's 80 so that the
# bilingual tables stay readable.
_WIDTH = None if sys.stdout.isatty() else 120
console = Console(soft_wrap=True, width=_WIDTH)
err_console = Console(stderr=True, soft_wrap=True, width=_WIDTH)


@app.callback()
def _main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log progress to stderr."
    ),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def check_engine_options(
    engine: str, scheduler: str | None, workers: int | None
) -> None:
    """Refuse engine options that do not go together (a usage error)."""
    if engine not in ("local", "dask"):
        raise typer.BadParameter(
            f"expected 'local' or 'dask'; got {engine!r}", param_hint="--engine"
        )
    if scheduler is not None and engine != "dask":
        raise typer.BadParameter("needs --engine dask", param_hint="--scheduler")
    if workers is not None and engine != "local":
        raise typer.BadParameter(
            "applies to --engine local (a Dask cluster has its own workers)",
            param_hint="--workers",
        )


@contextmanager
def fail_on_fanpin_error() -> Iterator[None]:
    """Turn a :class:`FanpinError` into a red message and exit code 1."""
    try:
        yield
    except FanpinError as exc:
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None


STAGES = {
    "score": ("scoring", "households"),
    "explain": ("explaining", "households"),
    "alerts": ("alerts", "households"),
    "write": ("writing", "rows"),
    "excel": ("excel", "workbooks"),
}
"""Progress stages: the bar's label and the unit of its rate."""


class ProgressBar:
    """A rich progress bar on stderr, fed by a ``progress(stage, done, total)``
    callback (:func:`fanpin.scoring.score_file`,
    :func:`fanpin.workflow.run_alerts_file`): one bar per stage, with its rate
    (households/s, rows/s) and the time left."""

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
        label, unit = STAGES.get(stage, (stage, "items"))
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(
                label, total=max(total, 1), rate=""
            )
        task_id = self.tasks[stage]
        speed = self.progress.tasks[task_id].speed
        rate = f"{speed:,.0f} {unit}/s" if speed else ""
        self.progress.update(task_id, completed=done, total=max(total, 1), rate=rate)


@contextmanager
def progress_bar(quiet: bool) -> Iterator[ProgressBar | None]:
    """A started :class:`ProgressBar`, stopped on exit (None when ``quiet``)."""
    if quiet:
        yield None
        return
    bar = ProgressBar()
    bar.progress.start()
    try:
        yield bar
    finally:
        bar.progress.stop()
