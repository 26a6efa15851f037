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
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..config import (
    AlertsConfig,
    MonitoringLines,
    PushesConfig,
    RiskTypes,
    RulesConfig,
    shipped_configs,
)
from ..explain import explain_households
from ..io import write_table
from ..messages import Message
from ..models import rows_probabilities
from ..ranking import URGENT_LEVEL, LevelBounds, RiskLevels, level_of, rank
from ..rules import NAME_SEP, REASON_SEP, RuleBaseline, rule_notes
from ..schema import hardship_reasons
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
    township_key,
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
from ._selection import (
    LISTED_BY_MODEL,
    LISTED_BY_RULE,
    LISTED_URGENT,
    RULE_ALERT_COLUMNS,
)
from ._urgent import (
    RULE_HIT_REASON,
    SOURCE_RECORD,
    identified,
    urgent_reasons,
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
    #: the chunk's urgent households (紧急), rows as the scored part's
    urgent: pd.DataFrame | None = None
    #: what the rules could not check, or checked on placeholder lines, for the
    #: chunk's scored and urgent households (:attr:`fanpin.rules.RuleHits.gaps`)
    rule_gaps: pd.DataFrame | None = None


def _no_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s columns, dtypes and index dtype with no rows, sharing none of
    its memory (a zero-row slice, even copied, keeps every column's whole
    buffer alive: one chunk's panel per chunk until the run ends)."""
    index = frame.index
    empty = (
        index[:0] if isinstance(index, pd.RangeIndex)
        else pd.Index([], dtype=index.dtype, name=index.name)
    )  # fmt: skip
    return pd.DataFrame(
        {c: pd.array([], dtype=dt) for c, dt in frame.dtypes.items()}, index=empty
    )


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
    source and discovery date, and who is listed: every rule hit (规则命中),
    and the households at or above the cutoff that no rule flagged, within
    township capacity (模型新增). Township ranks start after the township's
    urgent households (:meth:`CapacityCounter.ahead`, called first)."""

    cutoff: float
    cuts: dict[str, float]
    bounds: LevelBounds
    capacity: CapacityCounter
    as_of: pd.Timestamp
    discovered_dtype: Any
    listed: list[pd.DataFrame] = field(default_factory=list)
    n_alerted: int = 0
    n_over: int = 0
    n_rule_hits: int = 0
    n_model_added: int = 0

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
        rule_hit = frame["rule_hit"].to_numpy(dtype=bool)
        rank, added, over = self.capacity.flags(
            out["county"], out["township"], alerted & ~rule_hit
        )
        listed = rule_hit | added
        out["rank"] = rank
        out["listed"] = listed
        out["over_capacity"] = over
        out["rule_hit"] = rule_hit
        out["rules"] = frame["rules"]
        out["listed_by"] = pd.array(
            np.where(rule_hit, LISTED_BY_RULE, np.where(added, LISTED_BY_MODEL, "")),
            dtype="string",
        )
        self.n_alerted += int(alerted.sum())
        self.n_over += int(over.sum())
        self.n_rule_hits += int(rule_hit.sum())
        self.n_model_added += int(added.sum())
        if listed.any():
            self.listed.append(
                out.loc[listed].assign(
                    _chunk=frame["_chunk"][listed],
                    _rule_reasons=frame["_rule_reasons"][listed],
                )
            )
        return out

    def urgent(self, urgent: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
        """The urgent households' rows (紧急), first in their townships: ranks
        1, 2, ... within each township (by discovery date, then id), always
        listed, never counted against capacity. Call before the ranked list.
        ``like``: the scored part's template (its columns' dtypes, as the
        merge gives them, whatever the chunks)."""
        urgent = urgent.astype(
            {c: like[c].dtype for c in (*ID_COLUMNS, "risk_score", "labor_count",
                                        "event_reasons") if c in like}
        )  # fmt: skip
        order = np.lexsort((
            urgent["household_id"].astype(str).to_numpy(dtype=object),
            urgent["discovered"].to_numpy(),
            township_key(urgent).to_numpy(dtype=object),
            urgent["county"].astype("string").fillna("").to_numpy(dtype=object),
        ))  # fmt: skip
        u = urgent.iloc[order].reset_index(drop=True)
        out = u[[*ID_COLUMNS, "risk_score"]].copy()
        out["risk_rank"] = pd.array([pd.NA] * len(u), dtype="Int64")
        out["risk_level"] = pd.array([URGENT_LEVEL] * len(u), dtype="string")
        out["source"] = u["source"].astype(object)
        out["event_reasons"] = u["event_reasons"]
        out["discovered"] = u["discovered"].astype(self.discovered_dtype)
        out["labor_count"] = u["labor_count"]
        out["alerted"] = True
        out["rank"] = self.capacity.ahead(out["county"], out["township"])
        out["listed"] = True
        out["over_capacity"] = False
        out["rule_hit"] = u["rule_hit"].to_numpy(dtype=bool)
        out["rules"] = u["rules"]
        out["listed_by"] = pd.array([LISTED_URGENT] * len(u), dtype="string")
        if len(u):
            self.listed.append(
                out.assign(_chunk=u["_chunk"], _rule_reasons=u["_rule_reasons"])
            )
        return out


URGENT_COLUMNS = (
    *ID_COLUMNS, "risk_score", "discovered", "event_reasons", "source", "labor_count",
)  # fmt: skip
"""Columns of a chunk's urgent households (then the rule columns, ``_chunk``)."""


def _urgent_by_push(
    pushed: Any, records: pd.DataFrame, known: np.ndarray, lines: MonitoringLines
) -> pd.DataFrame | None:
    """The pushed households now in hardship and not identified: their events
    (department, date, amount) first, then the hardship found."""
    sel = pushed.in_hard & ~known
    if not sel.any():
        return None
    why = urgent_reasons(
        records.loc[sel], pushed.hard.loc[sel], lines, pushed=True
    )
    events = pd.Series(pushed.reasons)[sel].tolist()
    new = pushed.new.loc[sel].reset_index(drop=True)
    return new.assign(
        discovered=pushed.first[sel],
        event_reasons=[REASON_SEP.join([e, w]) for e, w in zip(events, why,
                                                                strict=True)],
        source=SOURCE_PUSH,
        _row=records.index[sel],
    )


def _urgent_by_record(
    model: Any,
    work: pd.DataFrame,
    rows: pd.Index,
    lines: MonitoringLines,
    as_of: pd.Timestamp,
) -> pd.DataFrame | None:
    """The households in hardship in their annual record and not identified
    (应纳未纳), with the model's score of that record (the case store keeps
    one; their level is 紧急 whatever it is)."""
    if not len(rows):
        return None
    rec = work.loc[rows]
    new = pd.DataFrame({c: rec[c].to_numpy() for c in ID_COLUMNS if c in rec})
    new["risk_score"] = rows_probabilities(model, work, rows)
    return new.assign(
        discovered=as_of.to_datetime64(),
        event_reasons=urgent_reasons(
            rec, hardship_reasons(rec, lines), lines, pushed=False
        ),
        source=SOURCE_RECORD,
        _row=rows,
    )


def _urgent_frame(
    parts: list[pd.DataFrame | None],
    work: pd.DataFrame,
    first_dtype: Any,
    chunk: int,
) -> pd.DataFrame:
    """A chunk's urgent households in one frame (:data:`URGENT_COLUMNS`,
    ``_row``: the label of the record in ``work``)."""
    got = [p for p in parts if p is not None and len(p)]
    if got:
        u = pd.concat(got, ignore_index=True)
    else:
        u = pd.DataFrame({c: [] for c in URGENT_COLUMNS})
        u["_row"] = pd.Series([], dtype=work.index.dtype)
    for c in ID_COLUMNS:
        if c not in u:
            u[c] = pd.Series(pd.NA, index=u.index, dtype="string")
    rows = pd.Index(u["_row"].to_numpy())
    u["labor_count"] = work.loc[rows, "labor_count"].to_numpy()
    u["risk_score"] = u["risk_score"].astype("float64")
    u["discovered"] = pd.to_datetime(u["discovered"]).astype(first_dtype)
    u["event_reasons"] = pd.array(u["event_reasons"].astype(str).tolist(),
                                  dtype="string")  # fmt: skip
    u["source"] = pd.array(u["source"].astype(str).tolist(), dtype="string")
    u["_chunk"] = np.int32(chunk)
    return u[[*URGENT_COLUMNS, "_row", "_chunk"]]


def _rule_part(rule_hit: Any, rules: Any, reasons: Any) -> list[str]:
    """The rule reasons of listed rows: 规则命中：<names>, then each rule's
    sentence (empty for a row no rule flagged)."""
    out = []
    for h, names, why in zip(rule_hit, rules, reasons, strict=True):
        if not h:
            out.append("")
            continue
        items = [RULE_HIT_REASON.format(rules=names)]
        items += [s for s in str(why).split(REASON_SEP) if s]
        out.append(REASON_SEP.join(items))
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
    #: Processes writing the township workbooks (None: one per core).
    excel_workers: int | None = 1
    #: The pushes config (collection dates; None: the shipped one).
    pushes: PushesConfig | None = None
    #: The rules whose hits are always listed (None: the shipped rules.yaml).
    rules: RulesConfig | None = None
    #: Households already identified as monitored objects outside the panel
    #: (the case store's identified open cases): never urgent.
    monitored_ids: Collection[str] | None = None
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
        # the model and lines of this chunk's years (carried to the year of
        # year-to-date records; the job warns once, later)
        model, ln = chunk.model, chunk.lines
        if applied is not None and len(applied):
            years.update(int(y) for y in work["year"].unique())
            model, ln = lines_ahead(model, chunk.lines, sorted(years), warn=False)
            pushed = pushed_records(model, ln, work, applied, last, panel)
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
        frames, moved, urgent = [keep], None, []
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
            # in hardship after the pushes: urgent unless already identified
            rows = pd.Index(last.loc[pushed.hit].to_numpy())
            known = identified(work.loc[rows], self.monitored_ids)
            urgent.append(_urgent_by_push(pushed, work.loc[rows], known, ln))
            # moved rows follow the order of their household's first event
            first = applied.groupby("household_id")["date"].min()
            stay = replace(pushed, in_hard=pushed.in_hard & known)
            moved = stay.moved()
            moved["_first"] = first.reindex(pushed.hit).to_numpy()[stay.in_hard]
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
        if "monitor_category" in panel and len(monitored):
            rows = pd.Index(last.loc[monitored["household_id"].astype(str)].to_numpy())
            known = identified(work.loc[rows], self.monitored_ids)
            urgent.append(
                _urgent_by_record(model, work, rows[~known], chunk.lines, self.as_of)
            )
            monitored = monitored.loc[known].reset_index(drop=True)
        urgent_rows = _urgent_frame(urgent, work, first_dtype, chunk.index)
        out, urgent_rows, rule_gaps = self._with_rule_hits(
            out, urgent_rows, work, last, sorted(years) or [chunk.latest_year]
        )
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
                urgent=urgent_rows,
                rule_gaps=rule_gaps,
                applied=applied,
                skipped=skipped,
                taken=taken,
                moved=moved,
                years=sorted(years),
                pre_scores=p_pre,
                empty_panel=_no_rows(panel),
                work=work if self.out is None else None,
            ),
        )

    def _with_rule_hits(
        self,
        out: pd.DataFrame,
        urgent: pd.DataFrame,
        work: pd.DataFrame,
        last: pd.Series,
        years: list[int],
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
        """``rule_hit``, ``rules`` and ``_rule_reasons`` of the scored and the
        urgent households, from the record each one is assessed on (in
        ``work``: the panel with the events applied), and the rules' gaps
        (rules not checked, placeholder lines) on those records."""
        rows = pd.Index(
            np.concatenate([
                last.loc[out["household_id"].astype(str)].to_numpy(),
                urgent["_row"].to_numpy(),
            ])
        )  # fmt: skip
        lines = self.lines
        if max(years) > max(lines.default):  # year-to-date records of pushes
            lines = lines.carried_forward(years)
        hits = RuleBaseline(config=self.rules, lines=lines).hits(work, rows=rows)
        table = hits.table
        n = len(out)
        hit = table["rule_hit"].to_numpy(dtype=bool)
        names = pd.array(table["rules"].astype("string").fillna(""), dtype="string")
        why = pd.array(table["rule_reasons"].astype("string").fillna(""),
                       dtype="string")  # fmt: skip
        out = out.assign(rule_hit=hit[:n], rules=names[:n], _rule_reasons=why[:n])
        urgent = urgent.assign(
            rule_hit=hit[n:], rules=names[n:], _rule_reasons=why[n:]
        ).drop(columns="_row")
        return out, urgent, hits.gaps

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

        # the urgent households first: the first ranks of their townships
        urgent = [o.info.urgent for o in job.outcomes if o.info.urgent is not None]
        st["urgent"] = flags.urgent(
            pd.concat(urgent, ignore_index=True), like=job.template("scores")
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
        flags.listed.clear()  # one copy of the listed rows at a time
        # why listed comes first: the events (and the urgent hardship), then
        # the rules that flagged the household; the model's reasons follow
        rule = _rule_part(listed["rule_hit"], listed["rules"], listed["_rule_reasons"])
        listed["event_reasons"] = pd.array(
            [
                REASON_SEP.join(x for x in (str(e), r) if x)
                for e, r in zip(listed["event_reasons"].fillna(""), rule, strict=True)
            ],
            dtype="string",
        )
        listed = listed.drop(columns="_rule_reasons")
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
        # the kept features are the scored records'; urgent households in
        # hardship in their annual record were not scored
        need = rows if features is None else rows[~rows.isin(features.index)]
        if len(need) or features is None:
            more = (
                m.features.transform_rows(work, need)
                if hasattr(m.features, "transform_rows")
                else m.features.transform(work).loc[need]
            )
            features = more if features is None else pd.concat([features, more])
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
        explained.clear()  # the pieces: one copy of the list at a time
        del pieces
        logger.info("alert list: %d households", len(rows))
        alerts = sort_alerts(rows, extra=("risk_after", *RULE_ALERT_COLUMNS))
        del rows
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
        flags = st["flags"]
        counts = {
            "scored": st["n_scored"],
            "alerted": flags.n_alerted,
            "over_capacity": flags.n_over,
            "monitored": n_mon,
            "excluded": n_excl,
            "urgent": len(st["urgent"]),
            "rule_hits": flags.n_rule_hits,
            "model_added": flags.n_model_added,
        }
        rules = self.rules if self.rules is not None else shipped_configs().rules
        notes = rule_notes(
            [i.rule_gaps for i in infos if i.rule_gaps is not None],
            rules, source=self.lines.source, households=True,
        )  # fmt: skip
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
                per_rule=self._per_rule(alerts),
                rule_notes=notes,
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
                workers=self.excel_workers,
            )
            if self.write_excel
            else []
        )
        return _InFiles(alerts=alerts, files=written, cutoff=st["cutoff"],
                        counts=counts, applied=st["applied"],
                        skipped=st["skipped"],
                        per_rule=self._per_rule(alerts),
                        rule_notes=notes)  # fmt: skip

    def _per_rule(self, alerts: pd.DataFrame) -> dict[str, int]:
        """Households listed because of each rule (规则命中; a household may
        count under several), by the rule's name, in the rules' order."""
        by_rule = alerts.loc[alerts["listed_by"] == LISTED_BY_RULE, "rules"]
        split = by_rule.astype("string").fillna("").str.split(NAME_SEP).explode()
        seen = split[split != ""].value_counts()
        rules = self.rules if self.rules is not None else shipped_configs().rules
        order = dict.fromkeys([*(r.name for r in rules.rules), *sorted(seen.index)])
        return {str(k): int(seen[k]) for k in order if k in seen.index}


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
    per_rule: dict[str, int] = field(default_factory=dict)
    rule_notes: tuple[Message, ...] = ()


@dataclass
class _InFiles:
    alerts: pd.DataFrame
    files: dict[str, Path | list[Path]]
    cutoff: float
    counts: dict[str, int]
    applied: pd.DataFrame | None
    skipped: pd.DataFrame | None
    per_rule: dict[str, int] = field(default_factory=dict)
    rule_notes: tuple[Message, ...] = ()


def _no_explanations() -> pd.DataFrame:
    cols = ["household_id", "risk_types", "risk_names", "reasons"]
    return pd.DataFrame({c: pd.Series([], dtype="string") for c in cols})
