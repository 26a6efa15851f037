"""Risk models: the calibrated LightGBM :class:`RiskModel`, a logistic baseline,
the panel-level pipeline (features -> labels -> fit -> score) and persistence with a
model card.
"""

from ._logistic import make_logistic_baseline
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

__all__ = [
    "ID_COLUMNS",
    "RISK_LEVELS",
    "ModelVersionWarning",
    "RiskModel",
    "RiskPipeline",
    "assign_risk_levels",
    "check_feature_columns",
    "excluded_frame",
    "id_frame",
    "library_versions",
    "load_model",
    "make_logistic_baseline",
    "monitored_frame",
    "read_model_card",
    "save_model",
    "score_panel",
    "train_risk_model",
    "training_frame",
]
