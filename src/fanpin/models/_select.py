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
the top 5 % of the list), the AUC breaking ties; candidates whose capture is
within the noise of the best (the paired bootstrap 95 % interval of the
difference holds 0) count as tied. On a few thousand households the top 5 %
holds a few dozen falls, so capture differences of several points are noise:
the AUC, which uses every fall, then decides (measured in bench_sweep.py: the
plain maximum kept a logistic model that was 0.04 behind the rules on the test
year). Its advantage over the rules
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
from ..messages import N_, Message
from ._bootstrap import DEFAULT_BOOTSTRAPS, bootstrap_rankings
from ._logistic import LogisticRiskModel
from ._risk_model import RiskModel
from ._rules import RuleRiskModel, rule_weights
from ._validation import CAPTURE_FRACTION, recall_at, validation_split

__all__ = ["CANDIDATE_KINDS", "USES_RULES", "choose_model", "make_candidate"]

logger = logging.getLogger(__name__)

CANDIDATE_KINDS = ("gbdt", "logistic", "rules", "gbdt_rules")
"""The candidates of ``kind="auto"``, in the order of the model card."""
USES_RULES = frozenset({"rules", "gbdt_rules"})
"""Kinds whose inputs include the rule flags."""
USES_FEATURES = frozenset({"gbdt", "logistic", "gbdt_rules"})
"""Kinds whose inputs include the domain features."""

FIGURE = f"capture@{CAPTURE_FRACTION:.0%}"

# Why the winner was kept (the model card's ``reason``; the CLI shows it in the
# user's language).
MSG_AHEAD = N_(
    "best validation capture@5% {best:.4f}, ahead of {runner} {runner_value:.4f} "
    "beyond the noise"
)
MSG_BEST_AND_AUC = N_(
    "best validation capture@5% {best:.4f} and the best AUC {auc:.4f} of the "
    "candidates within its noise ({others})"
)
MSG_TIED_AUC = N_(
    "validation capture@5% {value:.4f}, within the noise of the best ({best_kind} "
    "{best:.4f}), and the best AUC of those tied ({auc:.4f} vs {others})"
)
MSG_FORCED = N_("forced (--kind)")


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
        Bootstrap replicates of the comparisons on the validation year (0: none;
        the best capture@5 % then wins outright).

    Returns
    -------
    kind : str
        The winner's kind.
    model : estimator
        The winner, refitted on every training row.
    choice : dict
        ``candidates`` (each one's validation figures and ``behind_best``, its
        gap to the best capture@5 % with an interval), ``winner``, ``forced``,
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
    val, _ = validation_split(y, years, fraction=0.2, random_state=config.seed)
    diffs = _differences(y[val], fitted, seed=config.seed, n_boot=n_boot)
    if kind == "auto":
        winner, reason = _winner(rows, diffs)
    else:
        winner, reason = kind, Message(MSG_FORCED)
    best = rows_best(rows)
    for r in rows:  # how far behind the best each one is, with its interval
        r["behind_best"] = diffs.get((best, r["kind"]))
    choice = {
        "candidates": rows,
        "winner": winner,
        "forced": kind != "auto",
        "reason": reason,
        "versus_rules": _versus_rules(diffs, winner, n_boot=n_boot, seed=config.seed),
        "validation_year": fitted[winner].validation_.get("year"),
    }
    return winner, fitted[winner], choice, fitted


def rows_best(rows: list[dict[str, Any]]) -> str:
    """The candidate with the best validation capture@5 % (AUC, then order, on
    equal figures)."""
    return max(rows, key=_key)["kind"]


def _differences(
    y_val: np.ndarray, fitted: dict[str, Any], *, seed: int, n_boot: int
) -> dict[tuple[str, str], dict[str, Any]]:
    """Paired bootstrap of capture@5 % differences on the validation rows: the
    best candidate minus each other one, and each one minus the rules."""
    scores = {k: m.validation_scores_ for k, m in fitted.items()}
    if n_boot <= 0 or any(len(v) != len(y_val) for v in scores.values()):
        return {}
    recall = {k: _recall(y_val, v) for k, v in scores.items()}
    best = max(scores, key=lambda k: recall[k])
    pairs = [(best, k) for k in scores if k != best]
    pairs += [
        (k, "rules") for k in scores if k != "rules" and (k, "rules") not in pairs
    ]
    t = bootstrap_rankings(
        y_val, scores, differences=pairs, n_boot=n_boot, seed=seed, auc=False
    )
    t = t[t["figure"] == "recall@5%"].set_index("ranker")
    out = {}
    for a, b in pairs:
        r = t.loc[f"{a} - {b}"]
        out[(a, b)] = {
            "estimate": float(r["estimate"]),
            "low": float(r["low"]),
            "high": float(r["high"]),
            "inside_noise": bool(r["low"] <= 0.0 <= r["high"]),
        }
    return out


def _recall(y: np.ndarray, s: np.ndarray) -> float:
    v = recall_at(y, s)
    return -math.inf if not math.isfinite(v) else v


def _winner(
    rows: list[dict[str, Any]], diffs: dict[tuple[str, str], dict[str, Any]]
) -> tuple[str, str]:
    """Best validation capture@5 %; candidates within the noise of the best
    (paired bootstrap 95 % interval of the difference holds 0) are tied with
    it, and the AUC breaks the tie."""
    best = rows_best(rows)
    by_kind = {r["kind"]: r for r in rows}
    tied = [best] + [
        r["kind"]
        for r in rows
        if r["kind"] != best
        and (diffs.get((best, r["kind"])) or {}).get("inside_noise")
    ]
    winner = max(tied, key=lambda k: (_num(by_kind[k]["auc"]), _key(by_kind[k])[0]))
    b, w = by_kind[best], by_kind[winner]
    others = [k for k in tied if k != winner]
    if len(tied) == 1:
        rest = [r for r in rows if r["kind"] != best]
        runner = max(rest, key=_key) if rest else b
        reason = Message(
            MSG_AHEAD, best=b[FIGURE], runner=runner["kind"],
            runner_value=runner[FIGURE],
        )  # fmt: skip
    elif winner == best:
        reason = Message(
            MSG_BEST_AND_AUC, best=b[FIGURE], auc=w["auc"], others=", ".join(others)
        )
    else:
        reason = Message(
            MSG_TIED_AUC, value=w[FIGURE], best_kind=best, best=b[FIGURE],
            auc=w["auc"], others=", ".join(others),
        )  # fmt: skip
    return winner, reason


def _num(v: Any) -> float:
    return -math.inf if v is None or not math.isfinite(v) else float(v)


def _versus_rules(
    diffs: dict[tuple[str, str], dict[str, Any]], kind: str, *, n_boot: int, seed: int
) -> dict[str, Any]:
    """The winner's validation capture@5 % minus the rules', with its interval."""
    d = diffs.get((kind, "rules"))
    if kind == "rules" or d is None:
        same = kind == "rules"
        return {"figure": FIGURE, "estimate": 0.0, "low": None, "high": None,
                "inside_noise": None, "same_model": same}  # fmt: skip
    return {
        "figure": FIGURE,
        **d,
        "level": 0.95,
        "n_boot": int(n_boot),
        "seed": int(seed),
        "same_model": False,
    }
