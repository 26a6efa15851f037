"""The risk model's configuration (``configs/model.yaml``), frozen and checked.

The parameters of :class:`fanpin.models.RiskModel` that a config may set are
listed **once**, here, with their defaults and their constraints (scikit-learn's
declarative ``_parameter_constraints``): :class:`~fanpin.models.RiskModel` takes
its defaults and its constraints from these tables, and :class:`ModelConfig`
checks a config with the same constraints, so a bad value is a
:class:`~fanpin.exceptions.ConfigError` naming the key, the value and what is
allowed before any training starts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from numbers import Integral, Real
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .._compat import (
    Interval,
    InvalidParameterError,
    StrOptions,
    make_constraint,
    validate_parameter_constraints,
)
from ..exceptions import ConfigError
from ..messages import N_, Message
from ._yaml import read_yaml

__all__ = [
    "BOOSTER_DEFAULTS",
    "BOOSTER_PARAMS",
    "MODEL_KINDS",
    "ModelConfig",
    "RISK_MODEL_CONSTRAINTS",
    "load_model_config",
]

#: LightGBM parameters a config may set (``booster:``), each with its default and
#: its constraints. Other LightGBM parameters are fixed for reproducibility
#: (``deterministic``, ``force_row_wise``, one thread per model by default).
_BOOSTER: dict[str, tuple[Any, list[Any]]] = {
    # the cap on boosting rounds: early stopping on the validation year picks
    # how many of them are used
    "n_estimators": (1000, [Interval(Integral, 1, None, closed="left")]),
    "learning_rate": (0.05, [Interval(Real, 0, None, closed="neither")]),
    "num_leaves": (15, [Interval(Integral, 2, 131072, closed="both")]),
    "max_depth": (-1, [Interval(Integral, -1, None, closed="left")]),
    "min_child_samples": (200, [Interval(Integral, 1, None, closed="left")]),
    "subsample": (0.8, [Interval(Real, 0, 1, closed="right")]),
    "subsample_freq": (1, [Interval(Integral, 0, None, closed="left")]),
    "colsample_bytree": (0.8, [Interval(Real, 0, 1, closed="right")]),
    "reg_alpha": (0.0, [Interval(Real, 0, None, closed="left")]),
    "reg_lambda": (1.0, [Interval(Real, 0, None, closed="left")]),
    "min_split_gain": (0.0, [Interval(Real, 0, None, closed="left")]),
}
BOOSTER_PARAMS: tuple[str, ...] = tuple(_BOOSTER)
"""Names of the LightGBM parameters a config may set."""
BOOSTER_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {k: d for k, (d, _) in _BOOSTER.items()}
)
"""Their defaults (those of ``configs/model.yaml`` and of ``RiskModel()``)."""

IMBALANCE = ("none", "scale_pos_weight")
CALIBRATION = ("auto", "isotonic", "sigmoid", "none")
REFIT_ROUNDS = ("same", "scaled")
STOPPING_METRICS = ("logloss", "auc")
LEVEL_METHODS = ("share", "threshold")
MODEL_KINDS = ("auto", "gbdt", "logistic", "rules", "gbdt_rules")
"""``auto`` (choose on the validation year) or one candidate kind."""

#: Every parameter of RiskModel with its constraints (booster ones included).
RISK_MODEL_CONSTRAINTS: Mapping[str, list[Any]] = MappingProxyType(
    {
        **{k: c for k, (_, c) in _BOOSTER.items()},
        "early_stopping_rounds": [Interval(Integral, 1, None, closed="left"), None],
        "early_stopping_metric": [StrOptions(set(STOPPING_METRICS))],
        "refit_rounds": [StrOptions(set(REFIT_ROUNDS))],
        "imbalance": [StrOptions(set(IMBALANCE))],
        "calibration": [StrOptions(set(CALIBRATION))],
        "refit_full": ["boolean"],
        "monotone_constraints": [Mapping, None],
        "offset": "no_validation",
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
        ],  # fmt: skip
    }
)
"""The constraints of :class:`fanpin.models.RiskModel`'s parameters."""

#: config key -> RiskModel parameter, for the keys outside ``booster:``.
_CONFIG_TO_PARAM = {
    "seed": "random_state",
    "n_jobs": "n_jobs",
    "early_stopping_rounds": "early_stopping_rounds",
    "early_stopping_metric": "early_stopping_metric",
    "refit_rounds": "refit_rounds",
    "imbalance": "imbalance",
    "calibration": "calibration",
    "refit_full": "refit_full",
}

MSG_BAD_VALUE = N_(
    "Model config: {key!r} is {value!r}; it must be {allowed}. Fix the value in "
    "your model YAML (see the shipped configs/model.yaml)."
)
MSG_UNKNOWN_BOOSTER = N_(
    "Model config: unknown booster parameter(s) {unknown}; allowed: {allowed}."
)
MSG_NOT_MAPPING = N_("Model config: {key!r} must be a mapping; got {value!r}.")
MSG_MONOTONE = N_(
    "Model config: monotone_constraints values must be +1 or -1; got {bad}. Use +1 "
    "where risk never falls as the feature rises, -1 where it never rises."
)
MSG_LEVELS = N_(
    "Model config: risk_levels must be {{method: share, high: h, medium: m}} with "
    "0 < h <= m <= 1 (cumulative shares of the ranked list), or {{method: threshold, "
    "high: h, medium: m}} with 0 < m <= h < 1 (probability cut-offs); got {levels}."
)
MSG_FILE_NOT_MAPPING = N_("Model config {path!r} must be a mapping of settings.")
MSG_FILE_UNKNOWN = N_(
    "Model config {path!r} has unknown key(s) {unknown}; allowed: {allowed}."
)


def _number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def allowed_text(constraints: list[Any]) -> str:
    """What a list of scikit-learn constraints allows, in words.

    Examples
    --------
    >>> allowed_text([Interval(Real, 0, None, closed="neither")])
    'a float in the range (0.0, inf)'
    >>> allowed_text([StrOptions({"b", "a"})])
    "one of 'a', 'b'"
    """
    parts = []
    for c in constraints:
        if isinstance(c, StrOptions):
            parts.append("one of " + ", ".join(repr(o) for o in sorted(c.options)))
        elif c == "boolean":
            parts.append("true or false")
        elif c is None:
            parts.append("null")
        else:
            parts.append(str(make_constraint(c)))
    return " or ".join(parts)


def _check(key: str, value: Any, constraints: list[Any]) -> None:
    """Raise ConfigError naming ``key`` unless ``value`` meets ``constraints``."""
    numeric = any(isinstance(c, Interval) for c in constraints)
    ok = not (numeric and isinstance(value, bool))
    if numeric and isinstance(value, float) and not math.isfinite(value):
        ok = False
    if ok:
        try:
            validate_parameter_constraints({"v": constraints}, {"v": value}, "config")
        except InvalidParameterError:
            ok = False
    if not ok:
        raise ConfigError(
            Message(
                MSG_BAD_VALUE, key=key, value=value, allowed=allowed_text(constraints)
            )
        )


@dataclass(frozen=True)
class ModelConfig:
    """Settings of :class:`fanpin.models.RiskModel`, of the candidates it is
    chosen among, and of the risk levels.

    Parameters
    ----------
    seed : int
        Random seed of the booster (and of every random step).
    n_jobs : int
        Threads for LightGBM.
    booster : mapping
        LightGBM parameters, keys from :data:`BOOSTER_PARAMS`;
        ``n_estimators`` is the cap on boosting rounds.
    early_stopping_rounds : int or None
        Patience: boosting stops when the validation year's loss has not improved
        for this many rounds (None: always ``n_estimators`` rounds).
    early_stopping_metric : {"logloss", "auc"}
        What early stopping watches on the validation year.
    refit_rounds : {"same", "scaled"}
        When the booster is refitted on every training year: with the rounds
        chosen on the validation year (``same``) or with them scaled by the
        growth of the training data (``scaled``).
    imbalance : {"none", "scale_pos_weight"}
        Class-imbalance handling; calibration restores probabilities either way.
    calibration : {"auto", "isotonic", "sigmoid", "none"}
        ``auto`` picks the better of isotonic and sigmoid on the validation year.
    refit_full : bool
        Refit the chosen model on every training year after validation.
    monotone : bool
        Apply ``monotone_constraints``.
    monotone_constraints : mapping of str to int
        Feature-name patterns (``fnmatch``) to +1 (risk never falls as the feature
        rises) or -1.
    risk_levels : mapping
        ``method`` ``share`` (``high``/``medium`` = cumulative shares of the ranked
        list) or ``threshold`` (``high``/``medium`` = probability cut-offs).
    logistic_C : float
        Inverse regularisation of the logistic candidate.

    Examples
    --------
    >>> levels = {"method": "share", "high": 0.05, "medium": 0.2}
    >>> ModelConfig(risk_levels=levels).imbalance
    'none'
    >>> ModelConfig(booster={"learning_rate": -1})
    Traceback (most recent call last):
    ...
    fanpin.exceptions.ConfigError: Model config: 'booster.learning_rate' is -1; it \
must be a float in the range (0.0, inf). Fix the value in your model YAML (see \
the shipped configs/model.yaml).
    """

    seed: int = 0
    n_jobs: int = 1
    booster: Mapping[str, Any] = field(default_factory=dict)
    early_stopping_rounds: int | None = 50
    early_stopping_metric: str = "logloss"
    refit_rounds: str = "same"
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
        for name in ("booster", "monotone_constraints", "risk_levels"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Mapping):
                raise ConfigError(Message(MSG_NOT_MAPPING, key=name, value=value))
        booster = dict(self.booster or {})
        unknown = sorted(str(k) for k in set(booster) - set(BOOSTER_PARAMS))
        if unknown:
            raise ConfigError(
                Message(
                    MSG_UNKNOWN_BOOSTER, unknown=unknown, allowed=list(BOOSTER_PARAMS)
                )
            )
        for k, v in booster.items():
            _check(f"booster.{k}", v, _BOOSTER[k][1])
        for key, param in _CONFIG_TO_PARAM.items():
            _check(key, getattr(self, key), list(RISK_MODEL_CONSTRAINTS[param]))
        _check("monotone", self.monotone, ["boolean"])
        _check(
            "logistic_C", self.logistic_C, [Interval(Real, 0, None, closed="neither")]
        )
        mono = dict(self.monotone_constraints or {})
        bad = {k: v for k, v in mono.items() if v not in (-1, 1) or isinstance(v, bool)}
        if bad:
            raise ConfigError(Message(MSG_MONOTONE, bad=bad))
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
            raise ConfigError(Message(MSG_LEVELS, levels=levels))
        object.__setattr__(self, "booster", MappingProxyType(booster))
        object.__setattr__(self, "monotone_constraints", MappingProxyType(mono))
        object.__setattr__(self, "risk_levels", MappingProxyType(levels))

    def __reduce__(self):
        # MappingProxyType cannot be pickled or deep-copied: rebuild from plain
        # dicts (so sklearn.clone and Dask work on objects holding a config).
        return (_rebuild, (self.to_dict(), self.source))

    def risk_model_params(self) -> dict[str, Any]:
        """Keyword arguments for :class:`fanpin.models.RiskModel`."""
        return {
            **dict(self.booster),
            "early_stopping_rounds": self.early_stopping_rounds,
            "early_stopping_metric": self.early_stopping_metric,
            "refit_rounds": self.refit_rounds,
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
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "source":
                continue
            v = getattr(self, f.name)
            out[f.name] = dict(v) if isinstance(v, Mapping) else v
        return out


def _rebuild(data: dict[str, Any], source: str) -> ModelConfig:
    return ModelConfig(**data, source=source)


def load_model_config(path: str | Path | None = None) -> ModelConfig:
    """Load a model YAML file (shipped ``configs/model.yaml`` when ``path`` is None).

    Examples
    --------
    >>> load_model_config().calibration in ("auto", "isotonic", "sigmoid", "none")
    True
    """
    data, p = read_yaml(path, "model.yaml")
    if not isinstance(data, Mapping):
        raise ConfigError(Message(MSG_FILE_NOT_MAPPING, path=str(p)))
    allowed = {f.name for f in fields(ModelConfig)} - {"source"}
    unknown = sorted(str(k) for k in set(data) - allowed)
    if unknown:
        raise ConfigError(
            Message(
                MSG_FILE_UNKNOWN, path=str(p), unknown=unknown, allowed=sorted(allowed)
            )
        )
    return ModelConfig(**data, source=str(p))
