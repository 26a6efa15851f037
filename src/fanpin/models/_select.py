"""Choosing the model: candidates fitted on the same split, compared on the
validation year, the winner kept unless the user forces a kind.

Candidates (``kind``):

- ``gbdt``: :class:`~fanpin.models.RiskModel`, LightGBM early-stopped on the
  validation year, calibrated;
- ``logistic``: :class:`~fanpin.models.LogisticRiskModel` on the same features;
- ``rules``: :class:`~fanpin.models.RuleRiskModel`, today's rule score;
- ``gbdt_rules``: LightGBM boosted from the rule score (the rule model's
  log-odds are its starting score, and it sees the rule flags too), so with no
  useful round it is the rules.

Each is fitted on the rows before the validation year (the latest training
year), scored on that year, and refitted on every training year. The winner
has the best **capture@5 %** on the validation year (the share of its falls in
the top 5 % of the list), the AUC breaking ties. Its advantage over the rules
is given with a paired bootstrap 95 % interval (households resampled, seeded):
when the interval holds 0 the advantage is inside the noise, and ``fanpin
train``, the model card and the report say so.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from ..config import ModelConfig, RulesConfig
from ._bootstrap import DEFAULT_BOOTSTRAPS, bootstrap_rankings
from ._logistic import LogisticRiskModel
from ._risk_model import RiskModel
from ._rules import RuleRiskModel, rule_weights
from ._validation import CAPTURE_FRACTION, validation_split

__all__ = ["CANDIDATE_KINDS", "USES_RULES", "choose_model", "make_candidate"]

logger = logging.getLogger(__name__)

CANDIDATE_KINDS = ("gbdt", "logistic", "rules", "gbdt_rules")
"""The candidates of ``kind="auto"``, in the order of the model card."""
USES_RULES = frozenset({"rules", "gbdt_rules"})
"""Kinds whose inputs include the rule flags."""
USES_FEATURES = frozenset({"gbdt", "logistic", "gbdt_rules"})
"""Kinds whose inputs include the domain features."""

FIGURE = f"capture@{CAPTURE_FRACTION:.0%}"


def make_candidate(kind: str, config: ModelConfig, rules: RulesConfig) -> Any:
    """An unfitted candidate of ``kind`` with the config's settings."""
    if kind == "logistic":
        return LogisticRiskModel(
            C=config.logistic_C, refit_full=config.refit_full, random_state=config.seed
        )
    rule_model = RuleRiskModel(
        weights=rule_weights(rules),
        refit_full=config.refit_full,
        random_state=config.seed,
    )
    if kind == "rules":
        return rule_model
    params = config.risk_model_params()
    if kind == "gbdt_rules":
        return RiskModel(**params, offset=rule_model)
    return RiskModel(**params)


def candidate_columns(kind: str, feature_columns: list[str], rule_columns: list[str]):
    """The input columns of a candidate of ``kind``."""
    cols = list(feature_columns) if kind in USES_FEATURES else []
    return cols + (list(rule_columns) if kind in USES_RULES else [])


def _summary(kind: str, model: Any, n_columns: int) -> dict[str, Any]:
    v = model.validation_
    out = {
        "kind": kind,
        FIGURE: v.get("capture@5%"),
        "auc": v.get("auc"),
        "n_inputs": n_columns,
    }
    stopping = v.get("early_stopping")
    if stopping:
        out["rounds_chosen"] = stopping["rounds_chosen"]
        out["rounds_tried"] = stopping["rounds_tried"]
    return out


def _key(row: dict[str, Any]) -> tuple[float, float]:
    def num(v: Any) -> float:
        return -math.inf if v is None or not math.isfinite(v) else float(v)

    return num(row[FIGURE]), num(row["auc"])


def choose_model(
    X: Any,
    y: np.ndarray,
    years: np.ndarray,
    *,
    feature_columns: list[str],
    rule_columns: list[str],
    config: ModelConfig,
    rules: RulesConfig,
    kind: str = "auto",
    n_boot: int = DEFAULT_BOOTSTRAPS,
) -> tuple[str, Any, dict[str, Any], dict[str, Any]]:
    """Fit the candidates on the same split and keep the best (or the forced one).

    Parameters
    ----------
    X : DataFrame
        Domain features and (when a candidate needs them) the rule columns of
        the training rows.
    y, years : arrays
        Labels and the year of each row.
    feature_columns, rule_columns : list of str
        Column names of the domain features and of the rule columns in ``X``.
    config, rules : ModelConfig, RulesConfig
    kind : {"auto", "gbdt", "logistic", "rules", "gbdt_rules"}
        ``auto`` fits every candidate; a named kind fits that one (and the
        rules, to compare with).
    n_boot : int
        Bootstrap replicates of the comparison with the rules.

    Returns
    -------
    kind : str
        The winner's kind.
    model : estimator
        The winner, refitted on every training row.
    choice : dict
        ``candidates`` (each one's validation figures), ``winner``, ``forced``,
        ``reason`` and ``versus_rules`` (the winner's capture@5 % minus the
        rules', with its interval and ``inside_noise``).
    fitted : dict
        Every candidate fitted (kind -> model), the winner included.
    """
    kinds = CANDIDATE_KINDS if kind == "auto" else tuple(dict.fromkeys([kind, "rules"]))
    fitted: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for k in kinds:
        cols = candidate_columns(k, feature_columns, rule_columns)
        model = make_candidate(k, config, rules).fit(X[cols], y, years=years)
        fitted[k] = model
        rows.append(_summary(k, model, len(cols)))
        logger.info("candidate %s: %s", k, rows[-1])
    by_kind = {r["kind"]: r for r in rows}
    if kind == "auto":
        winner = max(rows, key=_key)["kind"]  # first of equals: the card's order
        best, runner = by_kind[winner], sorted(rows, key=_key, reverse=True)[1]
        reason = (
            f"best validation {FIGURE} ({best[FIGURE]:.4f} vs {runner['kind']} "
            f"{runner[FIGURE]:.4f})"
            if _key(best)[0] > _key(runner)[0]
            else f"equal validation {FIGURE}, better AUC ({best['auc']:.4f} vs "
            f"{runner['kind']} {runner['auc']:.4f})"
        )
    else:
        winner, reason = kind, "forced (--kind)"
    val, _ = validation_split(y, years, fraction=0.2, random_state=config.seed)
    versus = _versus_rules(
        y[val], fitted[winner], fitted["rules"], winner, seed=config.seed, n_boot=n_boot
    )
    choice = {
        "candidates": rows,
        "winner": winner,
        "forced": kind != "auto",
        "reason": reason,
        "versus_rules": versus,
        "validation_year": fitted[winner].validation_.get("year"),
    }
    return winner, fitted[winner], choice, fitted


def _versus_rules(
    y_val: np.ndarray, model: Any, rules: Any, kind: str, *, seed: int, n_boot: int
) -> dict[str, Any]:
    """The winner's validation capture@5 % minus the rules', with its interval."""
    a, b = model.validation_scores_, rules.validation_scores_
    if kind == "rules" or n_boot <= 0 or len(a) != len(y_val) or len(b) != len(y_val):
        same = kind == "rules"
        return {"figure": FIGURE, "estimate": 0.0, "low": None, "high": None,
                "inside_noise": not same, "same_model": same}  # fmt: skip
    t = bootstrap_rankings(
        y_val, {"model": a, "rules": b}, differences=[("model", "rules")],
        n_boot=n_boot, seed=seed,
    )  # fmt: skip
    d = t[(t["ranker"] == "model - rules") & (t["figure"] == "recall@5%")].iloc[0]
    low, high = float(d["low"]), float(d["high"])
    return {
        "figure": FIGURE,
        "estimate": float(d["estimate"]),
        "low": low,
        "high": high,
        "level": 0.95,
        "n_boot": int(n_boot),
        "seed": int(seed),
        "inside_noise": bool(low <= 0.0 <= high),
        "same_model": False,
    }
