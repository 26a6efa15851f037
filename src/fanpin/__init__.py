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
"""

from .exceptions import ConfigError, FanpinError, SchemaError


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fanpin")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


__version__ = _installed_version()
del _installed_version

__all__ = ["ConfigError", "FanpinError", "SchemaError", "__version__"]
