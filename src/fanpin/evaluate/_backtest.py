"""Temporal backtest: train on transitions up to t-1, test on t -> t+1, rolled."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import (
    ModelConfig,
    MonitoringLines,
    RulesConfig,
    shipped_configs,
)
from ..exceptions import InputError
from ..messages import N_, Message
from ..models import (
    DEFAULT_BOOTSTRAPS,
    RiskModel,
    RuleFeatures,
    bootstrap_rankings,
    choose_model,
    rule_priority,
)
from ..schema import make_labels
from ._capacity import expected_capture, top_k_metrics, top_n_per_group_metrics
from ._groups import group_metrics
from ._metrics import classification_metrics

__all__ = ["BacktestResult", "TemporalSplit", "backtest", "temporal_folds"]

logger = logging.getLogger(__name__)

RANKERS = ("model", "gbdt", "logistic", "rules", "oracle")
"""``model``: the model ``fanpin train`` keeps (chosen on each fold's own
validation year); ``gbdt`` and ``logistic``: those candidates; ``rules``: today's
rules; ``oracle``: the true probabilities (with ``truth``)."""
INTERVAL_FRACTIONS = (0.05, 0.1)
"""List sizes of the bootstrap intervals."""
MSG_NO_FOLD = N_(
    "The backtest needs a test year t with labels (records in t + 1) and at least "
    "{min_train} earlier labelled year(s) to train on; the panel's labelled years are "
    "{years}. Give a panel with more consecutive years."
)
MSG_TRUTH = N_(
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


class TemporalSplit:
    """Cross-validation splitter by year: train on the years before t, test on t.

    A scikit-learn splitter (``split``/``get_n_splits``) for
    ``cross_val_score``, ``GridSearchCV`` and friends. The year of each row is
    ``groups`` (or the ``year`` column of a DataFrame ``X``); for each test year
    t with at least ``min_train_years`` earlier years, the training indices are
    the rows of the years before t and the test indices the rows of t. With the
    rows of a panel, pass the whole panel as the estimator's history
    (``RiskPipeline(history=panel)``) so that features keep their history.

    Parameters
    ----------
    min_train_years : int
        Earlier years needed before a year is a test year.
    test_years : sequence of int, optional
        Only these test years.

    Examples
    --------
    >>> years = np.array([2021, 2021, 2022, 2022, 2023])
    >>> cv = TemporalSplit()
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(years, groups=years)]
    [([0, 1], [2, 3]), ([0, 1, 2, 3], [4])]
    """

    def __init__(
        self, min_train_years: int = 1, test_years: Sequence[int] | None = None
    ):
        self.min_train_years = min_train_years
        self.test_years = test_years

    def _years(self, X: object, groups: object) -> np.ndarray:
        if groups is not None:
            return np.asarray(groups).astype("int64")
        if isinstance(X, pd.DataFrame) and "year" in X:
            return X["year"].to_numpy(dtype="int64")
        raise InputError(Message(MSG_SPLIT_YEARS))

    def split(self, X: object, y: object = None, groups: object = None):
        """Yield (train indices, test indices) per test year, oldest first."""
        years = self._years(X, groups)
        for _, t in temporal_folds(
            np.unique(years), test_years=self.test_years,
            min_train_years=self.min_train_years,
        ):  # fmt: skip
            yield np.flatnonzero(years < t), np.flatnonzero(years == t)

    def get_n_splits(
        self, X: object = None, y: object = None, groups: object = None
    ) -> int:
        """The number of test years."""
        if X is None and groups is None:
            raise InputError(Message(MSG_SPLIT_YEARS))
        return sum(1 for _ in self.split(X, y, groups))

    def __repr__(self) -> str:
        return (
            f"TemporalSplit(min_train_years={self.min_train_years}, "
            f"test_years={self.test_years})"
        )


MSG_SPLIT_YEARS = N_(
    "TemporalSplit needs the year of each row: pass groups=years (e.g. "
    "cross_val_score(..., groups=panel['year'])) or a DataFrame with a 'year' column."
)


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
    intervals: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self, fraction: float = 0.05) -> pd.DataFrame:
        """One row per ranker on the latest test year: the comparison table, with
        the bootstrap 95 % interval (``<figure>_low``, ``<figure>_high``) of AUC,
        recall and expected capture where they were computed."""
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
        iv = self.intervals
        if len(iv):
            iv = iv[iv["test_year"] == last]
            for fig in ("auc", f"recall@{fraction:.0%}", f"capture@{fraction:.0%}"):
                part = iv[iv["figure"] == fig].set_index("ranker")
                if len(part):
                    out[f"{fig}_low"] = part["low"]
                    out[f"{fig}_high"] = part["high"]
        out.insert(0, "test_year", last)
        return out.reset_index()

    def differences(self, fraction: float = 0.05) -> pd.DataFrame:
        """Model minus rules on the latest test year: one row per figure with the
        estimate, its bootstrap 95 % interval and whether 0 is inside it."""
        iv = self.intervals
        if not len(iv):
            return pd.DataFrame(columns=["figure", "estimate", "low", "high"])
        last = int(self.folds["test_year"].max())
        figs = ("auc", f"recall@{fraction:.0%}", f"capture@{fraction:.0%}")
        d = iv[
            (iv["test_year"] == last)
            & iv["ranker"].str.contains(" - ")
            & iv["figure"].isin(figs)
        ]
        out = d[["ranker", "figure", "estimate", "low", "high"]].reset_index(drop=True)
        out["inside_noise"] = (out["low"] <= 0) & (out["high"] >= 0)
        return out


def _truth_for(panel: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    missing = {"household_id", "year", "p_next"} - set(truth.columns)
    if missing:
        raise InputError(Message(MSG_TRUTH, cols=list(truth.columns)))
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
    kind: str = "auto",
    test_years: Sequence[int] | None = None,
    min_train_years: int = 1,
    fractions: Sequence[float] = (0.01, 0.05, 0.1),
    per_area: Sequence[tuple[str, int]] = (("county", 50), ("township", 10)),
    group_columns: Sequence[str] = ("province", "household_type", "ethnic_minority"),
    rankers: Sequence[str] = RANKERS,
    features: object | None = None,
    intervals: str = "latest",
    n_boot: int = DEFAULT_BOOTSTRAPS,
) -> BacktestResult:
    """Rolled temporal backtest of the model ``fanpin train`` keeps against its
    candidates, the rules and (with ``truth``) the oracle.

    For each test year t: the candidates are fitted on labelled rows of years < t
    only (their own validation year being the latest of those, where the model
    is chosen as ``fanpin train`` chooses it) and scored on the labelled rows of
    t (households not in hardship in t with a record in t + 1). Features are
    computed once on the whole panel; they are history-aware, so a row of year t
    only uses years <= t.

    ``intervals`` (``"latest"``: the latest test year; ``"all"``; ``"none"``)
    adds bootstrap 95 % intervals (households resampled, ``n_boot`` replicates,
    seeded with the config's seed) of AUC, recall and expected capture of the
    top 5 % and 10 %, for each ranker and for ``model - rules``.

    Examples
    --------
    >>> from fanpin.synthetic import simulate
    >>> sim = simulate(600, years=range(2021, 2024), seed=0)
    >>> cfg = ModelConfig(booster={"n_estimators": 10})
    >>> res = backtest(sim.panel, sim.lines, truth=sim.truth, config=cfg,
    ...                per_area=(), group_columns=(), n_boot=50)
    >>> res.folds["test_year"].tolist()
    [2022]
    >>> sorted(set(res.metrics["ranker"]))
    ['gbdt', 'logistic', 'model', 'oracle', 'rules']
    >>> sorted(set(res.intervals["figure"]))
    ['auc', 'capture@10%', 'capture@5%', 'recall@10%', 'recall@5%']
    """
    from ..features import make_features

    lines = lines if lines is not None else shipped_configs().lines
    config = config if config is not None else shipped_configs().model
    rules = rules if rules is not None else shipped_configs().rules
    feats = features if features is not None else make_features(lines=lines)
    X = feats.fit_transform(panel)
    feature_columns = [str(c) for c in X.columns]
    rule_feats = RuleFeatures(rules=rules, lines=lines).fit(panel)
    R = rule_feats.transform(panel)
    rule_columns = [str(c) for c in R.columns]
    X = pd.concat([X, R], axis=1)
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
            Message(
                MSG_NO_FOLD,
                min_train=min_train_years,
                years=sorted(set(years[labelled].tolist())),
            )
        )
    p_true = _truth_for(panel, truth) if truth is not None else None
    rankers = [r for r in rankers if r != "oracle" or p_true is not None]
    need_choice = bool({"model", "gbdt", "logistic"} & set(rankers))
    last_fold = max(t for _, t in folds)

    fold_rows, met_rows, cap_rows, capt_rows, grp_rows, iv_rows = [], [], [], [], [], []
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
        if need_choice:
            chosen, model, choice, fitted = choose_model(
                X.loc[tr], y_tr, years[tr],
                feature_columns=feature_columns, rule_columns=rule_columns,
                config=config, rules=rules, kind=kind, n_boot=0,
            )  # fmt: skip
            cols = list(model.feature_names_in_)
            if "model" in rankers:
                scores["model"] = model.predict_proba(X.loc[te, cols])[:, 1]
            for name in ("gbdt", "logistic"):
                if name in rankers and name in fitted:
                    m = fitted[name]
                    scores[name] = m.predict_proba(
                        X.loc[te, list(m.feature_names_in_)]
                    )[:, 1]
            fold["kind"] = chosen
            fold["validation_year"] = choice["validation_year"]
            fold["calibration"] = getattr(model, "calibration_", None)
            if isinstance(model, RiskModel):
                fold["rounds"] = int(model.n_rounds_)
        if "rules" in rankers:  # flags with the whole panel's history (last year)
            scores["rules"] = rule_priority(R.loc[te], rules)
        if p_true is not None and "oracle" in rankers:
            scores["oracle"] = p_true[te]
        fold_rows.append(fold)
        test_panel = panel.loc[te]
        if intervals == "all" or (intervals == "latest" and t == last_fold):
            pairs = [("model", "rules")] if {"model", "rules"} <= set(scores) else []
            iv = bootstrap_rankings(
                y_te, scores, p_true=None if p_true is None else p_true[te],
                groups=test_panel["household_id"].to_numpy(),
                fractions=INTERVAL_FRACTIONS, differences=pairs,
                n_boot=n_boot, seed=config.seed,
            )  # fmt: skip
            iv_rows.append(iv.assign(test_year=t))
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
    ivs = pd.concat(iv_rows, ignore_index=True) if iv_rows else pd.DataFrame()
    if len(ivs):
        ivs = ivs[["test_year", *[c for c in ivs.columns if c != "test_year"]]]
    return BacktestResult(
        folds=pd.DataFrame(fold_rows),
        metrics=pd.DataFrame(met_rows),
        capacity=pd.DataFrame(cap_rows),
        capture=pd.DataFrame(capt_rows),
        groups=groups,
        intervals=ivs,
    )
