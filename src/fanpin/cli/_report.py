"""``fanpin report``: the self-contained HTML report for bureau leadership."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from ..config import load_monitoring_lines
from ..io import check_apart, read_table
from ..messages import N_
from ..report import ChartFontWarning, write_report
from ..schema import read_households
from ._app import (
    PanelArgument,
    QuietOption,
    TruthOption,
    app,
    fail_on_fanpin_error,
    steps,
)
from ._output import command_line, finish, show_warning

MSG_READING = N_("reading the panel…")
MSG_BUILDING = N_("backtesting and drawing the charts…")
OUT_REPORT = N_(
    "the report: one HTML file, charts inline, opens offline in any browser"
)
STEP_OPEN = N_(
    "Open it in a browser (double-click it), or send the one file to the bureau:"
)
STEP_ALERTS = N_("Make this month's early-warning list with the same model:")


def _hit_rates(url: str) -> dict:
    """The verified hit rate of the store's list, by township and risk level
    (the tables of `fanpin cases summary`)."""
    from ..workflow import CaseStore, hit_rates

    with CaseStore(url, create=False) as s:
        outcomes = s.outcomes()
    return {by: hit_rates(outcomes, by) for by in ("township", "risk_level")}


@app.command("report")
def report(
    panel: PanelArgument,
    model: Annotated[
        Path, typer.Option("--model", help="Model directory written by `fanpin train`.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    truth: TruthOption = None,
    lines: Annotated[
        Path | None,
        typer.Option(
            "--lines",
            help="Your monitoring-lines YAML (default: the model's own lines).",
        ),
    ] = None,
    fraction: Annotated[
        float,
        typer.Option(
            "--fraction",
            min=0.001,
            max=1.0,
            help="Verification list size, as a share of ranked households.",
        ),
    ] = 0.05,
    generated_at: Annotated[
        str | None,
        typer.Option("--date", help="Date to print in the header (e.g. 2025-03-01)."),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Case store URL: adds the list's verified hit rate (属实 share with "
            "its 95% interval) by township and by risk level, as `fanpin cases "
            "summary` shows it.",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Write one self-contained HTML file (inline charts, no network): model card,
    the verified hit rate (with --store), backtest against the rules (and the
    oracle with --truth), capacity curve, calibration, risk by county, risk
    types, group metrics and drift."""
    with fail_on_fanpin_error(), steps(quiet) as step:
        check_apart([out], [panel, model, truth, lines])
        monitoring = load_monitoring_lines(lines) if lines is not None else None
        step(MSG_READING)
        data = read_households(panel)
        t = read_table(truth) if truth is not None else None
        rates = _hit_rates(store) if store is not None else None
        step(MSG_BUILDING)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ChartFontWarning)
            path = write_report(
                out,
                data,
                model,
                truth=t,
                lines=monitoring,
                fraction=fraction,
                generated_at=generated_at,
                hit_rates=rates,
            )
        for w in caught:
            if issubclass(w.category, ChartFontWarning):
                show_warning(w.message, w.category, w.filename, w.lineno)
            else:
                warnings.warn_explicit(
                    w.message, w.category, w.filename, w.lineno, source=w.source
                )
    finish(
        [(OUT_REPORT, path)],
        [
            (STEP_OPEN, str(path)),
            (STEP_ALERTS, command_line("fanpin", "alerts", panel, "--model", model,
                                       "--out", path.parent / "alerts")),
        ],  # fmt: skip
    )
