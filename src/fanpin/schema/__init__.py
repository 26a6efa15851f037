"""The household contract as code: columns, aliases, reading, validation, hardship,
labels.

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(200, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> panel = validate_households(sim.panel)
>>> len(panel) == len(sim.panel), in_hardship(panel, sim.lines).dtype.name
(True, 'bool')
"""

from ._columns import (
    COLUMNS,
    EVENT_COLUMNS,
    EVENT_SOURCES,
    EVENT_TYPES,
    HOUSEHOLD_TYPES,
    MONITOR_CATEGORIES,
    PII_COLUMNS,
    Column,
    column,
    columns_markdown,
)
from ._convert import ROW_GROUP_ROWS, ConvertSummary, convert_households
from ._events import (
    EVENT_SKIP_REASONS,
    SKIP_DATE,
    SKIP_FUTURE,
    SKIP_SOURCE,
    SKIP_TYPE,
    SKIP_UNKNOWN,
    source_names,
    validate_events,
)
from ._hardship import (
    HARDSHIP_REASONS,
    hardship_reasons,
    in_hardship,
    income_below_line,
    make_labels,
    per_capita_income,
    per_capita_income_after_rigid,
)
from ._headers import normalise_headers
from ._read import EVENT_HEADER_NAMES, HEADER_NAMES, read_events, read_households
from ._summary import summarise_panel
from ._validate import validate_households

__all__ = [
    "COLUMNS",
    "ConvertSummary",
    "EVENT_COLUMNS",
    "EVENT_HEADER_NAMES",
    "EVENT_SKIP_REASONS",
    "SKIP_DATE",
    "SKIP_FUTURE",
    "SKIP_SOURCE",
    "SKIP_TYPE",
    "SKIP_UNKNOWN",
    "EVENT_SOURCES",
    "EVENT_TYPES",
    "HARDSHIP_REASONS",
    "HEADER_NAMES",
    "HOUSEHOLD_TYPES",
    "MONITOR_CATEGORIES",
    "PII_COLUMNS",
    "ROW_GROUP_ROWS",
    "Column",
    "column",
    "columns_markdown",
    "convert_households",
    "hardship_reasons",
    "in_hardship",
    "income_below_line",
    "make_labels",
    "normalise_headers",
    "per_capita_income",
    "per_capita_income_after_rigid",
    "read_events",
    "read_households",
    "source_names",
    "summarise_panel",
    "validate_events",
    "validate_households",
]
