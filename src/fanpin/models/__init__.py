"""Risk models: the candidates (the calibrated, early-stopped LightGBM
:class:`RiskModel`, the :class:`LogisticRiskModel`, today's rules as
:class:`RuleRiskModel`, and LightGBM boosted from the rule score), the choice
between them on the validation year, the panel-level :class:`RiskPipeline`
(features -> labels -> fit -> score, a scikit-learn estimator) and persistence
with a model card (JSON and LightGBM text, no pickle).
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
    ID_COLUMNS,
    RISK_LEVELS,
    ModelColumnsWarning,
    RiskPipeline,
    assign_risk_levels,
    check_feature_columns,
    excluded_frame,
    id_frame,
    monitored_frame,
    score_panel,
    train_risk_model,
    training_frame,
)
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
    "ID_COLUMNS",
    "RISK_LEVELS",
    "RULE_EXPLAINED_BY",
    "Contributions",
    "FeaturesWithRules",
    "LogisticRiskModel",
    "ModelColumnsWarning",
    "ModelVersionWarning",
    "RiskModel",
    "RiskPipeline",
    "RuleFeatures",
    "RuleRiskModel",
    "assign_risk_levels",
    "bootstrap_rankings",
    "check_feature_columns",
    "choose_model",
    "excluded_frame",
    "id_frame",
    "library_versions",
    "load_model",
    "make_candidate",
    "make_logistic_baseline",
    "monitored_frame",
    "read_model_card",
    "rule_priority",
    "rule_weights",
    "save_model",
    "score_panel",
    "train_risk_model",
    "training_frame",
    "validation_split",
]
