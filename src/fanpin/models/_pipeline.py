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
from ..schema import HARDSHIP_REASONS, hardship_reasons, in_hardship, make_labels
from ._risk_model import RiskModel

__all__ = [
    "RISK_LEVELS",
    "RiskPipeline",
    "assign_risk_levels",
    "check_feature_columns",
    "score_panel",
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


RISK_LEVELS = ("高", "中", "低")
ID_COLUMNS = (
    "household_id",
    "year",
    "province",
    "county",
    "township",
    "village",
    "household_type",
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


def assign_risk_levels(
    scores: np.ndarray, ranks: np.ndarray, levels: dict[str, Any]
) -> np.ndarray:
    """高 / 中 / 低 by cumulative list shares or by probability thresholds.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([0.9, 0.5, 0.1, 0.05]); r = np.array([1, 2, 3, 4])
    >>> assign_risk_levels(s, r, {"method": "share", "high": 0.25, "medium": 0.5})
    array(['高', '中', '低', '低'], dtype=object)
    >>> assign_risk_levels(s, r, {"method": "threshold", "high": 0.6, "medium": 0.1})
    array(['高', '中', '中', '低'], dtype=object)
    """
    n = len(scores)
    if levels["method"] == "share":
        hi = ranks <= int(np.ceil(levels["high"] * n))
        mid = ranks <= int(np.ceil(levels["medium"] * n))
    else:
        hi = scores >= levels["high"]
        mid = scores >= levels["medium"]
    return np.where(
        hi, RISK_LEVELS[0], np.where(mid, RISK_LEVELS[1], RISK_LEVELS[2])
    ).astype(object)


MSG_NO_LATEST = "no record in {year}, the year scored"


def excluded_frame(panel: pd.DataFrame, latest_year: int) -> pd.DataFrame:
    """Households of ``panel`` with no record in ``latest_year``, with the reason.

    Columns ``household_id``, ``last_year`` and ``reason``, sorted by household_id,
    so that households = scored + monitored + excluded.
    """
    last = panel.groupby(panel["household_id"].astype(str), sort=True)["year"].max()
    gone = last[last < latest_year]
    return pd.DataFrame(
        {
            "household_id": pd.Series(gone.index, dtype="string"),
            "last_year": gone.to_numpy(dtype="int64"),
            "reason": pd.Series(
                [MSG_NO_LATEST.format(year=latest_year)] * len(gone), dtype="string"
            ),
        }
    )


def monitored_frame(rows: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """The households already in hardship, with their reasons: cases to monitor.

    ``rows`` are panel rows in hardship and ``reasons`` the output of
    :func:`fanpin.schema.hardship_reasons` (indexed like the panel). One row per
    household: its identifying columns, a ``reason_<name>`` flag per reason and
    the reasons in Chinese, sorted by household_id.
    """
    monitored = id_frame(rows)
    r = reasons.loc[rows.index]
    for name in HARDSHIP_REASONS:
        monitored[f"reason_{name}"] = r[name].to_numpy(dtype=bool)
    labels = np.array(list(HARDSHIP_REASONS.values()), dtype=object)
    monitored["reasons"] = pd.Series(
        [
            "；".join(labels[row])
            for row in r[list(HARDSHIP_REASONS)].to_numpy(dtype=bool)
        ],
        index=monitored.index,
        dtype="string",
    )
    return monitored.sort_values("household_id").reset_index(drop=True)


def id_frame(panel: pd.DataFrame) -> pd.DataFrame:
    """The identifying columns of output rows (``ID_COLUMNS``), missing ones empty."""
    out = pd.DataFrame(index=panel.index)
    for c in ID_COLUMNS:
        out[c] = (
            panel[c]
            if c in panel
            else pd.Series(pd.NA, index=panel.index, dtype="string")
        )
    return out


def rows_probabilities(model: Any, panel: pd.DataFrame, rows: pd.Index) -> np.ndarray:
    """P(fall next year) of the rows ``rows`` of ``panel``, in that order.

    Features are built for those rows only (``transform_rows``), with every
    year of ``panel`` as history: the same values as
    ``model.predict_proba(panel).loc[rows]`` (used as is for a model without
    ``features.transform_rows`` and ``model``).
    """
    if not len(rows):
        return np.empty(0)
    features = getattr(model, "features", None)
    if not hasattr(features, "transform_rows") or not hasattr(model, "model"):
        return model.predict_proba(panel).loc[rows].to_numpy()
    X = features.transform_rows(panel, rows)
    names = model.feature_names
    check_feature_columns(names, X.columns)
    return model.model.predict_proba(X[names])[:, 1]


def score_panel(
    model: RiskPipeline,
    panel: pd.DataFrame,
    lines: MonitoringLines | None = None,
    *,
    risk_levels: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank the latest year's households not in hardship; list the others apart.

    Returns
    -------
    scores : DataFrame
        One row per household of the latest year not in hardship: the id columns,
        ``risk_score`` (P(fall next year)), ``risk_rank`` (1 = highest; ties by
        household_id) and ``risk_level`` (高/中/低), sorted by rank.
    monitored : DataFrame
        One row per household of the latest year already in hardship: the id
        columns, one bool ``reason_<name>`` column per hardship reason and
        ``reasons`` (Chinese, joined with "；"). These are cases to monitor.

    Every household of the latest year is in exactly one of the two frames.
    """
    lines = lines if lines is not None else model.lines
    levels = dict(risk_levels if risk_levels is not None else model.config.risk_levels)
    latest = int(panel["year"].max())
    is_latest = (panel["year"] == latest).to_numpy()
    reasons = hardship_reasons(panel, lines)
    hard = reasons.any(axis=1).to_numpy()

    rank_rows = panel.loc[is_latest & ~hard]
    p = rows_probabilities(model, panel, rank_rows.index)
    ids = rank_rows["household_id"].astype(str).to_numpy()
    order = np.lexsort((ids, -p))
    ranks = np.empty(len(p), dtype="int64")
    ranks[order] = np.arange(1, len(p) + 1)
    scores = id_frame(rank_rows)
    scores["risk_score"] = p
    scores["risk_rank"] = ranks
    scores["risk_level"] = pd.Series(
        assign_risk_levels(p, ranks, levels), index=scores.index, dtype="string"
    )
    scores = scores.sort_values("risk_rank").reset_index(drop=True)

    monitored = monitored_frame(panel.loc[is_latest & hard], reasons)
    logger.info(
        "scored %d households, %d in hardship (monitored)", len(scores), len(monitored)
    )
    return scores, monitored
