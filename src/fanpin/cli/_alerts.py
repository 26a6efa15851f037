"""``fanpin alerts``: the early-warning list (预警名单), reasons, measures, what-if."""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ..config import load_configs
from ..exceptions import InputError
from ..models import load_model
from ..schema import read_events
from ..scoring import CHUNK_HOUSEHOLDS, panel_households
from ..workflow import AssistanceMap, CaseStore, read_pii, run_alerts_file
from ._app import (
    AssistanceOption,
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


class CoveredEvents(str, Enum):
    skip = "skip"
    apply = "apply"


@app.command("alerts")
def alerts(
    panel: PanelArgument,
    model: ModelOption,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    events: Annotated[
        Path | None,
        typer.Option(
            "--events",
            help="Department-push events table. Pushes are new information only "
            "when dated after the household's latest annual record (event year > "
            "latest record year, up to --as-of): they create that year's record, "
            "year to date, and the household is scored again. Events of a year "
            "the panel already has a record for are skipped as covered (see "
            "--covered-events) and counted in the summary and exclusions.csv.",
        ),
    ] = None,
    covered_events: Annotated[
        CoveredEvents | None,
        typer.Option(
            "--covered-events",
            help="Events dated within a year the household already has an annual "
            "record for: skip (that record already holds them) or apply (your "
            "annual records were exported without the pushes). Default: "
            "events.covered in the alerts config (skip).",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store", help="Case store URL (sqlite:///cases.db, postgresql://…)."
        ),
    ] = None,
    lines: LinesOption = None,
    capacity: Annotated[
        int | None,
        typer.Option("--capacity", min=0, help="Households each township can verify."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Run date YYYY-MM-DD (default: today)."),
    ] = None,
    pii: Annotated[
        Path | None,
        typer.Option(
            "--pii",
            help="File with household_id + 户主姓名/联系电话, joined "
            "only into the Excel workbooks.",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="alerts.yaml (default: shipped).")
    ] = None,
    risk_types: RiskTypesOption = None,
    assistance: AssistanceOption = None,
    chunk_households: ChunkHouseholdsOption = CHUNK_HOUSEHOLDS,
    quiet: QuietOption = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Write the early-warning list: alerts.csv/.parquet, excel/<township>.xlsx,
    scored.csv, monitored.csv and exclusions.csv.

    The panel is read in chunks of whole counties (bounded memory, any size);
    the results equal those of the whole panel at once, whatever the engine and
    the number of workers."""
    check_engine_options(engine, scheduler, workers)
    with fail_on_fanpin_error():
        try:
            when = pd.Timestamp(as_of) if as_of else pd.Timestamp(date.today())
        except ValueError:
            raise InputError(
                f"--as-of must be a date like 2025-03-31; got {as_of!r}."
            ) from None
        pipe = load_model(model)
        if not hasattr(pipe, "features"):
            raise InputError(
                f"{model} holds a bare RiskModel, not a panel pipeline; train it with "
                "`fanpin train`."
            )
        cfg = load_configs(
            alerts=config, lines=lines, risk_types=risk_types, assistance=assistance
        )
        monitoring = cfg.lines if lines is not None else None
        ev = _read_events(events, panel, when) if events is not None else None
        people = read_pii(pii) if pii is not None else None
        with progress_bar(quiet) as bar:
            run = run_alerts_file(
                pipe,
                panel,
                out=out,
                as_of=when,
                events=ev,
                lines=monitoring,
                config=cfg.alerts,
                explain_config=cfg.explain,
                assistance=AssistanceMap(cfg.assistance, cfg.risk_types),
                capacity=capacity,
                covered=covered_events.value if covered_events is not None else None,
                chunk_households=chunk_households,
                pii=people,
                progress=bar,
                engine=engine,
                workers=workers,
                scheduler=scheduler,
            )
        files = run.files
        summary = None
        if store is not None:
            cs = CaseStore(store)
            try:
                summary = cs.upsert_alerts(run.alerts, run_at=when.to_pydatetime())
            finally:
                cs.close()
    console.print(
        f"{run.scored:,} households scored, {run.alerted:,} above the alert "
        f"cutoff {run.cutoff:.3f}: {len(run.alerts):,} listed, "
        f"{run.over_capacity:,} over township capacity (kept in "
        f"scored.csv); {run.monitored:,} already in hardship (monitored.csv)."
    )
    if run.applied is not None and run.skipped is not None:
        pushed = int((run.alerts["source"] == "部门推送").sum())
        skipped = run.skipped
        why = skipped["why"].value_counts(sort=False) if len(skipped) else {}
        detail = "; ".join(f"{w}: {n:,}" for w, n in dict(why).items())
        console.print(
            f"Department pushes: {len(run.applied):,} events applied, "
            f"{len(skipped):,} skipped{f' ({detail})' if detail else ''}; "
            f"{pushed:,} households raised."
        )
    if summary is not None:
        c = summary.counts()
        console.print(
            f"Case store: {c['new']:,} new, {c['escalated']:,} escalated, "
            f"{c['fell']:,} fell."
        )
    rate = run.households / run.seconds if run.seconds else 0.0
    console.print(
        f"Wrote {out / 'alerts.csv'}, {out / 'alerts.parquet'}, "
        f"{len(files['excel']):,} workbooks in {out / 'excel'} in "
        f"{run.seconds:.1f}s ({rate:,.0f} households/s, {run.chunks} chunk(s))."
    )


def _read_events(events: Path, panel: Path, when: pd.Timestamp) -> pd.DataFrame:
    """Read the events, checked against the households of the panel file.

    Only the panel's household id column is read (:func:`panel_households`):
    the events' households are looked up in it.
    """
    # First the events' own checks; dates are checked with the panel below.
    ids = read_events(events, today=pd.Timestamp.max)["household_id"]
    known = sorted(panel_households(panel, ids))
    return read_events(events, pd.DataFrame({"household_id": known}), today=when)
