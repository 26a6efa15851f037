"""Explanations: why a household is at risk, in official risk types and plain Chinese.

Per-feature contributions to the model's raw score (SHAP values of a tree
model, :func:`shap_values`, or a model's own ``feature_contributions``) are
summed per official risk type of code table 100A27 (:func:`risk_contributions`,
mapping in ``configs/risk_types.yaml``), composite features divided among their
causes. A risk type is listed only when the household's own record supports it
(:func:`apply_evidence`, the national cross-checks as evidence rules); a
department push's own cause comes first; 其他 only for a structural risk. Up to
five risks per household are ranked (:func:`rank_risks`), each with a sentence
quoting the household's own values (:func:`explain_households`,
:func:`explain_contributions`).

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> from fanpin.config import ModelConfig, load_risk_types
>>> from fanpin.models import train_risk_model
>>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
>>> ex = explain_households(model, sim.panel, risk_types=load_risk_types())
>>> list(ex.columns) == list(EXPLANATION_COLUMNS), len(ex)  # latest year, all
(True, 300)
"""

from ._explain import (
    EXPLANATION_COLUMNS,
    REASON_SEP,
    explain_contributions,
    explain_households,
)
from ._risks import (
    apply_evidence,
    domain_contributions,
    evidence_table,
    rank_risks,
    risk_contributions,
)
from ._sentences import render_sentence
from ._shap import BACKENDS, CONTRIBUTIONS_METHOD, ShapValues, booster_of, shap_values
from ._values import COUNT_FIELDS, household_values

__all__ = [
    "BACKENDS",
    "CONTRIBUTIONS_METHOD",
    "COUNT_FIELDS",
    "EXPLANATION_COLUMNS",
    "REASON_SEP",
    "ShapValues",
    "apply_evidence",
    "booster_of",
    "domain_contributions",
    "evidence_table",
    "explain_contributions",
    "explain_households",
    "household_values",
    "rank_risks",
    "render_sentence",
    "risk_contributions",
    "shap_values",
]
