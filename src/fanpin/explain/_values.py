"""A household's own values: what evidence rules check and sentences quote.

One row per explained record, one column per field of
:data:`fanpin.config.VALUE_FIELDS`, computed from the record, the household's
record of the year before and its features. No personal-data column (name, ID
number, phone) is ever read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import MonitoringLines
from ..exceptions import FanpinError
from ..features import PanelView

__all__ = ["COUNT_FIELDS", "FELL_SHARE", "household_values"]

FELL_SHARE = 0.05
"""``wage_fell`` / ``business_fell``: the component fell by at least this share."""

COUNT_FIELDS = (
    "chronic_ill_count", "serious_ill_count", "ill_count", "disabled_count",
    "severe_disabled_count", "household_size", "labor_count", "elderly_count",
    "children_count", "accident_count", "students_compulsory", "students_higher",
    "students", "dropout_count", "migrant_workers",
)  # fmt: skip
"""Fields formatted as whole numbers (``{x:d}``)."""

_NUM = (
    "medical_cost_oop", "medical_cost_total", "disaster_loss", "income_wage",
    "income_business", "income_transfer", "education_cost", "chronic_ill_count",
    "serious_ill_count", "disabled_count", "severe_disabled_count", "household_size",
    "labor_count", "elderly_count", "children_count", "accident_count",
    "students_compulsory", "students_higher", "dropout_count", "migrant_workers",
)  # fmt: skip


def _share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(len(num), np.nan)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    out[ok] = num[ok] / den[ok]
    return out


def _line(panel: pd.DataFrame, lines: MonitoringLines | None) -> np.ndarray:
    line = np.full(len(panel), np.nan)
    if lines is None or "province" not in panel:
        return line
    try:
        return np.asarray(lines.lookup(panel["province"], panel["year"]), "float64")
    except FanpinError:
        # A year outside the table: the sentences of THOSE rows skip the line;
        # the others keep it (a row's sentence never depends on which other rows
        # are explained with it, e.g. chunk by chunk).
        year = panel["year"].to_numpy()
        for y in pd.unique(year):
            at = year == y
            try:
                line[at] = lines.lookup(panel["province"][at], panel["year"][at])
            except FanpinError:
                pass
        return line


def _count_text(parts: list[tuple[str, np.ndarray]], sep: str = "、") -> list[str]:
    """'大病患者 1 人、慢性病患者 2 人': the non-zero counts only."""
    n = len(parts[0][1]) if parts else 0
    out = []
    for i in range(n):
        items = []
        for label, v in parts:
            x = v[i]
            if np.isfinite(x) and x > 0:
                items.append(f"{label} {int(round(x))} 人")
        out.append(sep.join(items))
    return out


def household_values(
    panel: pd.DataFrame,
    rows: pd.Index,
    *,
    features: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
    pushes: pd.DataFrame | None = None,
    rigid_share: float = 0.6,
    gap_reference: float = 1.5,
    min_fall: float = 0.3,
    worker_wage: float = 2.5,
    chronic_work_loss: float = 0.0,
) -> pd.DataFrame:
    """The value fields of the rows ``rows`` of ``panel`` (index ``rows``).

    Money in yuan; shares as fractions; counts as numbers (NaN when unknown);
    flags as 1.0 / 0.0 (NaN when unknown); texts as strings. Last-year values
    come from the household's record of exactly t-1.

    Parameters
    ----------
    panel : DataFrame
        The validated panel (with history).
    rows : Index
        Index labels of the records.
    features : DataFrame, optional
        The model features of ``panel`` (for ``above_serious_threshold``).
    lines : MonitoringLines, optional
        For the line and the margin.
    pushes : DataFrame, optional
        Department pushes applied to these records (``row``; ``created`` true for
        a record made from the latest annual one; ``period``, when given, the
        period the record covers, quoted for every figure:
        ``'2025年度及2026年1-3月累计'``). Without ``period`` their flows are
        quoted as ``'<year>年以来'`` and, for a created record, the incomes as
        ``'<year>年预计'``.
    rigid_share : float
        ``rigid_high`` when rigid spending is at least this share of net income.
    gap_reference : float
        ``income_gap``: per-capita income short of this multiple of the line.
    min_fall : float
        ``wage_loss_pc`` / ``business_loss_pc`` count a fall of at least this
        share of the component only.
    worker_wage : float
        What a member kept from work would earn, in lines, when the household
        has no wage earner of its own to go by.
    chronic_work_loss : float
        Share of a worker's yearly wage a chronically ill member able to work
        loses to the illness (part of ``illness_loss_pc``).

    Examples
    --------
    >>> panel = pd.DataFrame({"household_id": ["a", "a"], "year": [2022, 2023],
    ...     "income_wage": [30000.0, 12000.0], "income_business": [0.0, 0.0],
    ...     "income_transfer": [0.0, 0.0], "medical_cost_oop": [0.0, 6000.0],
    ...     "chronic_ill_count": [0, 1], "serious_ill_count": [0, 1]})
    >>> v = household_values(panel, pd.Index([1]))
    >>> float(v.loc[1, "wage_drop"]), float(v.loc[1, "oop_share"])
    (18000.0, 0.5)
    >>> v.loc[1, "ill_members"], v.loc[1, "period"]
    ('大病患者 1 人、慢性病患者 1 人', '2023年')
    """
    rows = pd.Index(rows)
    view = PanelView(panel.reset_index(drop=True))
    pos = panel.index.get_indexer(rows)
    full = {c: view.num(c) for c in _NUM}
    wage_last = view.lag(full["income_wage"])[pos]
    bus_last = view.lag(full["income_business"])[pos]
    net_all = view.total_income()
    net = net_all[pos]
    net_last = view.lag(net_all)[pos]
    line = _line(panel, lines)[pos]
    num = {c: v[pos] for c, v in full.items()}
    oop = np.nan_to_num(num["medical_cost_oop"], nan=0.0)
    edu = np.nan_to_num(num["education_cost"], nan=0.0)
    size = num["household_size"]
    rigid = oop + edu
    pc = _share(net, size)
    pc_rigid = _share(net - rigid, size)
    wage, bus = num["income_wage"], num["income_business"]
    ill = num["chronic_ill_count"] + num["serious_ill_count"]
    students = np.nan_to_num(num["students_compulsory"]) + np.nan_to_num(
        num["students_higher"]
    )
    students[
        np.isnan(num["students_compulsory"]) & np.isnan(num["students_higher"])
    ] = np.nan
    labour = num["labor_count"]

    def flag(cond: np.ndarray, known: np.ndarray) -> np.ndarray:
        out = np.asarray(cond, dtype="float64")
        out[~known] = np.nan
        return out

    wage_drop_pct = _share(wage_last - wage, wage_last)
    bus_drop_pct = _share(bus_last - bus, np.abs(bus_last))
    mig = num["migrant_workers"]
    out = pd.DataFrame(
        {
            "year": panel["year"].to_numpy()[pos].astype("int64"),
            "net_income": net,
            "income_wage": wage,
            "wage_last": wage_last,
            "wage_drop": wage_last - wage,
            "wage_drop_pct": wage_drop_pct,
            "income_business": bus,
            "business_last": bus_last,
            "business_drop": bus_last - bus,
            "business_drop_pct": bus_drop_pct,
            "business_deficit": np.where(bus < 0, -bus, 0.0),
            "income_transfer": num["income_transfer"],
            "medical_oop": num["medical_cost_oop"],
            "medical_total": num["medical_cost_total"],
            "education_cost": num["education_cost"],
            "disaster_loss": num["disaster_loss"],
            "rigid_spending": rigid,
            "oop_share": _share(num["medical_cost_oop"], net),
            "edu_share": _share(num["education_cost"], net),
            "loss_share": _share(num["disaster_loss"], net),
            "rigid_share": _share(rigid, net),
            "wage_share": _share(wage, net),
            "pc_income": pc,
            "pc_income_after_rigid": pc_rigid,
            "line": line,
            "margin_pct": _share(pc_rigid, line),
            "income_line_ratio": _share(pc, line),
            "household_size": size,
            "labor_count": labour,
            "labour_share": _share(labour, size),
            "chronic_ill_count": num["chronic_ill_count"],
            "serious_ill_count": num["serious_ill_count"],
            "ill_count": ill,
            "disabled_count": num["disabled_count"],
            "severe_disabled_count": num["severe_disabled_count"],
            "elderly_count": num["elderly_count"],
            "children_count": num["children_count"],
            "students_compulsory": num["students_compulsory"],
            "students_higher": num["students_higher"],
            "students": students,
            "dropout_count": num["dropout_count"],
            "migrant_workers": mig,
            "accident_count": num["accident_count"],
        },
        index=rows,
    )
    dependants = np.nan_to_num(num["elderly_count"]) + np.nan_to_num(
        num["children_count"]
    )
    blocked = np.maximum(size - dependants - np.nan_to_num(labour), 0.0)
    by_dis = np.minimum(np.nan_to_num(num["severe_disabled_count"]), blocked)
    by_ill = np.minimum(np.nan_to_num(num["serious_ill_count"]), blocked - by_dis)
    out["blocked_by_disability"] = by_dis
    out["blocked_by_illness"] = by_ill
    out["dependants_count"] = dependants
    # what each cause took from the household's income after rigid spending,
    # per head: rigid costs, the wages a member kept from work would earn (the
    # local wage per worker), a sharp fall of wages or business income; the
    # income gap is what would still be short of the reference without them
    # the household's own wage per worker, else a multiple of the line (never the
    # other households': a row's values do not depend on the rows beside it)
    own = _share(wage, labour)
    wage_per_worker = np.where(
        np.isfinite(own) & (own > 0), own, worker_wage * np.nan_to_num(line)
    )
    lost_dis = np.nan_to_num(_share(by_dis * wage_per_worker, size))
    lost_ill = np.nan_to_num(_share(by_ill * wage_per_worker, size))
    wage_fall = _share(wage_last - wage, net_last)
    bus_fall = _share(bus_last - bus, net_last)
    out["wage_fall_share"] = wage_fall
    out["business_fall_share"] = bus_fall
    sharp_w = np.nan_to_num(wage_drop_pct) >= min_fall
    sharp_b = (np.nan_to_num(bus_drop_pct) >= min_fall) & (bus_last > bus)
    # a sharp wage fall is a job lost (失业返乡) when a migrant worker came home
    # (any sharp fall where migrant workers are not recorded): a fall with every
    # migrant still away is the wage's own ups and downs; the wages of members
    # kept from work by serious illness or severe disability are theirs, not
    # counted twice
    mig_last = view.lag(full["migrant_workers"])[pos]
    known_mig = np.isfinite(mig) & np.isfinite(mig_last)
    came_home = np.where(known_mig, mig < mig_last, True)
    wage_fall_pc = np.nan_to_num(_share(wage_last - wage, size)) - lost_ill - lost_dis
    wage_loss = np.where(sharp_w & came_home, np.maximum(wage_fall_pc, 0.0), 0.0)
    # a migrant worker back home (失业返乡) loses a migrant's wage for the year
    # ahead, however much of this year's wage was earned before the job was lost:
    # the household's wage per migrant worker last year, per returned worker
    returned = np.where(known_mig, np.maximum(mig_last - mig, 0.0), 0.0)
    per_migrant = np.nan_to_num(_share(wage_last, np.maximum(mig_last, 1.0)))
    ahead = np.nan_to_num(_share(returned * per_migrant, size)) - lost_ill - lost_dis
    wage_loss = np.maximum(wage_loss, np.maximum(ahead, 0.0))
    bus_loss = np.where(sharp_b, np.nan_to_num(_share(bus_last - bus, size)), 0.0)
    out["oop_pc"] = _share(oop, size)
    out["edu_pc"] = _share(edu, size)
    out["disability_loss_pc"] = lost_dis
    # a chronically ill member able to work loses part of the year's work
    # (treatment, bad spells): chronic_work_loss of a worker's wage each
    chronic_workers = np.minimum(
        np.nan_to_num(num["chronic_ill_count"]), np.maximum(np.nan_to_num(labour), 0.0)
    )
    lost_chronic = np.nan_to_num(
        _share(chronic_work_loss * chronic_workers * wage_per_worker, size)
    )
    out["illness_loss_pc"] = (
        np.nan_to_num(out["oop_pc"].to_numpy()) + lost_ill + lost_chronic
    )
    out["wage_loss_pc"] = wage_loss
    out["business_loss_pc"] = bus_loss
    # a business fall is not restored: its loss does not come back (structural)
    restored = pc + lost_dis + lost_ill + wage_loss
    out["income_gap"] = np.nan_to_num(np.maximum(gap_reference * line - restored, 0.0))
    out["wage_fell"] = flag(wage_drop_pct >= FELL_SHARE, np.isfinite(wage_drop_pct))
    out["business_fell"] = flag(bus_drop_pct >= FELL_SHARE, np.isfinite(bus_drop_pct))
    out["business_loss"] = flag(bus < 0, np.isfinite(bus))
    out["wage_work"] = flag(
        (np.nan_to_num(wage) > 0) | (np.nan_to_num(mig) > 0),
        np.isfinite(wage) | np.isfinite(mig),
    )
    out["no_labour"] = flag(labour == 0, np.isfinite(labour))
    out["alone"] = flag(size == 1, np.isfinite(size))
    ws = out["wage_share"].to_numpy()
    out["wage_main"] = flag(ws >= 0.5, np.isfinite(ws))
    mp = out["margin_pct"].to_numpy()
    out["near_line"] = flag(mp <= 1.2, np.isfinite(mp))
    out["has_disabled"] = flag(
        num["disabled_count"] > 0, np.isfinite(num["disabled_count"])
    )
    out["has_students"] = flag(students > 0, np.isfinite(students))
    insured = view.num("medical_insured")[pos]
    out["uninsured"] = flag(insured == 0, np.isfinite(insured))
    for name, col in (
        ("housing_unsafe", "housing_safe"),
        ("water_unsafe", "water_safe"),
    ):
        safe = view.num(col)[pos]
        out[name] = flag(safe == 0, np.isfinite(safe))
    out["rigid_high"] = flag(
        out["rigid_share"].to_numpy() >= rigid_share,
        np.isfinite(out["rigid_share"].to_numpy()),
    )
    above = np.zeros(len(rows))
    name = "health__above_serious_threshold"
    if features is not None and name in features:
        above = features.loc[rows, name].to_numpy(dtype="float64", na_value=np.nan)
    out["above_serious_threshold"] = np.where(np.isnan(above), np.nan, above > 0)
    dtype = (
        panel["disaster_type"].astype("string").str.strip()
        if "disaster_type" in panel
        else pd.Series(pd.NA, index=panel.index, dtype="string")
    )
    dt = dtype.astype(object).where(dtype.notna(), None).to_numpy()[pos]
    out["disaster_type"] = [None if d in (None, "", "无") else d for d in dt]
    out["ill_members"] = _count_text(
        [
            ("大病患者", num["serious_ill_count"]),
            ("慢性病患者", num["chronic_ill_count"]),
        ]
    )
    sev = num["severe_disabled_count"]
    dis = []
    for d, s in zip(num["disabled_count"], sev, strict=True):
        if not (np.isfinite(d) and d > 0):
            dis.append("")
        elif np.isfinite(s) and s > 0:
            dis.append(f"残疾 {int(d)} 人（其中重度残疾 {int(s)} 人）")
        else:
            dis.append(f"残疾 {int(d)} 人")
    out["disabled_members"] = dis
    out["student_members"] = _count_text(
        [
            ("义务教育在校生", num["students_compulsory"]),
            ("高中及以上在校生", num["students_higher"]),
        ]
    )
    out["dependants"] = _count_text(
        [
            ("65岁以上老人", num["elderly_count"]),
            ("16岁以下儿童", num["children_count"]),
        ]
    )
    period = [f"{y}年" for y in out["year"]]
    income_period = list(period)
    if pushes is not None and len(pushes):
        pushed = pd.Index(pushes["row"])
        created = (
            pd.Index(pushes.loc[pushes["created"].astype(bool), "row"])
            if "created" in pushes
            else pd.Index([])
        )
        # the period the alerts job gives each record (the annual figures
        # the pushes add to: "2025年度及2026年1-3月累计"), else the year's own
        given = (
            dict(zip(pushes["row"], pushes["period"], strict=True))
            if "period" in pushes
            else {}
        )
        for i, (r, y) in enumerate(zip(rows, out["year"], strict=True)):
            if r in given and isinstance(given[r], str):
                period[i] = income_period[i] = given[r]
            elif r in pushed:
                period[i] = f"{y}年以来"
                if r in created:
                    income_period[i] = f"{y}年预计"
    out["period"] = period
    out["income_period"] = income_period
    return out
