"""``fanpin cases``: list, show and update the cases of alerted households."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from ._app import app, console, fail_on_fanpin_error

DEFAULT_STORE = "sqlite:///fanpin_cases.db"

cases_app = typer.Typer(
    help=(
        "Cases of alerted households (预警 -> 核查中 -> 已认定 -> 帮扶中 -> 风险消除)."
    ),
    no_args_is_help=True,
)
app.add_typer(cases_app, name="cases")

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Case store URL (default: env FANPIN_STORE, else sqlite:///fanpin_cases.db).",
    ),
]


def _store(url: str | None):  # noqa: ANN202 - CaseStore
    from ..workflow import CaseStore, load_assistance_map

    return CaseStore(
        url or os.environ.get("FANPIN_STORE") or DEFAULT_STORE,
        assistance=load_assistance_map(),
    )


def _table(df, title: str) -> Table:  # noqa: ANN001
    table = Table(title=title)
    for col in df.columns:
        table.add_column(str(col))
    for row in df.itertuples(index=False):
        table.add_row(*("" if v is None or v != v else str(v) for v in row))
    return table


@cases_app.command("list")
def list_cases(
    store: StoreOpt = None,
    state: Annotated[str | None, typer.Option(help="Only this state.")] = None,
    township: Annotated[str | None, typer.Option(help="Only this township.")] = None,
    county: Annotated[str | None, typer.Option(help="Only this county.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open cases.")] = False,
) -> None:
    """List cases, filtered by state and place."""
    with fail_on_fanpin_error():
        df = _store(store).list_cases(
            state=state, township=township, county=county, open_only=open_only
        )
    cols = [
        "case_id",
        "household_id",
        "county",
        "township",
        "village",
        "state",
        "category",
        "current_level",
        "current_risk",
        "risk_types",
        "deadline",
    ]
    df = df[cols].round({"current_risk": 3})
    console.print(_table(df, f"{len(df)} case(s)"))


@cases_app.command("show")
def show_case(
    case_id: Annotated[int, typer.Argument(help="The case id.")],
    store: StoreOpt = None,
) -> None:
    """Show one case with its risk history, measures and audit trail."""
    with fail_on_fanpin_error():
        s = _store(store)
        case = s.get_case(case_id)
        history, measures, trail = (
            s.history(case_id),
            s.measures(case_id),
            s.transitions(case_id),
        )
    for key, value in case.items():
        console.print(f"{key}: {'' if value is None else value}", highlight=False)
    console.print(_table(history.drop(columns=["id", "case_id"]), "risk history"))
    console.print(_table(measures.drop(columns=["id", "case_id"]), "measures"))
    console.print(_table(trail.drop(columns=["id", "case_id"]), "transitions"))


@cases_app.command("update")
def update_case(
    case_id: Annotated[int, typer.Argument(help="The case id.")],
    to: Annotated[str, typer.Option("--to", help="Target state, e.g. 核查中.")],
    actor: Annotated[str, typer.Option(help="Who makes the change (role or login).")],
    store: StoreOpt = None,
    note: Annotated[
        str | None, typer.Option(help="Why (kept in the audit trail).")
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="监测对象类别, needed for 已认定.")
    ] = None,
    method: Annotated[
        str | None, typer.Option(help="风险消除方式 (帮扶消除/自然消除), for 风险消除.")
    ] = None,
    measure: Annotated[
        list[str] | None, typer.Option(help="Measure to record (repeatable).")
    ] = None,
    department: Annotated[
        str | None, typer.Option(help="Lead department of --measure (default: config).")
    ] = None,
    income: Annotated[
        float | None, typer.Option(help="Current per-capita income, for 风险消除.")
    ] = None,
    line: Annotated[
        float | None, typer.Option(help="Monitoring line this year, for 风险消除.")
    ] = None,
    labor: Annotated[
        int | None, typer.Option(help="Members able to work, for 风险消除.")
    ] = None,
    at: Annotated[datetime | None, typer.Option(help="When (default: now).")] = None,
) -> None:
    """Move a case to its next state; every change is recorded with actor and time."""
    from ..workflow import EliminationEvidence

    with fail_on_fanpin_error():
        evidence = None
        if income is not None or line is not None or labor is not None:
            if income is None or line is None or labor is None:
                raise typer.BadParameter("give --income, --line and --labor together")
            evidence = EliminationEvidence(income, line, labor)
        case = _store(store).transition(
            case_id,
            to,
            actor=actor,
            note=note,
            category=category,
            method=method,
            measures=measure or (),
            department=department,
            evidence=evidence,
            now=at,
        )
    console.print(f"case {case_id}: {case['state']}", highlight=False)
