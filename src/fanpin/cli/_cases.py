"""``fanpin cases``: list, show and update the cases of alerted households."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.measure import Measurement
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
    from ..config import load_risk_types
    from ..workflow import CaseStore, load_assistance_map

    return CaseStore(
        url or os.environ.get("FANPIN_STORE") or DEFAULT_STORE,
        assistance=load_assistance_map(risk_types=load_risk_types()),
    )


def _table(df, title: str, *, fold: tuple[str, ...] = ()) -> Table:  # noqa: ANN001
    """A rich table; the ``fold`` columns wrap instead of being cut with '…'."""
    table = Table(title=title)
    for col in df.columns:
        wrap = str(col) in fold
        table.add_column(
            str(col), overflow="fold" if wrap else "ellipsis", no_wrap=not wrap
        )
    for row in df.itertuples(index=False):
        table.add_row(*("" if v is None or v != v else str(v) for v in row))
    return table


#: Default columns of ``cases list``: (store column, short bilingual header).
LIST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("case_id", "编号\nid"),
    ("household_id", "户编号\nhousehold"),
    ("village", "村\nvillage"),
    ("state", "状态\nstate"),
    ("current_level", "等级\nlevel"),
    ("current_risk", "风险\nrisk"),
    ("risk_types", "风险类型\nrisk types"),
    ("deadline", "期限\ndeadline"),
)
#: Every column of ``cases list --wide``, in the store's order of importance.
WIDE_COLUMNS = (
    "case_id", "household_id", "province", "county", "township", "village", "year",
    "state", "category", "current_level", "current_risk", "risk_types",
    "suggested_measures", "suggested_departments", "opened_at", "identified_at",
    "deadline", "updated_at", "closed_at", "elimination_method",
)  # fmt: skip


def _risk_names(codes: object) -> str:
    """'01;0201' -> '因病、因自然灾害-洪涝' (unknown codes are kept as they are)."""
    from ..config import load_risk_types

    if codes is None or codes != codes or not str(codes):
        return ""
    types = load_risk_types()
    names = []
    for code in str(codes).split(";"):
        rt = types.types.get(code.strip())
        if rt is None:
            names.append(code)
        elif rt.parent is not None and rt.parent in types.types:
            names.append(f"{types.types[rt.parent].name}-{rt.name}")
        else:
            names.append(rt.name)
    return "、".join(names)


@cases_app.command("list")
def list_cases(
    store: StoreOpt = None,
    state: Annotated[str | None, typer.Option(help="Only this state.")] = None,
    township: Annotated[str | None, typer.Option(help="Only this township.")] = None,
    county: Annotated[str | None, typer.Option(help="Only this county.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open cases.")] = False,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide", help="Every column, risk types as codes (default: the main ones)."
        ),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Show at most N cases (the first N)."),
    ] = None,
) -> None:
    """List cases, filtered by state and place."""
    with fail_on_fanpin_error():
        df = _store(store).list_cases(
            state=state, township=township, county=county, open_only=open_only
        )
    n_all = len(df)
    if limit is not None:
        df = df.head(limit)
    title = f"{n_all} case(s)" + (f", first {len(df)} shown" if len(df) < n_all else "")
    if wide:
        first = [c for c in WIDE_COLUMNS if c in df.columns]
        df = df[first + [c for c in df.columns if c not in first]]
        # Every column at its natural width: wider than the terminal when it must
        # be (pipe to `less -S`), never cut.
        table = _table(df.round({"current_risk": 3}), title)
        wide_opts = console.options.update_width(10_000)
        needed = Measurement.get(console, wide_opts, table).maximum
        if needed <= console.width:
            console.print(table)
        else:
            table.title_justify = "left"
            Console(file=console.file, width=needed).print(table)
        return
    df = df[[c for c, _ in LIST_COLUMNS]].copy()
    df["current_risk"] = [
        "" if v is None or v != v else f"{float(v):.3f}" for v in df["current_risk"]
    ]
    df["risk_types"] = [_risk_names(v) for v in df["risk_types"]]
    df.columns = [header for _, header in LIST_COLUMNS]
    console.print(_table(df, title, fold=(LIST_COLUMNS[-2][1],)))


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
