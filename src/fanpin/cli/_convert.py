"""``fanpin convert``: the export, validated once, as a sorted Parquet panel."""

from __future__ import annotations

import shlex
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..exceptions import FanpinWarning, SchemaError
from ..messages import N_, Message
from ..schema import convert_households
from ._app import (
    PanelArgument,
    QuietOption,
    app,
    console,
    err_console,
    fail_on_fanpin_error,
)
from ._validate import SheetOption, header_note, print_warnings

MSG_READING = N_("reading")
MSG_NOT_VALID = N_("✗ {name} is not valid; nothing was written")
MSG_WROTE = N_(
    "✓ Wrote {out}: {rows:,} rows, {households:,} households, years {first}–{last}, "
    "{counties} county(ies), sorted by county, village and household in "
    "{groups} row group(s), in {seconds:.1f}s."
)
MSG_NEXT = N_(
    "Next: train a model on the Parquet panel, then score it (or run the alerts):"
    "\n  {train}\n  {score}"
)


@app.command("convert")
def convert(
    source: PanelArgument,
    out: Annotated[Path, typer.Argument(help="The Parquet panel to write (.parquet).")],
    sheet: SheetOption = None,
    quiet: QuietOption = False,
) -> None:
    """Read an export once (CSV, GBK, Excel with title rows), validate it and
    write it as Parquet sorted by county in row groups: the monthly commands
    then stream it fast. Nothing is written if the export is not valid."""
    with fail_on_fanpin_error():
        progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=quiet,
        )
        task = progress.add_task(str(Message(MSG_READING)), total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=max(total, 1))

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FanpinWarning)
            try:
                with progress:
                    summary = convert_households(
                        source, out, sheet=sheet, progress=tick
                    )
            except SchemaError:
                err_console.print(
                    Text(str(Message(MSG_NOT_VALID, name=source.name)), style="red")
                )
                raise
        print_warnings(caught)
    note = header_note(summary.layout)
    if note is not None:
        console.print(str(note), markup=False, highlight=False)
    s = summary
    wrote = Message(
        MSG_WROTE,
        out=str(s.out),
        rows=s.rows,
        households=s.households,
        first=s.first_year,
        last=s.last_year,
        counties=s.counties,
        groups=s.row_groups,
        seconds=s.seconds,
    )
    console.print(Text(str(wrote), style="green"))
    model = f"models/{s.last_year}"
    quoted = shlex.quote(str(s.out))
    console.print(
        str(
            Message(
                MSG_NEXT,
                train=f"fanpin train {quoted} --out {model}",
                score=f"fanpin score {quoted} --model {model} --out scores.csv",
            )
        ),
        markup=False,
        highlight=False,
    )
