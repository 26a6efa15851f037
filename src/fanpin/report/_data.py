"""What the report shows, computed as DataFrames before any HTML is written."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import MonitoringLines, RiskTypes, shipped_configs
from ..evaluate import BacktestResult, backtest
from ..exceptions import InputError
from ..messages import N_
from ..models import RiskPipeline, make_candidate
from ..monitor import calibration_curve_table, stability_report
from ..ranking import rank
from ..schema import in_hardship, make_labels
from ..scoring import score_panel
from ._risks import risk_type_tables

__all__ = ["CAPACITY_FRACTIONS", "ReportData", "compute_report_data"]

logger = logging.getLogger(__name__)

MSG_NO_LABELLED_YEAR = N_(
    "The report needs a labelled year (a year followed by another in the panel); "
    "give a panel with at least two consecutive years."
)

#: List sizes (shares of ranked households) of the capacity curve.
CAPACITY_FRACTIONS: tuple[float, ...] = tuple(
    [i / 100 for i in range(1, 31)] + [i / 10 for i in range(4, 11)]
)
GROUP_COLUMNS = ("province", "household_type", "ethnic_minority")


@dataclass
class ReportData:
    """Every table of the report (aggregates only: no household rows, no names)."""

    overview: dict[str, Any]
    card: dict[str, Any]
    fraction: float
    backtest: BacktestResult | None = None
    backtest_note: str | None = None
    capacity: pd.DataFrame | None = None
    calibration: pd.DataFrame | None = None
    calibration_year: int | None = None
    calibration_kind: str | None = None
    counties: pd.DataFrame | None = None
    risk_types: pd.DataFrame | None = None
    risk_types_by_county: pd.DataFrame | None = None
    risk_limits: tuple[int, float] = (5, 0.0)
    drift: pd.DataFrame | None = None
    drift_years: tuple[int, int] | None = None
    hit_rates: dict[str, pd.DataFrame] | None = None
    notes: dict[str, str] = field(default_factory=dict)


def _overview(panel: pd.DataFrame, lines: MonitoringLines) -> dict[str, Any]:
    years = sorted(int(y) for y in pd.unique(panel["year"]))
    latest = panel["year"] == years[-1]
    hard = in_hardship(panel, lines)
    return {
        "years": years,
        "latest_year": years[-1],
        "n_rows": int(len(panel)),
        "n_households": int(panel["household_id"].nunique()),
        "n_latest": int(latest.sum()),
        "n_provinces": int(panel["province"].nunique()),
        "n_counties": int(panel["county"].nunique()),
        "n_hardship_latest": int((hard & latest).sum()),
    }


def _capacity(res: BacktestResult, truth_given: bool) -> pd.DataFrame:
    """Share of falls caught by the top k % lists of the latest test year."""
    last = int(res.folds["test_year"].max())
    cap = res.capacity[res.capacity["test_year"] == last]
    out = pd.DataFrame(
        {
            "ranker": cap["ranker"].to_numpy(),
            "list": cap["list"].to_numpy(),
            "caught": cap["recall"].to_numpy(dtype=float),
        }
    )
    nominal = {f"top {f:.0%}": f for f in CAPACITY_FRACTIONS}
    out = out[out["list"].isin(nominal)]
    out.insert(1, "fraction", out["list"].map(nominal).astype(float))
    out = out.drop(columns="list").reset_index(drop=True)
    if truth_given and len(res.capture):
        c = res.capture[res.capture["test_year"] == last]
        out = out.merge(
            pd.DataFrame(
                {
                    "ranker": c["ranker"].to_numpy(),
                    "fraction": c["fraction"].to_numpy(dtype=float),
                    "expected_caught": c["expected_capture"].to_numpy(dtype=float),
                }
            ),
            on=["ranker", "fraction"],
            how="left",
        )
    return out


def _heldout_scores(
    panel: pd.DataFrame, model: RiskPipeline, lines: MonitoringLines, X: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, int, str]:
    """Scores of the latest labelled year from a model that did not see it."""
    y = make_labels(panel, lines)
    labelled = y.notna().to_numpy()
    years = panel["year"].to_numpy(dtype="int64")
    if not labelled.any():
        raise InputError(MSG_NO_LABELLED_YEAR)
    t = int(years[labelled].max())
    test = labelled & (years == t)
    y_test = y[test].to_numpy(dtype="int64")
    trained_on = {int(v) for v in model.training.get("years", [])}
    if t not in trained_on:
        p = model.model.predict_proba(X.loc[test])[:, 1]
        return y_test, p, t, "new_year"
    train = labelled & (years < t)
    y_train = y[train].to_numpy(dtype="int64")
    if not train.any() or np.unique(y_train).size < 2:
        p = model.model.predict_proba(X.loc[test])[:, 1]
        return y_test, p, t, "in_sample"
    refit = make_candidate(model.kind_, model.config_, model.rules_)
    refit.fit(X.loc[train], y_train, years=years[train])
    return y_test, refit.predict_proba(X.loc[test])[:, 1], t, "refit"


def _counties(
    scores: pd.DataFrame, monitored: pd.DataFrame, fraction: float
) -> pd.DataFrame:
    n_list = int(np.ceil(fraction * len(scores)))
    s = scores.assign(
        listed=scores["risk_rank"] <= n_list,
        high=scores["risk_level"] == "高",
        county=scores["county"].astype("string").fillna("<NA>"),
    )
    g = s.groupby("county", sort=True)
    out = pd.DataFrame(
        {
            "n_ranked": g.size(),
            "mean_risk": g["risk_score"].mean(),
            "expected_falls": g["risk_score"].sum(),
            "n_high": g["high"].sum(),
            "n_listed": g["listed"].sum(),
        }
    )
    mon = monitored["county"].astype("string").fillna("<NA>").value_counts()
    out["n_monitored"] = mon.reindex(out.index).fillna(0).astype("int64")
    out = out.reset_index().sort_values(
        ["expected_falls", "county"], ascending=[False, True], kind="stable"
    )
    return out.reset_index(drop=True)


def compute_report_data(
    panel: pd.DataFrame,
    model: RiskPipeline,
    *,
    card: dict[str, Any],
    truth: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
    fraction: float = 0.05,
    explain_config: RiskTypes | None = None,
) -> ReportData:
    """Run the backtest, score the latest year and compute every table of the report.

    The risk types are those of :func:`fanpin.explain.explain_households` (SHAP
    contributions summed per official risk type) for the households on the list:
    the top ``fraction`` of the latest year's households not in hardship.
    """
    from ..explain import explain_households

    lines = lines if lines is not None else model.lines
    config = (
        explain_config if explain_config is not None else shipped_configs().risk_types
    )
    data = ReportData(overview=_overview(panel, lines), card=card, fraction=fraction)

    # Backtest: fresh models per fold, with the saved model's configuration.
    try:
        res = backtest(
            panel,
            lines,
            truth=truth,
            config=model.config_,
            rules=model.rules_,
            fractions=CAPACITY_FRACTIONS,
            group_columns=GROUP_COLUMNS,
        )
    except InputError as exc:
        data.backtest_note = str(exc)
        logger.warning("report: no backtest (%s)", exc)
    else:
        data.backtest = res
        data.capacity = _capacity(res, truth is not None)

    F_all = model.features.transform(panel)
    X_all = F_all[model.feature_names]
    p_all = pd.Series(
        model.model.predict_proba(X_all)[:, 1], index=panel.index, name="risk_score"
    )

    # Calibration on the latest labelled year, from a model that did not see it.
    try:
        y_t, p_t, t, kind = _heldout_scores(panel, model, lines, X_all)
    except InputError as exc:
        data.notes["calibration"] = str(exc)
    else:
        data.calibration = calibration_curve_table(y_t, p_t, n_bins=10)
        data.calibration_year, data.calibration_kind = t, kind

    # Latest year: ranked households by county and their most frequent risks.
    scores, monitored = score_panel(model, panel, lines)
    data.counties = _counties(scores, monitored, fraction)
    latest = int(panel["year"].max())
    hard = in_hardship(panel, lines).to_numpy()
    ranked_idx = panel.index[(panel["year"] == latest).to_numpy() & ~hard]
    n_list = int(np.ceil(fraction * len(ranked_idx)))
    order = rank(
        p_all.loc[ranked_idx].to_numpy(),
        panel.loc[ranked_idx, "household_id"].astype(str).to_numpy(),
    )
    listed_idx = ranked_idx[order[:n_list]]
    explained = explain_households(
        model, panel, rows=listed_idx, lines=lines, risk_types=config, features=F_all
    )
    data.risk_limits = (config.max_risks, config.min_contribution)
    data.risk_types, data.risk_types_by_county = risk_type_tables(
        explained, panel.loc[listed_idx, "county"], config
    )

    # Drift: latest year against the previous one, on the ranked population.
    years = sorted(int(y) for y in pd.unique(panel["year"]))
    if len(years) >= 2:
        prev, cur = years[-2], years[-1]
        yv = panel["year"].to_numpy()
        m_prev, m_cur = (yv == prev) & ~hard, (yv == cur) & ~hard
        data.drift = stability_report(
            X_all.loc[m_prev],
            X_all.loc[m_cur],
            score_ref=p_all[m_prev].to_numpy(),
            score_cur=p_all[m_cur].to_numpy(),
        )
        data.drift_years = (prev, cur)
    else:
        data.notes["drift"] = f"one year only ({years[0]})"
    return data
