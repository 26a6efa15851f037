"""``fanpin cases``: list, show and update the cases of alerted households."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..messages import N_
from ._app import FanpinTyper, app, console, fail_on_fanpin_error, show_repairs
from ._i18n import tr
from ._output import cell

DEFAULT_STORE = "sqlite:///fanpin_cases.db"

MSG_N_CASES = N_("{n} case(s)")
MSG_N_CASES_SHOWN = N_("{n} case(s), first {shown} shown")
MSG_HISTORY = N_("risk history")
MSG_MEASURES = N_("measures")
MSG_TRANSITIONS = N_("transitions")
MSG_FIELD = N_("{label}: {value}")
MSG_UPDATED = N_("case {case_id}: {state}")
MSG_EVIDENCE_TOGETHER = N_("give --income, --line and --labor together")
#: Labels of the store's columns, shown by ``cases list`` and ``cases show``.
LABELS = {
    "case_id": N_("case"),
    "household_id": N_("household code"),
    "province": N_("province"),
    "county": N_("county"),
    "township": N_("township"),
    "village": N_("village"),
    "year": N_("year"),
    "state": N_("state"),
    "category": N_("monitored category"),
    "opened_at": N_("alerted at"),
    "identified_at": N_("identified at"),
    "deadline": N_("deadline"),
    "current_risk": N_("risk"),
    "current_level": N_("risk level"),
    "risk_types": N_("risk types"),
    "suggested_measures": N_("suggested measures"),
    "suggested_departments": N_("departments"),
    "updated_at": N_("updated at"),
    "closed_at": N_("closed at"),
    "elimination_method": N_("how the risk was eliminated"),
    "run_id": N_("run"),
    "run_at": N_("run at"),
    "risk_score": N_("risk"),
    "risk_level": N_("level"),
    "change": N_("change"),
    "reasons": N_("reasons"),
    "measure": N_("measure"),
    "department": N_("department"),
    "started_at": N_("started at"),
    "actor": N_("by"),
    "note": N_("note"),
    "from_state": N_("from"),
    "to_state": N_("to"),
    "at": N_("at"),
}
#: The ``change`` of a risk-history row, in words.
CHANGES = {
    "new": N_("new alert"),
    "up": N_("level rose"),
    "down": N_("level fell"),
    "same": N_("same level"),
}

cases_app = FanpinTyper(
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


def _label(column: object) -> str:
    """The reader's name of a store column (the column itself if unknown)."""
    return tr(LABELS[column]) if column in LABELS else str(column)


def _table(  # noqa: ANN001 - df: DataFrame
    df, title: str, *, fold: tuple[str, ...] = (), labels: bool = True
) -> Table:
    """A rich table of store columns, headed by their labels (or, with
    ``labels=False``, their names); the ``fold`` columns wrap, the others keep
    their width (cut with '…' only when the terminal is too narrow for them)."""
    table = Table(title=cell(title))
    for col in df.columns:
        wrap = str(col) in fold
        head = _label(col) if labels else str(col)
        table.add_column(
            cell(head),
            overflow="fold" if wrap else "ellipsis",
            no_wrap=not wrap,
            min_width=None if wrap else max(len(head), 2),
        )
    for row in df.itertuples(index=False):
        table.add_row(*(cell(v) for v in row))
    return table


#: Default columns of ``cases list``.
LIST_COLUMNS: tuple[str, ...] = (
    "case_id",
    "household_id",
    "village",
    "state",
    "current_level",
    "current_risk",
    "risk_types",
    "deadline",
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
    with fail_on_fanpin_error(), _store(store) as s:
        df = s.list_cases(
            state=state, township=township, county=county, open_only=open_only
        )
    n_all = len(df)
    if limit is not None:
        df = df.head(limit)
    title = (
        tr(MSG_N_CASES_SHOWN, n=n_all, shown=len(df))
        if len(df) < n_all
        else tr(MSG_N_CASES, n=n_all)
    )
    if wide:
        first = [c for c in WIDE_COLUMNS if c in df.columns]
        df = df[first + [c for c in df.columns if c not in first]]
        # Every column at its natural width: wider than the terminal when it must
        # be (pipe to `less -S`), never cut.
        table = _table(df.round({"current_risk": 3}), title, labels=False)
        wide_opts = console.options.update_width(10_000)
        needed = Measurement.get(console, wide_opts, table).maximum
        if needed <= console.width:
            console.print(table)
        else:
            table.title_justify = "left"
            Console(file=console.file, width=needed).print(table)
        return
    df = df[list(LIST_COLUMNS)].copy()
    df["current_risk"] = [
        "" if v is None or v != v else f"{float(v):.3f}" for v in df["current_risk"]
    ]
    df["risk_types"] = [_risk_names(v) for v in df["risk_types"]]
    console.print(_table(df, title, fold=("risk_types",)))


@cases_app.command("show")
def show_case(
    case_id: Annotated[int, typer.Argument(help="The case id.")],
    store: StoreOpt = None,
) -> None:
    """Show one case with its risk history, measures and audit trail."""
    with fail_on_fanpin_error(), _store(store) as s:
        case = s.get_case(case_id)
        history, measures, trail = (
            s.history(case_id),
            s.measures(case_id),
            s.transitions(case_id),
        )
    for key, value in case.items():
        if key == "risk_types" and value:
            value = f"{value}（{_risk_names(value)}）"
        elif key == "current_risk" and value is not None:
            value = f"{float(value):.3f}"
        shown = "" if value is None else value
        console.print(cell(tr(MSG_FIELD, label=_label(key), value=shown)))
    _print_history(history)
    console.print(_table(measures.drop(columns=["id", "case_id"]), tr(MSG_MEASURES)))
    trail = trail.drop(columns=["id", "case_id"])
    console.print(_table(trail, tr(MSG_TRANSITIONS), fold=("note",)))


def _print_history(history) -> None:  # noqa: ANN001 - DataFrame
    """The risk history of a case, one block per alerts run, readable at 100
    columns: a heading line (when, year, risk, level, change), then the risk
    types (named) and the reasons, wrapped under their labels."""
    console.print(cell(tr(MSG_HISTORY)), style="bold")
    for row in history.to_dict("records"):
        score = row.get("risk_score")
        change = row.get("change")
        head = [
            str(row.get("run_at") or "")[:16],
            str(row.get("year") or ""),
            "" if score is None or score != score else f"{float(score):.3f}",
            str(row.get("risk_level") or ""),
            tr(CHANGES[change]) if change in CHANGES else str(change or ""),
        ]
        console.print(Text.assemble("  ", ("  ".join(h for h in head if h), "bold")))
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(cell("    " + _label("risk_types")),
                     cell(_risk_names(row.get("risk_types"))))  # fmt: skip
        grid.add_row(cell("    " + _label("reasons")), cell(row.get("reasons")))
        console.print(grid)


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
                raise typer.BadParameter(tr(MSG_EVIDENCE_TOGETHER))
            evidence = EliminationEvidence(income, line, labor)
        with _store(store) as s, show_repairs():
            case = s.transition(
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
    console.print(cell(tr(MSG_UPDATED, case_id=case_id, state=case["state"])))
