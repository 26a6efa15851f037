"""``fanpin alerts``: the early-warning list (预警名单), reasons, measures, what-if."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ..config import PushesConfig, load_configs
from ..exceptions import InputError
from ..io import check_apart, replace_directory, write_table, write_text
from ..messages import N_, Message
from ..models import load_model
from ..schema import read_events
from ..workflow import (
    ALERT_CHUNK_HOUSEHOLDS,
    ALERT_OUTPUT_FILES,
    EVIDENCE_KINDS,
    IDENTIFIED_STATES,
    SOURCE_PUSH,
    AssistanceMap,
    CaseStore,
    DeadlineRules,
    ReopenRules,
    alert_evidence,
    attach_cases,
    read_pii,
    run_alerts_file,
    write_workbooks,
)
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
    fail_on_fanpin_error,
    progress_bar,
    show_repairs,
)
from ._i18n import tr
from ._output import command_line, finish, say

MSG_BAD_AS_OF = N_("--as-of must be a date like 2025-03-31; got {value!r}.")
MSG_BARE_MODEL = N_(
    "{model} holds a bare RiskModel, not a panel pipeline; train it with "
    "`fanpin train`."
)
MSG_LISTED = N_(
    "{scored:,} households scored, {alerted:,} at or above the alert cutoff "
    "{cutoff:.3f}. Alert list: {listed:,} households, of which {urgent:,} urgent "
    "(紧急: in hardship, not yet identified), {rule_hits:,} rule hits (规则命中: "
    "{per_rule}) and {model_added:,} added by the model (模型新增); {over:,} more "
    "at or above the cutoff are beyond township capacity (kept in scored.csv); "
    "{monitored:,} identified households in hardship (monitored.csv)."
)
MSG_NO_RULE_HITS = N_("none")
MSG_FIRST_RUN = N_(
    "First run on a new case store: {new:,} cases opened, {urgent:,} urgent "
    "(紧急), {rule_hits:,} rule hits (规则命中) and {model_added:,} added by the "
    "model (模型新增, at most the township capacity each)."
)
MSG_PUSHES = N_(
    "Department pushes: {applied:,} events applied, {skipped:,} skipped; {raised:,} "
    "households listed because of a push."
)
MSG_PUSHES_SKIPPED = N_(
    "Department pushes: {applied:,} events applied, {skipped:,} skipped ({detail}); "
    "{raised:,} households listed because of a push."
)
MSG_SKIP_ITEM = N_("{why}: {n:,}")
MSG_SEP = N_("; ")
MSG_CASES = N_(
    "Case store: {new:,} new cases opened; {updated:,} open cases alerted again, of "
    "which {up:,} rose to a higher risk level and {down:,} fell to a lower one."
)
MSG_REOPENED = N_(
    "Households whose case was closed (已排除 or 风险消除): {reopened:,} got a new "
    "case on new evidence ({detail}); {kept:,} stay closed (no new evidence since "
    "the closing; marked 已结案 in the workbooks)."
)
EVIDENCE_NAMES = {
    "push": N_("a push dated after the closing"),
    "record": N_("a later annual record"),
    "risk": N_("a rise in risk beyond the margin"),
}
MSG_OVERDUE = N_(
    "{n:,} listed case(s) are past their verification deadline (已逾期): see `fanpin "
    "cases list --overdue`."
)
MSG_TIMING = N_(
    "Done in {seconds:.1f}s ({rate:,.0f} households/s, {chunks} chunk(s))."
)
OUT_ALERTS_CSV = N_("the early-warning list (预警名单) with reasons and measures")
OUT_ALERTS_PARQUET = N_("the same list as Parquet")
OUT_EXCEL = N_("{n:,} workbook(s), one per township, one sheet per village")
OUT_SCORED = N_("every household scored, with its rank (including those not listed)")
OUT_MONITORED = N_("households already in hardship (monitored)")
OUT_EXCLUSIONS = N_("households and pushes left out, each with the reason")
OUT_SUMMARY = N_("the run's summary: the lines above (rules not checked included)")
MSG_SUMMARY_HEAD = N_("fanpin alerts, --as-of {as_of}:")
SUMMARY_FILE = "summary.txt"
OUT_STORE = N_("the case store: one case per listed household")
STEP_HAND_OUT = N_(
    "Give each township its workbook for verification (核查); then follow the "
    "cases:"
)
STEP_UPDATE = N_("Record each verification result, e.g.:")
EXAMPLE_ACTOR = N_("township-verifier")
STEP_STORE = N_("Track the cases in a case store: run again with --store, e.g.:")


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
            help="Department-push events table (CSV or a workbook: every sheet "
            "with the event columns is read). A push is new information when "
            "dated after the collection date of the household's latest annual "
            "record (pushes.yaml, default 12-31 of its year) and up to --as-of: "
            "it updates that record or creates the next year's, starting from "
            "the annual figures, and the household is assessed again. Pushes "
            "already covered, and bad ones (unknown household or source, "
            "unreadable date or amount, after --as-of, exact duplicates), are "
            "skipped, counted in the summary and listed in exclusions.csv.",
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
    pushes_config: Annotated[
        Path | None,
        typer.Option(
            "--pushes-config",
            help="pushes.yaml: the annual records' collection dates (which "
            "pushes are new) and the names of the push sources (default: "
            "shipped).",
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="rules.yaml: every household a rule flags is listed (规则命中) "
            "(default: shipped).",
        ),
    ] = None,
    risk_types: RiskTypesOption = None,
    assistance: AssistanceOption = None,
    chunk_households: ChunkHouseholdsOption = ALERT_CHUNK_HOUSEHOLDS,
    quiet: QuietOption = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Write the early-warning list: alerts.csv/.parquet, excel/<township>.xlsx,
    scored.csv, monitored.csv, exclusions.csv and summary.txt (the summary
    printed, with the rules not checked and the placeholder lines in use).

    The panel is read in chunks of whole counties (bounded memory, any size);
    the results equal those of the whole panel at once, whatever the engine and
    the number of workers."""
    check_engine_options(engine, scheduler, workers)
    with fail_on_fanpin_error(), show_repairs():
        try:
            when = pd.Timestamp(as_of) if as_of else pd.Timestamp(date.today())
        except ValueError:
            raise InputError(Message(MSG_BAD_AS_OF, value=as_of)) from None
        check_apart(
            [out],
            [panel, events, pii, model, lines, config, pushes_config, rules,
             risk_types, assistance],
        )  # fmt: skip
        # The store first: a bad URL, an unwritable folder or a wrong schema is
        # found before any scoring, and before any output is written.
        with _open_store(store) as cs:
            check_apart([out], [cs.path if cs is not None else None])
            pipe = load_model(model)
            if not hasattr(pipe, "features"):
                raise InputError(Message(MSG_BARE_MODEL, model=str(model)))
            cfg = load_configs(
                alerts=config, lines=lines, rules=rules, risk_types=risk_types,
                assistance=assistance, pushes=pushes_config,
            )  # fmt: skip
            # the store's identified open cases are monitored objects (never
            # 紧急); a store without any case gets its first run
            known, first_run = _store_cases(cs)
            monitoring = cfg.lines if lines is not None else None
            ev = _read_events(events, cfg.pushes) if events is not None else None
            people = read_pii(pii) if pii is not None else None
            # Everything is written into a new folder, the store is updated, and
            # only then does the folder replace --out whole: a failed or killed
            # run changes neither.
            with replace_directory(out, owned=ALERT_OUTPUT_FILES) as stage:
                with progress_bar(quiet) as bar:
                    run = run_alerts_file(
                        pipe,
                        panel,
                        out=stage,
                        as_of=when,
                        events=ev,
                        lines=monitoring,
                        config=cfg.alerts,
                        explain_config=cfg.risk_types,
                        assistance=AssistanceMap(cfg.assistance, cfg.risk_types),
                        capacity=capacity,
                        covered=(
                            covered_events.value if covered_events is not None else None
                        ),
                        chunk_households=chunk_households,
                        pushes=cfg.pushes,
                        pii=people,
                        progress=bar,
                        engine=engine,
                        workers=workers,
                        scheduler=scheduler,
                        # with a store, the workbooks are written after the
                        # upsert, with each household's case
                        write_excel=cs is None,
                        rules=cfg.rules,
                        monitored_ids=known,
                    )
                    summary, listing = (
                        _to_store(cs, run, stage, when, cfg, people, bar, workers)
                        if cs is not None
                        else (None, None)
                    )
                    said = _summary(run, summary, listing, first_run)
                    # the run's summary file: what is printed below, translated
                    head = tr(MSG_SUMMARY_HEAD, as_of=when.strftime("%Y-%m-%d"))
                    write_text(
                        "\n".join([head, *(tr(m) for m in said)]) + "\n",
                        stage / SUMMARY_FILE,
                    )
        files = run.files
    for message in said:
        say(message)
    # the timing is printed only: the summary file is the same bytes every run
    rate = run.households / run.seconds if run.seconds else 0.0
    say(MSG_TIMING, seconds=run.seconds, rate=rate, chunks=run.chunks)
    outputs = [
        # run.files are where the run wrote them (the new folder, now --out).
        (OUT_ALERTS_CSV, out / Path(files["alerts_csv"]).name),
        (OUT_ALERTS_PARQUET, out / Path(files["alerts_parquet"]).name),
        (tr(OUT_EXCEL, n=len(files["excel"])), out / "excel"),
        (OUT_SCORED, out / Path(files["scored"]).name),
        (OUT_MONITORED, out / Path(files["monitored"]).name),
    ]
    if "exclusions" in files:
        outputs.append((OUT_EXCLUSIONS, out / Path(files["exclusions"]).name))
    outputs.append((OUT_SUMMARY, out / SUMMARY_FILE))
    if store is not None:
        shown = _shown_url(store)
        outputs.append((OUT_STORE, shown))
        first = run.alerts["township"].iloc[0] if len(run.alerts) else "…"
        opened = summary.new if summary is not None else None
        case = opened["case_id"].iloc[0] if opened is not None and len(opened) else 1
        steps = [
            (STEP_HAND_OUT, command_line("fanpin", "cases", "list", "--store", shown,
                                         "--township", first)),
            (STEP_UPDATE, command_line("fanpin", "cases", "update", case, "--to",
                                       "核查中", "--actor", tr(EXAMPLE_ACTOR),
                                       "--store", shown)),
        ]  # fmt: skip
    else:
        steps = [
            (STEP_STORE, command_line("fanpin", "alerts", panel, "--model", model,
                                      "--out", out, "--store", "sqlite:///cases.db")),
        ]  # fmt: skip
    finish(outputs, steps)


def _summary(run, summary, listing, first_run: bool) -> list[Message]:  # noqa: ANN001
    """The run's summary lines: the list by why listed, the rules' notes (rules
    not checked, placeholder lines), the pushes, the case store (the timing is
    printed after them, and kept out of summary.txt: same inputs, same bytes)."""
    per_rule = tr(MSG_SEP).join(f"{k} {n:,}" for k, n in run.per_rule.items() if n)
    out = [
        Message(
            MSG_LISTED,
            scored=run.scored,
            alerted=run.alerted,
            cutoff=run.cutoff,
            listed=len(run.alerts),
            urgent=run.urgent,
            rule_hits=run.rule_hits,
            per_rule=per_rule or tr(MSG_NO_RULE_HITS),
            model_added=run.model_added,
            over=run.over_capacity,
            monitored=run.monitored,
        ),
        *run.rule_notes,
    ]
    if run.applied is not None and run.skipped is not None:
        pushed = int((run.alerts["source"] == SOURCE_PUSH).sum())
        skipped = run.skipped
        why = skipped["why"].value_counts(sort=False) if len(skipped) else {}
        detail = tr(MSG_SEP).join(
            tr(MSG_SKIP_ITEM, why=tr(str(w)), n=n) for w, n in dict(why).items()
        )
        out.append(Message(MSG_PUSHES_SKIPPED if detail else MSG_PUSHES,
                           applied=len(run.applied), skipped=len(skipped),
                           detail=detail, raised=pushed))  # fmt: skip
    if summary is not None:
        c = summary.counts()
        out.append(Message(MSG_CASES, new=c["new"], updated=c["updated"],
                           up=c["escalated"], down=c["fell"]))  # fmt: skip
        if first_run:
            why = _opened_by(summary.new, run.alerts)
            out.append(Message(MSG_FIRST_RUN, new=c["new"], urgent=why.get("紧急", 0),
                               rule_hits=why.get("规则命中", 0),
                               model_added=why.get("模型新增", 0)))  # fmt: skip
        if c["reopened"] or c["kept_closed"]:
            kinds = summary.reopened["evidence"].value_counts()
            detail = tr(MSG_SEP).join(
                tr(MSG_SKIP_ITEM, why=tr(EVIDENCE_NAMES[k]), n=int(kinds[k]))
                for k in EVIDENCE_KINDS
                if k in kinds
            )
            out.append(Message(MSG_REOPENED, reopened=c["reopened"],
                               detail=detail or "-",
                               kept=c["kept_closed"]))  # fmt: skip
        overdue = int(listing["overdue"].sum())
        if overdue:
            out.append(Message(MSG_OVERDUE, n=overdue))
    return out


def _shown_url(url: str) -> str:
    """A store URL fit to print: its password hidden."""
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL the store accepted; never print a secret
        return url.split("@")[-1]


def _to_store(cs, run, stage: Path, when: pd.Timestamp, cfg, people, bar, workers):  # noqa: ANN001, ANN202, PLR0913
    """Upsert the run's alerts into the store, then write the alert list and the
    workbooks again with each household's case: case id, state, 新增/延续 and
    the store's deadline (one deadline everywhere) and 已逾期. Returns the
    upsert's summary and the store's listing of the alerted households.

    The contract an alerts engine meets: the alerts carry the evidence columns
    (:func:`fanpin.workflow.alert_evidence`: the annual record year and the
    latest push date), the upsert comes before the workbooks are written, and
    the workbooks get :func:`fanpin.workflow.attach_cases` of the store's
    :meth:`~fanpin.workflow.CaseStore.listing`.
    """
    alerts = alert_evidence(run.alerts, run.applied, latest_year=run.latest_year)
    summary = cs.upsert_alerts(
        alerts,
        run_at=when.to_pydatetime(),
        reopen=ReopenRules(risk_margin=cfg.alerts.reopen_risk_margin),
        deadlines=DeadlineRules.from_config(cfg.alerts),
    )
    listing = cs.listing(run.alerts["household_id"], run_id=summary.run_id, as_of=when)
    listed = attach_cases(run.alerts, listing)
    write_table(listed, stage / "alerts.csv")
    write_table(listed, stage / "alerts.parquet")
    run.files["excel"] = write_workbooks(
        listed, stage / "excel", pii=people, as_of=when, workers=workers,
        progress=None if bar is None else (lambda d, t: bar("excel", d, t)),
    )  # fmt: skip
    return summary, listing


def _store_cases(cs: CaseStore | None) -> tuple[frozenset[str], bool]:
    """The households of the store's identified open cases (已认定, 帮扶中: the
    monitored objects the store knows) and whether the store has no case."""
    if cs is None:
        return frozenset(), False
    cases = cs.list_cases()
    if not len(cases):
        return frozenset(), True
    open_ = cases["closed_at"].isna() & cases["state"].isin(IDENTIFIED_STATES)
    return frozenset(cases.loc[open_, "household_id"].astype(str)), False


def _opened_by(new: pd.DataFrame, alerts: pd.DataFrame) -> dict[str, int]:
    """The cases opened, by why their household was listed (``listed_by``)."""
    by = alerts.set_index(alerts["household_id"].astype(str))["listed_by"]
    got = by.reindex(new["household_id"].astype(str)).value_counts()
    return {str(k): int(v) for k, v in got.items()}


@contextmanager
def _open_store(url: str | None) -> Iterator[CaseStore | None]:
    """The case store of ``url``, checked and writable; None without a URL."""
    if url is None:
        yield None
        return
    store = CaseStore(url)
    try:
        store.check_writable()
        yield store
    finally:
        store.close()


def _read_events(events: Path, pushes: PushesConfig) -> pd.DataFrame:
    """Read the events, every bad one kept with its reason (``why``): the run
    skips them, lists them in exclusions.csv and counts them in the summary
    (households not in the panel and dates after --as-of too), and applies
    the others."""
    return read_events(events, on_bad="skip", config=pushes)
