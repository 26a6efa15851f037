"""Configs: YAML files under ``configs/``, loaded at the edge into frozen, checked
dataclasses.

Every loader takes the user's own file (``path``) and falls back to the shipped
default when given None. :func:`load_configs` loads them all at once into one
:class:`Configs` bundle (what the command line does, once per command);
library functions given no config use :func:`shipped_configs`.

Examples
--------
>>> cfg = load_configs()  # the shipped files; pass your own paths to override
>>> cfg.alerts.min_level, cfg.alerts.capacity_of("乙镇"), max(cfg.lines.default)
('中', 30, 2025)
"""

from ._line_tables import LineSource, LineTable, LineValues, ShareTable
from ._lines import (
    LINE_TYPE_NAMES,
    LINE_TYPES,
    MonitoringLines,
    load_monitoring_lines,
)
from ._model import (
    BOOSTER_DEFAULTS,
    BOOSTER_PARAMS,
    MODEL_KINDS,
    RISK_MODEL_CONSTRAINTS,
    ModelConfig,
    load_model_config,
)
from ._rules import (
    REASON_FIELDS,
    RULE_KINDS,
    RULE_LINE_TYPES,
    RulesConfig,
    RuleSpec,
    load_rules_config,
)
from ._yaml import default_config_path, read_yaml

__all__ = [
    "BOOSTER_DEFAULTS",
    "BOOSTER_PARAMS",
    "LINE_TYPES",
    "LINE_TYPE_NAMES",
    "MODEL_KINDS",
    "REASON_FIELDS",
    "RISK_MODEL_CONSTRAINTS",
    "RULE_KINDS",
    "RULE_LINE_TYPES",
    "LineSource",
    "LineTable",
    "LineValues",
    "ModelConfig",
    "MonitoringLines",
    "RuleSpec",
    "RulesConfig",
    "ShareTable",
    "default_config_path",
    "load_model_config",
    "load_monitoring_lines",
    "load_rules_config",
    "read_yaml",
]

from ._assistance import (  # noqa: E402
    DEPARTMENTS,
    MEASURE_CATEGORIES,
    WHAT_IF_TEXTS,
    AssistanceConfig,
    MeasureSpec,
    RuleItem,
    load_assistance_config,
)
from ._evidence import VALUE_FIELDS, Condition, parse_condition  # noqa: E402
from ._explain import (  # noqa: E402
    CompositeRule,
    EvidenceRule,
    StructuralRule,
    Template,
)
from ._risk_types import RiskType, RiskTypes, load_risk_types  # noqa: E402

__all__ += [
    "DEPARTMENTS",
    "MEASURE_CATEGORIES",
    "VALUE_FIELDS",
    "WHAT_IF_TEXTS",
    "AssistanceConfig",
    "CompositeRule",
    "Condition",
    "EvidenceRule",
    "MeasureSpec",
    "RiskType",
    "RiskTypes",
    "RuleItem",
    "StructuralRule",
    "Template",
    "load_assistance_config",
    "load_risk_types",
    "parse_condition",
]

from ._alerts import (  # noqa: E402
    ALERT_LEVELS,
    WHAT_IF_MEASURES,
    AlertsConfig,
    load_alerts_config,
)

__all__ += [
    "ALERT_LEVELS",
    "WHAT_IF_MEASURES",
    "AlertsConfig",
    "load_alerts_config",
]

from ._pushes import CollectionDates, PushesConfig, load_pushes_config  # noqa: E402

__all__ += ["CollectionDates", "PushesConfig", "load_pushes_config"]

from ._bundle import Configs, load_configs, shipped_configs  # noqa: E402

__all__ += ["Configs", "load_configs", "shipped_configs"]
