"""Explanations: why a household is at risk, in official risk types and plain Chinese.

SHAP values of the model's raw score (:func:`shap_values`) are summed per risk
domain (:func:`domain_contributions`) and per official risk type of code table
100A27 (:func:`risk_contributions`, mapping in ``configs/risk_types.yaml``); up to
five risks per household are ranked, each with a sentence quoting the household's
own values (:func:`explain_households`).

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(200, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> from fanpin.config import ModelConfig
>>> from fanpin.models import train_risk_model
>>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
>>> ex = explain_households(model, sim.panel)  # every household of the latest year
>>> list(ex.columns) == list(EXPLANATION_COLUMNS), len(ex)
(True, 200)
"""

from ._explain import EXPLANATION_COLUMNS, REASON_SEP, explain_households
from ._risks import domain_contributions, rank_risks, risk_contributions
from ._sentences import COUNT_FIELDS, household_values, render_sentence
from ._shap import ShapValues, booster_of, shap_values

__all__ = [
    "COUNT_FIELDS",
    "EXPLANATION_COLUMNS",
    "REASON_SEP",
    "ShapValues",
    "booster_of",
    "domain_contributions",
    "explain_households",
    "household_values",
    "rank_risks",
    "render_sentence",
    "risk_contributions",
    "shap_values",
]
