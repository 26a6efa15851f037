"""Temporal backtest: train on transitions up to t-1, test on t -> t+1, rolled."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import (
    ModelConfig,
    MonitoringLines,
    RulesConfig,
    shipped_configs,
)
from ..exceptions import InputError
from ..models import RiskModel, make_logistic_baseline
from ..rules import RuleBaseline
from ..schema import make_labels
from ._capacity import expected_capture, top_k_metrics, top_n_per_group_metrics
from ._groups import group_metrics
from ._metrics import classification_metrics

__all__ = ["BacktestResult", "backtest", "temporal_folds"]

logger = logging.getLogger(__name__)

RANKERS = ("model", "logistic", "rules", "oracle")
MSG_NO_FOLD = (
    "The backtest needs a test year t with labels (records in t + 1) and at least "
    "{min_train} earlier labelled year(s) to train on; the panel's labelled years are "
    "{years}. Give a panel with more consecutive years."
)
MSG_TRUTH = (
    "truth must have columns household_id, year and p_next (the true probability of "
    "hardship in year + 1); got {cols}."
)


def temporal_folds(
    labelled_years: Sequence[int],
    *,
    test_years: Sequence[int] | None = None,
    min_train_years: int = 1,
) -> list[tuple[list[int], int]]:
    """(training years, test year) pairs: every training year is before the test year.

    Examples
    --------
    >>> temporal_folds([2021, 2022, 2023, 2024], min_train_years=2)
    [([2021, 2022], 2023), ([2021, 2022, 2023], 2024)]
    """
    years = sorted(int(y) for y in set(labelled_years))
    chosen = years if test_years is None else [int(t) for t in test_years]
    folds = []
    for t in chosen:
        train = [y for y in years if y < t]
        if t in years and len(train) >= min_train_years:
            folds.append((train, t))
    return folds


@dataclass(frozen=True)
class BacktestResult:
    """Tables of a backtest (all DataFrames, long format, one row per fold x ranker …).

    Attributes
    ----------
    folds : training years, test year, sizes, calibration chosen for each fold.
    metrics : AUC, PR-AUC, KS, Brier, ECE per fold and ranker.
    capacity : recall / precision of the top k % and top n per county/township.
    capture : expected capture of the top k % (only with ``truth``).
    groups : metrics by province, household_type and ethnic_minority.
    """

    folds: pd.DataFrame
    metrics: pd.DataFrame
    capacity: pd.DataFrame
    capture: pd.DataFrame
    groups: pd.DataFrame

    def summary(self, fraction: float = 0.05) -> pd.DataFrame:
        """One row per ranker on the latest test year: the comparison table."""
        last = int(self.folds["test_year"].max())
        m = self.metrics[self.metrics["test_year"] == last].set_index("ranker")
        out = m[["auc", "pr_auc", "ks", "brier", "ece"]].copy()
        cap = self.capacity[
            (self.capacity["test_year"] == last)
            & (self.capacity["list"] == f"top {fraction:.0%}")
        ].set_index("ranker")
        out[f"recall@{fraction:.0%}"] = cap["recall"]
        out[f"precision@{fraction:.0%}"] = cap["precision"]
        if len(self.capture):
            c = self.capture[
                (self.capture["test_year"] == last)
                & np.isclose(self.capture["fraction"], fraction)
            ].set_index("ranker")["expected_capture"]
            out[f"capture@{fraction:.0%}"] = c
            if "oracle" in c.index:
                out["capture/oracle"] = c / c["oracle"]
        out.insert(0, "test_year", last)
        return out.reset_index()


def _truth_for(panel: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    missing = {"household_id", "year", "p_next"} - set(truth.columns)
    if missing:
        raise InputError(MSG_TRUTH.format(cols=list(truth.columns)))
    keys = pd.DataFrame(
        {
            "household_id": panel["household_id"].astype(str).to_numpy(),
            "year": panel["year"].to_numpy(dtype="int64"),
        }
    )
    t = pd.DataFrame(
        {
            "household_id": truth["household_id"].astype(str).to_numpy(),
            "year": truth["year"].to_numpy(dtype="int64"),
            "p_next": truth["p_next"].to_numpy(dtype="float64"),
        }
    )
    return keys.merge(t, on=["household_id", "year"], how="left")["p_next"].to_numpy()


def backtest(
    panel: pd.DataFrame,
    lines: MonitoringLines | None = None,
    *,
    truth: pd.DataFrame | None = None,
    config: ModelConfig | None = None,
    rules: RulesConfig | None = None,
    test_years: Sequence[int] | None = None,
    min_train_years: int = 1,
    fractions: Sequence[float] = (0.01, 0.05, 0.1),
    per_area: Sequence[tuple[str, int]] = (("county", 50), ("township", 10)),
    group_columns: Sequence[str] = ("province", "household_type", "ethnic_minority"),
    rankers: Sequence[str] = RANKERS,
    features: object | None = None,
) -> BacktestResult:
    """Rolled temporal backtest of the risk model against the logistic baseline,
    the rules and (with ``truth``) the oracle.

    For each test year t: the models are fitted on labelled rows of years < t only
    (their own calibration year being the latest of those) and scored on the
    labelled rows of t (households not in hardship in t with a record in t + 1).
    Features are computed once on the whole panel; they are history-aware, so a
    row of year t only uses years <= t.

    Examples
    --------
    >>> from fanpin.synthetic import simulate
    >>> sim = simulate(600, years=range(2021, 2024), seed=0)
    >>> cfg = ModelConfig(booster={"n_estimators": 10})
    >>> res = backtest(sim.panel, sim.lines, truth=sim.truth, config=cfg,
    ...                per_area=(), group_columns=())
    >>> res.folds["test_year"].tolist()
    [2022]
    >>> sorted(res.metrics["ranker"])
    ['logistic', 'model', 'oracle', 'rules']
    """
    from ..features import make_features

    lines = lines if lines is not None else shipped_configs().lines
    config = config if config is not None else shipped_configs().model
    feats = features if features is not None else make_features(lines=lines)
    X = feats.fit_transform(panel)
    y = make_labels(panel, lines)
    labelled = y.notna().to_numpy()
    years = panel["year"].to_numpy(dtype="int64")
    folds = temporal_folds(
        np.unique(years[labelled]),
        test_years=test_years,
        min_train_years=min_train_years,
    )
    if not folds:
        raise InputError(
            MSG_NO_FOLD.format(
                min_train=min_train_years, years=sorted(set(years[labelled].tolist()))
            )
        )
    p_true = _truth_for(panel, truth) if truth is not None else None
    rule_priority = None
    if "rules" in rankers:
        rule_priority = RuleBaseline(config=rules, lines=lines)
    rankers = [r for r in rankers if r != "oracle" or p_true is not None]

    fold_rows, met_rows, cap_rows, capt_rows, grp_rows = [], [], [], [], []
    for train_years, t in folds:
        tr = labelled & (years < t)
        te = labelled & (years == t)
        y_tr = y[tr].to_numpy(dtype="int64")
        y_te = y[te].to_numpy(dtype="int64")
        scores: dict[str, np.ndarray] = {}
        fold = {
            "test_year": t,
            "train_years": train_years,
            "n_train": int(tr.sum()),
            "n_test": int(te.sum()),
            "train_positive_rate": float(y_tr.mean()),
            "test_positive_rate": float(y_te.mean()),
        }
        if "model" in rankers:
            model = RiskModel(**config.risk_model_params())
            model.fit(X[tr], y_tr, years=years[tr])
            scores["model"] = model.predict_proba(X[te])[:, 1]
            fold["calibration"] = model.calibration_
            fold["validation_year"] = model.validation_.get("year")
        if "logistic" in rankers:
            lr = make_logistic_baseline(C=config.logistic_C, random_state=config.seed)
            scores["logistic"] = lr.fit(X[tr], y_tr).predict_proba(X[te])[:, 1]
        if rule_priority is not None:
            scores["rules"] = rule_priority.predict_score(panel.loc[te])
        if p_true is not None and "oracle" in rankers:
            scores["oracle"] = p_true[te]
        fold_rows.append(fold)
        test_panel = panel.loc[te]
        for name, s in scores.items():
            prob = name != "rules"
            met_rows.append(
                {
                    "test_year": t,
                    "ranker": name,
                    **classification_metrics(y_te, s, probability=prob),
                }
            )
            for _, r in top_k_metrics(y_te, s, fractions).iterrows():
                cap_rows.append(
                    {
                        "test_year": t,
                        "ranker": name,
                        "list": f"top {r['fraction']:.0%}",
                        "n_flagged": int(r["n_flagged"]),
                        "recall": r["recall"],
                        "precision": r["precision"],
                    }
                )
            for col, n in per_area:
                if col in test_panel and test_panel[col].notna().any():
                    m = top_n_per_group_metrics(y_te, s, test_panel[col].to_numpy(), n)
                    cap_rows.append(
                        {
                            "test_year": t,
                            "ranker": name,
                            "list": f"top {n} per {col}",
                            **m,
                        }
                    )
            if p_true is not None:
                for _, r in expected_capture(p_true[te], s, fractions).iterrows():
                    capt_rows.append({"test_year": t, "ranker": name, **r.to_dict()})
            if group_columns:
                g = group_metrics(
                    test_panel, y_te, s, group_columns, probability=prob, fraction=0.05
                )
                grp_rows.append(g.assign(test_year=t, ranker=name))
        logger.info(
            "backtest fold %d: %d train rows, %d test rows", t, tr.sum(), te.sum()
        )

    groups = pd.concat(grp_rows, ignore_index=True) if grp_rows else pd.DataFrame()
    if len(groups):
        front = ["test_year", "ranker"]
        groups = groups[front + [c for c in groups.columns if c not in front]]
    return BacktestResult(
        folds=pd.DataFrame(fold_rows),
        metrics=pd.DataFrame(met_rows),
        capacity=pd.DataFrame(cap_rows),
        capture=pd.DataFrame(capt_rows),
        groups=groups,
    )
