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
    RiskPipeline,
    check_feature_columns,
    rows_probabilities,
    train_risk_model,
    training_frame,
)
from ._risk_model import RiskModel

__all__ = [
    "ModelVersionWarning",
    "RiskModel",
    "RiskPipeline",
    "check_feature_columns",
    "library_versions",
    "load_model",
    "make_logistic_baseline",
    "read_model_card",
    "rows_probabilities",
    "save_model",
    "train_risk_model",
    "training_frame",
]
