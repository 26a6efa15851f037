"""Saving and loading a trained model with its JSON model card.

A model directory holds ``model.joblib`` (the pickled :class:`RiskPipeline` or
:class:`RiskModel`) and ``model_card.json`` (sorted keys, no personal data) with the
file's sha256. Loading checks, in order: both files exist; the file's sha256
matches the card (a joblib file runs code when loaded, so a changed file is never
unpickled); the library versions. Version policy: a different **major** version
of scikit-learn or LightGBM is refused; a different minor version of
scikit-learn, LightGBM, numpy or pandas gives a :class:`ModelVersionWarning`
(retrain to silence it). Saving is deterministic: the same model gives the same
bytes (the card has no timestamp).
"""

from __future__ import annotations

import copyreg
import hashlib
import json
import platform
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import MappingProxyType
from typing import Any

import joblib

from ..exceptions import ModelError
from ..io import atomic_path, write_text
from ._pipeline import RiskPipeline
from ._risk_model import RiskModel

__all__ = [
    "CARD_NAME",
    "MODEL_NAME",
    "ModelVersionWarning",
    "library_versions",
    "load_model",
    "read_model_card",
    "save_model",
]

MODEL_NAME = "model.joblib"
CARD_NAME = "model_card.json"
_LIBS = ("fanpin", "numpy", "pandas", "scikit-learn", "lightgbm", "joblib")
_STRICT = ("scikit-learn", "lightgbm")

MSG_NO_DIR = (
    "Model directory {path!r} has no {name}. A model directory holds model.joblib and "
    "model_card.json written by `fanpin train`; pass the right --model directory or "
    "train again."
)
MSG_TAMPERED = (
    "{model} does not match its model card: sha256 {got} but the card says {want}. "
    "The file was changed or replaced after training; it will not be loaded (a "
    "joblib file runs code when loaded). Retrain with `fanpin train`, or restore "
    "the original file."
)
MSG_BAD_CARD = "Model card {path!r} is not valid: {why}. Retrain with `fanpin train`."
MSG_MAJOR = (
    "The model was saved with {lib} {saved}, but {lib} {now} is installed; a different "
    "major version cannot load it safely. Install {lib}=={saved} or retrain the model."
)
MSG_MINOR = (
    "The model was saved with {lib} {saved}; {now} is installed. Scores may differ "
    "slightly; retrain the model to silence this warning."
)


class ModelVersionWarning(UserWarning):
    """A model was saved with a different minor version of a library."""


def library_versions() -> dict[str, str]:
    """Versions of python and the libraries a model file depends on."""
    out = {"python": platform.python_version()}
    for lib in _LIBS:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:  # pragma: no cover
            out[lib] = "unknown"
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _mappingproxy(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


def _reduce_mappingproxy(m: MappingProxyType) -> tuple:
    return (_mappingproxy, (dict(m),))


@contextmanager
def _picklable_mappingproxy() -> Iterator[None]:
    """Let frozen configs holding ``MappingProxyType`` be pickled, only while saving."""
    had = MappingProxyType in copyreg.dispatch_table
    if not had:
        copyreg.pickle(MappingProxyType, _reduce_mappingproxy)
    try:
        yield
    finally:
        if not had:
            copyreg.dispatch_table.pop(MappingProxyType, None)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict) or isinstance(obj, MappingProxyType):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    return obj


def _card(model: RiskPipeline | RiskModel, extra: dict | None, metrics: Any) -> dict:
    est = model.model if isinstance(model, RiskPipeline) else model
    names = [str(c) for c in getattr(est, "feature_names_in_", [])]
    card: dict[str, Any] = {
        "format": 1,
        "kind": type(model).__name__,
        "versions": library_versions(),
        "feature_names": names,
        "n_features": int(est.n_features_in_),
        "estimator_params": est.get_params(),
        "calibration": {"method": est.calibration_, "validation": est.validation_},
        "train_years": est.train_years_,
        "metrics": metrics,
        "extra": extra or {},
    }
    if isinstance(model, RiskPipeline):
        card["training"] = model.training
        card["seed"] = model.training.get("seed", est.random_state)
        card["lines"] = model.lines_dict
        card["config"] = model.config_dict
    else:
        card["seed"] = est.random_state
    return _jsonable(card)


def save_model(
    model: RiskPipeline | RiskModel,
    directory: str | Path,
    *,
    metrics: Any = None,
    card_extra: dict | None = None,
) -> Path:
    """Write ``model.joblib`` and ``model_card.json`` into ``directory``.

    Both files are written to a temporary name first and moved into place.
    ``metrics`` (e.g. backtest results as plain dicts/lists) and ``card_extra``
    (JSON-able, no personal data) go into the card. Returns the directory.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> y = (X[:, 0] > 1).astype(int)
    >>> m = RiskModel(n_estimators=5).fit(X, y)
    >>> d = save_model(m, tempfile.mkdtemp())
    >>> load_model(d).predict_proba(X[:1]).shape
    (1, 2)
    """
    if not isinstance(model, (RiskPipeline, RiskModel)) or not hasattr(
        model.model if isinstance(model, RiskPipeline) else model, "booster_"
    ):
        raise ModelError(
            f"save_model expects a fitted RiskPipeline or RiskModel; got "
            f"{type(model).__name__}. Fit it first (fanpin.models.train_risk_model)."
        )
    d = Path(directory)
    # The model file first, then its card: a crash in between leaves a card whose
    # hash does not match, which load_model refuses; never a half-written file.
    with atomic_path(d / MODEL_NAME) as tmp, _picklable_mappingproxy():
        joblib.dump(model, tmp, compress=3, protocol=5)
        sha = _sha256(tmp)
    card = _card(model, card_extra, _jsonable(metrics))
    card["model_file"] = MODEL_NAME
    card["model_sha256"] = sha
    write_text(
        json.dumps(card, sort_keys=True, ensure_ascii=False, indent=2) + "\n",
        d / CARD_NAME,
    )
    return d


def read_model_card(directory: str | Path) -> dict:
    """The model card of a model directory, as a dict."""
    p = Path(directory) / CARD_NAME
    if not p.is_file():
        raise ModelError(MSG_NO_DIR.format(path=str(directory), name=CARD_NAME))
    try:
        card = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(MSG_BAD_CARD.format(path=str(p), why=exc)) from None
    if not isinstance(card, dict) or not isinstance(card.get("model_sha256"), str):
        raise ModelError(MSG_BAD_CARD.format(path=str(p), why="no 'model_sha256'"))
    return card


def _check_versions(saved: dict) -> None:
    now = library_versions()
    for lib in ("scikit-learn", "lightgbm", "numpy", "pandas"):
        s, n = str(saved.get(lib, "unknown")), now[lib]
        if s == "unknown" or s == n:
            continue
        s_parts, n_parts = s.split("."), n.split(".")
        if lib in _STRICT and s_parts[0] != n_parts[0]:
            raise ModelError(MSG_MAJOR.format(lib=lib, saved=s, now=n))
        if s_parts[:2] != n_parts[:2]:
            warnings.warn(
                MSG_MINOR.format(lib=lib, saved=s, now=n),
                ModelVersionWarning,
                stacklevel=3,
            )


def load_model(directory: str | Path) -> RiskPipeline | RiskModel:
    """Load a model saved by :func:`save_model`, after checking hash and versions.

    Raises
    ------
    ModelError
        Missing file or card, a file whose sha256 differs from the card, or a major
        version mismatch of scikit-learn or LightGBM.
    """
    d = Path(directory)
    card = read_model_card(d)
    path = d / MODEL_NAME
    if not path.is_file():
        raise ModelError(MSG_NO_DIR.format(path=str(d), name=MODEL_NAME))
    got = _sha256(path)
    if got != card["model_sha256"]:
        raise ModelError(
            MSG_TAMPERED.format(model=str(path), got=got, want=card["model_sha256"])
        )
    _check_versions(card.get("versions", {}))
    with warnings.catch_warnings():
        # The versions were checked above; sklearn's own pickle warning would repeat it.
        warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
        try:
            model = joblib.load(path)
        except Exception as exc:  # a corrupted pickle raises many kinds of errors
            raise ModelError(
                f"{path} matches its card but cannot be loaded ({type(exc).__name__}); "
                "the file is corrupted or was written by another program. Retrain "
                "with `fanpin train` or restore the model directory from a backup."
            ) from None
    if not isinstance(model, (RiskPipeline, RiskModel)):
        raise ModelError(
            f"{path} does not hold a fanpin model; retrain with `fanpin train`."
        )
    return model
