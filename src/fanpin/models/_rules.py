"""Today's rules as a candidate model: the rule flags as features, and the rule
score as a calibrated estimator.

:class:`RuleFeatures` computes the flags of :class:`fanpin.rules.RuleBaseline`
(``rule__<id>``, 0/1) and its tie-break, the margin of per-capita income after
rigid spending over the line (``rule__margin``). :class:`RuleRiskModel` ranks
exactly as the baseline does (weighted number of rules met, then the lower
margin) and turns that order into a probability with a logistic fit on it.
:class:`FeaturesWithRules` appends the flags to the domain features, for the
candidates that use both.

Explanations speak of domain features, not of rule flags: the contribution of a
rule's flag goes to the feature the rule reads (:data:`RULE_EXPLAINED_BY`), so
the explanation stage maps it to a risk type as for any model.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, _fit_context
from ..config import MonitoringLines, RulesConfig, shipped_configs
from ..rules import RuleBaseline
from ._validation import (
    Contributions,
    LogOddsCandidate,
    check_labels,
    check_years,
    no_rows,
    row_dot,
)

__all__ = [
    "MARGIN_COLUMN",
    "RULE_EXPLAINED_BY",
    "FeaturesWithRules",
    "RuleFeatures",
    "RuleRiskModel",
    "rule_explanation_map",
    "rule_priority",
    "rule_weights",
]

MARGIN_COLUMN = "rule__margin"
"""Per-capita income after rigid spending over the line, minus 1 (the tie-break)."""

#: Rule kind -> the domain feature that speaks for it in explanations.
RULE_EXPLAINED_BY: Mapping[str, str] = {
    "income_near_line": "income__pc_income_to_line",
    "medical_oop": "health__medical_oop",
    "oop_over_local_income": "health__oop_to_local_income",
    "disaster_loss_share": "disaster__loss_to_income",
    "income_drop": "income__pc_income_change_rate",
    "new_disability": "disability__newly_disabled",
    "rigid_spending_share": "health__oop_share_of_income",
    "dibao_edge": "income__pc_income_to_line",
    "rigid_spending_hardship": "health__oop_share_of_income",
}
MARGIN_EXPLAINED_BY = "income__margin_ratio"


def rule_weights(rules: RulesConfig) -> dict[str, float]:
    """Flag column -> weight, in the rules' order."""
    return {f"rule__{r.id}": float(r.weight) for r in rules.rules}


def rule_priority(R: pd.DataFrame, rules: RulesConfig) -> np.ndarray:
    """The rules' order as a score of the rows of a rule-feature frame
    (:class:`RuleFeatures` output): weighted number of rules met, then the lower
    margin, higher first. The same order as
    :meth:`fanpin.rules.RuleBaseline.score` on the panel the flags came from.
    """
    weights = rule_weights(rules)
    w = np.array(list(weights.values()))
    flags = np.column_stack(
        [np.nan_to_num(R[c].to_numpy(dtype="float64"), nan=0.0) for c in weights]
    )
    return row_dot(flags, w) + _tie_step(w) * _tie(R[MARGIN_COLUMN].to_numpy("float64"))


def rule_explanation_map(rules: RulesConfig) -> dict[str, str]:
    """Rule column -> the domain feature its contribution is shown as."""
    out = {f"rule__{r.id}": RULE_EXPLAINED_BY[r.kind] for r in rules.rules}
    out[MARGIN_COLUMN] = MARGIN_EXPLAINED_BY
    return out


class RuleFeatures(TransformerMixin, BaseEstimator):
    """The rule flags and the margin of every panel row (history from the panel).

    Parameters
    ----------
    rules : RulesConfig, optional
        Default: the shipped ``configs/rules.yaml``.
    lines : MonitoringLines, optional
        Default: the shipped table.

    Examples
    --------
    >>> from fanpin.synthetic import simulate
    >>> sim = simulate(100, years=range(2022, 2024), seed=0)
    >>> f = RuleFeatures(lines=sim.lines).fit(sim.panel)
    >>> list(f.get_feature_names_out())[:2]
    ['rule__income_near_line', 'rule__dibao_edge']
    """

    def __init__(
        self, *, rules: RulesConfig | None = None, lines: MonitoringLines | None = None
    ):
        self.rules = rules
        self.lines = lines

    def fit(self, X: pd.DataFrame, y: Any = None) -> RuleFeatures:
        """Resolve the rules and lines (nothing is learned from the data)."""
        shipped = shipped_configs()
        self.rules_ = self.rules if self.rules is not None else shipped.rules
        self.lines_ = self.lines if self.lines is not None else shipped.lines
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``rule__<id>`` per rule, then ``rule__margin``."""
        check_is_fitted(self, "rules_")
        return np.asarray([*rule_weights(self.rules_), MARGIN_COLUMN], dtype=object)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Flags (0/1) and margin of every row, on ``X``'s index."""
        check_is_fitted(self, "rules_")
        s = RuleBaseline(config=self.rules_, lines=self.lines_).score(X)
        names = list(self.get_feature_names_out())
        out = s[[f"rule__{r.id}" for r in self.rules_.rules] + ["margin"]]
        out = out.astype("float64")
        out.columns = names
        return out

    def transform_rows(self, X: pd.DataFrame, rows: Any) -> pd.DataFrame:
        """``transform(X).loc[rows]`` (the flags need the whole panel's history)."""
        return self.transform(X).loc[rows]


class FeaturesWithRules(TransformerMixin, BaseEstimator):
    """A panel feature builder's output followed by the rule flags and margin.

    Parameters
    ----------
    features : transformer
        The domain features (``fanpin.features.make_features``).
    rules : RuleFeatures
    """

    def __init__(self, *, features: Any, rules: RuleFeatures):
        self.features = features
        self.rules = rules

    def fit(self, X: pd.DataFrame, y: Any = None) -> FeaturesWithRules:
        """Fit both builders."""
        self.features.fit(X)
        self.rules.fit(X)
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    @property
    def builders_(self) -> list[Any]:
        """The domain builders, then the rule features (those holding ``lines_``)."""
        return [*getattr(self.features, "builders_", []), self.rules]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The domain features' names, then the rule columns."""
        return np.concatenate(
            [self.features.get_feature_names_out(), self.rules.get_feature_names_out()]
        )

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Both builders' columns, on ``X``'s index."""
        return pd.concat([self.features.transform(X), self.rules.transform(X)], axis=1)

    def transform_rows(self, X: pd.DataFrame, rows: Any) -> pd.DataFrame:
        """Both builders' columns for ``rows`` (history from all of ``X``)."""
        a = self.features.transform_rows(X, rows)
        b = self.rules.transform_rows(X, a.index)
        return pd.concat([a, b], axis=1)


def _tie_step(weights: np.ndarray) -> float:
    """Half the smallest gap between two different weighted counts of rules (so
    the margin's tie-break never reorders rows with different rule scores)."""
    if len(weights) > 16:
        return float(weights.min()) * 1e-6
    sums = np.unique(
        [
            sum(c)
            for k in range(len(weights) + 1)
            for c in itertools.combinations(weights, k)
        ]
    )
    gaps = np.diff(sums)
    return float(gaps[gaps > 0].min() / 2) if (gaps > 0).any() else 0.5


def _tie(margin: np.ndarray) -> np.ndarray:
    """In (0, 1), falling as the margin rises; 0 when unknown (ranked last)."""
    t = 0.5 - np.arctan(margin) / np.pi
    return np.where(np.isnan(margin), 0.0, t)


class RuleRiskModel(LogOddsCandidate, ClassifierMixin, BaseEstimator):
    """The rule score as a probability: rank as today's rules, calibrated.

    The key of a row is its weighted number of rules met plus a tie-break
    smaller than any gap between rule scores, falling with the margin (an
    unknown margin last): the same order as
    :meth:`fanpin.rules.RuleBaseline.score`. The probability is
    ``expit(a + b * key)`` with ``a``, ``b`` from a logistic fit on the
    training rows (``b`` kept positive so that the order never flips).

    Parameters
    ----------
    weights : mapping of str to float
        Flag column -> weight (:func:`rule_weights`).
    margin : str
        The margin column.
    refit_full : bool
    validation_fraction : float
    random_state : int

    Examples
    --------
    >>> X = pd.DataFrame({"rule__a": [1, 0, 0, 1], "rule__margin": [0.1, -0.2, 0.5, 2]})
    >>> m = RuleRiskModel(weights={"rule__a": 1.0}).fit(X, [1, 1, 0, 0])
    >>> np.argsort(-m.decision_function(X)).tolist()
    [0, 3, 1, 2]
    """

    _parameter_constraints: dict = {
        "weights": [Mapping],
        "margin": [str],
        "refit_full": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        weights: Mapping[str, float],
        margin: str = MARGIN_COLUMN,
        refit_full: bool = True,
        validation_fraction: float = 0.2,
        random_state: int = 0,
    ):
        self.weights = weights
        self.margin = margin
        self.refit_full = refit_full
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _parts(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        flags = np.column_stack(
            [
                np.nan_to_num(X[c].to_numpy(dtype="float64"), nan=0.0)
                for c in self.weights
            ]
        )
        return flags, _tie(X[self.margin].to_numpy(dtype="float64"))

    def _key(self, X: pd.DataFrame) -> np.ndarray:
        flags, tie = self._parts(X)
        return row_dot(flags, self.w_) + self.step_ * tie

    def _fit_scores(self, X: pd.DataFrame, y: np.ndarray) -> None:
        key = self._key(X)
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(key.reshape(-1, 1), y)
        b, a = float(lr.coef_[0, 0]), float(lr.intercept_[0])
        if not b > 0:  # rules unrelated (or opposed) to falls: keep their order
            rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
            b, a = 1e-6, float(np.log(rate / (1 - rate)))
        self.slope_, self.intercept_ = b, a

    def _frame(self, X: Any) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(X, columns=list(self.feature_names_in_))
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, years: Any = None) -> RuleRiskModel:
        """Fit the probability scale before the validation year, score it, refit."""
        validate_data(self, X, ensure_all_finite="allow-nan", dtype="float64")
        X = self._frame(X)
        y = check_labels(y, "RuleRiskModel")
        self.classes_ = np.array([0, 1])
        years = check_years(years, len(y))
        self.w_ = np.array([float(w) for w in self.weights.values()])
        self.step_ = _tie_step(self.w_)
        flags, tie = self._parts(X)
        self.flag_mean_ = flags.mean(axis=0)
        self.tie_mean_ = float(tie.mean())
        self._validate_and_refit(X, y, years)
        return self

    def _val_scores(self, X: pd.DataFrame) -> np.ndarray:
        return self.intercept_ + self.slope_ * self._key(X)

    def _check(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "slope_")
        validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype="float64"
        )
        return self._frame(X)

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds ``a + b * key`` of each row."""
        return self._val_scores(self._check(X))

    def contributions(self, X: Any) -> Contributions:
        """Slope x weight x centred flag for each rule, slope x step x centred
        tie-break for the margin; the base value is the log-odds of the mean key."""
        empty = no_rows(self, X)
        if empty is not None:
            return empty
        X = self._check(X)
        flags, tie = self._parts(X)
        b = self.slope_
        cols = {
            c: b * w * (flags[:, j] - self.flag_mean_[j])
            for j, (c, w) in enumerate(zip(self.weights, self.w_, strict=True))
        }
        cols[self.margin] = b * self.step_ * (tie - self.tie_mean_)
        values = pd.DataFrame(cols, index=X.index)
        base = float(
            self.intercept_
            + b * (self.flag_mean_ @ self.w_ + self.step_ * self.tie_mean_)
        )
        raw = pd.Series(
            self.intercept_ + self.slope_ * self._key(X),
            index=X.index,
            name="raw_score",
        )
        return Contributions(values=values, base_value=base, raw_score=raw)
