"""Workflow: assistance mapping, department pushes, alert lists, what-if, case store.

- :class:`AssistanceMap` turns ranked official risk types into measure categories
  and lead departments, with the labour / safety-net policy rules.
- :class:`CaseStore` keeps each alerted household's case (预警 -> 核查中 -> 已认定 ->
  帮扶中 -> 风险消除, or 已排除), its risk history and an audit trail, in SQLite
  or PostgreSQL; a closed case is reopened only on new evidence
  (:class:`ReopenRules`).
- :func:`write_workbooks` writes each township's verification workbook;
  :func:`read_verifications` and :meth:`CaseStore.apply_verifications` read
  the filled ones back; :func:`hit_rates` is the list's verified hit rate.

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
>>> int(run.scored["listed"].sum()) + run.counts["urgent"] == len(run.alerts)
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
from ._cases import MSG_IMPORT_REFUSED, CaseStore, VerificationSummary
from ._deadlines import DeadlineRules, alert_deadlines
from ._elimination import EliminationEvidence, EliminationRules
from ._reopen import EVIDENCE_KINDS, ReopenRules, alert_evidence
from ._states import (
    CATEGORIES,
    CLOSED_STATES,
    DEADLINE_STATES,
    ELIMINATION_METHODS,
    NEXT_STATES,
    STATES,
)
from ._upsert import (
    ALERT_COLUMNS,
    EVIDENCE_COLUMNS,
    UpsertSummary,
)
from ._verified_labels import VerifiedLabels, verified_labels

__all__ = [
    "ALERT_CHUNK_HOUSEHOLDS",
    "ALERT_COLUMNS",
    "MSG_IMPORT_REFUSED",
    "CATEGORIES",
    "CLOSED_STATES",
    "DEADLINE_STATES",
    "DeadlineRules",
    "ELIMINATION_METHODS",
    "EVIDENCE_COLUMNS",
    "EVIDENCE_KINDS",
    "NEXT_STATES",
    "REASON_DEVELOPMENTAL",
    "REASON_SAFETY_NET",
    "STATES",
    "AssistanceMap",
    "CaseStore",
    "EliminationEvidence",
    "EliminationRules",
    "Measure",
    "ReopenRules",
    "UpsertSummary",
    "VerificationSummary",
    "alert_evidence",
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
    CHECK_RESULTS,
    EXCEL_HEADERS,
    VERIFY_COLUMNS,
    attach_cases,
    read_pii,
    workbook_name,
    write_alert_files,
    write_township_workbook,
    write_workbooks,
)
from ._hit_rate import HIT_RATE_COLUMNS, hit_rates  # noqa: E402
from ._run import (  # noqa: E402
    ALERT_CHUNK_HOUSEHOLDS,
    AlertFileRun,
    AlertRun,
    run_alerts,
    run_alerts_file,
)
from ._selection import (  # noqa: E402
    LISTED_BY_MODEL,
    LISTED_BY_RULE,
    LISTED_URGENT,
    RULE_ALERT_COLUMNS,
    AlertSelection,
    select_alerts,
    with_rule_reasons,
)
from ._urgent import IDENTIFIED_STATES, SOURCE_RECORD  # noqa: E402
from ._verification import (  # noqa: E402
    VerificationRow,
    VerificationSheet,
    read_verifications,
)
from ._whatif import apply_measure, what_if, what_if_text  # noqa: E402

__all__ += [
    "ALERT_OUTPUT_COLUMNS",
    "ALERT_OUTPUT_FILES",
    "CHECK_RESULTS",
    "EXCEL_HEADERS",
    "LISTED_BY_MODEL",
    "LISTED_BY_RULE",
    "LISTED_URGENT",
    "IDENTIFIED_STATES",
    "SOURCE_RECORD",
    "RULE_ALERT_COLUMNS",
    "HIT_RATE_COLUMNS",
    "VERIFY_COLUMNS",
    "SOURCE_MODEL",
    "SOURCE_PUSH",
    "AlertFileRun",
    "AlertRun",
    "AlertSelection",
    "AppliedEvents",
    "VerificationRow",
    "VerificationSheet",
    "alert_cutoff",
    "apply_events",
    "apply_measure",
    "attach_cases",
    "build_alerts",
    "event_reason",
    "flag_capacity",
    "VerifiedLabels",
    "alert_deadlines",
    "hit_rates",
    "verified_labels",
    "level_of",
    "panel_households",
    "read_pii",
    "read_verifications",
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
