"""Workflow: assistance mapping and the case store (alerts and events come next).

- :class:`AssistanceMap` turns ranked official risk types into measure categories
  and lead departments, with the labour / safety-net policy rules.
- :class:`CaseStore` keeps each alerted household's case (预警 -> 核查中 -> 已认定 ->
  帮扶中 -> 风险消除, or 已排除), its risk history and an audit trail, in SQLite
  or PostgreSQL.
"""

from ._assistance import (
    REASON_DEVELOPMENTAL,
    REASON_SAFETY_NET,
    AssistanceMap,
    Measure,
    load_assistance_map,
    split_codes,
)
from ._cases import CaseStore
from ._elimination import EliminationEvidence, EliminationRules
from ._states import (
    CATEGORIES,
    CLOSED_STATES,
    ELIMINATION_METHODS,
    NEXT_STATES,
    STATES,
)
from ._upsert import ALERT_COLUMNS, RISK_LEVELS, UpsertSummary

__all__ = [
    "ALERT_COLUMNS",
    "CATEGORIES",
    "CLOSED_STATES",
    "ELIMINATION_METHODS",
    "NEXT_STATES",
    "REASON_DEVELOPMENTAL",
    "REASON_SAFETY_NET",
    "RISK_LEVELS",
    "STATES",
    "AssistanceMap",
    "CaseStore",
    "EliminationEvidence",
    "EliminationRules",
    "Measure",
    "UpsertSummary",
    "load_assistance_map",
    "split_codes",
]
