"""Progress on stderr: bars for the streaming commands, a status line for the
others; labels in the reader's language, nothing at all with ``--quiet``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.cells import cell_len
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Column

from ..messages import N_
from ._i18n import tr
from ._output import err_console

__all__ = ["STAGES", "ProgressBar", "progress_bar", "steps"]

STAGES = {
    "score": (N_("scoring"), N_("{rate:,.0f} households/s")),
    "explain": (N_("explaining"), N_("{rate:,.0f} households/s")),
    "alerts": (N_("alerts"), N_("{rate:,.0f} households/s")),
    "write": (N_("writing"), N_("{rate:,.0f} rows/s")),
    "excel": (N_("excel"), N_("{rate:,.0f} workbooks/s")),
}
"""Progress stages: the bar's label and its rate."""
MSG_RATE = N_("{rate:,.0f} items/s")


class ProgressBar:
    """A rich progress bar on stderr, fed by a ``progress(stage, done, total)``
    callback (:func:`fanpin.scoring.score_file`,
    :func:`fanpin.workflow.run_alerts_file`): one bar per stage, with its rate
    (households/s, rows/s) and the time left."""

    def __init__(self) -> None:
        width = max(cell_len(tr(label)) for label, _ in STAGES.values())
        self.progress = Progress(
            TextColumn("{task.description}", table_column=Column(min_width=width)),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}", markup=False),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        label, rate_text = STAGES.get(stage, (stage, MSG_RATE))
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(
                escape(tr(label)), total=max(total, 1), rate=""
            )
        task_id = self.tasks[stage]
        speed = self.progress.tasks[task_id].speed
        rate = tr(rate_text, rate=speed) if speed else ""
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


@contextmanager
def steps(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A status line on stderr (a spinner and the current step, in a terminal).

    Yields ``step(template)``, which shows the translated step; nothing is shown
    with ``quiet`` or when stderr is not a terminal.
    """
    if quiet or not err_console.is_terminal:
        yield lambda template: None
        return
    with err_console.status("") as status:
        yield lambda template: status.update(escape(tr(template)))
