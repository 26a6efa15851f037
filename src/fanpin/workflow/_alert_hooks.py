"""The alerts job: the scoring engine (:func:`fanpin.scoring.run_job`) with
three hooks.

- **after each chunk** (:meth:`AlertHooks.after_chunk`, in the worker): the
  chunk's department pushes are applied, the households they touch scored
  again on their updated record; the parts written are the scores before the
  events (``pre``: levels and the cutoff come from them), the scored list
  after the events (``scores``), the monitored list and the exclusions.
- **on the merged ranking** (:meth:`AlertHooks.on_ranking`, here): the alert
  cutoff and the level boundaries from every score before the events, then the
  scored list is written block by block along the global order (rank, level,
  source, township capacity counted highest risk first); the listed
  households of each chunk go to the explain pass.
- **in the explain pass** (:meth:`AlertHooks.explain`, in the worker): the
  listed households of a chunk are explained on the kept panel (with the
  events applied) and features, get their measures and what-if.

:meth:`AlertHooks.finish` sorts the alert list once (county, township, rank)
and writes every output (or returns the tables: an in-memory run).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..config import AlertsConfig, MonitoringLines, PushesConfig, RiskTypes
from ..explain import explain_households
from ..io import write_table
from ..ranking import LevelBounds, RiskLevels, level_of, rank
from ..scoring import (
    ID_COLUMNS,
    ChunkResult,
    FrameSink,
    Hooks,
    Job,
    KeptChunk,
    ScoredChunk,
)
from ._alerts import (
    SOURCE_MODEL,
    SOURCE_PUSH,
    CapacityCounter,
    alert_rows,
    sort_alerts,
)
from ._assistance import AssistanceMap
from ._events import apply_events_quietly, log_skipped
from ._export import write_workbooks
from ._pushes import (
    among,
    event_exclusions,
    household_exclusions,
    latest_rows,
    lines_ahead,
    order_events,
    pushed_records,
)
from ._whatif import what_if

__all__ = ["AlertHooks", "ChunkEvents", "ListFlags"]

logger = logging.getLogger(__name__)


@dataclass
class ChunkEvents:
    """What a chunk's after-chunk hook sends back (small): the events applied
    and skipped, the positions of the events it took, the households moved to
    the monitored list, its years and whether its features still hold after
    the events."""

    applied: pd.DataFrame | None
    skipped: pd.DataFrame | None
    taken: np.ndarray
    moved: pd.DataFrame | None
    years: list[int]
    pre_scores: np.ndarray
    empty_panel: pd.DataFrame
    work: pd.DataFrame | None = None  # an in-memory run: the panel with events


def discovered_dtype(as_of: pd.Timestamp, first_dtype: Any, pushed: bool) -> Any:
    """The dtype of ``discovered``: the run date's, joined with the events'
    dates' when any event was applied (pandas' common dtype of both)."""
    keep = pd.DataFrame({"d": [0]})
    keep["d"] = as_of
    if not pushed:
        return keep["d"].dtype
    new = pd.DataFrame(
        {"d": np.where([True], np.array([as_of], dtype=first_dtype),
                       as_of.to_datetime64())}
    )  # fmt: skip
    return pd.concat([keep, new], ignore_index=True)["d"].dtype


@dataclass
class ListFlags:
    """The scored list, block by block along the global order: rank, level,
    source and discovery date, and who is listed within township capacity."""

    cutoff: float
    cuts: dict[str, float]
    bounds: LevelBounds
    capacity: CapacityCounter
    as_of: pd.Timestamp
    discovered_dtype: Any
    listed: list[pd.DataFrame] = field(default_factory=list)
    n_alerted: int = 0
    n_over: int = 0

    def __call__(self, frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
        n = len(frame)
        p = frame["risk_score"].to_numpy(dtype="float64")
        hit = frame["_hit"].to_numpy(dtype=bool)
        ids = frame["household_id"].astype(str).to_numpy(dtype=object)
        level = np.empty(n, dtype=object)
        # households touched by a push: their level from their new score; the
        # others keep their level in the ranking before the events
        level[hit] = level_of(p[hit], self.cuts)
        level[~hit] = self.bounds.of(p[~hit], ids[~hit])
        was = frame["_was"].to_numpy(dtype="float64")
        crossed = (
            hit & (p >= self.cutoff) & ~(np.nan_to_num(was, nan=-1.0) >= self.cutoff)
        )
        discovered = np.where(
            crossed, frame["_first"].to_numpy(), self.as_of.to_datetime64()
        )
        out = frame[[*ID_COLUMNS, "risk_score"]].copy()
        out["risk_rank"] = np.arange(first_row + 1, first_row + n + 1, dtype="int64")
        out["risk_level"] = pd.array(level, dtype="string")
        out["source"] = pd.Series(
            np.where(crossed, SOURCE_PUSH, SOURCE_MODEL).astype(object),
            index=out.index,
        )
        out["event_reasons"] = frame["event_reasons"]
        out["discovered"] = pd.Series(discovered, index=out.index).astype(
            self.discovered_dtype
        )
        out["labor_count"] = frame["labor_count"]
        alerted = p >= self.cutoff
        out["alerted"] = alerted
        rank, listed, over = self.capacity.flags(
            out["county"], out["township"], alerted
        )
        out["rank"] = rank
        out["listed"] = listed
        out["over_capacity"] = over
        self.n_alerted += int(alerted.sum())
        self.n_over += int(over.sum())
        if listed.any():
            self.listed.append(out.loc[listed].assign(_chunk=frame["_chunk"][listed]))
        return out


def _builders_cover(model: Any, year: int) -> bool:
    """Whether the model's feature builders have monitoring lines up to ``year``
    (then carrying lines to later years changes no feature of ``year``)."""
    builders = getattr(model.features, "builders_", [])
    return all(max(b.lines_.default) >= year for b in builders if hasattr(b, "lines_"))


def _kept_features(
    chunk: ScoredChunk,
    work: pd.DataFrame,
    applied: pd.DataFrame | None,
    pushed: Any,
) -> pd.DataFrame | None:
    """The features of the chunk's scored records after the events, when they
    are known without computing them again (else None).

    Features of a record use its household's history up to its year and the
    records of its county in that year. When the events only created records
    of years after the scored year (department pushes after the annual sweep,
    ``covered="skip"``), the features of every scored record are unchanged:
    those of the score pass, with the pushed households' records replaced by
    the features they were scored again with.
    """
    if chunk.features is None or not _builders_cover(chunk.model, chunk.latest_year):
        return None
    if applied is None or not len(applied):
        return chunk.features
    if pushed is None or pushed.features is None:
        return None
    panel = chunk.panel
    if np.isin(applied["row"].to_numpy(), panel.index.to_numpy()).any():
        return None  # an event changed an annual record (covered="apply")
    new = work.index[len(panel) :]
    if len(new) and int(work.loc[new, "year"].min()) <= chunk.latest_year:
        return None  # a record created in the scored year: its county changes
    hit = panel["household_id"].astype(str).isin(pushed.hit).to_numpy()
    keep = chunk.features.loc[~chunk.features.index.isin(panel.index[hit])]
    return pd.concat([keep, pushed.features])


def _tied_ids(job: Job, score: float) -> list[str]:
    """Ids of the households with ``score`` before the events."""
    tied: list[str] = []
    for t in job.tables("pre", ["risk_score", "household_id"]):
        sel = t.filter(pc.equal(t.column("risk_score"), score))
        tied.extend(str(x) for x in sel.column("household_id").to_pylist())
    return tied


@dataclass
class AlertHooks(Hooks):
    """The hooks of the alerts job (see the module docstring).

    ``events``: the checked events with their position ``_pos`` (None: no
    pushes); ``out``: the output folder (None: an in-memory run, the tables
    are returned); ``pii``: joined into the workbooks only.
    """

    explain_stage = "alerts"

    config: AlertsConfig
    explain_config: RiskTypes
    assistance: AssistanceMap
    levels: RiskLevels
    lines: MonitoringLines
    as_of: pd.Timestamp
    covered: str
    capacity: int | None = None
    events: pd.DataFrame | None = None
    first_dtype: Any = np.dtype("datetime64[ns]")
    out: Path | None = None
    table_format: str = "csv"
    pii: pd.DataFrame | None = None
    #: Write the township workbooks (a caller with a case store writes them
    #: itself after the upsert, with each household's case).
    write_excel: bool = True
    #: The pushes config (collection dates; None: the shipped one).
    pushes: PushesConfig | None = None
    #: What the hooks keep in this process between the stages (never sent to
    #: a worker).
    state: dict[str, Any] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "state": {}}

    def keeps(self) -> bool:
        return True

    # -- after each chunk (in the worker) --------------------------------------
    def after_chunk(self, chunk: ScoredChunk) -> ChunkResult:
        panel, scored = chunk.panel, chunk.scores
        p_pre = scored["risk_score"].to_numpy(dtype="float64")
        work, applied, skipped = panel, None, None
        taken = np.empty(0, dtype="int64")
        years: set[int] = set()
        if self.events is not None:
            years.update(int(y) for y in panel["year"].unique())
            ev_ids = self.events["household_id"].astype(str)
            ids = panel["household_id"].astype(str)
            present = ids[among(ids, ev_ids.unique())].unique()
            mine = among(ev_ids, present)
            taken = self.events["_pos"].to_numpy()[mine]
            if mine.any():
                res = apply_events_quietly(
                    panel, self.events.loc[mine], as_of=self.as_of,
                    config=self.config, covered=self.covered,
                    pushes=self.pushes,
                )  # fmt: skip
                work, applied, skipped = res.panel, res.applied, res.skipped
        last = latest_rows(work)
        pushed = None
        model = chunk.model
        if applied is not None and len(applied):
            years.update(int(y) for y in work["year"].unique())
            # the lines of this chunk's years; the job warns once, later
            m, ln = lines_ahead(model, chunk.lines, sorted(years), warn=False)
            pushed = pushed_records(m, ln, work, applied, last, panel)
        first_dtype = self.first_dtype
        hit = pushed.hit if pushed is not None else np.array([], dtype=object)
        ids = scored["household_id"].astype(str)
        keep = scored.loc[~among(ids, hit), [*ID_COLUMNS, "risk_score"]]
        keep = keep.assign(
            _was=keep["risk_score"].to_numpy(),
            _hit=False,
            _first=pd.Series(pd.NaT, index=keep.index, dtype=first_dtype),
            event_reasons=pd.array([""] * len(keep), dtype="string"),
        )
        frames, moved = [keep], None
        if pushed is not None:
            ok = ~pushed.in_hard
            before = pd.Series(p_pre, index=ids.to_numpy())
            was = before.reindex(pushed.hit).to_numpy(dtype="float64")
            new = pushed.new.loc[ok]
            frames.append(
                new.assign(
                    _was=was[ok],
                    _hit=True,
                    _first=pd.Series(pushed.first[ok], index=new.index).astype(
                        first_dtype
                    ),
                    event_reasons=pushed.reasons[ok],
                )
            )
            # moved rows follow the order of their household's first event
            first = applied.groupby("household_id")["date"].min()
            moved = pushed.moved()
            moved["_first"] = first.reindex(pushed.hit).to_numpy()[pushed.in_hard]
        out = pd.concat(frames, ignore_index=True)
        out_ids = out["household_id"].astype(str)
        out["labor_count"] = work.loc[
            last.loc[out_ids].to_numpy(), "labor_count"
        ].to_numpy()
        out = out.iloc[rank(out["risk_score"], out_ids.to_numpy())]
        out = out.reset_index(drop=True)
        out["_chunk"] = np.int32(chunk.index)
        monitored = chunk.monitored
        monitored = monitored.loc[~among(monitored["household_id"].astype(str), hit)]
        features = _kept_features(chunk, work, applied, pushed)
        return ChunkResult(
            parts={
                "pre": scored[["risk_score", "household_id"]],
                "scores": out,
                "monitored": monitored,
                "excluded": household_exclusions(panel, chunk.latest_year),
            },
            keep=(work, features),
            info=ChunkEvents(
                applied=applied,
                skipped=skipped,
                taken=taken,
                moved=moved,
                years=sorted(years),
                pre_scores=p_pre,
                empty_panel=panel.iloc[:0],
                work=work if self.out is None else None,
            ),
        )

    # -- on the merged ranking (here) ------------------------------------------
    def _events_of_run(self, job: Job) -> None:
        """Every chunk's applied and skipped events, in one order; the events
        of households in no chunk skipped as unknown; the lines warning once."""
        st = self.state
        st["applied"] = st["skipped"] = None
        if self.events is None:
            return
        infos = [o.info for o in job.outcomes]
        applied = [i.applied for i in infos if i.applied is not None]
        skipped = [i.skipped for i in infos if i.skipped is not None]
        taken = np.zeros(len(self.events), dtype=bool)
        taken[np.concatenate([i.taken for i in infos])] = True
        if (~taken).any():  # households in no chunk: skipped as unknown
            rest = apply_events_quietly(
                infos[0].empty_panel, self.events.loc[~taken], as_of=self.as_of,
                config=self.config, covered=self.covered, pushes=self.pushes,
            )  # fmt: skip
            applied.append(rest.applied)
            skipped.append(rest.skipped)
        one = self.out is None
        st["applied"] = order_events(applied, keep_row=one)
        st["skipped"] = order_events(skipped, keep_row=one)
        log_skipped(st["skipped"])
        years = sorted({y for i in infos for y in i.years})
        lines_ahead(job.model, self.lines, years)  # the warning, once

    def on_ranking(self, job: Job) -> dict[int, Any]:
        st = self.state
        st["workdir"], st["job"] = job.workspace.root, job
        self._events_of_run(job)
        pre = np.concatenate([o.info.pre_scores for o in job.outcomes])
        p_pre = -np.sort(-pre)

        def id_at(position: int) -> str:
            pb = p_pre[position]
            m = position - int((p_pre > pb).sum())
            return sorted(_tied_ids(job, float(pb)))[m]

        cfg = self.config
        cutoff = self.levels.cutoff(
            p_pre, min_level=cfg.min_level, min_score=cfg.min_score
        )
        pushed = st["applied"] is not None and len(st["applied"]) > 0
        flags = ListFlags(
            cutoff=cutoff,
            cuts=self.levels.lowest_scores(p_pre),
            bounds=self.levels.bounds(p_pre, id_at),
            capacity=CapacityCounter(cfg, self.capacity),
            as_of=self.as_of,
            discovered_dtype=discovered_dtype(self.as_of, self.first_dtype, pushed),
        )

        n = len(job.ranking)
        mon_order, _ = job.order("monitored", by_score=False)
        excl_order, _ = job.order("excluded", by_score=False)
        head = None
        if st["skipped"] is not None and len(st["skipped"]):
            head = event_exclusions(st["skipped"])
        st.update(
            cutoff=cutoff, flags=flags, mon_order=mon_order, excl_order=excl_order,
            head=head, done=0, total=n + len(mon_order) + len(excl_order)
            + (len(head) if head is not None else 0),
        )  # fmt: skip
        job.report("write", 0, st["total"])
        st["scored_out"] = self._sink("scored")
        st["n_scored"] = job.merge(
            st["scored_out"], "scores", job.ranking.chunk_of_rank, block=flags,
            report=lambda k: self._step(job, k),
        )  # fmt: skip
        # the columns of an empty list (no rows: counts and capacity unchanged)
        st["listed_template"] = flags(job.template("scores"), 0)
        if not flags.listed:
            return {}
        listed = pd.concat(flags.listed, ignore_index=True)
        applied = {o.index: o.info.applied for o in job.outcomes}
        return {
            int(c): ToExplain(rows.drop(columns="_chunk"), applied.get(int(c)), cutoff)
            for c, rows in listed.groupby("_chunk", sort=True)
        }

    def _sink(self, name: str) -> Path | FrameSink:
        if self.out is None:
            return FrameSink()
        return self.state["workdir"] / f"{name}.{self.table_format}"

    def _step(self, job: Job, k: int) -> None:
        self.state["done"] += k
        job.report("write", self.state["done"], self.state["total"])

    # -- in the explain pass (in the worker) -----------------------------------
    def explained(self, selection: Any) -> int:
        return len(selection.listed)

    def explain(self, chunk: KeptChunk, selection: ToExplain, *, model: Any) -> Any:
        listed = selection.listed
        work = chunk.panel
        last = latest_rows(work)
        rows = pd.Index(last.loc[listed["household_id"].astype(str)].to_numpy())
        years = sorted(int(y) for y in work["year"].unique())
        m, ln = lines_ahead(model, self.lines, years, warn=False)
        features = chunk.features
        if features is None:
            features = (
                m.features.transform_rows(work, rows)
                if hasattr(m.features, "transform_rows")
                else m.features.transform(work)
            )
        ex = explain_households(
            m, work, rows=rows, lines=ln, risk_types=self.explain_config,
            features=features, pushes=selection.pushes,
        )  # fmt: skip
        cfg = self.config
        out = alert_rows(
            listed, ex, self.assistance, as_of=self.as_of,
            deadline_days=cfg.deadline_days, config=cfg,
        )  # fmt: skip
        return _with_what_if(
            out, m, work, rows, config=cfg, assistance=self.assistance,
            cutoff=selection.cutoff,
        )  # fmt: skip

    # -- the outputs (here) -----------------------------------------------------
    def finish(self, job: Job, explained: dict[int, Any]) -> Any:
        st = self.state
        pieces = [explained[i] for i in sorted(explained)]
        if not pieces:  # nobody listed: the columns and dtypes of an empty list
            empty = alert_rows(
                st["listed_template"], _no_explanations(),
                self.assistance, as_of=self.as_of,
                deadline_days=self.config.deadline_days, config=self.config,
            )  # fmt: skip
            empty["risk_after"] = np.full(0, np.nan)
            empty["what_if"] = pd.array([], dtype="string").to_numpy()
            pieces.append(empty)
        rows = pd.concat(pieces, ignore_index=True)
        logger.info("alert list: %d households", len(rows))
        alerts = sort_alerts(rows, extra=("risk_after",))
        infos = [o.info for o in job.outcomes]
        moved = [i.moved for i in infos if i.moved is not None and len(i.moved)]
        template = job.template("monitored")
        tail = None
        if moved:
            tail = pd.concat(moved, ignore_index=True)
            ids = tail["household_id"].astype(str).to_numpy()
            tail = tail.iloc[np.lexsort((ids, tail["_first"].to_numpy()))]
            tail = tail.drop(columns="_first").reset_index(drop=True)
            tail = pd.concat([template, tail], ignore_index=True)
        mon_out = self._sink("monitored")
        n_mon = job.merge(
            mon_out, "monitored", st["mon_order"], tail=tail,
            report=lambda k: self._step(job, k),
        )  # fmt: skip
        head = st["head"]
        n_excl = len(st["excl_order"]) + (len(head) if head is not None else 0)
        excl_out = self._sink("exclusions") if n_excl else None
        like = head.iloc[:0] if head is not None else None

        def align(frame: pd.DataFrame, _: int) -> pd.DataFrame:
            if like is None:
                return frame
            return pd.concat([like, frame], ignore_index=True)

        if excl_out is not None:
            job.merge(
                excl_out, "excluded", st["excl_order"],
                template=like if like is not None else pd.DataFrame(),
                block=align, head=head, report=lambda k: self._step(job, k),
            )  # fmt: skip
        counts = {
            "scored": st["n_scored"],
            "alerted": st["flags"].n_alerted,
            "over_capacity": st["flags"].n_over,
            "monitored": n_mon,
            "excluded": n_excl,
        }
        if self.out is None:
            return _InMemory(
                alerts=alerts,
                scored=st["scored_out"].frame,
                monitored=mon_out.frame,
                exclusions=(
                    excl_out.frame if excl_out is not None
                    else pd.DataFrame(columns=["kind", "household_id", "why"])
                ),
                applied=st["applied"],
                skipped=st["skipped"],
                work=infos[0].work if infos else None,
                cutoff=st["cutoff"],
                counts=counts,
            )  # fmt: skip
        target = self.out
        written: dict[str, Path | list[Path]] = {
            "alerts_csv": write_table(alerts, target / "alerts.csv"),
            "alerts_parquet": write_table(alerts, target / "alerts.parquet"),
        }
        for key, path in (("scored", st["scored_out"]), ("monitored", mon_out),
                          ("exclusions", excl_out)):  # fmt: skip
            if path is None:
                continue
            final = target / path.name
            os.replace(path, final)
            written[key] = final
        written["excel"] = (
            write_workbooks(
                alerts,
                target / "excel",
                pii=self.pii,
                progress=lambda done, total: job.report("excel", done, total),
            )
            if self.write_excel
            else []
        )
        return _InFiles(alerts=alerts, files=written, cutoff=st["cutoff"],
                        counts=counts, applied=st["applied"],
                        skipped=st["skipped"])  # fmt: skip


@dataclass(frozen=True)
class ToExplain:
    """What the explain pass gets for one chunk: its listed households, the
    department pushes applied to its records (``row`` labels of the kept
    panel; None without) and the alert cutoff."""

    listed: pd.DataFrame
    pushes: pd.DataFrame | None
    cutoff: float


WHAT_IF_COLUMNS = ("risk_after", "what_if", "measures", "departments")
"""Columns of the alert rows that :func:`~fanpin.workflow.what_if` sets (the
measures and departments reordered: those that lower the risk first)."""


def _with_what_if(
    out: pd.DataFrame,
    model: Any,
    work: pd.DataFrame,
    rows: pd.Index,
    *,
    config: AlertsConfig,
    assistance: AssistanceMap,
    cutoff: float,
) -> pd.DataFrame:
    wi = what_if(
        model, work, out, rows, config=config, assistance=assistance, cutoff=cutoff
    )
    for c in WHAT_IF_COLUMNS:
        out[c] = wi[c].to_numpy()
    return out


@dataclass
class _InMemory:
    alerts: pd.DataFrame
    scored: pd.DataFrame
    monitored: pd.DataFrame
    exclusions: pd.DataFrame
    applied: pd.DataFrame | None
    skipped: pd.DataFrame | None
    work: pd.DataFrame | None
    cutoff: float
    counts: dict[str, int]


@dataclass
class _InFiles:
    alerts: pd.DataFrame
    files: dict[str, Path | list[Path]]
    cutoff: float
    counts: dict[str, int]
    applied: pd.DataFrame | None
    skipped: pd.DataFrame | None


def _no_explanations() -> pd.DataFrame:
    cols = ["household_id", "risk_types", "risk_names", "reasons"]
    return pd.DataFrame({c: pd.Series([], dtype="string") for c in cols})
