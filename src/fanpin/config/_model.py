"""The risk model's configuration (``configs/model.yaml``), frozen and checked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError
from ._yaml import read_yaml

__all__ = ["BOOSTER_PARAMS", "ModelConfig", "load_model_config"]

#: LightGBM parameters a config may set (others are fixed for reproducibility).
BOOSTER_PARAMS = (
    "n_estimators",
    "learning_rate",
    "num_leaves",
    "max_depth",
    "min_child_samples",
    "subsample",
    "subsample_freq",
    "colsample_bytree",
    "reg_alpha",
    "reg_lambda",
    "min_split_gain",
)
IMBALANCE = ("none", "scale_pos_weight")
CALIBRATION = ("auto", "isotonic", "sigmoid", "none")
LEVEL_METHODS = ("share", "threshold")


def _number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


@dataclass(frozen=True)
class ModelConfig:
    """Settings of :class:`fanpin.models.RiskModel` and of the risk levels.

    Parameters
    ----------
    seed : int
        Random seed of the booster (and of every random step).
    n_jobs : int
        Threads for LightGBM.
    booster : mapping
        LightGBM parameters, keys from :data:`BOOSTER_PARAMS`.
    imbalance : {"none", "scale_pos_weight"}
        Class-imbalance handling; calibration restores probabilities either way.
    calibration : {"auto", "isotonic", "sigmoid", "none"}
        ``auto`` picks the better of isotonic and sigmoid on the validation year.
    refit_full : bool
        Refit the booster on every training year after calibration.
    monotone : bool
        Apply ``monotone_constraints``.
    monotone_constraints : mapping of str to int
        Feature-name patterns (``fnmatch``) to +1 (risk never falls as the feature
        rises) or -1.
    risk_levels : mapping
        ``method`` ``share`` (``high``/``medium`` = cumulative shares of the ranked
        list) or ``threshold`` (``high``/``medium`` = probability cut-offs).
    logistic_C : float
        Inverse regularisation of the logistic baseline.

    Examples
    --------
    >>> levels = {"method": "share", "high": 0.05, "medium": 0.2}
    >>> ModelConfig(risk_levels=levels).imbalance
    'none'
    """

    seed: int = 0
    n_jobs: int = 1
    booster: Mapping[str, Any] = field(default_factory=dict)
    imbalance: str = "none"
    calibration: str = "auto"
    refit_full: bool = True
    monotone: bool = False
    monotone_constraints: Mapping[str, int] = field(default_factory=dict)
    risk_levels: Mapping[str, Any] = field(
        default_factory=lambda: {"method": "share", "high": 0.05, "medium": 0.15}
    )
    logistic_C: float = 1.0
    source: str = "inline"

    def __post_init__(self) -> None:
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or self.seed < 0
        ):
            raise ConfigError(
                f"'seed' must be a non-negative integer; got {self.seed!r}."
            )
        if (
            isinstance(self.n_jobs, bool)
            or not isinstance(self.n_jobs, int)
            or self.n_jobs == 0
        ):
            raise ConfigError(
                f"'n_jobs' must be a non-zero integer; got {self.n_jobs!r}."
            )
        booster = dict(self.booster or {})
        unknown = sorted(set(booster) - set(BOOSTER_PARAMS))
        if unknown:
            raise ConfigError(
                f"Unknown booster parameter(s) {unknown}; "
                f"allowed: {list(BOOSTER_PARAMS)}."
            )
        for k, v in booster.items():
            if not _number(v):
                raise ConfigError(
                    f"Booster parameter {k!r} must be a number; got {v!r}."
                )
        for name, allowed in (("imbalance", IMBALANCE), ("calibration", CALIBRATION)):
            if getattr(self, name) not in allowed:
                raise ConfigError(
                    f"{name!r} must be one of {list(allowed)}; "
                    f"got {getattr(self, name)!r}."
                )
        for name in ("refit_full", "monotone"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name!r} must be true or false.")
        mono = dict(self.monotone_constraints or {})
        bad = {k: v for k, v in mono.items() if v not in (-1, 1) or isinstance(v, bool)}
        if bad:
            raise ConfigError(
                f"monotone_constraints values must be +1 or -1; got {bad}. "
                "Use +1 where "
                "risk never falls as the feature rises, -1 where it never rises."
            )
        levels = dict(self.risk_levels or {})
        method = levels.get("method")
        high, medium = levels.get("high"), levels.get("medium")
        if (
            method not in LEVEL_METHODS
            or set(levels) != {"method", "high", "medium"}
            or not (_number(high) and _number(medium))
            or not (
                (method == "share" and 0 < high <= medium <= 1)
                or (method == "threshold" and 0 < medium <= high < 1)
            )
        ):
            raise ConfigError(
                "risk_levels must be {method: share, high: h, medium: m} with "
                "0 < h <= m <= 1 (cumulative shares of the ranked list), or "
                "{method: threshold, high: h, medium: m} with 0 < m <= h < 1 "
                f"(probability cut-offs); got {levels}."
            )
        if not (_number(self.logistic_C) and self.logistic_C > 0):
            raise ConfigError(
                f"'logistic_C' must be positive; got {self.logistic_C!r}."
            )
        object.__setattr__(self, "booster", MappingProxyType(booster))
        object.__setattr__(self, "monotone_constraints", MappingProxyType(mono))
        object.__setattr__(self, "risk_levels", MappingProxyType(levels))

    def risk_model_params(self) -> dict[str, Any]:
        """Keyword arguments for :class:`fanpin.models.RiskModel`."""
        return {
            **dict(self.booster),
            "imbalance": self.imbalance,
            "calibration": self.calibration,
            "refit_full": self.refit_full,
            "monotone_constraints": (
                dict(self.monotone_constraints) if self.monotone else None
            ),
            "random_state": self.seed,
            "n_jobs": self.n_jobs,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (YAML-able, written to model cards)."""
        return {
            "seed": self.seed,
            "n_jobs": self.n_jobs,
            "booster": dict(self.booster),
            "imbalance": self.imbalance,
            "calibration": self.calibration,
            "refit_full": self.refit_full,
            "monotone": self.monotone,
            "monotone_constraints": dict(self.monotone_constraints),
            "risk_levels": dict(self.risk_levels),
            "logistic_C": self.logistic_C,
        }


def load_model_config(path: str | Path | None = None) -> ModelConfig:
    """Load a model YAML file (shipped ``configs/model.yaml`` when ``path`` is None).

    Examples
    --------
    >>> load_model_config().calibration in ("auto", "isotonic", "sigmoid", "none")
    True
    """
    data, p = read_yaml(path, "model.yaml")
    if not isinstance(data, Mapping):
        raise ConfigError(f"Model config {str(p)!r} must be a mapping of settings.")
    allowed = set(ModelConfig.__dataclass_fields__) - {"source"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(
            f"Model config {str(p)!r} has unknown key(s) {unknown}; allowed: "
            f"{sorted(allowed)}."
        )
    return ModelConfig(**data, source=str(p))
