"""How the simulated panel compares with the published figures it is calibrated to."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import MonitoringLines

__all__ = ["calibration_table", "hardship_flags", "next_year_labels"]

_INCOME = ["income_wage", "income_business", "income_property", "income_transfer"]


def _pc_after(panel: pd.DataFrame) -> pd.Series:
    money = panel[_INCOME].fillna(0).sum(axis=1)
    rigid = panel["medical_cost_oop"].fillna(0) + panel["education_cost"].fillna(0)
    return (money - rigid) / panel["household_size"]


def hardship_flags(panel: pd.DataFrame, lines: MonitoringLines) -> pd.Series:
    """In hardship per row: :func:`fanpin.schema.in_hardship` (the one rule)."""
    from ..schema import in_hardship

    return in_hardship(panel, lines).astype(bool)


def next_year_labels(panel: pd.DataFrame, lines: MonitoringLines) -> pd.Series:
    """``fell_next_year``: :func:`fanpin.schema.make_labels` when available."""
    try:
        from ..schema import make_labels
    except ImportError:
        flags = hardship_flags(panel, lines)
        key = pd.MultiIndex.from_arrays([panel["household_id"], panel["year"]])
        nxt = pd.Series(flags.to_numpy(), index=key)
        ahead = pd.MultiIndex.from_arrays([panel["household_id"], panel["year"] + 1])
        after = nxt.reindex(ahead).to_numpy()
        label = pd.array(
            np.where(pd.isna(after), 0, after).astype("int8"), dtype="Int8"
        )
        label[pd.isna(after) | flags.to_numpy()] = pd.NA
        return pd.Series(label, index=panel.index, name="fell_next_year")
    return make_labels(panel, lines)


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, score))


def calibration_table(result) -> pd.DataFrame:
    """Simulated figures next to the targets of domain.md §5.

    Parameters
    ----------
    result : SimulationResult
        Output of :func:`fanpin.synthetic.simulate`.

    Returns
    -------
    pandas.DataFrame
        Columns ``target, source, target_value, simulated``.

    Examples
    --------
    >>> from fanpin.synthetic import SimulationParams, calibration_table, simulate
    >>> fast = SimulationParams(oracle_draws=8)
    >>> res = simulate(300, years=range(2021, 2023), params=fast)
    >>> list(calibration_table(res).columns)
    ['target', 'source', 'target_value', 'simulated']
    """
    panel, lines = result.panel, result.lines
    lifted = panel["household_type"] == "脱贫户"
    income = panel[_INCOME].sum(axis=1)
    rows: list[tuple[str, str, str, float]] = []

    def pc_income(year: int) -> float:
        sel = lifted & (panel["year"] == year)
        return float(income[sel].sum() / panel.loc[sel, "household_size"].sum())

    for year, value, src in ((2021, "12,550", "[S1]"), (2022, "14,342", "[S31]")):
        if (panel["year"] == year).any():
            rows.append(
                (
                    f"脱贫户 per-capita net income {year} (yuan)",
                    src,
                    value,
                    round(pc_income(year), 0),
                )
            )
    wage_share = panel.loc[lifted, "income_wage"].sum() / income[lifted].sum()
    rows.append(
        (
            "wage share of 脱贫户 income",
            "[S1][S25]",
            "> 0.667",
            round(float(wage_share), 3),
        )
    )
    rows.append(
        (
            "mean household size",
            "[S33]",
            "about 3.3",
            round(float(panel["household_size"].mean()), 2),
        )
    )
    flags = hardship_flags(panel, lines)
    rows.append(
        (
            "share of households in hardship (per year)",
            "[S28][S33]",
            "a few %, e.g. 0.02–0.05",
            round(float(flags.mean()), 4),
        )
    )
    labels = next_year_labels(panel, lines)
    has = labels.notna().to_numpy()
    y = labels[has].astype(int).to_numpy()
    rows.append(
        (
            "yearly fall rate among households not in hardship",
            "[S38] brief",
            "0.01–0.04",
            round(float(y.mean()) if len(y) else float("nan"), 4),
        )
    )
    monitored = panel["monitor_category"].notna()
    rows.append(
        (
            "share of households monitored",
            "[S33] Baoshan 2.63% of people",
            "about 0.03",
            round(float(monitored.mean()), 4),
        )
    )
    cats = panel.loc[monitored, "monitor_category"].value_counts(normalize=True)
    for cat, share in (
        ("脱贫不稳定户", "0.31"),
        ("边缘易致贫户", "0.30"),
        ("突发严重困难户", "0.40"),
    ):
        rows.append(
            (
                f"monitored share {cat}",
                "[S33] Baoshan 2021",
                share,
                round(float(cats.get(cat, 0.0)), 3),
            )
        )
    rows.append(
        (
            "people per monitored household",
            "[S33]",
            "3.35",
            round(float(panel.loc[monitored, "household_size"].mean()), 2),
        )
    )
    if len(result.truth) and len(y):
        key = ["household_id", "year"]
        merged = panel.loc[has, key].assign(y=y).merge(result.truth, on=key, how="left")
        after = _pc_after(panel.loc[has]).to_numpy()
        rows.append(
            (
                "AUC of the oracle p_next for fell_next_year",
                "brief",
                "0.80–0.92",
                round(_auc(merged["y"].to_numpy(), merged["p_next"].to_numpy()), 3),
            )
        )
        rows.append(
            (
                "AUC of current per-capita income alone",
                "brief",
                "well below the oracle",
                round(_auc(y, -after), 3),
            )
        )
    out = pd.DataFrame(rows, columns=["target", "source", "target_value", "simulated"])
    return out.astype(
        {"target": "string", "source": "string", "target_value": "string"}
    )
