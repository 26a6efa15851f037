"""``fanpin cases``: list, show and update the cases of alerted households,
import the townships' filled workbooks, summarise the verified hit rate."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..messages import N_
from ._alerts import MSG_SEP
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
MSG_BAD_DAY = N_("--{option} must be a date like 2026-06-30; got {value!r}.")
MSG_OVERDUE_MARK = N_("overdue")
MSG_OVERDUE_LINE = N_(
    "overdue: the verification deadline {deadline} passed {days} day(s) before "
    "{as_of}, and the case is still {state}."
)
MSG_REOPENS_LINE = N_(
    "reopens case {case_id} ({state}, closed {closed}) on new evidence: {evidence}."
)
EVIDENCE_DETAIL = {
    "push": N_("a department push dated {push}, after the closing"),
    "record": N_("the annual record of {year}, later than the one it was closed on"),
    "risk": N_("risk {score:.1%}, up from {before:.1%} at the closing"),
}
MSG_INIT_CREATED = N_("Created the case store {url}.")
MSG_INIT_EXISTS = N_("The case store {url} already exists; nothing was changed.")
MSG_IMPORTED = N_(
    "{workbook}: {rows:,} row(s) with a result: {moved:,} case(s) updated "
    "({detail}), {same:,} already so (unchanged); {blank:,} row(s) not filled in."
)
MSG_RESULT_COUNT = N_("{result} {n:,}")
MSG_NONE = N_("none")
MSG_IMPORT_SOME_FAILED = N_(
    "{bad} of {total} workbook(s) not imported (the reasons are above); each of "
    "the others was imported whole."
)
MSG_HIT_BY = {
    "township": N_("Verified hit rate by township"),
    "county": N_("Verified hit rate by county"),
    "risk_level": N_("Verified hit rate by the risk level at listing"),
}
MSG_HIT_NOTE = N_(
    "属实 share: of the listed cases the townships verified, the share found in "
    "hardship (属实-纳入监测), with its 95% Wilson interval. It measures the "
    "precision of the list only: households that were never listed are never "
    "verified, so it cannot say how many in hardship the list missed."
)
MSG_NO_LISTED = N_("No case of an alerts run in the store {url}{where}.")
MSG_WHERE = N_(" ({filters})")
HIT_LABELS = {
    "township": N_("township"),
    "county": N_("county"),
    "risk_level": N_("risk level at listing"),
    "listed": N_("listed"),
    "verified": N_("verified"),
    "true": N_("属实"),
    "false": N_("不属实"),
    "pending": N_("not verified yet"),
    "share": N_("属实 share (95% interval)"),
}
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
    "overdue": N_("overdue"),
    "record_year": N_("annual record year"),
    "last_push": N_("latest department push"),
    "reopens": N_("reopens case"),
    "opened_because": N_("opened on new evidence"),
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


def _store_url(url: str | None) -> str:
    return url or os.environ.get("FANPIN_STORE") or DEFAULT_STORE


def _store(url: str | None, *, create: bool = False):  # noqa: ANN202 - CaseStore
    """The case store of ``url``; one that does not exist is refused (only
    ``alerts`` and ``cases init`` create a store)."""
    from ..config import load_risk_types
    from ..workflow import CaseStore, load_assistance_map

    return CaseStore(
        _store_url(url),
        assistance=load_assistance_map(risk_types=load_risk_types()),
        create=create,
    )


def _day_option(value: str | None, option: str) -> date | None:
    """A ``--as-of`` style option as a date (refused with a message if not one)."""
    from ..exceptions import InputError
    from ..messages import Message

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(Message(MSG_BAD_DAY, option=option, value=value)) from None


AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The date to work on, YYYY-MM-DD (default: today): overdue is "
        "judged at it, and no change may be dated after it.",
    ),
]


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
    "overdue",
)
#: Every column of ``cases list --wide``, in the store's order of importance.
WIDE_COLUMNS = (
    "case_id", "household_id", "province", "county", "township", "village", "year",
    "state", "category", "current_level", "current_risk", "risk_types",
    "suggested_measures", "suggested_departments", "opened_at", "identified_at",
    "deadline", "overdue", "updated_at", "closed_at", "elimination_method",
    "record_year", "last_push", "reopens", "opened_because",
)  # fmt: skip


def _overdue(df, day: date) -> list[bool]:  # noqa: ANN001 - DataFrame
    """Whether each case is still to be verified and past its deadline at ``day``."""
    from ..workflow import DEADLINE_STATES

    return [
        state in DEADLINE_STATES and closed is None and due is not None and due < day
        for state, closed, due in zip(
            df["state"], df["closed_at"], df["deadline"], strict=True
        )
    ]


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
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue",
            help="Only cases still to be verified (预警, 核查中) past their deadline.",
        ),
    ] = False,
    as_of: AsOfOpt = None,
) -> None:
    """List cases, filtered by state and place; overdue cases are flagged."""
    with fail_on_fanpin_error():
        day = _day_option(as_of, "as-of") or date.today()
        with _store(store) as s:
            df = s.list_cases(
                state=state, township=township, county=county, open_only=open_only,
                overdue_at=day if overdue else None,
            )  # fmt: skip
    df["overdue"] = [tr(MSG_OVERDUE_MARK) if v else "" for v in _overdue(df, day)]
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
    as_of: AsOfOpt = None,
) -> None:
    """Show one case with its risk history, measures and audit trail."""
    with fail_on_fanpin_error():
        day = _day_option(as_of, "as-of") or date.today()
        with _store(store) as s:
            case = s.get_case(case_id)
            history, measures, trail = (
                s.history(case_id),
                s.measures(case_id),
                s.transitions(case_id),
            )
            before = s.get_case(case["reopens"]) if case.get("reopens") else None
    import pandas as pd

    frame = pd.DataFrame([case])
    if _overdue(frame, day)[0]:
        console.print(
            cell(tr(MSG_OVERDUE_LINE, deadline=case["deadline"],
                    days=(day - case["deadline"]).days, as_of=day,
                    state=case["state"])),
            style="bold red", soft_wrap=False,
        )  # fmt: skip
    if before is not None and case.get("opened_because") in EVIDENCE_DETAIL:
        evidence = tr(
            EVIDENCE_DETAIL[case["opened_because"]],
            push=case.get("last_push"), year=case.get("record_year"),
            score=float(case.get("current_risk") or 0.0),
            before=float(before.get("current_risk") or 0.0),
        )  # fmt: skip
        closed = before["closed_at"].date() if before["closed_at"] else ""
        console.print(
            cell(tr(MSG_REOPENS_LINE, case_id=before["case_id"], state=before["state"],
                    closed=closed, evidence=evidence)),
            style="bold", soft_wrap=False,
        )  # fmt: skip
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
    as_of: AsOfOpt = None,
) -> None:
    """Move a case to its next state; every change is recorded with actor and time
    (not before the case was opened or its last change, not after --as-of or now)."""
    from ..workflow import EliminationEvidence

    with fail_on_fanpin_error():
        day = _day_option(as_of, "as-of")
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
                as_of=day,
            )
    console.print(cell(tr(MSG_UPDATED, case_id=case_id, state=case["state"])))


@cases_app.command("init")
def init_store(store: StoreOpt = None) -> None:
    """Create an empty case store (the other `cases` commands need one)."""
    from ..exceptions import CaseStoreError

    url = _store_url(store)
    with fail_on_fanpin_error():
        try:
            _store(url).close()
            existed = True
        except CaseStoreError:
            existed = False
        if not existed:
            _store(url, create=True).close()
    shown = _shown(url)
    console.print(cell(tr(MSG_INIT_EXISTS if existed else MSG_INIT_CREATED, url=shown)))


def _shown(url: str) -> str:
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - never print a secret
        return url.split("@")[-1]


@cases_app.command("import")
def import_workbooks(
    workbooks: Annotated[
        list[Path],
        typer.Argument(
            help="Filled township workbooks (.xlsx, as `fanpin alerts --store` "
            "wrote them).",
            exists=True,
            dir_okay=False,
        ),
    ],
    store: StoreOpt = None,
    actor: Annotated[
        str | None,
        typer.Option(help="Who checked, for rows whose 核查人 is empty."),
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Read verification results (核查结果) back from filled township workbooks.

    Each filled row becomes the matching transition, recorded with the row's
    核查人 and 核查日期: 属实-纳入监测 -> 核查中 -> 已认定 (认定类别 needed),
    不属实-排除 -> 核查中 -> 已排除, 待核查 -> 核查中. One transaction per
    workbook: a workbook with a refused row is not imported at all (every
    refused row is listed, by sheet and row). Importing a workbook again
    changes nothing."""
    from ..exceptions import FanpinError
    from ..workflow import read_verifications

    bad = 0
    with fail_on_fanpin_error():
        day = _day_option(as_of, "as-of")
        with _store(store) as s:
            for path in workbooks:
                try:
                    with show_repairs():
                        sheet = read_verifications(path)
                        done = s.apply_verifications(
                            sheet.rows, actor=actor, as_of=day,
                            problems=sheet.problems, workbook=path.name,
                        )  # fmt: skip
                except FanpinError as exc:
                    from ._output import show_error

                    show_error(exc)
                    bad += 1
                    continue
                counts = done.applied["result"].value_counts()
                detail = tr(MSG_SEP).join(
                    tr(MSG_RESULT_COUNT, result=r, n=int(counts[r]))
                    for r in counts.index
                )
                console.print(
                    cell(tr(MSG_IMPORTED, workbook=path.name, rows=len(sheet.rows),
                            moved=len(done.applied), detail=detail or tr(MSG_NONE),
                            same=len(done.unchanged), blank=sheet.blank))
                )  # fmt: skip
    if bad:
        console.print(
            cell(tr(MSG_IMPORT_SOME_FAILED, bad=bad, total=len(workbooks))),
            style="bold red",
        )
        raise typer.Exit(1)


@cases_app.command("summary")
def summary(
    store: StoreOpt = None,
    county: Annotated[str | None, typer.Option(help="Only this county.")] = None,
    township: Annotated[str | None, typer.Option(help="Only this township.")] = None,
    opened_from: Annotated[
        str | None,
        typer.Option("--from", help="Only cases opened on or after YYYY-MM-DD."),
    ] = None,
    opened_to: Annotated[
        str | None,
        typer.Option("--to", help="Only cases opened on or before YYYY-MM-DD."),
    ] = None,
) -> None:
    """The verified hit rate of the alert list: by township and by risk level,
    the cases listed, verified, and the 属实 share with its 95% interval."""
    from ..workflow import hit_rates

    with fail_on_fanpin_error():
        start = _day_option(opened_from, "from")
        end = _day_option(opened_to, "to")
        with _store(store) as s:
            outcomes = s.outcomes(
                county=county, township=township, opened_from=start, opened_to=end
            )
    if outcomes.empty:
        filters = ", ".join(
            f"{k} {v}" for k, v in (("county", county), ("township", township),
                                     ("from", start), ("to", end)) if v
        )  # fmt: skip
        where = tr(MSG_WHERE, filters=filters) if filters else ""
        console.print(cell(tr(MSG_NO_LISTED, url=_shown(_store_url(store)),
                              where=where)))  # fmt: skip
        return
    for by in ("township", "risk_level"):
        console.print(hit_rate_table(hit_rates(outcomes, by), by))
    console.print(cell(tr(MSG_HIT_NOTE)), soft_wrap=False)


def hit_rate_table(table, by: str) -> Table:  # noqa: ANN001 - DataFrame
    """A rich table of :func:`fanpin.workflow.hit_rates` output (by township:
    a county and a township column)."""
    out = Table(title=cell(tr(MSG_HIT_BY[by])))
    heads = ("county", "township") if by == "township" else (by,)
    for head in heads:
        out.add_column(cell(tr(HIT_LABELS[head])), no_wrap=True)
    for key in ("listed", "verified", "true", "false", "pending", "share"):
        out.add_column(cell(tr(HIT_LABELS[key])), justify="right", no_wrap=True)
    for name, r in table.iterrows():
        names = name if isinstance(name, tuple) else (name,)
        out.add_row(
            *(cell(n) for n in names),
            *(cell(f"{int(r[k]):,}") for k in
              ("listed", "verified", "true", "false", "pending")),
            cell(share_text(r)),
        )  # fmt: skip
    return out


def share_text(r) -> str:  # noqa: ANN001 - a row of hit_rates
    """'50% (19%–81%)': the 属实 share and its 95% interval; '—' if none verified."""
    if r["verified"] == 0:
        return "—"
    return f"{r['share_true']:.0%} ({r['low']:.0%}–{r['high']:.0%})"
