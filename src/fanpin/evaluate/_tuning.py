"""Tuning the LightGBM booster with Optuna for what counties care about.

The objective is what a county's verification capacity buys: the recall (or,
with the simulator's true probabilities, the expected capture) of the top k %
of the ranked list. Every trial is scored by temporal cross-validation (train on
labelled years <= t - 1, validate on t); the latest labelled year is held out of
the study and only used to compare the default and the tuned parameters.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..config import (
    BOOSTER_PARAMS,
    ModelConfig,
    MonitoringLines,
    shipped_configs,
)
from ..exceptions import ConfigError, InputError, MissingDependencyError
from ..io import write_text
from ..messages import N_, Message
from ..models import RiskModel
from ..schema import make_labels
from ._backtest import _truth_for, temporal_folds
from ._capacity import expected_capture, top_k_metrics
from ._metrics import classification_metrics

__all__ = ["DEFAULT_SEARCH_SPACE", "TuningResult", "tune_model"]

logger = logging.getLogger(__name__)

#: Parameter -> (kind, low, high, log scale). Bounds are inclusive.
DEFAULT_SEARCH_SPACE: Mapping[str, tuple[str, float, float, bool]] = {
    "n_estimators": ("int", 50, 600, True),
    "learning_rate": ("float", 0.01, 0.2, True),
    "num_leaves": ("int", 4, 63, True),
    "min_child_samples": ("int", 10, 200, True),
    "subsample": ("float", 0.5, 1.0, False),
    "colsample_bytree": ("float", 0.3, 1.0, False),
    "reg_lambda": ("float", 0.001, 10.0, True),
}

MSG_NO_OPTUNA = N_(
    "Tuning needs Optuna, which is not installed. Install the notebook extra: "
    "pip install 'fanpin[notebooks]'"
)
MSG_OBJECTIVE = N_(
    "objective must be 'recall@K' or 'capture@K' with K a share of the list in "
    "(0, 1), e.g. 'recall@0.05' for the top 5 %; got {objective!r}."
)
MSG_CAPTURE_TRUTH = N_(
    "objective {objective!r} needs the true probabilities (truth= with columns "
    "household_id, year, p_next, e.g. simulate(...).truth). Without them, use "
    "'recall@{k}'."
)
MSG_TOO_FEW_YEARS = N_(
    "Tuning needs a held-out year plus at least one temporal fold before it (train "
    "on years <= t - 1, validate on t), i.e. {need} labelled years; the panel's "
    "labelled years are {years}. Give a panel with more consecutive years."
)
MSG_SEARCH_SPACE = N_(
    "search_space must map LightGBM parameters from {allowed} to (kind, low, high, "
    "log) with kind 'int' or 'float' and 0 < low <= high (low > 0 when log); got "
    "{name!r}: {spec!r}."
)
MSG_TRIALS = N_("n_trials must be an integer >= 1; got {n!r}.")


def _import_optuna() -> Any:
    try:
        with warnings.catch_warnings():
            # optuna imports tqdm.auto, which warns in Jupyter without ipywidgets
            warnings.filterwarnings("ignore", message=".*IProgress not found.*")
            import optuna
    except ImportError as exc:
        raise MissingDependencyError(MSG_NO_OPTUNA) from exc
    return optuna


def _parse_objective(objective: str) -> tuple[str, float]:
    m = re.fullmatch(r"(recall|capture)@([0-9.]+)", str(objective).strip())
    k = float(m.group(2)) if m and m.group(2).count(".") <= 1 else float("nan")
    if not m or not 0 < k < 1:
        raise ConfigError(Message(MSG_OBJECTIVE, objective=objective))
    return m.group(1), k


def _check_space(space: Mapping[str, Any]) -> dict[str, tuple[str, float, float, bool]]:
    out = {}
    for name, spec in space.items():
        ok = (
            name in BOOSTER_PARAMS
            and isinstance(spec, (tuple, list))
            and len(spec) == 4
            and spec[0] in ("int", "float")
            and all(isinstance(v, (int, float)) for v in spec[1:3])
            and 0 <= spec[1] <= spec[2]
            and (not spec[3] or spec[1] > 0)
        )
        if not ok:
            raise ConfigError(
                Message(MSG_SEARCH_SPACE,
                    allowed=list(BOOSTER_PARAMS), name=name, spec=spec
                )
            )
        out[name] = (str(spec[0]), spec[1], spec[2], bool(spec[3]))
    return out


def _plain(v: Any) -> Any:
    """Python int/float (YAML-able) from numpy or optuna values."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    return float(v)


@dataclass(frozen=True)
class TuningResult:
    """What :func:`tune_model` found.

    Attributes
    ----------
    objective : str
        E.g. ``"recall@0.05"``.
    trials : DataFrame
        One row per trial: ``number``, ``value`` (mean over folds), one column per
        fold (``fold_<year>``), the parameters tried and ``state``.
    best_params : dict
        The booster parameters of the best trial.
    best_value, default_value : float
        Cross-validated objective of the best trial and of the base config.
    folds : list of (training years, validation year)
    holdout_year : int
        The labelled year the study never saw.
    comparison : DataFrame
        One row per setting (``default``, ``tuned``), fitted on every year before
        the held-out year and scored on it: objective, recall and precision at k,
        expected capture (with truth), AUC, PR-AUC, Brier.
    base_config : ModelConfig
        The config whose booster parameters were tuned.
    seed : int
    """

    objective: str
    trials: pd.DataFrame
    best_params: dict[str, Any]
    best_value: float
    default_value: float
    folds: list[tuple[list[int], int]]
    holdout_year: int
    comparison: pd.DataFrame
    base_config: ModelConfig
    seed: int = 0

    def best_config(self) -> ModelConfig:
        """The base config with the tuned booster parameters."""
        booster = {**dict(self.base_config.booster), **self.best_params}
        return replace(self.base_config, booster=booster, source="tuned")

    def to_config(self, path: str | Path) -> Path:
        """Write the tuned config as a model YAML that ``fanpin train --config``
        and :func:`~fanpin.config.load_model_config` accept."""
        data = self.best_config().to_dict()
        data["booster"] = {k: _plain(v) for k, v in data["booster"].items()}
        held = self.comparison.set_index("setting")["objective_value"]
        header = (
            "# Risk model settings tuned by fanpin.evaluate.tune_model "
            f"(Optuna TPE, seed {self.seed}, {len(self.trials)} trials).\n"
            f"# Objective {self.objective}: cross-validated "
            f"{self.best_value:.4f} (default {self.default_value:.4f}); on the "
            f"held-out year {self.holdout_year}: tuned {held['tuned']:.4f}, "
            f"default {held['default']:.4f}.\n"
            f"# Folds (train years -> validation year): "
            + ", ".join(f"{tr} -> {t}" for tr, t in self.folds)
            + "\n"
        )
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        return write_text(header + body, path)


def _fit_score(
    params: dict[str, Any], X: pd.DataFrame, y: np.ndarray, years: np.ndarray,
    train: np.ndarray, test: np.ndarray,
) -> np.ndarray:  # fmt: skip
    model = RiskModel(**params).fit(X[train], y[train], years=years[train])
    return model.predict_proba(X[test])[:, 1]


def _value(kind: str, k: float, y: np.ndarray, p_true: np.ndarray | None,
           score: np.ndarray) -> float:  # fmt: skip
    if kind == "capture":
        return float(expected_capture(p_true, score, [k])["expected_capture"].iloc[0])
    return float(top_k_metrics(y, score, [k])["recall"].iloc[0])


def tune_model(
    panel: pd.DataFrame,
    lines: MonitoringLines | None = None,
    *,
    n_trials: int = 20,
    objective: str = "recall@0.05",
    seed: int = 0,
    timeout: float | None = None,
    search_space: Mapping[str, tuple[str, float, float, bool]] | None = None,
    truth: pd.DataFrame | None = None,
    config: ModelConfig | None = None,
    holdout_year: int | None = None,
    min_train_years: int = 1,
) -> TuningResult:
    """Search LightGBM parameters with Optuna, by temporal cross-validation.

    The labelled years (households not in hardship in t with a record in t + 1)
    are split: ``holdout_year`` (default the latest) is kept out of the study;
    on the years before it every trial is scored on each fold (train on years
    < t, validate on t, as :func:`temporal_folds`), and the mean is maximised by
    a seeded TPE sampler. The base config's own parameters are the first trial.
    Finally the default and the best parameters are both fitted on every year
    before the held-out year and compared on it.

    Parameters
    ----------
    panel : DataFrame
        A validated household panel with at least three labelled years.
    lines : MonitoringLines, optional
        Default: the shipped table.
    n_trials : int
        Optuna trials (the default config counts as the first).
    objective : str
        ``"recall@K"`` (share of the households that fell found in the top K of
        the list) or ``"capture@K"`` (share of the expected falls, needs
        ``truth``), K in (0, 1), e.g. 0.05 for a 5 % verification capacity.
    seed : int
        Seed of the sampler and of LightGBM: the same seed gives the same study.
    timeout : float, optional
        Stop after this many seconds (the result then depends on the machine).
    search_space : mapping, optional
        Parameter -> (``"int"``/``"float"``, low, high, log); default
        :data:`DEFAULT_SEARCH_SPACE`.
    truth : DataFrame, optional
        ``household_id, year, p_next`` (the simulator's true risks).
    config : ModelConfig, optional
        The base settings (default: the shipped ``configs/model.yaml``); its seed
        is replaced by ``seed``.
    holdout_year : int, optional
        The labelled year kept out of the study (default: the latest).
    min_train_years : int
        Years a fold trains on at least.

    Returns
    -------
    TuningResult

    Examples
    --------
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> sim = simulate(400, years=range(2021, 2025), seed=0,
    ...                params=SimulationParams(oracle_draws=8))
    >>> space = {"num_leaves": ("int", 4, 16, True)}
    >>> res = tune_model(sim.panel, sim.lines, n_trials=2, seed=0,
    ...                  search_space=space,
    ...                  config=ModelConfig(booster={"n_estimators": 20}))
    >>> res.holdout_year, res.folds
    (2023, [([2021], 2022)])
    >>> list(res.comparison["setting"])
    ['default', 'tuned']
    """
    optuna = _import_optuna()
    from ..features import make_features

    kind, k = _parse_objective(objective)
    if kind == "capture" and truth is None:
        raise InputError(Message(MSG_CAPTURE_TRUTH, objective=objective, k=k))
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise ConfigError(Message(MSG_TRIALS, n=n_trials))
    space = _check_space(DEFAULT_SEARCH_SPACE if search_space is None else search_space)
    lines = lines if lines is not None else shipped_configs().lines
    base = config if config is not None else shipped_configs().model
    base = replace(base, seed=int(seed))
    base_params = RiskModel(**base.risk_model_params()).get_params()

    X = make_features(lines=lines).fit_transform(panel)
    y_all = make_labels(panel, lines)
    labelled = y_all.notna().to_numpy()
    years = panel["year"].to_numpy(dtype="int64")
    y = y_all.fillna(0).to_numpy(dtype="int64")
    lab_years = sorted(set(years[labelled].tolist()))
    hold = int(holdout_year) if holdout_year is not None else lab_years[-1]
    study_years = [t for t in lab_years if t < hold]
    folds = temporal_folds(study_years, min_train_years=min_train_years)
    if hold not in lab_years or not folds:
        raise InputError(
            Message(MSG_TOO_FEW_YEARS, need=min_train_years + 2, years=lab_years)
        )
    p_true = _truth_for(panel, truth) if truth is not None else None

    def cv(params: dict[str, Any]) -> list[float]:
        out = []
        for _, t in folds:
            tr, te = labelled & (years < t), labelled & (years == t)
            s = _fit_score(params, X, y, years, tr, te)
            pt = None if p_true is None else p_true[te]
            out.append(_value(kind, k, y[te], pt, s))
        return out

    def trial_fn(trial: Any) -> float:
        tried = {}
        for name, (typ, lo, hi, log) in space.items():
            suggest = trial.suggest_int if typ == "int" else trial.suggest_float
            lo, hi = (int(lo), int(hi)) if typ == "int" else (float(lo), float(hi))
            tried[name] = suggest(name, lo, hi, log=log)
        values = cv({**base_params, **tried})
        for (_, t), v in zip(folds, values, strict=True):
            trial.set_user_attr(f"fold_{t}", v)
        return float(np.mean(values))

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            direction="maximize", sampler=optuna.samplers.TPESampler(seed=int(seed))
        )
        start = {
            name: base_params[name]
            for name, (_, lo, hi, _) in space.items()
            if lo <= base_params[name] <= hi
        }
        enqueued = len(start) == len(space)
        if enqueued:
            study.enqueue_trial(start)
        study.optimize(trial_fn, n_trials=n_trials, timeout=timeout)
    finally:
        optuna.logging.set_verbosity(previous)

    best = {name: _plain(v) for name, v in study.best_params.items()}
    first = study.trials[0]
    if enqueued and first.value is not None:
        default_value = float(first.value)
    else:
        default_value = float(np.mean(cv(base_params)))
    trials = _trials_frame(study, folds)

    tr, te = labelled & (years < hold), labelled & (years == hold)
    rows = []
    settings = (("default", base_params), ("tuned", {**base_params, **best}))
    for setting, params in settings:
        s = _fit_score(params, X, y, years, tr, te)
        pt = None if p_true is None else p_true[te]
        cap = top_k_metrics(y[te], s, [k]).iloc[0]
        m = classification_metrics(y[te], s)
        row = {
            "setting": setting,
            "objective_value": _value(kind, k, y[te], pt, s),
            f"recall@{k:g}": float(cap["recall"]),
            f"precision@{k:g}": float(cap["precision"]),
        }
        if pt is not None:
            row[f"capture@{k:g}"] = _value("capture", k, y[te], pt, s)
        row |= {"auc": m["auc"], "pr_auc": m["pr_auc"], "brier": m["brier"]}
        rows.append(row)
    comparison = pd.DataFrame(rows)
    comparison.insert(1, "holdout_year", hold)
    logger.info(
        "tuning %s: best cv %.4f vs default %.4f over %d trials",
        objective, study.best_value, default_value, len(trials),
    )  # fmt: skip
    return TuningResult(
        objective=f"{kind}@{k:g}",
        trials=trials,
        best_params=best,
        best_value=float(study.best_value),
        default_value=default_value,
        folds=[(list(tr_years), int(t)) for tr_years, t in folds],
        holdout_year=hold,
        comparison=comparison,
        base_config=base,
        seed=int(seed),
    )


def _trials_frame(study: Any, folds: list[tuple[list[int], int]]) -> pd.DataFrame:
    rows = []
    for t in study.trials:
        row: dict[str, Any] = {"number": t.number, "value": t.value}
        row |= {f"fold_{y}": t.user_attrs.get(f"fold_{y}") for _, y in folds}
        row |= dict(t.params)
        row["state"] = t.state.name
        rows.append(row)
    return pd.DataFrame(rows)
