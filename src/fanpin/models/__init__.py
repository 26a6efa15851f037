"""Risk models: the candidates (the calibrated, early-stopped LightGBM
:class:`RiskModel`, the :class:`LogisticRiskModel`, today's rules as
:class:`RuleRiskModel`, and LightGBM boosted from the rule score), the choice
between them on the validation year, the panel-level :class:`RiskPipeline`
(features -> labels -> fit -> score, a scikit-learn estimator) and persistence
with a model card (JSON and LightGBM text, no pickle).

Ranking a panel (ranks, risk levels, the households in hardship apart) is
:func:`fanpin.scoring.score_panel`.

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(400, years=range(2021, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> from fanpin.config import ModelConfig
>>> from fanpin.models import train_risk_model
>>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
>>> p = model.risk_score(sim.panel)
>>> bool(((p > 0) & (p < 1)).all()), sorted(model.training["years"])
(True, [2021, 2022, 2023])
"""

from ._bootstrap import DEFAULT_BOOTSTRAPS, bootstrap_rankings
from ._logistic import LogisticRiskModel, make_logistic_baseline
from ._persist import (
    ModelVersionWarning,
    library_versions,
    load_model,
    read_model_card,
    save_model,
)
from ._pipeline import (
    ModelColumnsWarning,
    RiskPipeline,
    check_feature_columns,
    rows_probabilities,
    train_risk_model,
    training_frame,
)
from ._predictor import PREDICTORS, use_predictor
from ._risk_model import RiskModel
from ._rules import (
    RULE_EXPLAINED_BY,
    FeaturesWithRules,
    RuleFeatures,
    RuleRiskModel,
    rule_priority,
    rule_weights,
)
from ._select import CANDIDATE_KINDS, choose_model, make_candidate
from ._validation import CAPTURE_FRACTION, Contributions, validation_split

__all__ = [
    "CANDIDATE_KINDS",
    "CAPTURE_FRACTION",
    "DEFAULT_BOOTSTRAPS",
    "RULE_EXPLAINED_BY",
    "Contributions",
    "FeaturesWithRules",
    "LogisticRiskModel",
    "ModelColumnsWarning",
    "ModelVersionWarning",
    "PREDICTORS",
    "RiskModel",
    "RiskPipeline",
    "RuleFeatures",
    "RuleRiskModel",
    "bootstrap_rankings",
    "check_feature_columns",
    "choose_model",
    "library_versions",
    "load_model",
    "make_candidate",
    "make_logistic_baseline",
    "read_model_card",
    "rows_probabilities",
    "rule_priority",
    "rule_weights",
    "save_model",
    "train_risk_model",
    "training_frame",
    "use_predictor",
    "validation_split",
]
