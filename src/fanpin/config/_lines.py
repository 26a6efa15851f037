"""The monitoring line (防止返贫监测标准): a province x year table, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import yaml

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._yaml import read_yaml

__all__ = ["MonitoringLines", "load_monitoring_lines"]

NATIONAL_FLOOR_2021 = 6000.0
"""The national floor of the monitoring line from 2021 on (yuan per person and
year): 1.5 x the 2020 poverty line. Provinces set their own lines from 2022,
never below it."""
FLOOR_FROM = 2021

MSG_BELOW_FLOOR = N_(
    "{where}: the line for {year} is {value:,.0f} yuan, below the national floor of "
    "{floor:,.0f} yuan that every monitoring line has kept since 2021 (provinces "
    "set their own lines, never below it). Check the value (yuan per person per "
    "year, not per month)."
)


def _year_table(raw: object, where: str) -> dict[int, float]:
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{where} must map years to yuan, like {{2023: 7100}}; got "
            f"{type(raw).__name__}."
        )
    out: dict[int, float] = {}
    for k, v in raw.items():
        try:
            year = int(str(k).strip().rstrip("年"))
        except ValueError:
            raise ConfigError(
                f"{where}: {k!r} is not a year; write years as 2023."
            ) from None
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not np.isfinite(v)
            or v <= 0
        ):
            raise ConfigError(
                f"{where}: the line for {year} must be a positive number of yuan; "
                f"got {v!r}."
            )
        if year >= FLOOR_FROM and v < NATIONAL_FLOOR_2021:
            raise ConfigError(
                Message(
                    MSG_BELOW_FLOOR,
                    where=where,
                    year=year,
                    value=float(v),
                    floor=NATIONAL_FLOOR_2021,
                )
            )
        out[year] = float(v)
    return out


@dataclass(frozen=True)
class MonitoringLines:
    """Per-capita yearly income lines by province and year.

    A province's missing year falls back to ``default``; a year missing from
    ``default`` is an error naming the year.

    Parameters
    ----------
    default : mapping of int to float
        The line used where a province has no value of its own.
    provinces : mapping of str to (mapping of int to float)
        Provincial overrides, keyed by province as written in the data.
    source : str
        Where the table came from (a path, or ``"inline"``).

    Examples
    --------
    >>> lines = MonitoringLines(default={2023: 7100},
    ...                         provinces={"湖北省": {2023: 7600}})
    >>> lines.line("湖北省", 2023), lines.line("云南省", 2023)
    (7600.0, 7100.0)
    """

    default: Mapping[int, float]
    provinces: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    source: str = "inline"

    def __post_init__(self) -> None:
        default = _year_table(self.default, "monitoring lines 'default'")
        if not default:
            raise ConfigError(
                "monitoring lines 'default' is empty; give at least one year."
            )
        provinces = {
            str(p): MappingProxyType(_year_table(t, f"monitoring lines for {p!r}"))
            for p, t in (self.provinces or {}).items()
        }
        object.__setattr__(self, "default", MappingProxyType(default))
        object.__setattr__(self, "provinces", MappingProxyType(provinces))

    def __reduce__(self):
        # MappingProxyType cannot be pickled or deep-copied: rebuild from plain dicts
        # (this makes ``sklearn.clone`` and joblib work on objects holding lines).
        d = self.to_dict()
        return (type(self), (d["default"], d["provinces"], self.source))

    @property
    def years(self) -> list[int]:
        """Years covered by ``default``."""
        return sorted(self.default)

    def line(self, province: str, year: int) -> float:
        """The line of one province in one year."""
        return float(self.lookup(pd.Series([province]), pd.Series([year]))[0])

    def lookup(self, province: pd.Series, year: pd.Series) -> np.ndarray:
        """Vectorised line for each (province, year) pair.

        Raises
        ------
        ConfigError
            If a year is neither in the province's own table nor in ``default``.
        """
        prov = pd.Series(np.asarray(province, dtype=object)).astype(str).str.strip()
        yr = pd.Series(np.asarray(year)).astype("int64")
        out = yr.map(self.default).astype("float64").to_numpy(copy=True)
        for name, table in self.provinces.items():
            mask = (prov == name).to_numpy()
            if mask.any():
                own = yr[mask].map(table).astype("float64").to_numpy()
                out[mask] = np.where(np.isnan(own), out[mask], own)
        missing = np.isnan(out)
        if missing.any():
            years = sorted(set(yr[missing].tolist()))
            raise ConfigError(
                f"The monitoring lines ({self.source}) have no value for year(s) "
                f"{', '.join(map(str, years))}: 'default' covers {self.years}. Add the "
                "year(s) under 'default' (or under the province) in your lines file "
                "and pass it with --lines."
            )
        return out

    def to_dict(self) -> dict:
        """Plain-dict form, as written to YAML and to model cards."""
        return {
            "default": dict(self.default),
            "provinces": {p: dict(t) for p, t in self.provinces.items()},
        }

    def to_yaml(self) -> str:
        """YAML text of the table (readable back with :func:`load_monitoring_lines`)."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=True)


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
        raise ConfigError(
            f"Monitoring lines file {str(p)!r} must have a 'default' mapping of year "
            "to "
            "yuan, e.g. 'default: {2021: 6000, 2022: 6600}', and optionally "
            "'provinces'."
        )
    unknown = set(data) - {"default", "provinces"}
    if unknown:
        raise ConfigError(
            f"Monitoring lines file {str(p)!r} has unknown key(s) {sorted(unknown)}; "
            "only 'default' and 'provinces' are allowed."
        )
    provinces = data.get("provinces") or {}
    if not isinstance(provinces, Mapping):
        raise ConfigError(
            f"'provinces' in {str(p)!r} must map province names to year tables."
        )
    return MonitoringLines(default=data["default"], provinces=provinces, source=str(p))
