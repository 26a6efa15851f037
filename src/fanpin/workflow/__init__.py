"""Workflow: assistance mapping, department pushes, alert lists, what-if, case store.

- :class:`AssistanceMap` turns ranked official risk types into measure categories
  and lead departments, with the labour / safety-net policy rules.
- :class:`CaseStore` keeps each alerted household's case (预警 -> 核查中 -> 已认定 ->
  帮扶中 -> 风险消除, or 已排除), its risk history and an audit trail, in SQLite
  or PostgreSQL.

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> from fanpin.config import ModelConfig
>>> from fanpin.models import train_risk_model
>>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
>>> run = run_alerts(model, sim.panel, as_of="2025-03-31", capacity=3)
>>> int(run.scored["listed"].sum()) == len(run.alerts)
True
>>> run.alerts[["household_id", "risk_level", "reasons", "measures"]].shape[1]
4
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
from ._upsert import ALERT_COLUMNS, UpsertSummary

__all__ = [
    "ALERT_COLUMNS",
    "CATEGORIES",
    "CLOSED_STATES",
    "ELIMINATION_METHODS",
    "NEXT_STATES",
    "REASON_DEVELOPMENTAL",
    "REASON_SAFETY_NET",
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

from ..scoring import panel_households  # noqa: E402
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
from ._run import AlertFileRun, AlertRun, run_alerts, run_alerts_file  # noqa: E402
from ._selection import (  # noqa: E402
    LISTED_BY_MODEL,
    LISTED_BY_RULE,
    RULE_ALERT_COLUMNS,
    AlertSelection,
    select_alerts,
    with_rule_reasons,
)
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
