"""The department-push config (``configs/pushes.yaml``): when each annual record
was collected, and the names departments give themselves.

- ``collection_dates``: the date up to which a year's annual record (年度
  信息采集) already holds what departments pushed. A push dated after it is new
  information; one dated on or before it is already in the record. Given as
  ``MM-DD`` (in the record's year) or a full date ``YYYY-MM-DD`` (for one
  year, in that year or the next), by default, per year and per province.
- ``sources``: synonyms of the push sources (``医保局``, ``医疗保障局``, ``市医保``
  for ``医保``), so a department's own name for itself is understood.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._yaml import read_yaml, refuse_unknown_sections

__all__ = ["CollectionDates", "PushesConfig", "load_pushes_config"]

MSG_NOT_MAPPING = N_("Pushes config {path!r} must be a mapping.")
MSG_SECTIONS = N_(
    "Pushes config {path!r} has unknown section(s) {unknown}{hint}; allowed: {allowed}."
)
MSG_SECTION_MAPPING = N_("{name!r} in {path!r} must be a mapping.")
MSG_BAD_DATE = N_(
    "{where} in {source!r} must be a month and day like 12-31 (in the record's "
    "year) or a full date like 2026-01-15; got {value!r}."
)
MSG_DATE_YEAR = N_(
    "{where} in {source!r}: the annual record of {year} is collected in {year} or "
    "early in {next}; got {value!r}. Write a date in {year} or {next}."
)
MSG_BAD_YEAR = N_("{where} in {source!r} must be a year like 2025; got {value!r}.")
MSG_SYNONYMS = N_(
    "sources.synonyms.{name} in {source!r} must be a list of names; got {value!r}."
)
MSG_SYNONYM_TWICE = N_(
    "sources.synonyms in {source!r}: {word!r} is given for both {first!r} and "
    "{second!r}; a name can stand for one source only."
)

_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_FULL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _parse(value: Any, where: str, source: str) -> tuple[int, int] | date:
    """``(month, day)`` or a full :class:`date` (ConfigError otherwise)."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _MONTH_DAY.match(text)
    try:
        if m:
            month, day = int(m.group(1)), int(m.group(2))
            date(2024, month, day)  # a leap year: 02-29 allowed
            return month, day
        m = _FULL.match(text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise ConfigError(Message(MSG_BAD_DATE, where=where, source=source, value=value))


def _on(spec: tuple[int, int] | date, year: int) -> date:
    if isinstance(spec, date):
        return spec
    month, day = spec
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if (month, day) == (2, 29) and not leap:
        return date(year, 2, 28)
    return date(year, month, day)


@dataclass(frozen=True)
class CollectionDates:
    """When the annual record of a year (per province) was collected.

    ``default``: ``MM-DD`` or a full date for every year; ``years``: per year;
    ``provinces``: per province, a mapping with its own ``default`` and years.
    The most specific one applies: province and year, province default, year,
    default. A full date given as a default applies to every year (rarely
    wanted); a ``MM-DD`` is in the record's own year.

    Examples
    --------
    >>> c = CollectionDates(years={2025: "2026-01-15"},
    ...                     provinces={"甘肃省": {"default": "11-30"}})
    >>> c.of(2024, "湖北省"), c.of(2025, "湖北省"), c.of(2025, "甘肃省")
    (datetime.date(2024, 12, 31), datetime.date(2026, 1, 15), datetime.date(2025, 11, 30))
    """  # noqa: E501

    default: Any = "12-31"
    years: Mapping[Any, Any] = field(default_factory=dict)
    provinces: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)
    source: str = "inline"

    def __post_init__(self) -> None:
        src = self.source

        def check_year(y: Any, where: str) -> int:
            if isinstance(y, bool) or not re.fullmatch(r"\d{4}", str(y).strip()):
                raise ConfigError(
                    Message(MSG_BAD_YEAR, where=where, source=src, value=y)
                )
            return int(str(y).strip())

        def specs(table: Mapping[Any, Any], where: str) -> dict[Any, Any]:
            out: dict[Any, Any] = {}
            for k, v in table.items():
                if str(k) == "default":
                    out["default"] = _parse(v, f"{where}.default", src)
                    continue
                y = check_year(k, f"{where}.{k}")
                spec = _parse(v, f"{where}.{y}", src)
                if isinstance(spec, date) and spec.year not in (y, y + 1):
                    raise ConfigError(
                        Message(MSG_DATE_YEAR, where=f"{where}.{y}", source=src,
                                year=y, next=y + 1, value=v)
                    )  # fmt: skip
                out[y] = spec
            return out

        default = _parse(self.default, "collection_dates.default", src)
        years = specs(self.years, "collection_dates.years")
        provinces = {}
        for p, table in self.provinces.items():
            where = f"collection_dates.provinces.{p}"
            if not isinstance(table, Mapping):
                raise ConfigError(Message(MSG_SECTION_MAPPING, name=where, path=src))
            provinces[str(p)] = MappingProxyType(specs(table, where))
        object.__setattr__(self, "_default", default)
        object.__setattr__(self, "years", MappingProxyType(years))
        object.__setattr__(self, "provinces", MappingProxyType(provinces))

    def of(self, year: int, province: object = None) -> date:
        """The collection date of the annual record of ``year`` in ``province``."""
        table = self.provinces.get(str(province), {}) if province is not None else {}
        for spec in (table.get(int(year)), table.get("default"),
                     self.years.get(int(year)), self._default):  # fmt: skip
            if spec is not None:
                return _on(spec, int(year))
        raise AssertionError("unreachable: a default always exists")


@dataclass(frozen=True)
class PushesConfig:
    """Checked content of ``pushes.yaml``.

    Attributes
    ----------
    collection_dates : CollectionDates
    synonyms : mapping of str to str
        Each synonym (as written, trimmed) to its source (``医保局`` -> ``医保``).

    Examples
    --------
    >>> cfg = PushesConfig(synonyms={"医保": ["医保局", "医疗保障局"]})
    >>> cfg.synonyms["医疗保障局"], cfg.collection_dates.of(2025).isoformat()
    ('医保', '2025-12-31')
    """

    collection_dates: CollectionDates = field(default_factory=CollectionDates)
    synonyms: Mapping[str, Any] = field(default_factory=dict)
    source: str = "inline"

    def __post_init__(self) -> None:
        flat: dict[str, str] = {}
        for name, words in self.synonyms.items():
            if isinstance(words, str):  # already flat: synonym -> source
                flat[str(name).strip()] = words.strip()
                continue
            if not isinstance(words, list | tuple):
                raise ConfigError(
                    Message(MSG_SYNONYMS, name=name, source=self.source, value=words)
                )
            for w in words:
                key = str(w).strip()
                if key in flat and flat[key] != str(name):
                    raise ConfigError(
                        Message(MSG_SYNONYM_TWICE, source=self.source, word=key,
                                first=flat[key], second=str(name))
                    )  # fmt: skip
                flat[key] = str(name)
        object.__setattr__(self, "synonyms", MappingProxyType(flat))


def load_pushes_config(path: str | Path | None = None) -> PushesConfig:
    """Load ``pushes.yaml`` (the shipped default when ``path`` is None).

    Examples
    --------
    >>> cfg = load_pushes_config()
    >>> cfg.synonyms["医疗保障局"], cfg.collection_dates.of(2025).isoformat()
    ('医保', '2025-12-31')
    """
    data, p = read_yaml(path, "pushes.yaml")
    if not isinstance(data, Mapping):
        raise ConfigError(Message(MSG_NOT_MAPPING, path=str(p)))
    known = {"collection_dates", "sources"}
    refuse_unknown_sections(data, known, MSG_SECTIONS, p)
    dates = data.get("collection_dates") or {}
    sources = data.get("sources") or {}
    for name, sec in (("collection_dates", dates), ("sources", sources)):
        if not isinstance(sec, Mapping):
            raise ConfigError(Message(MSG_SECTION_MAPPING, name=name, path=str(p)))
    nested = [f"collection_dates.{k}" for k in map(str, dates)]
    nested += [f"sources.{k}" for k in map(str, sources)]
    allowed = {"collection_dates.default", "collection_dates.years",
               "collection_dates.provinces", "sources.synonyms"}  # fmt: skip
    refuse_unknown_sections(nested, allowed, MSG_SECTIONS, p)
    for name in ("years", "provinces"):
        if not isinstance(dates.get(name) or {}, Mapping):
            where = f"collection_dates.{name}"
            raise ConfigError(Message(MSG_SECTION_MAPPING, name=where, path=str(p)))
    synonyms = sources.get("synonyms") or {}
    if not isinstance(synonyms, Mapping):
        raise ConfigError(
            Message(MSG_SECTION_MAPPING, name="sources.synonyms", path=str(p))
        )
    return PushesConfig(
        collection_dates=CollectionDates(
            default=dates.get("default", "12-31"),
            years=dict(dates.get("years") or {}),
            provinces=dict(dates.get("provinces") or {}),
            source=str(p),
        ),
        synonyms={str(k): v for k, v in synonyms.items()},
        source=str(p),
    )
