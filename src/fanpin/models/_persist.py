"""Saving and loading a trained model with its JSON model card, without pickle.

A model directory holds:

- ``model.json``: every fitted number of the pipeline (the kind kept, the
  feature builders' settings, calibrator steps, logistic coefficients, rule
  weights, the monitoring lines, model and rules configs, what it was trained
  on), as plain JSON;
- ``booster.txt``: the LightGBM trees in LightGBM's own text format (models with
  a booster only);
- ``model_card.json``: what a person reads (versions, candidates and why the
  winner won, the validation curve, the comparison with the rules) and the
  sha256 of each file above.

Loading reads JSON and LightGBM text only: nothing in a model directory can make
fanpin run code (there is no pickle to unpickle). The sha256 in the card guards
against accidents (a changed or truncated file is refused), not against an
attacker, who could recompute it; what protects is that no file is executable.
A directory written by an older fanpin (``model.joblib``, a pickle) is refused
with a message to retrain. Version policy: a different **major** version of
LightGBM is refused; a different minor version of scikit-learn, LightGBM, numpy
or pandas gives a :class:`ModelVersionWarning`. Saving is deterministic (the same
model gives the same bytes; the card has no timestamp) and replaces the
directory whole (a new sibling, then renames): a kill during ``fanpin train``
never destroys the previous model.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import warnings
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import MappingProxyType
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from ..config import ModelConfig, MonitoringLines, RulesConfig, RuleSpec
from ..exceptions import ModelError, OutputError
from ..io import interrupted_directory, replace_directory
from ..messages import N_, Message
from ._calibration import calibrator_from_state
from ._logistic import LogisticRiskModel
from ._pipeline import RiskPipeline, check_feature_columns
from ._risk_model import RiskModel
from ._rules import FeaturesWithRules, RuleFeatures, RuleRiskModel

__all__ = [
    "BOOSTER_NAME",
    "CARD_NAME",
    "FORMAT",
    "LEGACY_NAME",
    "MODEL_NAME",
    "ModelVersionWarning",
    "library_versions",
    "load_model",
    "read_model_card",
    "save_model",
]

FORMAT = 2
MODEL_NAME = "model.json"
BOOSTER_NAME = "booster.txt"
CARD_NAME = "model_card.json"
LEGACY_NAME = "model.joblib"
OWNED_FILES = (MODEL_NAME, BOOSTER_NAME, CARD_NAME, LEGACY_NAME, "model_card.md")
"""The files of a model directory an older fanpin wrote (before the manifest of
:func:`fanpin.io.replace_directory`): replacing them is allowed."""
FILES = (MODEL_NAME, BOOSTER_NAME)
MAX_BYTES = {CARD_NAME: 16 << 20, MODEL_NAME: 64 << 20, BOOSTER_NAME: 1 << 30}
_LIBS = ("fanpin", "numpy", "pandas", "scikit-learn", "lightgbm")
_STRICT = ("lightgbm",)
_CLASSES = {c.__name__: c for c in (RiskModel, LogisticRiskModel, RuleRiskModel)}

MSG_NO_DIR = N_(
    "{path!r} is not a model directory: it has no {name}. A model directory holds "
    "model_card.json, model.json and (for LightGBM models) booster.txt, written by "
    "`fanpin train`; pass the right --model directory or train again."
)
MSG_NOT_A_MODEL_DIR = N_(
    "{path} exists and is not a model directory (it holds files but no {card}); "
    "fanpin replaces a model directory whole, so it will not write there. Choose a "
    "new or empty folder for --out."
)
MSG_NOT_A_DIR = N_("{path} exists and is not a folder; choose a folder for --out.")
MSG_INTERRUPTED = N_(
    "{path!r} is missing, but the previous model was set aside at {old!r} by a "
    "`fanpin train` that was stopped while replacing it. Rename that folder back "
    "to {path!r} (or run `fanpin train` again, which restores it first)."
)
MSG_LEGACY = N_(
    "{path!r} was written by an older fanpin, as a pickle (model.joblib), which can "
    "run code when it is loaded; fanpin no longer loads that format. Retrain the "
    "model: fanpin train PANEL --out {path}."
)
MSG_TAMPERED = N_(
    "{file} does not match its model card: sha256 {got} but the card says {want}. "
    "The file was changed or replaced after training; it will not be loaded. "
    "Retrain with `fanpin train`, or restore the original directory."
)
MSG_BAD_CARD = N_(
    "Model card {path!r} is not valid: {why}. Retrain with `fanpin train`."
)
MSG_BAD_FILE = N_(
    "{path!r} cannot be read as a fanpin model file ({why}); it is corrupted or was "
    "written by another program. Retrain with `fanpin train` or restore the model "
    "directory from a backup."
)
MSG_TOO_BIG = N_(
    "{path!r} is {size:,} bytes, more than the {limit:,} a fanpin model file can "
    "be; it is not a fanpin model file. Retrain with `fanpin train`."
)
MSG_MAJOR = N_(
    "The model was saved with {lib} {saved}, but {lib} {now} is installed; a different "
    "major version cannot load it safely. Install {lib}=={saved} or retrain the model."
)
MSG_MINOR = N_(
    "The model was saved with {lib} {saved}; {now} is installed. Scores may differ "
    "slightly; retrain the model to silence this warning."
)
MSG_NOT_FITTED = N_(
    "save_model expects a fitted RiskPipeline, RiskModel, LogisticRiskModel or "
    "RuleRiskModel; got {kind}. Fit it first (fanpin.models.train_risk_model)."
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


def _jsonable(obj: Any) -> Any:
    """Plain JSON types (non-finite floats as null)."""
    if isinstance(obj, (dict, MappingProxyType, Mapping)):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)


def _dumps(obj: Any) -> bytes:
    return (
        json.dumps(_jsonable(obj), sort_keys=True, ensure_ascii=False, indent=2,
                   allow_nan=False) + "\n"
    ).encode("utf-8")  # fmt: skip


# -- estimator state ----------------------------------------------------------------
def _params(est: Any) -> dict[str, Any]:
    out = {k: v for k, v in est.get_params(deep=False).items() if k != "offset"}
    if isinstance(out.get("weights"), Mapping):  # JSON sorts keys: keep the order
        out["weights"] = [[str(k), float(v)] for k, v in out["weights"].items()]
    return out


def _estimator_state(est: Any) -> tuple[dict[str, Any], str | None]:
    """(JSON state, booster text or None) of a fitted candidate model."""
    name = type(est).__name__
    fitted: dict[str, Any] = {
        "n_features_in_": est.n_features_in_,
        "feature_names_in_": (
            None
            if getattr(est, "feature_names_in_", None) is None
            else [str(c) for c in est.feature_names_in_]
        ),
        "validation_": est.validation_,
    }
    booster = None
    offset = None
    if isinstance(est, RiskModel):
        cal = est.calibrator_
        fitted.update(
            train_years_=est.train_years_,
            monotone_constraints_=est.monotone_constraints_,
            calibration_=est.calibration_,
            calibrator_=None if cal is None else cal.state(),
            n_rounds_=est.n_rounds_,
        )
        booster = est.booster_.model_to_string(num_iteration=est.n_rounds_)
        if est.offset_ is not None:
            offset = _estimator_state(est.offset_)[0]
    elif isinstance(est, LogisticRiskModel):
        fitted.update(
            median_=est.median_, mean_=est.mean_, scale_=est.scale_,
            coef_=est.coef_, intercept_=est.intercept_,
        )  # fmt: skip
    else:
        fitted.update(
            w_=est.w_, step_=est.step_, flag_mean_=est.flag_mean_,
            tie_mean_=est.tie_mean_, slope_=est.slope_, intercept_=est.intercept_,
        )  # fmt: skip
    return {
        "class": name,
        "params": _params(est),
        "fitted": fitted,
        "offset": offset,
    }, booster


_ARRAYS = {"median_", "mean_", "scale_", "coef_", "w_", "flag_mean_"}


def _estimator_from(state: Mapping[str, Any], booster: str | None) -> Any:
    cls = _CLASSES[state["class"]]
    params = dict(state["params"])
    if "weights" in params:
        params["weights"] = {str(k): float(v) for k, v in params["weights"]}
    if state.get("offset") is not None:
        params["offset"] = _estimator_from(state["offset"], None)
    est = cls(**params)
    est._validate_params()  # a value a crafted file slipped in fails here
    fitted = dict(state["fitted"])
    names = fitted.pop("feature_names_in_")
    if names is not None:
        est.feature_names_in_ = np.asarray([str(n) for n in names], dtype=object)
    est.n_features_in_ = int(fitted.pop("n_features_in_"))
    est.classes_ = np.array([0, 1])
    est.validation_scores_ = np.empty(0)
    for k, v in fitted.items():
        setattr(est, k, np.asarray(v, dtype="float64") if k in _ARRAYS else v)
    if isinstance(est, LogisticRiskModel):
        est.intercept_ = float(est.intercept_)
        for k in ("median_", "mean_", "scale_", "coef_"):
            if getattr(est, k).shape != (est.n_features_in_,):
                raise ValueError(f"{k} has the wrong length")
    if isinstance(est, RuleRiskModel):
        est.step_, est.tie_mean_ = float(est.step_), float(est.tie_mean_)
        est.slope_, est.intercept_ = float(est.slope_), float(est.intercept_)
        if est.w_.shape != (len(est.weights),):
            raise ValueError("rule weights of the wrong length")
    if not isinstance(est, RiskModel) and booster is not None:
        raise ValueError("a booster.txt beside a model without one")
    if isinstance(est, RiskModel):
        if booster is None:
            raise ValueError("no booster.txt for a LightGBM model")
        est.booster_ = lgb.Booster(model_str=booster)
        est.n_rounds_ = int(est.n_rounds_)
        if est.booster_.num_feature() != est.n_features_in_:
            raise ValueError("booster.txt has another number of features")
        if est.booster_.current_iteration() != est.n_rounds_:
            raise ValueError("booster.txt has another number of rounds")
        cal = fitted.get("calibrator_")
        est.calibrator_ = None if cal is None else calibrator_from_state(cal)
        est.offset_ = params.get("offset")
        if est.offset_ is not None:
            est.offset_ = _estimator_from(state["offset"], None)
        est.monotone_constraints_ = [int(v) for v in est.monotone_constraints_]
    return est


def _lines_from(d: Mapping[str, Any]) -> MonitoringLines:
    allowed = set(MonitoringLines.__dataclass_fields__) - {"source"}
    return MonitoringLines(**{k: v for k, v in d.items() if k in allowed})


def _rules_from(d: Mapping[str, Any]) -> RulesConfig:
    return RulesConfig(rules=tuple(RuleSpec(**r) for r in d["rules"]), source="model")


def _empty_panel() -> pd.DataFrame:
    from ..schema import COLUMNS

    return pd.DataFrame({c.name: pd.Series([], dtype="float64") for c in COLUMNS})


def _pipeline_state(pipe: RiskPipeline) -> tuple[dict[str, Any], str | None]:
    model_state, booster = _estimator_state(pipe.model_)
    feats = pipe.features_
    domain = feats.features if isinstance(feats, FeaturesWithRules) else feats
    feature_params = {
        k: v for k, v in domain.get_params(deep=False).items() if k != "lines"
    }
    state = {
        "params": {"kind": pipe.kind},
        "kind_": pipe.kind_,
        "lines": pipe.lines_.to_dict(),
        "config": pipe.config_.to_dict(),
        "rules": pipe.rules_.to_dict(),
        "features": {"params": feature_params, "with_rules": domain is not feats},
        "training_": pipe.training_,
        "choice_": pipe.choice_,
        "model": model_state,
    }
    return state, booster


def _pipeline_from(state: Mapping[str, Any], booster: str | None) -> RiskPipeline:
    from ..features import make_features

    lines = _lines_from(state["lines"])
    config = ModelConfig(**state["config"], source="model")
    rules = _rules_from(state["rules"])
    pipe = RiskPipeline(lines=lines, config=config, rules=rules, **state["params"])
    pipe._validate_params()
    empty = _empty_panel()
    domain = make_features(lines=lines, **state["features"]["params"]).fit(empty)
    if state["features"]["with_rules"]:
        rf = RuleFeatures(rules=rules, lines=lines).fit(empty)
        pipe.features_ = FeaturesWithRules(features=domain, rules=rf)
    else:
        pipe.features_ = domain
    pipe.model_ = _estimator_from(state["model"], booster)
    pipe.kind_ = str(state["kind_"])
    pipe.training_ = dict(state["training_"])
    pipe.choice_ = dict(state["choice_"])
    pipe.classes_ = np.array([0, 1])
    pipe.lines_, pipe.config_, pipe.rules_ = lines, config, rules
    names = [str(c) for c in pipe.features_.get_feature_names_out()]
    check_feature_columns(pipe.feature_names, names)
    return pipe


# -- the card -------------------------------------------------------------------------
def _card(model: Any, state: dict[str, Any], extra: dict | None, metrics: Any) -> dict:
    pipe = model if isinstance(model, RiskPipeline) else None
    est = model.model_ if pipe else model
    v = getattr(est, "validation_", {}) or {}
    card: dict[str, Any] = {
        "format": FORMAT,
        "kind": type(model).__name__,
        "model_kind": pipe.kind_ if pipe else type(est).__name__,
        "model_class": type(est).__name__,
        "versions": library_versions(),
        "feature_names": [str(c) for c in getattr(est, "feature_names_in_", [])],
        "n_features": int(est.n_features_in_),
        "estimator_params": _params(est),
        "calibration": {
            "method": getattr(est, "calibration_", "logistic"),
            "validation": v,
        },
        "validation_curve": v.get("early_stopping"),
        "n_rounds": getattr(est, "n_rounds_", None),
        "train_years": getattr(est, "train_years_", None),
        "metrics": metrics,
        "extra": extra or {},
    }
    if pipe is not None:
        card["training"] = pipe.training_
        card["train_years"] = pipe.training_.get("years")
        card["seed"] = pipe.training_.get("seed")
        card["lines"] = state["lines"]
        card["config"] = state["config"]
        card["rules"] = state["rules"]
        card["choice"] = pipe.choice_
    else:
        card["seed"] = getattr(est, "random_state", None)
    return card


def save_model(
    model: Any,
    directory: str | Path,
    *,
    metrics: Any = None,
    card_extra: dict | None = None,
) -> Path:
    """Write ``model.json``, ``booster.txt`` and ``model_card.json`` into ``directory``.

    The directory is written as a new sibling and swapped in whole; an existing
    directory that is not a model directory is refused. ``metrics`` (e.g.
    backtest results as plain dicts/lists) and ``card_extra`` (JSON-able, no
    personal data) go into the card. Returns the directory.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> y = (X[:, 0] > 1).astype(int)
    >>> m = RiskModel(n_estimators=5).fit(X, y)
    >>> d = save_model(m, tempfile.mkdtemp())
    >>> sorted(p.name for p in d.iterdir())  # with the manifest of a whole write
    ['.fanpin-output.json', 'booster.txt', 'model.json', 'model_card.json']
    >>> bool((load_model(d).predict_proba(X) == m.predict_proba(X)).all())
    True
    """
    if isinstance(model, RiskPipeline) and hasattr(model, "model_"):
        state, booster = _pipeline_state(model)
        obj = "RiskPipeline"
    elif isinstance(model, tuple(_CLASSES.values())) and hasattr(model, "validation_"):
        state, booster = _estimator_state(model)
        obj = type(model).__name__
    else:
        raise ModelError(Message(MSG_NOT_FITTED, kind=type(model).__name__))
    body = {"format": FORMAT, "object": obj, "state": state}
    files = {MODEL_NAME: _dumps(body)}
    if booster is not None:
        files[BOOSTER_NAME] = booster.encode("utf-8")
    card = _card(model, state, card_extra, metrics)
    card["files"] = {name: hashlib.sha256(b).hexdigest() for name, b in files.items()}
    card["model_sha256"] = card["files"][MODEL_NAME]
    card_bytes = _dumps(card)

    target = Path(directory)
    _check_model_directory(target)
    # written into a new folder beside it, swapped in whole (fanpin.io): a
    # crash or a kill leaves the previous good model, never a mix or nothing
    with replace_directory(target, owned=OWNED_FILES) as stage:
        for name, data in [*files.items(), (CARD_NAME, card_bytes)]:
            with open(stage / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    return target


def _check_model_directory(target: Path) -> None:
    """Refuse to replace a folder that holds files but is no model directory."""
    if target.exists() and not target.is_dir():
        raise OutputError(Message(MSG_NOT_A_DIR, path=str(target)))
    if target.is_dir() and any(target.iterdir()) and not (target / CARD_NAME).is_file():
        raise OutputError(
            Message(MSG_NOT_A_MODEL_DIR, path=str(target), card=CARD_NAME)
        )


# -- loading --------------------------------------------------------------------
def _read(path: Path, name: str) -> bytes:
    """The bytes of a regular file of a model directory (size-capped)."""
    if not path.is_file():  # missing, a folder, a FIFO, a device, a symlink loop
        raise ModelError(Message(MSG_NO_DIR, path=str(path.parent), name=name))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES[name]:
            raise ModelError(
                Message(MSG_TOO_BIG, path=str(path), size=size, limit=MAX_BYTES[name])
            )
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES[name] + 1)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ModelError(Message(MSG_BAD_FILE, path=str(path), why=why)) from None


def _json(data: bytes, path: Path, template: str = MSG_BAD_FILE) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        why = "too deeply nested" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise ModelError(Message(template, path=str(path), why=why)) from None


def _check_card(card: Any, p: Path) -> dict:
    def bad(why: str) -> ModelError:
        return ModelError(Message(MSG_BAD_CARD, path=str(p), why=why))

    if not isinstance(card, dict):
        raise bad(f"it holds a {type(card).__name__}, not an object")
    versions = card.get("versions", {})
    if not isinstance(versions, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in versions.items()
    ):
        raise bad("'versions' must map library names to version strings")
    fmt = card.get("format")
    if fmt == FORMAT:
        files = card.get("files")
        if (
            not isinstance(files, dict)
            or MODEL_NAME not in files
            or not all(k in FILES and isinstance(v, str) for k, v in files.items())
        ):
            raise bad(
                f"'files' must give the sha256 of {MODEL_NAME} (and {BOOSTER_NAME})"
            )
    elif not isinstance(fmt, int) or isinstance(fmt, bool):
        raise bad("no 'format' number")
    return card


def read_model_card(directory: str | Path) -> dict:
    """The model card of a model directory, as a dict (checked)."""
    d = Path(directory)
    old = interrupted_directory(d)
    if old is not None:
        raise ModelError(Message(MSG_INTERRUPTED, path=str(d), old=str(old)))
    p = d / CARD_NAME
    return _check_card(_json(_read(p, CARD_NAME), p, MSG_BAD_CARD), p)


def _check_versions(saved: dict) -> None:
    now = library_versions()
    for lib in ("scikit-learn", "lightgbm", "numpy", "pandas"):
        s, n = str(saved.get(lib, "unknown")), now[lib]
        if s == "unknown" or s == n:
            continue
        s_parts, n_parts = s.split("."), n.split(".")
        if lib in _STRICT and s_parts[0] != n_parts[0]:
            raise ModelError(Message(MSG_MAJOR, lib=lib, saved=s, now=n))
        if s_parts[:2] != n_parts[:2]:
            warnings.warn(
                Message(MSG_MINOR, lib=lib, saved=s, now=n),
                ModelVersionWarning,
                stacklevel=3,
            )


def load_model(directory: str | Path) -> Any:
    """Load a model saved by :func:`save_model`, after checking hashes and versions.

    Reads JSON and LightGBM's model text only; never unpickles.

    Raises
    ------
    ModelError
        A missing or unreadable file, a file whose sha256 differs from the card,
        a directory of the old pickle format, a major version mismatch of
        LightGBM, or a file that does not describe a fanpin model.
    """
    d = Path(directory)
    card = read_model_card(d)
    if card.get("format") != FORMAT:
        if (d / LEGACY_NAME).exists() or card.get("format") == 1:
            raise ModelError(Message(MSG_LEGACY, path=str(d)))
        raise ModelError(
            Message(MSG_BAD_CARD, path=str(d / CARD_NAME), why="unknown format")
        )
    data: dict[str, bytes] = {}
    for name, want in card["files"].items():
        data[name] = _read(d / name, name)
        got = hashlib.sha256(data[name]).hexdigest()
        if got != want:
            raise ModelError(
                Message(MSG_TAMPERED, file=str(d / name), got=got, want=want)
            )
    _check_versions(card.get("versions", {}))
    body = _json(data[MODEL_NAME], d / MODEL_NAME)
    booster = (
        data[BOOSTER_NAME].decode("utf-8", "replace") if BOOSTER_NAME in data else None
    )
    try:
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise ValueError("not a fanpin model file")
        if body["object"] == "RiskPipeline":
            model = _pipeline_from(body["state"], booster)
        else:
            model = _estimator_from(body["state"], booster)
    except ModelError:
        raise
    except Exception as exc:  # a crafted or foreign file: any error means "not ours"
        why = f"{type(exc).__name__}: {str(exc)[:160]}"
        raise ModelError(
            Message(MSG_BAD_FILE, path=str(d / MODEL_NAME), why=why)
        ) from None
    return model
