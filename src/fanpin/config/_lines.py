"""The line table: the monitoring line (防止返贫监测标准) and, from 2026, the other
lines of the joint identification (低保 standard, last year's rural per-capita
disposable income, the rigid-spending share), by province and year, as data.

The YAML file keeps the monitoring line at its top level (``default``,
``provinces``: files with only that line keep working) and one section per
other line type::

    default: {2024: 7300, 2025: {value: 7500, source: "...", placeholder: true}}
    provinces: {湖北省: {2023: 7600}}
    dibao: {default: {2025: 6000}, provinces: {}, source: "...", placeholder: true}
    disposable_income: {default: {2025: 23119}, source: "..."}
    rigid_spending_share: {default: 0.6, provinces: {云南省: 0.7}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..exceptions import ConfigError
from ..messages import N_, Message, did_you_mean
from ._line_tables import LineTable, LineValues, ShareTable, table_keys_check
from ._yaml import read_yaml

__all__ = [
    "LINE_TYPES",
    "LINE_TYPE_NAMES",
    "MonitoringLines",
    "load_monitoring_lines",
]

NATIONAL_FLOOR_2021 = 6000.0
"""The national floor of the monitoring line from 2021 on (yuan per person and
year): 1.5 x the 2020 poverty line. Provinces set their own lines from 2022,
never below it."""
FLOOR_FROM = 2021
MIN_YEARLY_YUAN = 2000.0
"""Lowest yearly 低保 standard or disposable income accepted: a smaller figure is
a monthly one (rural 低保 standards have been above 4,000 yuan a year since
2021)."""

LINE_TYPES = ("monitoring", "dibao", "disposable_income", "rigid_spending_share")
"""The line types of the table; only ``monitoring`` is required."""
OPTIONAL_LINE_TYPES = LINE_TYPES[1:]
LINE_TYPE_NAMES = {
    "monitoring": "防止返贫监测标准",
    "dibao": "低保标准",
    "disposable_income": "上年农村居民人均可支配收入",
    "rigid_spending_share": "刚性支出占收入比例",
}
"""The Chinese name of each line type, as shown to staff."""
SECTION_KEYS = ("default", "provinces", "source", "placeholder")
FILE_KEYS = ("default", "provinces", *OPTIONAL_LINE_TYPES)

MSG_BELOW_FLOOR = N_(
    "{where}: the line for {year} is {value:,.0f} yuan, below the national floor of "
    "{floor:,.0f} yuan that every monitoring line has kept since 2021 (provinces "
    "set their own lines, never below it). Check the value (yuan per person per "
    "year, not per month)."
)
MSG_MONTHLY = N_(
    "{where}: the value for {year} is {value:,.0f} yuan, below {floor:,.0f}: it "
    "looks like a monthly figure (x 12 = {yearly:,.0f}). Write yuan per person per "
    "year."
)
MSG_EMPTY = N_("monitoring lines 'default' is empty; give at least one year.")
MSG_NO_YEAR = N_(
    "The monitoring lines ({source}) have no value for year(s) {years}: 'default' "
    "covers {covered}. Add the year(s) under 'default' (or under the province) in "
    "your lines file and pass it with --lines."
)
MSG_SECTION = N_(
    "The {kind!r} section of the lines must be a mapping with 'default' and/or "
    "'provinces' (and optionally 'source', 'placeholder'); got {got}."
)
MSG_LINE_TYPE = N_("Unknown line type {line_type!r}{hint}; known: {known}.")
MSG_NO_DEFAULT = N_(
    "Monitoring lines file {path!r} must have a 'default' mapping of year to yuan, "
    "e.g. 'default: {{2021: 6000, 2022: 6600}}', and optionally 'provinces' and the "
    "sections 'dibao', 'disposable_income', 'rigid_spending_share'."
)
MSG_FILE_KEYS = N_(
    "Monitoring lines file {path!r} has unknown key(s) {unknown}; only {allowed} "
    "are allowed."
)
MSG_FILE_PROVINCES = N_(
    "'provinces' in {path!r} must map province names to year tables."
)


def _floor_check(where: str, year: int, value: float) -> None:
    if year >= FLOOR_FROM and value < NATIONAL_FLOOR_2021:
        raise ConfigError(
            Message(
                MSG_BELOW_FLOOR,
                where=where,
                year=year,
                value=value,
                floor=NATIONAL_FLOOR_2021,
            )
        )


def _yearly_check(where: str, year: int, value: float) -> None:
    if value < MIN_YEARLY_YUAN:
        raise ConfigError(
            Message(
                MSG_MONTHLY,
                where=where,
                year=year,
                value=value,
                floor=MIN_YEARLY_YUAN,
                yearly=value * 12,
            )
        )


def _section(kind: str, raw: object) -> LineTable | ShareTable | None:
    """The table of an optional line type, from its YAML section (or a table)."""
    if raw is None or isinstance(raw, (LineTable, ShareTable)):
        return raw
    where = f"{kind} lines ({LINE_TYPE_NAMES[kind]})"
    if not isinstance(raw, Mapping):
        raise ConfigError(Message(MSG_SECTION, kind=kind, got=type(raw).__name__))
    table_keys_check(raw, where, SECTION_KEYS)
    args = {str(k): v for k, v in raw.items()}
    if kind == "rigid_spending_share":
        return ShareTable(**args, name=where)
    return LineTable(**args, name=where, check=_yearly_check)


@dataclass(frozen=True)
class MonitoringLines:
    """The line table: the monitoring line by province and year and, optionally,
    the other line types of the 2026 joint identification.

    The monitoring line (防止返贫监测标准, line type ``monitoring``) is required:
    a province's missing year falls back to ``default``; a year missing from
    ``default`` is an error naming the year. The other line types are optional
    (:data:`LINE_TYPES`); rules that need one that is missing for a household's
    province and year are not checked for it, with a note.

    Parameters
    ----------
    default : mapping of int to float
        The monitoring line used where a province has no value of its own. A
        value may be written ``{value: 7600, source: "...", placeholder: true}``.
    provinces : mapping of str to (mapping of int to float)
        Provincial overrides, keyed by province as written in the data.
    source : str
        Where the table came from (a path, or ``"inline"``).
    dibao : mapping, optional
        The local 低保 standard, yuan per person per year: ``{default: {year:
        yuan}, provinces: {...}, source: ..., placeholder: ...}``.
    disposable_income : mapping, optional
        Last year's rural per-capita disposable income, same shape. The value
        under year t is the figure that assessments of year t compare with
        (the statistics of year t - 1).
    rigid_spending_share : mapping, optional
        The local share of household income above which rigid spending makes a
        household 刚性支出困难, per province (no years): ``{default: 0.6,
        provinces: {云南省: 0.7}}``.

    Examples
    --------
    >>> lines = MonitoringLines(default={2023: 7100},
    ...                         provinces={"湖北省": {2023: 7600}})
    >>> lines.line("湖北省", 2023), lines.line("云南省", 2023)
    (7600.0, 7100.0)
    >>> lines.has("dibao")
    False
    >>> lines = MonitoringLines(default={2023: 7100},
    ...     dibao={"default": {2023: 6000}, "placeholder": True})
    >>> v = lines.values("dibao", pd.Series(["云南省"]), pd.Series([2023]))
    >>> v.values.tolist(), v.placeholder.tolist()
    ([6000.0], [True])
    """

    default: Mapping[int, float]
    provinces: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    source: str = "inline"
    dibao: Any = None
    disposable_income: Any = None
    rigid_spending_share: Any = None
    monitoring: LineTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mon = LineTable(
            default=self.default,
            provinces=self.provinces or {},
            name="monitoring lines",
            check=_floor_check,
        )
        if not mon.default:
            raise ConfigError(MSG_EMPTY)
        object.__setattr__(self, "monitoring", mon)
        object.__setattr__(self, "default", mon.default)
        object.__setattr__(self, "provinces", mon.provinces)
        for kind in OPTIONAL_LINE_TYPES:
            object.__setattr__(self, kind, _section(kind, getattr(self, kind)))

    def __reduce__(self):
        # MappingProxyType cannot be pickled or deep-copied: rebuild from plain dicts
        # (this makes ``sklearn.clone`` and joblib work on objects holding lines).
        d = self.to_dict()
        return (_rebuild, (d, self.source))

    @property
    def years(self) -> list[int]:
        """Years covered by ``default``."""
        return sorted(self.default)

    @property
    def line_types(self) -> tuple[str, ...]:
        """The line types this table holds (``monitoring`` always)."""
        return tuple(k for k in LINE_TYPES if self.has(k))

    def has(self, line_type: str) -> bool:
        """Whether the table holds ``line_type`` (for some province or year)."""
        return self.table(line_type) is not None

    def table(self, line_type: str) -> LineTable | ShareTable | None:
        """The table of one line type (None when absent)."""
        if line_type not in LINE_TYPES:
            raise ConfigError(
                Message(
                    MSG_LINE_TYPE,
                    line_type=line_type,
                    known=", ".join(LINE_TYPES),
                    hint=did_you_mean(line_type, LINE_TYPES),
                )
            )
        return self.monitoring if line_type == "monitoring" else getattr(
            self, line_type
        )

    def line(self, province: str, year: int) -> float:
        """The monitoring line of one province in one year."""
        return float(self.lookup(pd.Series([province]), pd.Series([year]))[0])

    def lookup(self, province: pd.Series, year: pd.Series) -> np.ndarray:
        """Vectorised monitoring line for each (province, year) pair.

        Raises
        ------
        ConfigError
            If a year is neither in the province's own table nor in ``default``.
        """
        out = self.monitoring.lookup(province, year).values
        missing = np.isnan(out)
        if missing.any():
            yr = np.asarray(year)[missing].astype("int64")
            years = sorted(set(yr.tolist()))
            raise ConfigError(
                Message(
                    MSG_NO_YEAR,
                    source=self.source,
                    years=", ".join(map(str, years)),
                    covered=self.years,
                )
            )
        return out

    def values(
        self, line_type: str, province: pd.Series, year: pd.Series
    ) -> LineValues:
        """Values of any line type row by row: NaN where the table has none (the
        line type is absent, or has no value for that province and year), with
        the placeholder flags of the values used."""
        table = self.table(line_type)
        if table is None:
            n = len(np.asarray(province))
            return LineValues(np.full(n, np.nan), np.zeros(n, dtype=bool))
        return table.lookup(province, year)

    def carried_forward(self, years: list[int]) -> MonitoringLines:
        """This table with the years after its last one set to the last year's
        values, for every line type by year (records of a year whose lines are
        not published yet); the carried values are marked as such."""
        d = self.to_dict()
        for kind in ("monitoring", "dibao", "disposable_income"):
            table = self.table(kind)
            if table is None:
                continue
            carried = table.with_years(sorted(years)).to_dict()
            if kind == "monitoring":
                d["default"], d["provinces"] = carried["default"], carried["provinces"]
            else:
                d[kind] = carried
        return _rebuild(d, self.source)

    def to_dict(self) -> dict:
        """Plain-dict form, as written to YAML and to model cards (values with a
        source of their own as ``{value, source, placeholder}``)."""
        mon = self.monitoring.to_dict()
        out = {"default": mon["default"], "provinces": mon["provinces"]}
        for kind in OPTIONAL_LINE_TYPES:
            table = getattr(self, kind)
            if table is not None:
                out[kind] = table.to_dict()
        return out

    def to_yaml(self) -> str:
        """YAML text of the table (readable back with :func:`load_monitoring_lines`)."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=True)


def _rebuild(d: Mapping, source: str) -> MonitoringLines:
    return MonitoringLines(**d, source=source)


def load_monitoring_lines(path: str | Path | None = None) -> MonitoringLines:
    """Load a monitoring-lines YAML file (the shipped default when ``path`` is None).

    Examples
    --------
    >>> lines = load_monitoring_lines()
    >>> lines.line("湖北省", 2023)
    7600.0
    >>> lines.line("any province", 2021)
    6000.0
    """
    data, p = read_yaml(path, "monitoring_lines.yaml")
    if not isinstance(data, Mapping) or "default" not in data:
        raise ConfigError(Message(MSG_NO_DEFAULT, path=str(p)))
    unknown = sorted(set(map(str, data)) - set(FILE_KEYS))
    if unknown:
        raise ConfigError(
            Message(
                MSG_FILE_KEYS, path=str(p), unknown=unknown, allowed=list(FILE_KEYS)
            )
        )
    provinces = data.get("provinces") or {}
    if not isinstance(provinces, Mapping):
        raise ConfigError(Message(MSG_FILE_PROVINCES, path=str(p)))
    sections = {k: data[k] for k in OPTIONAL_LINE_TYPES if k in data}
    return MonitoringLines(
        default=data["default"], provinces=provinces, source=str(p), **sections
    )
