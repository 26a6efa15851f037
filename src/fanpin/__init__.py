"""fanpin: find rural households about to fall (back) into poverty, say why, and help.

Stages, each a subpackage (dependencies point one way, top to bottom):

- :mod:`fanpin.schema`     the household contract: columns, aliases, reading,
                           validation,
                           hardship and labels.
- :mod:`fanpin.config`     YAML configs (monitoring lines, rules, model, risk types,
                           assistance, alerts) loaded into frozen, checked dataclasses.
- :mod:`fanpin.synthetic`  a calibrated household-panel simulator with its true risks.
- :mod:`fanpin.features`   one scikit-learn transformer per risk domain.
- :mod:`fanpin.rules`      today's practice as configurable rules (the baseline).
- :mod:`fanpin.models`     the calibrated LightGBM risk model, a logistic baseline,
                           persistence with a model card.
- :mod:`fanpin.evaluate`   temporal backtests, capacity metrics, group metrics.
- :mod:`fanpin.monitor`    drift (PSI), calibration over time, group monitoring.
- :mod:`fanpin.explain`    SHAP values -> risk domains -> official risk types ->
                           Chinese sentences.
- :mod:`fanpin.workflow`   alerts, assistance mapping, department pushes, case store.
- :mod:`fanpin.io`         chunked readers and atomic writers.
- :mod:`fanpin.ranking`    the ranked order, risk levels and the alert cutoff.
- :mod:`fanpin.scoring`    the streaming engine of score and alerts (threads or Dask).
- :mod:`fanpin.cli`        the ``fanpin`` command (the only place that prints).

The entry points of a session are also here, imported on first use:

Examples
--------
>>> import fanpin
>>> sim = fanpin.simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
...                       params=fanpin.SimulationParams(oracle_draws=1))
>>> model = fanpin.train_risk_model(sim.panel, sim.lines, seed=0)
>>> scores, monitored = fanpin.score_panel(model, sim.panel)
>>> len(scores) + len(monitored) == 300
True
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from .exceptions import ConfigError, FanpinError, SchemaError

#: The entry points of a session, by the subpackage that owns them. They are
#: imported on first use (``fanpin.simulate``), so ``import fanpin`` stays quick
#: and loads neither LightGBM nor SHAP.
_ENTRY_POINTS = {
    "load_configs": "config",
    "shipped_configs": "config",
    "read_households": "schema",
    "validate_households": "schema",
    "read_events": "schema",
    "simulate": "synthetic",
    "SimulationParams": "synthetic",
    "RuleBaseline": "rules",
    "train_risk_model": "models",
    "load_model": "models",
    "save_model": "models",
    "RiskPipeline": "models",
    "TemporalSplit": "evaluate",
    "backtest": "evaluate",
    "score_panel": "scoring",
    "score_file": "scoring",
    "explain_households": "explain",
    "run_alerts": "workflow",
    "run_alerts_file": "workflow",
    "what_if": "workflow",
    "CaseStore": "workflow",
}


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fanpin")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


__version__ = _installed_version()
del _installed_version


def __getattr__(name: str) -> _Any:
    """Import an entry point of :data:`_ENTRY_POINTS` on first use."""
    part = _ENTRY_POINTS.get(name)
    if part is None:
        raise AttributeError(f"module 'fanpin' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{part}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_ENTRY_POINTS})


if _TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from .config import load_configs, shipped_configs
    from .evaluate import TemporalSplit, backtest
    from .explain import explain_households
    from .models import (
        RiskPipeline,
        load_model,
        save_model,
        train_risk_model,
    )
    from .rules import RuleBaseline
    from .schema import read_events, read_households, validate_households
    from .scoring import score_file, score_panel
    from .synthetic import SimulationParams, simulate
    from .workflow import CaseStore, run_alerts, run_alerts_file, what_if

__all__ = [
    "CaseStore",
    "ConfigError",
    "FanpinError",
    "RiskPipeline",
    "RuleBaseline",
    "SchemaError",
    "SimulationParams",
    "TemporalSplit",
    "__version__",
    "backtest",
    "explain_households",
    "load_configs",
    "load_model",
    "read_events",
    "read_households",
    "run_alerts",
    "run_alerts_file",
    "save_model",
    "score_file",
    "score_panel",
    "shipped_configs",
    "simulate",
    "train_risk_model",
    "validate_households",
    "what_if",
]
