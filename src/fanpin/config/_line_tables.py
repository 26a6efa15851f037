"""One line type of the line table: values by province (and year), with where
each value comes from.

A value is written as a number, or as a mapping ``{value: 7600, source: "...",
placeholder: false}``. A table may give a ``source`` and ``placeholder`` for all
its values; a value's own take precedence. A placeholder is a stand-in that the
user must replace with the published figure; fanpin says so wherever a rule
used one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError
from ..messages import N_, Message

__all__ = ["LineSource", "LineTable", "LineValues", "ShareTable"]

MSG_YEAR_TABLE = N_(
    "{where} must map years to yuan, like {{2023: 7100}}; got {got}."
)
MSG_NOT_A_YEAR = N_("{where}: {key!r} is not a year; write years as 2023.")
MSG_POSITIVE_YUAN = N_(
    "{where}: the value for {year} must be a positive number of yuan; got {value!r}."
)
MSG_VALUE_KEYS = N_(
    "{where}: the value for {key} is a mapping with keys {got}; a value is a number, "
    "or a mapping with 'value' and optionally 'source' (text) and 'placeholder' "
    "(true/false)."
)
MSG_SOURCE_TEXT = N_(
    "{where}: 'source' must be text and 'placeholder' true or false; got source "
    "{source!r}, placeholder {placeholder!r}."
)
MSG_PROVINCES = N_("{where}: 'provinces' must map province names to {what}.")
MSG_TABLE_KEYS = N_(
    "{where} has unknown key(s) {unknown}; allowed: {allowed}."
)
MSG_SHARE_VALUE = N_(
    "{where}: the share for {key} must be a number in (0, 1], like 0.6 for 60 %; "
    "got {value!r}."
)


@dataclass(frozen=True)
class LineSource:
    """Where a value comes from: a source text and whether it is a placeholder."""

    text: str = ""
    placeholder: bool = False


@dataclass(frozen=True)
class LineValues:
    """Values looked up row by row: NaN where the table has none; ``placeholder``
    true where the value used is a placeholder."""

    values: np.ndarray
    placeholder: np.ndarray

    @property
    def missing(self) -> np.ndarray:
        """Rows without a value."""
        return np.isnan(self.values)


def _number(v: object) -> bool:
    return (
        not isinstance(v, bool)
        and isinstance(v, (int, float))
        and math.isfinite(v)
    )


def _source_of(raw: Mapping, where: str) -> LineSource | None:
    src, ph = raw.get("source"), raw.get("placeholder")
    if (src is not None and not isinstance(src, str)) or (
        ph is not None and not isinstance(ph, bool)
    ):
        raise ConfigError(
            Message(MSG_SOURCE_TEXT, where=where, source=src, placeholder=ph)
        )
    if src is None and ph is None:
        return None
    return LineSource(text=src or "", placeholder=bool(ph))


def split_value(
    raw: object, where: str, key: object
) -> tuple[object, LineSource | None]:
    """``(value, source)`` of a value written as a number or as a mapping."""
    if not isinstance(raw, Mapping):
        return raw, None
    unknown = set(raw) - {"value", "source", "placeholder"}
    if unknown or "value" not in raw:
        raise ConfigError(
            Message(MSG_VALUE_KEYS, where=where, key=key, got=sorted(map(str, raw)))
        )
    return raw["value"], _source_of(raw, where)


def _year(key: object, where: str) -> int:
    try:
        return int(str(key).strip().rstrip("年"))
    except ValueError:
        raise ConfigError(Message(MSG_NOT_A_YEAR, where=where, key=key)) from None


Check = Callable[[str, int, float], None]


def year_table(
    raw: object, where: str, check: Check | None = None
) -> tuple[dict[int, float], dict[int, LineSource]]:
    """Years -> values (and their own sources) of one province or the default."""
    if not isinstance(raw, Mapping):
        raise ConfigError(
            Message(MSG_YEAR_TABLE, where=where, got=type(raw).__name__)
        )
    values: dict[int, float] = {}
    sources: dict[int, LineSource] = {}
    for k, v in raw.items():
        year = _year(k, where)
        value, src = split_value(v, where, year)
        if not _number(value) or value <= 0:
            raise ConfigError(
                Message(MSG_POSITIVE_YUAN, where=where, year=year, value=value)
            )
        if check is not None:
            check(where, year, float(value))
        values[year] = float(value)
        if src is not None:
            sources[year] = src
    return values, sources


def _check_keys(raw: Mapping, where: str, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(map(str, raw)) - set(allowed))
    if unknown:
        raise ConfigError(
            Message(MSG_TABLE_KEYS, where=where, unknown=unknown, allowed=list(allowed))
        )


def _emit(value: float, own: LineSource | None) -> object:
    if own is None:
        return value
    out: dict[str, object] = {"value": value}
    if own.text:
        out["source"] = own.text
    if own.placeholder:
        out["placeholder"] = True
    return out


def _provinces(raw: object, where: str, what: str) -> Mapping:
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(Message(MSG_PROVINCES, where=where, what=what))
    return raw


def _by_pairs(
    province: Any, year: Any, value_of: Callable[[str, int], tuple[float, bool]]
) -> LineValues:
    """``value_of`` of each row, computed once per distinct (province, year)."""
    p_codes, p_uniq = pd.factorize(pd.Series(province).reset_index(drop=True),
                                   use_na_sentinel=False)  # fmt: skip
    years = pd.Series(year).reset_index(drop=True).to_numpy(dtype="int64")
    y_codes, y_uniq = pd.factorize(years)
    width = max(len(y_uniq), 1)
    key = p_codes.astype("int64") * width + y_codes
    pairs, inverse = np.unique(key, return_inverse=True)
    values = np.empty(len(pairs), dtype="float64")
    placeholder = np.empty(len(pairs), dtype=bool)
    for j, k in enumerate(pairs.tolist()):
        p = p_uniq[k // width]
        p = "" if p is None or (isinstance(p, float) and np.isnan(p)) else str(p)
        values[j], placeholder[j] = value_of(p, int(y_uniq[k % width]))
    return LineValues(values=values[inverse], placeholder=placeholder[inverse])


@dataclass(frozen=True)
class LineTable:
    """One line type in yuan per person per year, by year: a default and
    provincial overrides (a province's missing year falls back to the default).

    Parameters
    ----------
    default : mapping of int to number (or to ``{value, source, placeholder}``)
    provinces : mapping of str to such a mapping
    source : str
        Where the table's values come from (unless a value says otherwise).
    placeholder : bool
        The table's values are placeholders (unless a value says otherwise).
    name : str
        What the table is, for error messages.
    check : callable, optional
        ``check(where, year, value)`` raising ConfigError for a bad value.

    Examples
    --------
    >>> t = LineTable(default={2024: 6000}, placeholder=True,
    ...               provinces={"云南省": {2024: {"value": 6500, "source": "x"}}})
    >>> v = t.lookup(pd.Series(["云南省", "甘肃省"]), pd.Series([2024, 2024]))
    >>> v.values.tolist(), v.placeholder.tolist()
    ([6500.0, 6000.0], [False, True])
    """

    default: Mapping[int, Any] = field(default_factory=dict)
    provinces: Mapping[str, Mapping[int, Any]] = field(default_factory=dict)
    source: str = ""
    placeholder: bool = False
    name: str = "line table"
    check: Check | None = field(default=None, compare=False, repr=False)
    own_sources: Mapping[str, Mapping[int, LineSource]] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        src = _source_of({"source": self.source, "placeholder": self.placeholder},
                         self.name)  # fmt: skip
        object.__setattr__(self, "source", src.text if src else "")
        default, own = year_table(self.default or {}, f"{self.name} 'default'",
                                  self.check)  # fmt: skip
        sources = {"": MappingProxyType(own)}
        provinces = {}
        for p, t in _provinces(self.provinces, self.name, "year tables").items():
            values, own = year_table(t, f"{self.name} for {p!r}", self.check)
            provinces[str(p)] = MappingProxyType(values)
            sources[str(p)] = MappingProxyType(own)
        object.__setattr__(self, "default", MappingProxyType(default))
        object.__setattr__(self, "provinces", MappingProxyType(provinces))
        object.__setattr__(self, "own_sources", MappingProxyType(sources))

    def __reduce__(self):
        d = self.to_dict()
        return (_rebuild_line_table, (d, self.name, self.check))

    @property
    def years(self) -> list[int]:
        """Years covered by ``default``."""
        return sorted(self.default)

    def source_of(self, province: str | None, year: int) -> LineSource:
        """The source of the value used for ``province`` in ``year``."""
        p = str(province).strip() if province is not None else ""
        if p in self.provinces and year in self.provinces[p]:
            own = self.own_sources[p].get(year)
        else:
            own = self.own_sources[""].get(year)
        return own or LineSource(self.source, self.placeholder)

    def value_of(self, province: str | None, year: int) -> tuple[float, bool]:
        """The value used for ``province`` in ``year`` (NaN when none) and
        whether it is a placeholder."""
        p = str(province).strip() if province is not None else ""
        if p in self.provinces and year in self.provinces[p]:
            value = self.provinces[p][year]
        elif year in self.default:
            value = self.default[year]
        else:
            return float("nan"), False
        return float(value), self.source_of(p, year).placeholder

    def lookup(self, province: pd.Series, year: pd.Series) -> LineValues:
        """Vectorised values (NaN where neither the province nor the default has
        the year) and their placeholder flags."""
        return _by_pairs(province, year, self.value_of)

    def with_years(self, years: list[int]) -> LineTable:
        """This table with each year after its last set to the last year's value
        (a province's own last value carried too); carried values keep their
        source, marked as carried forward."""
        if not self.default:
            return self
        last = max(self.default)
        ahead = [y for y in years if y > last]
        if not ahead:
            return self
        d = self.to_dict()

        def carry(table: dict, src: LineSource) -> dict:
            note = f"{src.text} (carried forward from {last})".strip()
            item = {"value": _plain(table[last]), "source": note}
            if src.placeholder:
                item["placeholder"] = True
            return {**table, **dict.fromkeys(ahead, item)}

        d["default"] = carry(d["default"], self.source_of(None, last))
        d["provinces"] = {
            p: carry(t, self.source_of(p, last)) if last in t else t
            for p, t in d["provinces"].items()
        }
        return _rebuild_line_table(d, self.name, self.check)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (YAML-able); values with their own source as mappings."""
        out: dict[str, Any] = {
            "default": {
                y: _emit(v, self.own_sources[""].get(y))
                for y, v in self.default.items()
            },
            "provinces": {
                p: {y: _emit(v, self.own_sources[p].get(y)) for y, v in t.items()}
                for p, t in self.provinces.items()
            },
        }
        if self.source:
            out["source"] = self.source
        if self.placeholder:
            out["placeholder"] = True
        return out


def _plain(v: object) -> object:
    return v["value"] if isinstance(v, Mapping) else v


def _rebuild_line_table(d: Mapping, name: str, check: Check | None) -> LineTable:
    return LineTable(**d, name=name, check=check)


@dataclass(frozen=True)
class ShareTable:
    """A share of income by province (no years): a default and overrides.

    Examples
    --------
    >>> t = ShareTable(default=0.6, provinces={"云南省": 0.7}, placeholder=True)
    >>> t.lookup(pd.Series(["云南省", "甘肃省"])).values.tolist()
    [0.7, 0.6]
    """

    default: Any = None
    provinces: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    placeholder: bool = False
    name: str = "share table"
    own_sources: Mapping[str, LineSource] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        src = _source_of({"source": self.source, "placeholder": self.placeholder},
                         self.name)  # fmt: skip
        object.__setattr__(self, "source", src.text if src else "")
        sources: dict[str, LineSource] = {}
        default = None
        if self.default is not None:
            default = self._share(self.default, "'default'", sources, "")
        provinces = {
            str(p): self._share(v, repr(str(p)), sources, str(p))
            for p, v in _provinces(self.provinces, self.name, "shares").items()
        }
        object.__setattr__(self, "default", default)
        object.__setattr__(self, "provinces", MappingProxyType(provinces))
        object.__setattr__(self, "own_sources", MappingProxyType(sources))

    def _share(self, raw: object, key: str, sources: dict, slot: str) -> float:
        value, src = split_value(raw, self.name, key)
        if not _number(value) or not 0 < value <= 1:
            raise ConfigError(
                Message(MSG_SHARE_VALUE, where=self.name, key=key, value=value)
            )
        if src is not None:
            sources[slot] = src
        return float(value)

    def __reduce__(self):
        return (_rebuild_share_table, (self.to_dict(), self.name))

    def source_of(self, province: str | None) -> LineSource:
        """The source of the share used for ``province``."""
        p = str(province).strip() if province is not None else ""
        slot = p if p in self.provinces else ""
        return self.own_sources.get(slot) or LineSource(self.source, self.placeholder)

    def value_of(
        self, province: str | None, year: int | None = None
    ) -> tuple[float, bool]:
        """The share used for ``province`` (NaN when none) and whether it is a
        placeholder."""
        p = str(province).strip() if province is not None else ""
        value = self.provinces.get(p, self.default)
        if value is None:
            return float("nan"), False
        return float(value), self.source_of(p).placeholder

    def lookup(self, province: pd.Series, year: pd.Series | None = None) -> LineValues:
        """Shares row by row (NaN where neither the province nor a default has
        one); ``year`` is ignored (shares are per province)."""
        n = len(np.asarray(province, dtype=object))
        return _by_pairs(province, np.zeros(n, dtype="int64"), self.value_of)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (YAML-able)."""
        out: dict[str, Any] = {}
        if self.default is not None:
            out["default"] = _emit(self.default, self.own_sources.get(""))
        out["provinces"] = {
            p: _emit(v, self.own_sources.get(p)) for p, v in self.provinces.items()
        }
        if self.source:
            out["source"] = self.source
        if self.placeholder:
            out["placeholder"] = True
        return out


def _rebuild_share_table(d: Mapping, name: str) -> ShareTable:
    return ShareTable(**d, name=name)


def table_keys_check(raw: Mapping, where: str, allowed: tuple[str, ...]) -> None:
    """ConfigError naming unknown keys of a table section."""
    _check_keys(raw, where, allowed)
