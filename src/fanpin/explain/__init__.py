"""Explanations: why a household is at risk, in official risk types and plain Chinese.

SHAP values of the model's raw score (:func:`shap_values`) are summed per risk
domain (:func:`domain_contributions`) and per official risk type of code table
100A27 (:func:`risk_contributions`, mapping in ``configs/risk_types.yaml``); up to
five risks per household are ranked, each with a sentence quoting the household's
own values (:func:`explain_households`).
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
