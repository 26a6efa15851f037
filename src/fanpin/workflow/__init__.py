"""Workflow: assistance mapping, department pushes, alert lists, what-if, case store.

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

from ._alerts import (  # noqa: E402
    ALERT_OUTPUT_COLUMNS,
    SOURCE_MODEL,
    SOURCE_PUSH,
    alert_cutoff,
    build_alerts,
    flag_capacity,
    level_of,
)
from ._events import AppliedEvents, apply_events, event_reason  # noqa: E402
from ._export import (  # noqa: E402
    ALERT_OUTPUT_FILES,
    EXCEL_HEADERS,
    read_pii,
    workbook_name,
    write_alert_files,
    write_township_workbook,
    write_workbooks,
)
from ._run import AlertRun, run_alerts  # noqa: E402
from ._selection import (  # noqa: E402
    LISTED_BY_MODEL,
    LISTED_BY_RULE,
    RULE_ALERT_COLUMNS,
    AlertSelection,
    select_alerts,
    with_rule_reasons,
)
from ._stream import AlertFileRun, panel_households, run_alerts_file  # noqa: E402
from ._whatif import apply_measure, what_if, what_if_text  # noqa: E402

__all__ += [
    "ALERT_OUTPUT_COLUMNS",
    "ALERT_OUTPUT_FILES",
    "EXCEL_HEADERS",
    "LISTED_BY_MODEL",
    "LISTED_BY_RULE",
    "RULE_ALERT_COLUMNS",
    "SOURCE_MODEL",
    "SOURCE_PUSH",
    "AlertFileRun",
    "AlertRun",
    "AlertSelection",
    "AppliedEvents",
    "alert_cutoff",
    "apply_events",
    "apply_measure",
    "build_alerts",
    "event_reason",
    "flag_capacity",
    "level_of",
    "panel_households",
    "read_pii",
    "run_alerts",
    "run_alerts_file",
    "select_alerts",
    "what_if",
    "what_if_text",
    "with_rule_reasons",
    "workbook_name",
    "write_alert_files",
    "write_township_workbook",
    "write_workbooks",
]
