"""From a panel to a model and a ranked list: features -> labels -> fit -> score."""

from __future__ import annotations

import hashlib
import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import StrOptions
from ..config import (
    MODEL_KINDS,
    ModelConfig,
    MonitoringLines,
    RulesConfig,
    shipped_configs,
)
from ..exceptions import FanpinWarning, ModelError
from ..messages import N_, Message
from ..schema import COLUMNS, in_hardship, make_labels
from ._rules import FeaturesWithRules, RuleFeatures, rule_explanation_map
from ._select import USES_RULES, choose_model
from ._validation import Contributions

__all__ = [
    "ModelColumnsWarning",
    "RiskPipeline",
    "check_feature_columns",
    "rows_probabilities",
    "train_risk_model",
    "training_frame",
]

logger = logging.getLogger(__name__)

MSG_FEATURES_GONE = N_(
    "The feature builder no longer produces {missing} that the model was trained "
    "on. Retrain the model with this version of fanpin."
)
MSG_NO_LABELS = N_(
    "The panel has no labelled transition (a household not in hardship in year t "
    "with a record in t + 1), so there is nothing to train on. Train on at least two "
    "consecutive years; found years {years}."
)
MSG_NO_FALLS = N_(
    "Nobody in the panel falls into hardship: all {n} labelled transitions (years "
    "{years}) stay out of hardship, so there is no fall to learn from. Check that "
    "the monitoring lines are the right ones for these years (--lines) and that "
    "the income columns are yuan per year, or train on more years or households."
)
MSG_ALL_FALL = N_(
    "Every one of the {n} labelled transitions (years {years}) falls into "
    "hardship, so there is nothing to tell apart. Check the monitoring lines "
    "(--lines) and that the income columns are yuan per year."
)
MSG_FEW_FALLS = N_(
    "Only {n_pos} of the {n} labelled transitions (years {years}) fall into "
    "hardship; a model needs at least {need} falls (and as many households that do "
    "not fall) to learn from and to be checked on the validation year. Train on "
    "more years or households, or check the monitoring lines (--lines)."
)
MIN_FALLS = 10
"""Fewest falls (and non-falls) a panel must hold to train on."""
MSG_MISSING_OPTIONAL = N_(
    "The model was trained with the optional column(s) {columns}, which this panel "
    "lacks (absent or empty): their features are missing, so the scores shift. "
    "Fill them in, or retrain the model on data without them."
)
MSG_HISTORY_ROWS = N_(
    "RiskPipeline(history=...) must hold every row it is given: {n} row(s) of X "
    "(e.g. household {example!r}, year {year}) are not in the history panel."
)
MSG_NOT_FITTED = N_("This RiskPipeline is not fitted yet: call fit(panel) first.")


class ModelColumnsWarning(FanpinWarning):
    """A panel lacks optional columns the model was trained with."""


def check_feature_columns(names: list[str], columns: Any) -> None:
    """Raise :class:`ModelError` unless every model feature ``names`` is among
    the built feature ``columns`` (a model trained by another fanpin version)."""
    missing = sorted(set(names) - set(columns))
    if missing:
        raise ModelError(Message(MSG_FEATURES_GONE, missing=missing[:5]))


#: Optional contract columns whose absence changes features (and so scores).
FEATURE_OPTIONAL_COLUMNS = tuple(
    c.name for c in COLUMNS if not c.required and c.name != "township"
)


def filled_optional_columns(panel: pd.DataFrame) -> list[str]:
    """The optional contract columns of ``panel`` holding at least one value."""
    return [
        c for c in FEATURE_OPTIONAL_COLUMNS if c in panel and panel[c].notna().any()
    ]


class RiskPipeline(ClassifierMixin, BaseEstimator):
    """P(fall next year) for the rows of a household panel: the feature builders
    and the chosen model, as one scikit-learn estimator.

    :meth:`fit` builds the history-aware features of the panel, labels every
    transition (a row not in hardship in year t with a record in t + 1), fits
    the candidate models on the same split (the validation year is the latest
    training year) and keeps the best on that year (``kind="auto"``) or the
    one named. :meth:`predict_proba` gives, for every row, the probability of
    being in hardship next year, shape (n, 2) as in scikit-learn.

    Features of year t use the household's records up to t, so the rows a
    pipeline is given must come with their history. In a cross-validation,
    which hands the estimator subsets of rows, pass the whole panel as
    ``history``: the features of the rows given are then built with it (and no
    later year can leak in: a year-t feature never reads t + 1).

    Parameters
    ----------
    lines : MonitoringLines, optional
        The monitoring lines (None: the shipped table).
    config : ModelConfig, optional
        Model settings (None: the shipped ``configs/model.yaml``).
    rules : RulesConfig, optional
        The rules of the rule candidates (None: the shipped ``configs/rules.yaml``).
    kind : {"auto", "gbdt", "logistic", "rules", "gbdt_rules"}
        ``auto`` chooses on the validation year; a named kind forces it.
    history : DataFrame, optional
        A panel holding every row passed to ``fit``/``predict_proba`` with its
        history (see above).

    Attributes
    ----------
    classes_ : ndarray
        ``[0, 1]``.
    kind_ : str
        The kind that was kept.
    features_ : transformer
        The fitted feature builder of the kept model's inputs (``features``).
    model_ : estimator
        The kept model (``model``): :class:`RiskModel`,
        :class:`LogisticRiskModel` or :class:`RuleRiskModel`.
    choice_ : dict
        Every candidate's validation figures, the winner and why, and its
        advantage over the rules with a bootstrap interval.
    training_ : dict
        What the model was trained on (``training``): years, rows, falls,
        exclusions, optional columns filled, data hash, seed.
    lines_, config_, rules_
        The resolved settings.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> from sklearn.model_selection import cross_val_score
    >>> from fanpin.evaluate import TemporalSplit
    >>> from fanpin.schema import make_labels
    >>> from fanpin.synthetic import simulate
    >>> sim = simulate(400, years=range(2021, 2025), seed=0)
    >>> cfg = ModelConfig(booster={"n_estimators": 20, "min_child_samples": 20})
    >>> pipe = RiskPipeline(lines=sim.lines, config=cfg).fit(sim.panel)
    >>> pipe.predict_proba(sim.panel).shape == (len(sim.panel), 2)
    True
    >>> y = make_labels(sim.panel, sim.lines)
    >>> rows = sim.panel[y.notna().to_numpy()]
    >>> cv = TemporalSplit(min_train_years=2)
    >>> scores = cross_val_score(clone(pipe).set_params(history=sim.panel), rows,
    ...     y[rows.index].astype(int), cv=cv, groups=rows["year"], scoring="roc_auc")
    >>> len(scores)
    1
    """

    _parameter_constraints: dict = {
        "lines": [MonitoringLines, None],
        "config": [ModelConfig, None],
        "rules": [RulesConfig, None],
        "kind": [StrOptions(set(MODEL_KINDS))],
        "history": [pd.DataFrame, None],
    }

    def __init__(
        self,
        *,
        lines: MonitoringLines | None = None,
        config: ModelConfig | None = None,
        rules: RulesConfig | None = None,
        kind: str = "auto",
        history: pd.DataFrame | None = None,
    ):
        self.lines = lines
        self.config = config
        self.rules = rules
        self.kind = kind
        self.history = history

    # -- the fitted parts, under the names the rest of fanpin reads ---------------
    def _fitted(self, name: str) -> Any:
        if not hasattr(self, name):
            raise ModelError(Message(MSG_NOT_FITTED))
        return getattr(self, name)

    @property
    def features(self) -> Any:
        """The fitted feature builder (its output holds the model's inputs)."""
        return self._fitted("features_")

    @features.setter
    def features(self, value: Any) -> None:
        self.features_ = value

    @property
    def model(self) -> Any:
        """The kept model (on feature frames)."""
        return self._fitted("model_")

    @model.setter
    def model(self, value: Any) -> None:
        self.model_ = value

    @property
    def training(self) -> dict[str, Any]:
        """What the model was trained on."""
        return self._fitted("training_")

    @property
    def feature_names(self) -> list[str]:
        """Names of the model's input features."""
        return [str(c) for c in self.model.feature_names_in_]

    # -- fitting -----------------------------------------------------------------
    def _source(self, X: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
        """The panel to build features on, and the labels of X's rows in it."""
        if self.history is None:
            return X, X.index
        h = self.history
        keys = pd.MultiIndex.from_arrays(
            [h["household_id"].astype(str).to_numpy(), h["year"].to_numpy("int64")]
        )
        want = pd.MultiIndex.from_arrays(
            [X["household_id"].astype(str).to_numpy(), X["year"].to_numpy("int64")]
        )
        pos = keys.get_indexer(want)
        if (pos < 0).any():
            bad = np.flatnonzero(pos < 0)
            raise ModelError(
                Message(
                    MSG_HISTORY_ROWS,
                    n=len(bad),
                    example=str(want[bad[0]][0]),
                    year=int(want[bad[0]][1]),
                )
            )
        return h, h.index[pos]

    def fit(self, X: pd.DataFrame, y: Any = None) -> RiskPipeline:
        """Train on every labelled transition of the panel ``X``.

        Parameters
        ----------
        X : DataFrame
            A validated household panel (with ``history``: rows of it).
        y : array, optional
            Labels of ``X``'s rows (1 fell, 0 did not, NaN not labelled);
            computed from the panel and the lines when None.
        """
        self._validate_params()
        shipped = shipped_configs()
        lines = self.lines if self.lines is not None else shipped.lines
        config = self.config if self.config is not None else shipped.model
        rules = self.rules if self.rules is not None else shipped.rules
        source, rows = self._source(X)
        if y is None:
            labels = make_labels(source, lines).loc[rows]
        else:
            labels = pd.Series(np.asarray(y, dtype="float64"), index=rows)
        mask = labels.notna().to_numpy()
        if not mask.any():
            raise ModelError(
                Message(MSG_NO_LABELS, years=sorted(int(v) for v in X["year"].unique()))
            )
        train_rows = rows[mask]
        yv = labels[mask].to_numpy(dtype="float64").astype("int64")
        years = source.loc[train_rows, "year"].to_numpy(dtype="int64")
        seen = sorted(set(years.tolist()))
        if np.unique(yv).size < 2:
            msg = MSG_NO_FALLS if yv.max() == 0 else MSG_ALL_FALL
            raise ModelError(Message(msg, n=len(yv), years=seen))
        if min(int(yv.sum()), int(len(yv) - yv.sum())) < MIN_FALLS:
            raise ModelError(
                Message(
                    MSG_FEW_FALLS, n_pos=int(yv.sum()), n=len(yv), years=seen,
                    need=MIN_FALLS,
                )  # fmt: skip
            )

        from ..features import make_features

        domain = make_features(lines=lines).fit(source)
        F = domain.transform_rows(source, train_rows)
        feature_columns = [str(c) for c in F.columns]
        kinds = {self.kind} if self.kind != "auto" else {"rules", "gbdt_rules"}
        rule_features = RuleFeatures(rules=rules, lines=lines).fit(source)
        rule_columns = [str(c) for c in rule_features.get_feature_names_out()]
        if kinds & USES_RULES or self.kind != "auto":
            R = rule_features.transform_rows(source, train_rows)
            F = pd.concat([F, R], axis=1)
        kind, model, choice, _ = choose_model(
            F, yv, years,
            feature_columns=feature_columns, rule_columns=rule_columns,
            config=config, rules=rules, kind=self.kind,
        )  # fmt: skip
        self.kind_, self.model_, self.choice_ = kind, model, choice
        self.features_ = (
            FeaturesWithRules(features=domain, rules=rule_features)
            if kind in USES_RULES
            else domain
        )
        self.classes_ = np.array([0, 1])
        self.lines_, self.config_, self.rules_ = lines, config, rules
        hard = int(in_hardship(source.loc[rows], lines).sum())
        n_rows = int(len(rows))
        self.training_ = {
            "years": sorted(int(v) for v in np.unique(years)),
            "n_panel_rows": n_rows,
            # Every panel row is either a training row or excluded for one reason:
            # n_rows + sum(excluded.values()) == n_panel_rows.
            "excluded": {
                "in_hardship_in_t": hard,
                "no_record_in_t_plus_1": int(n_rows - len(yv) - hard),
            },
            "n_rows": int(len(yv)),
            "n_positive": int(yv.sum()),
            "positive_rate": float(yv.mean()),
            "optional_columns": filled_optional_columns(source.loc[rows]),
            "data_sha256": _data_hash(F[self.feature_names], yv, years),
            "seed": int(config.seed),
            "kind": kind,
        }
        logger.info(
            "trained %s on %d transitions (%d fell) from years %s",
            kind,
            len(yv),
            int(yv.sum()),
            self.training_["years"],
        )
        return self

    # -- predicting --------------------------------------------------------------
    def check_columns(self, panel: pd.DataFrame) -> list[str]:
        """Warn (:class:`ModelColumnsWarning`) about optional columns the model was
        trained with that ``panel`` lacks; returns them."""
        trained = self.training.get("optional_columns") or []
        missing = [c for c in trained if c not in panel or not panel[c].notna().any()]
        if missing:
            warnings.warn(
                Message(MSG_MISSING_OPTIONAL, columns=missing),
                ModelColumnsWarning,
                stacklevel=3,
            )
        return missing

    def feature_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """The model's input features of the rows of ``X`` (history-aware)."""
        check_is_fitted(self, "model_")
        source, rows = self._source(X)
        if self.history is None:
            F = self.features.transform(X)
        else:
            F = self.features.transform_rows(source, rows)
            F.index = X.index
        check_feature_columns(self.feature_names, F.columns)
        return F[self.feature_names]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Shape (n, 2): column 1 is P(in hardship next year) of each row of ``X``."""
        self.check_columns(X if self.history is None else self.history)
        return self.model.predict_proba(self.feature_frame(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where P(fall next year) is above 0.5."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype("int64")

    def risk_score(self, X: pd.DataFrame) -> pd.Series:
        """P(fall next year) of every row of ``X``, as a Series named ``risk_score``."""
        return pd.Series(self.predict_proba(X)[:, 1], index=X.index, name="risk_score")

    def contributions(self, features: pd.DataFrame) -> Contributions:
        """Per-feature contributions to the raw score of the rows of a feature
        frame (``features.transform(panel)``), whatever the kind of the model.

        LightGBM: SHAP values; logistic: coefficient x centred, scaled value;
        rules: weight x centred flag. A rule's flag is reported as the domain
        feature the rule reads (``fanpin.models.RULE_EXPLAINED_BY``), so every
        column is a ``<domain>__<feature>`` name.
        """
        c = self.model.contributions(features[self.feature_names])
        if self.kind_ not in USES_RULES:
            return c
        rename = rule_explanation_map(self.rules_)
        values = (
            c.values.T.groupby(lambda name: rename.get(name, name), sort=False).sum().T
        )
        return Contributions(
            values=values, base_value=c.base_value, raw_score=c.raw_score
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False
        tags.non_deterministic = False
        return tags


def training_frame(
    panel: pd.DataFrame, lines: MonitoringLines, features: Any
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Features, labels and years of every labelled transition of ``panel``."""
    X = features.fit_transform(panel)
    y = make_labels(panel, lines)
    mask = y.notna().to_numpy()
    if not mask.any():
        raise ModelError(
            Message(MSG_NO_LABELS, years=sorted(panel["year"].unique().tolist()))
        )
    return (
        X.loc[mask],
        y[mask].astype("int64"),
        panel.loc[mask, "year"].astype("int64"),
    )


def _data_hash(X: pd.DataFrame, y: np.ndarray, years: np.ndarray) -> str:
    frame = X.assign(__label=y, __year=years)
    h = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(h.tobytes()).hexdigest()


def train_risk_model(
    panel: pd.DataFrame,
    lines: MonitoringLines | None = None,
    config: ModelConfig | None = None,
    *,
    seed: int | None = None,
    rules: RulesConfig | None = None,
    kind: str = "auto",
) -> RiskPipeline:
    """Compute features on the whole panel, fit the candidates on every labelled
    transition and keep the best on the validation year.

    A labelled transition is a row not in hardship in year t with a record in
    t + 1. The latest labelled year is the validation year: early stopping,
    calibration and the choice between candidates look at it (see
    :class:`RiskPipeline`); the kept model is then refitted on every year.

    Parameters
    ----------
    panel : DataFrame
        A validated household panel.
    lines : MonitoringLines, optional
        Default: the shipped table.
    config : ModelConfig, optional
        Default: the shipped ``configs/model.yaml``.
    seed : int, optional
        Overrides ``config.seed``.
    rules : RulesConfig, optional
        The rules of the rule candidates (default: the shipped ``configs/rules.yaml``).
    kind : {"auto", "gbdt", "logistic", "rules", "gbdt_rules"}

    Returns
    -------
    RiskPipeline
        A fitted scikit-learn estimator on panels.

    Examples
    --------
    >>> from fanpin.synthetic import simulate
    >>> sim = simulate(400, years=range(2021, 2025), seed=0)
    >>> cfg = ModelConfig(booster={"n_estimators": 20, "min_child_samples": 20})
    >>> pipe = train_risk_model(sim.panel, sim.lines, cfg)
    >>> pipe.kind_ in ("gbdt", "logistic", "rules", "gbdt_rules")
    True
    >>> [c["kind"] for c in pipe.choice_["candidates"]]
    ['gbdt', 'logistic', 'rules', 'gbdt_rules']
    """
    from dataclasses import replace

    shipped = shipped_configs()
    lines = lines if lines is not None else shipped.lines
    config = config if config is not None else shipped.model
    rules = rules if rules is not None else shipped.rules
    if seed is not None:
        config = replace(config, seed=int(seed))
    pipe = RiskPipeline(lines=lines, config=config, rules=rules, kind=kind)
    return pipe.fit(panel)


def rows_probabilities(
    model: Any,
    panel: pd.DataFrame,
    rows: pd.Index,
    *,
    features: pd.DataFrame | None = None,
) -> np.ndarray:
    """P(fall next year) of the rows ``rows`` of ``panel``, in that order.

    Features are built for those rows only (``transform_rows``), with every
    year of ``panel`` as history: the same values as
    ``model.predict_proba(panel).loc[rows]`` (used as is for a model without
    ``features.transform_rows`` and ``model``). ``features``: the features of
    (at least) those rows when already built, indexed like ``panel``.
    """
    if not len(rows):
        return np.empty(0)
    builder = getattr(model, "features", None)
    if features is not None:
        X = features if features.index.equals(rows) else features.loc[rows]
    elif hasattr(builder, "transform_rows") and hasattr(model, "model"):
        X = builder.transform_rows(panel, rows)
    else:
        p = pd.Series(model.predict_proba(panel)[:, 1], index=panel.index)
        return p.loc[rows].to_numpy()
    names = model.feature_names
    check_feature_columns(names, X.columns)
    # The model's columns copied straight into one float64 matrix (no column
    # selection, then conversion of a 100-column frame).
    m = np.empty((len(X), len(names)), dtype="float64")
    for j, name in enumerate(names):
        m[:, j] = X[name].to_numpy(dtype="float64", na_value=np.nan)
    frame = pd.DataFrame(m, columns=names, copy=False)
    return model.model.predict_proba(frame)[:, 1]
