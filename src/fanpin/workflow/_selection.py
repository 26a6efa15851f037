"""Who is on the alert list: every rule hit, then the model's households.

A household that any rule flags (:meth:`fanpin.rules.RuleBaseline.hits`) is
always listed, named by its rules (规则命中), whatever its score and the
township's capacity. The model then adds the households at or above the alert
cutoff that no rule flagged, highest risk first, up to each township's
verification capacity (模型新增); and the model orders the whole list (rank
within the township by risk). The model never drops a rule hit.

:func:`select_alerts` is pure (tables in, tables out); :func:`with_rule_reasons`
puts the rule columns and sentences into alert-list rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import AlertsConfig
from ..exceptions import InputError
from ..messages import N_, Message
from ..rules import NAME_SEP, REASON_SEP, RuleHits
from ._alerts import flag_capacity

__all__ = [
    "LISTED_BY_MODEL",
    "LISTED_BY_RULE",
    "LISTED_URGENT",
    "RULE_ALERT_COLUMNS",
    "AlertSelection",
    "select_alerts",
    "with_rule_reasons",
]

LISTED_BY_RULE = "规则命中"
"""``listed_by`` of a household listed because a rule flagged it."""
LISTED_BY_MODEL = "模型新增"
"""``listed_by`` of a household listed by the model alone."""
LISTED_URGENT = "紧急"
"""``listed_by`` of an urgent household (:data:`fanpin.ranking.URGENT_LEVEL`): in
hardship after a push or in its annual record, not yet identified."""
RULE_ALERT_COLUMNS = ("rule_hit", "rules", "listed_by")
"""Columns the alert list gains from the rules (after ``ALERT_OUTPUT_COLUMNS``);
the rule sentences go first into ``reasons``."""
COUNT_COLUMNS = (
    "listed", "rule_hits", "model_added", "rule_hits_above_cutoff", "over_capacity",
)  # fmt: skip

MSG_HITS_COLUMNS = N_(
    "The rule hits lack column(s) {missing}; pass RuleBaseline.hits(...) or its "
    "table (household_id, rule_hit, rules, rule_reasons)."
)
MSG_HITS_DUPLICATE = N_(
    "The rule hits have {n:,} household(s) more than once (e.g. {example!r}); pass "
    "the hits of the scored record of each household (rows= of RuleBaseline.hits)."
)
MSG_HITS_MISSING = N_(
    "{n:,} scored household(s) have no rule hits (e.g. {example!r}); compute the "
    "hits on the same records as the scores, so that no rule hit can be missed."
)
MSG_SCORED_NEEDS = N_(
    "The scored table lacks column(s) {missing}; expected household_id, county, "
    "risk_score (and township)."
)
MSG_SUMMARY = N_(
    "{listed:,} households on the alert list: {rule_hits:,} rule hits "
    "(规则命中: {per_rule}) and {model_added:,} added by the model (模型新增); "
    "{over_capacity:,} more at or above the cutoff are beyond the townships' "
    "capacity."
)
MSG_NO_RULE_HITS = N_("none")


@dataclass(frozen=True)
class AlertSelection:
    """The alert list's households and its counts.

    Attributes
    ----------
    table : DataFrame
        Every scored household (the input's rows and columns) with
        ``rule_hit``, ``rules``, ``rule_reasons``, ``alerted`` (at or above the
        cutoff), ``listed``, ``over_capacity`` (at or above the cutoff, no rule
        hit, beyond capacity), ``rank`` (within the township by risk, as
        :func:`~fanpin.workflow.flag_capacity`) and ``listed_by``
        (:data:`LISTED_BY_RULE`, :data:`LISTED_BY_MODEL` or empty).
    counts : DataFrame
        By county and township: ``listed``, ``rule_hits``, ``model_added``,
        ``rule_hits_above_cutoff`` (rule hits the model also put at or above the
        cutoff), ``over_capacity``.
    per_rule : Series
        Listed households flagged by each rule (a household may count under
        several), by the rule's Chinese name.
    notes : tuple of Message
        The rule hits' notes (rules not checked, placeholder lines).
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    per_rule: pd.Series
    notes: tuple[Message, ...] = ()

    @property
    def listed(self) -> pd.DataFrame:
        """The listed households, in the table's order."""
        return self.table.loc[self.table["listed"]]

    def totals(self) -> dict[str, int]:
        """The counts summed over townships."""
        return {c: int(self.counts[c].sum()) for c in COUNT_COLUMNS}

    def summary(self) -> Message:
        """One line for the run's summary: rule hits vs model-added households."""
        t = self.totals()
        per_rule = NAME_SEP.join(
            f"{name} {n:,}" for name, n in self.per_rule.items() if n
        )
        return Message(
            MSG_SUMMARY,
            listed=t["listed"],
            rule_hits=t["rule_hits"],
            per_rule=per_rule or Message(MSG_NO_RULE_HITS),
            model_added=t["model_added"],
            over_capacity=t["over_capacity"],
        )


def _hits_table(hits: RuleHits | pd.DataFrame) -> pd.DataFrame:
    table = hits.table if isinstance(hits, RuleHits) else hits
    need = ["household_id", "rule_hit", "rules", "rule_reasons"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputError(Message(MSG_HITS_COLUMNS, missing=missing))
    ids = table["household_id"].astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InputError(
            Message(MSG_HITS_DUPLICATE, n=int(dup.nunique()), example=dup.iloc[0])
        )
    out = table[need].copy()
    out.index = pd.Index(ids.to_numpy(), name=None)
    return out


def select_alerts(
    scored: pd.DataFrame,
    hits: RuleHits | pd.DataFrame,
    *,
    cutoff: float | None = None,
    config: AlertsConfig,
    capacity: int | None = None,
) -> AlertSelection:
    """Every rule hit, plus the model's households up to the cutoff and capacity.

    Parameters
    ----------
    scored : DataFrame
        The scored households, one row each (``household_id``, ``county``,
        ``risk_score``, optional ``township``); with ``alerted`` when ``cutoff``
        is None.
    hits : RuleHits or DataFrame
        The rule hits of the same records (:meth:`fanpin.rules.RuleBaseline.hits`
        with ``rows=`` the scored records): ``household_id``, ``rule_hit``,
        ``rules``, ``rule_reasons``. Every scored household must have a row.
    cutoff : float, optional
        The alert cutoff score (:func:`~fanpin.workflow.alert_cutoff`).
    config : AlertsConfig
        Township capacities.
    capacity : int, optional
        Capacity of every township (default: the config's).

    Returns
    -------
    AlertSelection

    Examples
    --------
    >>> s = pd.DataFrame({"household_id": ["a", "b", "c", "d"], "county": "C",
    ...     "township": "T", "risk_score": [0.9, 0.8, 0.7, 0.1]})
    >>> h = pd.DataFrame({"household_id": ["a", "b", "c", "d"],
    ...     "rule_hit": [False, False, False, True], "rules": ["", "", "", "低保边缘"],
    ...     "rule_reasons": ["", "", "", "…属低保边缘"]})
    >>> sel = select_alerts(s, h, cutoff=0.5, config=AlertsConfig(), capacity=1)
    >>> sel.table["listed"].tolist(), sel.table["rank"].tolist()
    ([True, False, False, True], [1, 2, 3, 4])
    >>> sel.table["listed_by"].tolist()
    ['模型新增', '', '', '规则命中']
    >>> sel.totals()["rule_hits"], sel.totals()["model_added"]
    (1, 1)
    """
    need = [c for c in ("household_id", "county", "risk_score") if c not in scored]
    if need:
        raise InputError(Message(MSG_SCORED_NEEDS, missing=need))
    h = _hits_table(hits)
    ids = scored["household_id"].astype(str)
    absent = ~ids.isin(h.index)
    if absent.any():
        raise InputError(
            Message(MSG_HITS_MISSING, n=int(absent.sum()), example=ids[absent].iloc[0])
        )
    h = h.reindex(ids.to_numpy())
    out = scored.copy()
    out["rule_hit"] = h["rule_hit"].astype(bool).to_numpy()
    out["rules"] = pd.array(h["rules"].astype("string").fillna("").to_numpy(),
                            dtype="string")  # fmt: skip
    out["rule_reasons"] = pd.array(
        h["rule_reasons"].astype("string").fillna("").to_numpy(), dtype="string"
    )
    if cutoff is not None:
        above = out["risk_score"].to_numpy(dtype="float64") >= cutoff
    elif "alerted" in out:
        above = out["alerted"].astype(bool).to_numpy()
    else:
        raise InputError(Message(MSG_SCORED_NEEDS, missing=["alerted (or a cutoff)"]))
    rule_hit = out["rule_hit"].to_numpy(dtype=bool)
    model = flag_capacity(
        out.assign(alerted=above & ~rule_hit), cutoff=None, config=config,
        capacity=capacity,
    )  # fmt: skip
    out["alerted"] = above
    out["rank"] = model["rank"].to_numpy()
    added = model["listed"].to_numpy(dtype=bool)
    out["listed"] = rule_hit | added
    out["over_capacity"] = model["over_capacity"].to_numpy(dtype=bool)
    out["listed_by"] = pd.array(
        np.where(rule_hit, LISTED_BY_RULE, np.where(added, LISTED_BY_MODEL, "")),
        dtype="string",
    )
    notes = hits.notes if isinstance(hits, RuleHits) else ()
    return AlertSelection(
        table=out,
        counts=_counts(out, rule_hit, added, above),
        per_rule=_per_rule(out.loc[out["listed"], "rules"], hits),
        notes=tuple(notes),
    )


def _counts(
    out: pd.DataFrame, rule_hit: np.ndarray, added: np.ndarray, above: np.ndarray
) -> pd.DataFrame:
    town = (
        out["township"].astype("string").fillna("")
        if "township" in out
        else pd.Series("", index=out.index, dtype="string")
    )
    frame = pd.DataFrame(
        {
            "county": out["county"].astype("string").fillna("").to_numpy(),
            "township": town.to_numpy(),
            "listed": rule_hit | added,
            "rule_hits": rule_hit,
            "model_added": added,
            "rule_hits_above_cutoff": rule_hit & above,
            "over_capacity": out["over_capacity"].to_numpy(dtype=bool),
        }
    )
    counts = frame.groupby(["county", "township"], sort=True)[list(COUNT_COLUMNS)]
    return counts.sum().astype("int64").reset_index()


def _per_rule(rules: pd.Series, hits: Any) -> pd.Series:
    names: list[str] = []
    if isinstance(hits, RuleHits):
        names = list(hits.names.values())
    split = rules.astype("string").fillna("").str.split(NAME_SEP).explode()
    split = split[split != ""]
    seen = split.value_counts()
    order = list(dict.fromkeys([*names, *sorted(seen.index)]))
    return pd.Series(
        [int(seen.get(n, 0)) for n in order], index=order, dtype="int64"
    )


def with_rule_reasons(
    alerts: pd.DataFrame, selection: AlertSelection | pd.DataFrame
) -> pd.DataFrame:
    """Alert-list rows with the rule columns (:data:`RULE_ALERT_COLUMNS`) and the
    rule sentences first in ``reasons``.

    ``alerts``: rows of the alert list (``household_id``, ``reasons``);
    ``selection``: the :class:`AlertSelection` (or its table) they came from.

    Examples
    --------
    >>> a = pd.DataFrame({"household_id": ["d"], "reasons": ["医疗自付费用较高"]})
    >>> t = pd.DataFrame({"household_id": ["d"], "rule_hit": [True],
    ...     "rules": ["低保边缘"], "rule_reasons": ["…属低保边缘"],
    ...     "listed_by": ["规则命中"]})
    >>> with_rule_reasons(a, t).loc[0, "reasons"]
    '…属低保边缘；医疗自付费用较高'
    """
    table = selection.table if isinstance(selection, AlertSelection) else selection
    src = table.set_index(table["household_id"].astype(str))
    hid = alerts["household_id"].astype(str).to_numpy()
    out = alerts.copy()
    out["rule_hit"] = src["rule_hit"].reindex(hid).fillna(False).astype(bool).to_numpy()
    for c in ("rules", "listed_by"):
        col = src[c].reindex(hid).astype("string").fillna("")
        out[c] = pd.array(col.to_numpy(), dtype="string")
    rule_reasons = src["rule_reasons"].reindex(hid).astype("string").fillna("")
    old = out["reasons"].astype("string").fillna("") if "reasons" in out else None
    merged = []
    for i, r in enumerate(rule_reasons.tolist()):
        items = [s for s in str(r).split(REASON_SEP) if s]
        if old is not None:
            items += [s for s in str(old.iloc[i]).split(REASON_SEP) if s]
        merged.append(REASON_SEP.join(dict.fromkeys(items)))
    out["reasons"] = pd.array(merged, dtype="string")
    return out

