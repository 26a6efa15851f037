"""Which engine computes a fitted booster's raw score: LightGBM itself (the
default) or pylignum (the optional ``fast-predict`` extra).

pylignum 0.3.0 reads LightGBM's model text and predicts the same raw scores
bit for bit (so the same probabilities, ranks and output bytes), 2.7x faster
than ``Booster.predict`` on the bench model (bench/results_compiled.json). One
exception, found while measuring: an input of +inf at a split whose threshold
is +inf (LightGBM's split of numbers against NaN) goes the other way. fanpin's
feature builders never give inf (they turn it into NaN), and a matrix that
holds one is predicted by LightGBM instead, so the scores stay LightGBM's.

Only pylignum's interpreter is used: its compiled mode needs a C compiler at
run time and loads the native library it writes, which fanpin does not do.
"""

from __future__ import annotations

import copy
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ConfigError, MissingDependencyError, ModelError
from ..messages import N_, Message

__all__ = ["PREDICTORS", "LignumRawScore", "use_predictor"]

logger = logging.getLogger(__name__)

PREDICTORS = ("lightgbm", "lignum")
"""Engines of the raw score: ``lightgbm`` (default) and ``lignum``."""

EXTRA = "fast-predict"

MSG_NEEDS_LIGNUM = N_(
    "The lignum predictor needs the optional package pylignum: pip install "
    "'fanpin[fast-predict]', or use the default predictor (lightgbm)."
)
MSG_BAD_PREDICTOR = N_("Unknown predictor {name!r}: expected one of {allowed}.")
MSG_LIGNUM_REFUSED = N_(
    "pylignum cannot predict this model exactly ({reason}); use the default "
    "predictor (lightgbm)."
)


def _import_lignum() -> Any:
    try:
        import lignum
    except ImportError as exc:
        raise MissingDependencyError(Message(MSG_NEEDS_LIGNUM)) from exc
    return lignum


class LignumRawScore:
    """Raw score of a LightGBM model text by pylignum's interpreter.

    Called as ``raw(X, n_threads)``: the booster's raw score of the float64
    matrix ``X``, bit-identical to ``Booster.predict(X, raw_score=True)``, or
    None where LightGBM must predict (``X`` holds an infinite value). Pickles
    as the model text (for Dask workers) and loads again on first use.

    Parameters
    ----------
    model_text : str
        ``Booster.model_to_string(num_iteration=...)``: the trees it predicts.
    """

    def __init__(self, model_text: str) -> None:
        self.model_text = model_text
        self._model: Any = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"model_text": self.model_text}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["model_text"])

    def load(self) -> LignumRawScore:
        """Parse the model now (else on first use); raises on a model pylignum
        refuses (:class:`~fanpin.exceptions.ModelError`) or without pylignum."""
        with self._lock:
            if self._model is None:
                lignum = _import_lignum()
                with tempfile.TemporaryDirectory(prefix="fanpin-lignum-") as tmp:
                    path = Path(tmp) / "booster.txt"
                    path.write_text(self.model_text, encoding="utf-8")
                    try:
                        self._model = lignum.load(str(path), format="lightgbm")
                    except (RuntimeError, ValueError) as exc:
                        raise ModelError(
                            Message(MSG_LIGNUM_REFUSED, reason=str(exc))
                        ) from exc
        return self

    def __call__(self, X: np.ndarray, n_threads: int) -> np.ndarray | None:
        if np.isinf(X).any():  # see the module docstring: LightGBM decides
            return None
        model = self._model if self._model is not None else self.load()._model
        jobs = n_threads if n_threads > 0 else -1
        return model.predict(X, raw_score=True, n_jobs=jobs)


def use_predictor(model: Any, predictor: str = "lightgbm") -> Any:
    """``model`` whose booster's raw score is computed by ``predictor``.

    Parameters
    ----------
    model : RiskPipeline or RiskModel
        A fitted model. Kinds without a LightGBM booster (logistic, rules) are
        returned as they are, whatever ``predictor``.
    predictor : {"lightgbm", "lignum"}
        ``lignum`` needs the ``fast-predict`` extra (pylignum); its scores are
        bit-identical to LightGBM's.

    Returns
    -------
    A shallow copy predicting with ``predictor`` (``model`` itself for
    ``lightgbm`` when it already does); the caller's object is not changed.

    Examples
    --------
    >>> from fanpin.config import ModelConfig
    >>> from fanpin.models import train_risk_model, use_predictor
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> sim = simulate(300, years=range(2021, 2024), seed=0, n_jobs=1,
    ...                params=SimulationParams(oracle_draws=1))
    >>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
    ...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
    >>> same = use_predictor(model, "lightgbm")
    >>> bool((same.risk_score(sim.panel) == model.risk_score(sim.panel)).all())
    True
    """
    if predictor not in PREDICTORS:
        raise ConfigError(
            Message(MSG_BAD_PREDICTOR, name=predictor, allowed=", ".join(PREDICTORS))
        )
    inner = getattr(model, "model", None)
    if inner is not None and hasattr(model, "features"):  # a pipeline
        swapped = use_predictor(inner, predictor)
        if swapped is inner:
            return model
        out = copy.copy(model)
        out.model = swapped
        return out
    booster = getattr(model, "booster_", None)
    if booster is None or not hasattr(model, "raw_predictor_"):
        if predictor != "lightgbm":
            logger.info("%s has no LightGBM booster: it predicts as it is",
                        type(model).__name__)  # fmt: skip
        return model
    current = model.raw_predictor_
    if predictor == "lightgbm":
        if current is None:
            return model
        fast = None
    else:
        if isinstance(current, LignumRawScore):
            return model
        fast = LignumRawScore(booster.model_to_string(num_iteration=model.n_rounds_))
        fast.load()
    out = copy.copy(model)
    out.raw_predictor_ = fast
    return out
