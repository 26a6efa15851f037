"""Department pushes inside the alerts job: the households they touch, scored
again on their updated record, and what the run lists apart (exclusions).

These are the pieces of the alerts job's after-chunk hook
(:class:`~fanpin.workflow._alert_hooks.AlertHooks`): each works on one chunk of
whole counties (or the whole panel) and gives the same rows either way.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import MonitoringLines
from ..messages import N_, Message
from ..models import rows_probabilities
from ..schema import (
    HARDSHIP_REASONS,
    hardship_reasons,
    per_capita_income_after_rigid,
)
from ..scoring import ID_COLUMNS

__all__ = [
    "LINES_CARRIED",
    "among",
    "PushedRecords",
    "event_exclusions",
    "household_exclusions",
    "income_figures",
    "latest_rows",
    "lines_ahead",
    "order_events",
    "pushed_records",
]

LINES_CARRIED = N_(
    "The monitoring lines ({source}) stop at {last}; the year-to-date record(s) of "
    "{years} created by department pushes are assessed against the {last} line "
    "carried forward. When the {years} line is published, add it to your lines "
    "file, pass it with --lines and retrain the model."
)


def among(values: Any, allowed: Any) -> np.ndarray:
    """Whether each of ``values`` (text) is one of ``allowed``: a hash lookup of
    plain Python strings (pandas' ``isin`` on Arrow text walks the allowed
    values one by one: ~0.5 s for 300,000 rows)."""
    have = np.asarray(values, dtype=object)
    if not len(have):
        return np.zeros(0, dtype=bool)
    return pd.Index(np.asarray(allowed, dtype=object)).get_indexer(have) >= 0


def latest_rows(panel: pd.DataFrame) -> pd.Series:
    """Index label of each household's latest record, keyed by household_id."""
    ids = panel["household_id"].astype(str)
    return panel["year"].groupby(ids.to_numpy(), sort=False).idxmax()


def _carry_forward(lines: MonitoringLines, years: list[int]) -> MonitoringLines:
    """``lines`` with each year after its last one set to the last year's line."""
    last = max(lines.default)
    ahead = [y for y in years if y > last]
    provinces = {
        p: {**t, **(dict.fromkeys(ahead, t[last]) if last in t else {})}
        for p, t in lines.provinces.items()
    }
    default = {**lines.default, **dict.fromkeys(ahead, lines.default[last])}
    return MonitoringLines(default=default, provinces=provinces, source=lines.source)


def lines_ahead(
    model: Any, lines: MonitoringLines, years: Sequence[int], *, warn: bool = True
) -> tuple[Any, MonitoringLines]:
    """Model and lines able to assess records of ``years`` beyond the lines.

    A push after the last annual record creates a record of a year the
    monitoring lines (and the model's feature builder) may not cover yet: that
    year's line is often published months into the year. Until then the latest
    line is carried forward, with a warning (:data:`LINES_CARRIED`; unless
    ``warn`` is false: a chunk of a panel, the job warns once for the whole).
    Returns ``model`` itself when nothing is carried.
    """
    years = sorted({int(y) for y in years})
    ahead = [y for y in years if y > max(lines.default)]
    feats = model.features
    own = [b for b in getattr(feats, "builders_", []) if hasattr(b, "lines_")]
    own_ahead = sorted({y for b in own for y in years if y > max(b.lines_.default)})
    if not ahead and not own_ahead:
        return model, lines
    late = sorted(set(ahead) | set(own_ahead))
    if warn:
        warnings.warn(
            Message(
                LINES_CARRIED,
                source=lines.source,
                last=max(lines.default) if ahead else max(own[0].lines_.default),
                years=", ".join(map(str, late)),
            ),
            UserWarning,
            stacklevel=3,
        )
    if own_ahead:
        feats = copy.deepcopy(feats)
        for b in getattr(feats, "builders_", []):
            if hasattr(b, "lines_"):
                b.lines_ = _carry_forward(b.lines_, own_ahead)
        model = copy.copy(model)
        model.features = feats
    return model, _carry_forward(lines, ahead) if ahead else lines


@dataclass(frozen=True)
class PushedRecords:
    """The households touched by applied events, scored on their updated record.

    ``hit``: their ids (order of their first applied event); ``new``: id columns
    and ``risk_score`` of each one's latest record; ``reasons``: the reason lines
    of its events (joined with "；"); ``first``: the date of its first event
    (normalised); ``hard``: hardship reasons of the updated record;
    ``in_hard``: whether it is now in hardship (it moves to the monitored list);
    ``features``: the features of those latest records (indexed by their labels);
    ``figures``: the income figure each assessment used, as a cadre reads it
    (:func:`income_figures`: the period, and the annual record's own figure
    when the pushes changed it).
    """

    hit: np.ndarray
    new: pd.DataFrame
    reasons: pd.arrays.StringArray
    first: np.ndarray
    hard: pd.DataFrame
    in_hard: np.ndarray
    features: pd.DataFrame | None = None
    figures: np.ndarray | None = None

    def moved(self) -> pd.DataFrame:
        """The monitored-list rows of the households now in hardship."""
        new, in_hard = self.new, self.in_hard
        moved = new.loc[in_hard, [c for c in ID_COLUMNS if c in new]].copy()
        h = self.hard.loc[:, list(HARDSHIP_REASONS)].to_numpy(dtype=bool)[in_hard]
        labels = np.array(list(HARDSHIP_REASONS.values()), dtype=object)
        for j, name in enumerate(HARDSHIP_REASONS):
            moved[f"reason_{name}"] = h[:, j]
        events = pd.Series(self.reasons)[in_hard].tolist()
        figures = (
            self.figures[in_hard]
            if self.figures is not None
            else np.full(int(in_hard.sum()), "", dtype=object)
        )
        income = list(HARDSHIP_REASONS).index("income")
        out = []
        for r, e, f in zip(h, events, figures, strict=True):
            said = [
                f"{label}：{f}" if j == income and f else label
                for j, label in zip(np.flatnonzero(r), labels[r], strict=True)
            ]
            out.append("；".join([*said, e]))
        moved["reasons"] = out
        return moved


FIGURE_SAME = "{base}年度 {value:,.0f} 元，为监测标准 {line:,.0f} 元的 {share:.0%}"
"""The income figure of a record the pushes did not change (a cadre's words)."""
FIGURE_CHANGED = (
    "{period} {value:,.0f} 元（{base}年度为 {before:,.0f} 元），为监测标准 "
    "{line:,.0f} 元的 {share:.0%}"
)
"""The income figure after pushes changed it, with the annual record's."""


def income_figures(
    before: pd.DataFrame,
    after: pd.DataFrame,
    lines: MonitoringLines,
    base_year: np.ndarray,
    period: np.ndarray,
) -> np.ndarray:
    """Per record, the per-capita income after rigid spending the assessment
    used, with its period and the line (``after``: the records with the pushes;
    ``before``: the annual records they start from, row for row).

    Examples
    --------
    >>> from fanpin.config import MonitoringLines
    >>> rec = pd.DataFrame({"province": ["甘肃省"], "year": [2026],
    ...     "household_size": [2], "income_wage": [12000.0],
    ...     "medical_cost_oop": [1746.0]})
    >>> lines = MonitoringLines(default={2026: 8000})
    >>> income_figures(rec, rec, lines, np.array([2025]),
    ...                np.array(["2025年度及2026年1-3月累计"]))[0]
    '2025年度 5,127 元，为监测标准 8,000 元的 64%'
    >>> more = rec.assign(medical_cost_oop=5746.0)
    >>> income_figures(rec, more, lines, np.array([2025]),
    ...                np.array(["2025年度及2026年1-3月累计"]))[0]
    '2025年度及2026年1-3月累计 3,127 元（2025年度为 5,127 元），为监测标准 8,000 元的 39%'
    """  # noqa: E501
    line = lines.lookup(after["province"], after["year"]).astype("float64")
    now = per_capita_income_after_rigid(after).to_numpy(dtype="float64")
    was = per_capita_income_after_rigid(before).to_numpy(dtype="float64")
    out = np.empty(len(after), dtype=object)
    for i in range(len(after)):
        share = now[i] / line[i] if line[i] > 0 else float("nan")
        if round(now[i]) == round(was[i]):
            out[i] = FIGURE_SAME.format(
                base=int(base_year[i]), value=now[i], line=line[i], share=share
            )
        else:
            out[i] = FIGURE_CHANGED.format(
                period=period[i], value=now[i], base=int(base_year[i]),
                before=was[i], line=line[i], share=share,
            )  # fmt: skip
    return out


def pushed_records(
    model: Any,
    lines: MonitoringLines,
    work: pd.DataFrame,
    applied: pd.DataFrame,
    last: pd.Series,
    panel: pd.DataFrame | None = None,
) -> PushedRecords:
    """Score the latest record of every household with an applied event.

    ``work``: the panel with the events applied; ``applied``: the applied
    events (:class:`~fanpin.workflow.AppliedEvents`); ``last``:
    :func:`latest_rows` of ``work``; ``panel``: the panel before the events
    (for the annual figures the sentences quote beside the updated ones).
    Features are built for those records only, from each household's whole
    history in ``work``.
    """
    hit = applied["household_id"].astype(str).unique()
    rows = pd.Index(last.loc[hit].to_numpy())
    builder = model.features
    X = None
    if hasattr(builder, "transform_rows"):
        X = builder.transform_rows(work, rows)
    p_new = rows_probabilities(model, work, rows, features=X)
    hard = hardship_reasons(work.loc[rows], lines)
    first = applied.groupby("household_id")["date"].min()
    why = applied.groupby("household_id")["reason"].agg("；".join)
    new = pd.DataFrame(
        {c: work.loc[rows, c].to_numpy() for c in ID_COLUMNS if c in work}
    )
    new["risk_score"] = p_new
    figures = None
    if panel is not None and "base_year" in applied and "period" in applied:
        by = applied.groupby("household_id", sort=False)
        base_year = by["base_year"].last().reindex(hit).to_numpy()
        period = by["period"].last().reindex(hit).to_numpy(dtype=object)
        annual = latest_rows(panel).reindex(hit).to_numpy()
        figures = income_figures(
            panel.loc[annual], work.loc[rows], lines, base_year, period
        )
    return PushedRecords(
        hit=hit,
        new=new,
        reasons=pd.array(why.reindex(hit).tolist(), dtype="string"),
        first=first.reindex(hit).dt.normalize().to_numpy(),
        hard=hard,
        in_hard=hard.any(axis=1).to_numpy(),
        features=X,
        figures=figures,
    )


def event_exclusions(skipped: pd.DataFrame) -> pd.DataFrame:
    """The exclusions rows of skipped events (``kind`` event): where each is
    (``file``, ``sheet``, ``row`` in the file, when read from one), its
    household code, date, source and type, why it was skipped and, for a value
    that could not be read, the column and the value (``detail``, redacted by
    the reader). No name or ID number is among them."""
    n = len(skipped)

    def col(name: str, dtype: str = "string") -> Any:
        if name in skipped:
            return skipped[name].to_numpy()
        return pd.array([None] * n, dtype=dtype)

    return pd.DataFrame(
        {
            "kind": "event",
            "file": pd.array(col("file"), dtype="string"),
            "sheet": pd.array(col("sheet"), dtype="string"),
            "row": pd.array(col("file_row", "Int64"), dtype="Int64"),
            "household_id": skipped["household_id"].astype(str).to_numpy(),
            "date": skipped["date"].to_numpy(),
            "source": pd.array(col("source"), dtype="string"),
            "event_type": pd.array(col("event_type"), dtype="string"),
            "why": skipped["why"].to_numpy(),
            "detail": pd.array(col("detail"), dtype="string"),
        }
    )


def household_exclusions(panel: pd.DataFrame, latest_year: int) -> pd.DataFrame:
    """The exclusions rows of households without a record in ``latest_year``,
    sorted by household_id (``kind`` household)."""
    old = panel.groupby(panel["household_id"].astype(str).to_numpy())["year"].max()
    old = old[old < latest_year]
    return pd.DataFrame(
        {
            "kind": "household",
            "household_id": old.index.astype(str),
            "why": [f"no record in {latest_year} (latest {y})" for y in old],
        }
    )


def order_events(frames: list[pd.DataFrame], *, keep_row: bool) -> pd.DataFrame:
    """Applied (or skipped) events of all chunks in one order: (date,
    household_id), then their order in the events table (``_pos``), as one
    :func:`~fanpin.workflow.apply_events` on the whole panel orders them.
    ``keep_row``: keep the ``row`` labels (one chunk: the whole panel's)."""
    full = [f for f in frames if len(f)] or frames[:1]
    out = pd.concat(full, ignore_index=True) if len(full) > 1 else full[0]
    out = out.sort_values(["date", "household_id", "_pos"], kind="stable")
    drop = ["_pos"] + ([] if keep_row else ["row"])
    return out.drop(columns=[c for c in drop if c in out]).reset_index(drop=True)
