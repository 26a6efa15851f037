"""Risk models: the calibrated LightGBM :class:`RiskModel`, a logistic baseline,
the panel-level pipeline (features -> labels -> fit -> score) and persistence with a
model card.

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(200, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> from fanpin.config import ModelConfig
>>> from fanpin.models import train_risk_model
>>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
>>> p = model.predict_proba(sim.panel)
>>> bool(((p > 0) & (p < 1)).all()), sorted(model.training["years"])
(True, [2022, 2023])
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
