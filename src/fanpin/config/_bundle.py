"""Every config of a run in one checked bundle, loaded once at the edge.

The command line (or a notebook, or a system that embeds fanpin) loads the
user's files once with :func:`load_configs` and passes the bundle's parts
down; library functions never read a YAML file themselves. A function called
without a config uses :func:`shipped_configs`: the files shipped with fanpin,
read once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ._alerts import AlertsConfig, load_alerts_config
from ._assistance import AssistanceConfig, load_assistance_config
from ._lines import MonitoringLines, load_monitoring_lines
from ._model import ModelConfig, load_model_config
from ._pushes import PushesConfig, load_pushes_config
from ._risk_types import RiskTypes, load_risk_types
from ._rules import RulesConfig, load_rules_config

__all__ = ["Configs", "load_configs", "shipped_configs"]

PathLike = str | Path | None


@dataclass(frozen=True)
class Configs:
    """The configs of a run, each checked (see the loaders).

    Attributes
    ----------
    lines : MonitoringLines
        ``monitoring_lines.yaml``.
    model : ModelConfig
        ``model.yaml``.
    rules : RulesConfig
        ``rules.yaml``.
    alerts : AlertsConfig
        ``alerts.yaml``.
    risk_types : RiskTypes
        ``risk_types.yaml``: the official risk types, their evidence rules
        and sentences (what the explanations use).
    assistance : AssistanceConfig
        ``assistance.yaml``.
    pushes : PushesConfig
        ``pushes.yaml``: the annual records' collection dates and the names
        of the push sources.

    Examples
    --------
    >>> cfg = load_configs()
    >>> cfg.alerts.deadline_days, cfg.model.risk_levels["method"]
    (15, 'share')
    """

    lines: MonitoringLines
    model: ModelConfig
    rules: RulesConfig
    alerts: AlertsConfig
    risk_types: RiskTypes
    assistance: AssistanceConfig
    pushes: PushesConfig = field(default_factory=PushesConfig)


def load_configs(
    *,
    lines: PathLike = None,
    model: PathLike = None,
    rules: PathLike = None,
    alerts: PathLike = None,
    risk_types: PathLike = None,
    assistance: PathLike = None,
    pushes: PathLike = None,
) -> Configs:
    """Load every config: the user's file where given, else the shipped one.

    Parameters
    ----------
    lines, model, rules, alerts, risk_types, assistance, pushes : str or Path, optional
        ``monitoring_lines.yaml``, ``model.yaml``, ``rules.yaml``,
        ``alerts.yaml``, ``risk_types.yaml`` (risk types, evidence, sentences),
        ``assistance.yaml`` and ``pushes.yaml`` of the user.

    Raises
    ------
    ConfigError
        Naming the file, the key and what is allowed, for the first bad file.
    """
    given = (lines, model, rules, alerts, risk_types, assistance, pushes)
    if all(p is None for p in given):
        return shipped_configs()
    shipped = shipped_configs()

    def pick(path: PathLike, loader, default):  # noqa: ANN001, ANN202
        return default if path is None else loader(path)

    return Configs(
        lines=pick(lines, load_monitoring_lines, shipped.lines),
        model=pick(model, load_model_config, shipped.model),
        rules=pick(rules, load_rules_config, shipped.rules),
        alerts=pick(alerts, load_alerts_config, shipped.alerts),
        risk_types=pick(risk_types, load_risk_types, shipped.risk_types),
        assistance=pick(assistance, load_assistance_config, shipped.assistance),
        pushes=pick(pushes, load_pushes_config, shipped.pushes),
    )


@lru_cache(maxsize=1)
def shipped_configs() -> Configs:
    """The configs shipped with fanpin (``fanpin/configs/*.yaml``), read once.

    What a library function uses when it is given no config.

    Examples
    --------
    >>> shipped_configs() is shipped_configs()
    True
    """
    return Configs(
        lines=load_monitoring_lines(),
        model=load_model_config(),
        rules=load_rules_config(),
        alerts=load_alerts_config(),
        risk_types=load_risk_types(),
        assistance=load_assistance_config(),
        pushes=load_pushes_config(),
    )
