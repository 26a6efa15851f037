"""From a panel to a model and a ranked list: features -> labels -> fit -> score."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import (
    ModelConfig,
    MonitoringLines,
    load_model_config,
    load_monitoring_lines,
)
from ..exceptions import ModelError
from ..schema import in_hardship, make_labels
from ._risk_model import RiskModel

__all__ = [
    "RiskPipeline",
    "check_feature_columns",
    "rows_probabilities",
    "train_risk_model",
    "training_frame",
]

logger = logging.getLogger(__name__)


def check_feature_columns(names: list[str], columns: Any) -> None:
    """Raise :class:`ModelError` unless every model feature ``names`` is among
    the built feature ``columns`` (a model trained by another fanpin version)."""
    missing = sorted(set(names) - set(columns))
    if missing:
        raise ModelError(
            f"The feature builder no longer produces {missing[:5]} that the model "
            "was trained on. Retrain the model with this version of fanpin."
        )


MSG_NO_LABELS = (
    "The panel has no labelled transition (a household not in hardship in year t "
    "with a record in t + 1), so there is nothing to train on. Train on at least two "
    "consecutive years; found years {years}."
)


def _lines_from_dict(d: dict) -> MonitoringLines:
    return MonitoringLines(default=d["default"], provinces=d.get("provinces", {}))


@dataclass
class RiskPipeline:
    """A fitted feature builder and :class:`RiskModel`, with what they were trained on.

    A workflow object, not an estimator: build it with :func:`train_risk_model`.
    The monitoring lines and config are kept as plain dicts so the object pickles.
    """

    features: Any
    model: RiskModel
    lines_dict: dict
    config_dict: dict
    training: dict = field(default_factory=dict)

    @property
    def lines(self) -> MonitoringLines:
        """The monitoring lines used in training."""
        return _lines_from_dict(self.lines_dict)

    @property
    def config(self) -> ModelConfig:
        """The model config used in training."""
        return ModelConfig(**self.config_dict)

    @property
    def feature_names(self) -> list[str]:
        """Names of the model's input features."""
        return [str(c) for c in self.model.feature_names_in_]

    def predict_proba(self, panel: pd.DataFrame) -> pd.Series:
        """P(fall next year) for every row of ``panel`` (history-aware features)."""
        X = self.features.transform(panel)
        check_feature_columns(self.feature_names, X.columns)
        p = self.model.predict_proba(X[self.feature_names])[:, 1]
        return pd.Series(p, index=panel.index, name="risk_score")


def training_frame(
    panel: pd.DataFrame, lines: MonitoringLines, features: Any
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Features, labels and years of every labelled transition of ``panel``."""
    X = features.fit_transform(panel)
    y = make_labels(panel, lines)
    mask = y.notna().to_numpy()
    if not mask.any():
        raise ModelError(
            MSG_NO_LABELS.format(years=sorted(panel["year"].unique().tolist()))
        )
    return (
        X.loc[mask],
        y[mask].astype("int64"),
        panel.loc[mask, "year"].astype("int64"),
    )


def _data_hash(X: pd.DataFrame, y: pd.Series, years: pd.Series) -> str:
    frame = X.assign(__label=y.to_numpy(), __year=years.to_numpy())
    h = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(h.tobytes()).hexdigest()


def train_risk_model(
    panel: pd.DataFrame,
    lines: MonitoringLines | None = None,
    config: ModelConfig | None = None,
    *,
    seed: int | None = None,
) -> RiskPipeline:
    """Compute features on the whole panel and fit on every labelled transition.

    A labelled transition is a row not in hardship in year t with a record in
    t + 1. The latest labelled year is the model's calibration year
    (see :class:`RiskModel`).

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
    """
    from ..features import make_features

    lines = lines if lines is not None else load_monitoring_lines()
    config = config if config is not None else load_model_config()
    params = config.risk_model_params()
    if seed is not None:
        params["random_state"] = int(seed)
    features = make_features(lines=lines)
    X, y, years = training_frame(panel, lines, features)  # fits ``features``
    model = RiskModel(**params).fit(X, y.to_numpy(), years=years.to_numpy())
    hard = in_hardship(panel, lines).to_numpy()
    training = {
        "years": sorted(int(v) for v in years.unique()),
        "n_panel_rows": int(len(panel)),
        # Every panel row is either a training row or excluded for one reason:
        # n_rows + sum(excluded.values()) == n_panel_rows.
        "excluded": {
            "in_hardship_in_t": int(hard.sum()),
            "no_record_in_t_plus_1": int(len(panel) - len(y) - hard.sum()),
        },
        "n_rows": int(len(y)),
        "n_positive": int(y.sum()),
        "positive_rate": float(y.mean()),
        "data_sha256": _data_hash(X, y, years),
        "seed": int(params["random_state"]),
    }
    logger.info(
        "trained on %d transitions (%d fell) from years %s",
        training["n_rows"],
        training["n_positive"],
        training["years"],
    )
    cfg = config.to_dict() | {"seed": int(params["random_state"])}
    return RiskPipeline(
        features=features,
        model=model,
        lines_dict=lines.to_dict(),
        config_dict=cfg,
        training=training,
    )


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
        return model.predict_proba(panel).loc[rows].to_numpy()
    names = model.feature_names
    check_feature_columns(names, X.columns)
    # The model's columns copied straight into one float64 matrix (no column
    # selection, then conversion of a 100-column frame).
    m = np.empty((len(X), len(names)), dtype="float64")
    for j, name in enumerate(names):
        m[:, j] = X[name].to_numpy(dtype="float64", na_value=np.nan)
    frame = pd.DataFrame(m, columns=names, copy=False)
    return model.model.predict_proba(frame)[:, 1]
