"""The alerts config (``configs/alerts.yaml``): who is listed, capacity, deadlines,
department-push parameters and what-if measures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError
from ..messages import N_, Message, did_you_mean
from ._yaml import read_yaml, refuse_unknown_sections

__all__ = ["ALERT_LEVELS", "WHAT_IF_MEASURES", "AlertsConfig", "load_alerts_config"]

ALERT_LEVELS = ("低", "中", "高")
"""Risk levels from lowest to highest."""

WHAT_IF_MEASURES = {
    "健康帮扶": ("medical_aid_share",),
    "公益岗位帮扶": ("wage",),
    "综合保障": ("transfer_per_person",),
    "就业帮扶": ("restore_wage",),
    "产业帮扶": ("restore_business",),
}
"""Measures the what-if step knows how to apply, and their parameters."""

MSG_MIN_LEVEL = N_(
    "alert.min_level in {source!r} must be one of {levels}; got {value!r}{hint}."
)
MSG_MIN_SCORE = N_(
    "alert.min_score in {source!r} must be a probability in [0, 1] or null; got "
    "{value!r}."
)
MSG_CAPACITY = N_(
    "{where} in {source!r} must be a whole number of households >= 0; got {value!r}."
)
MSG_WHOLE = N_("{name} in {source!r} must be a whole number >= {low}; got {value!r}.")
MSG_COVERED = N_("events.covered in {source!r} must be skip or apply; got {value!r}.")
MSG_BUSINESS_SHARE = N_(
    "events.disaster_business_share in {source!r} must be in [0, 1]; got {value!r}."
)
MSG_WHAT_IF_MEASURE = N_(
    "what_if.{measure} in {source!r}: no what-if rule for this measure{hint}. "
    "Known: {known}."
)
MSG_WHAT_IF_PARAMS = N_(
    "what_if.{measure} in {source!r} has unknown parameter(s) {unknown}; allowed: "
    "{allowed}."
)
MSG_MEDICAL_SHARE = N_(
    "what_if.健康帮扶.medical_aid_share in {source!r} must be in [0, 1]; got "
    "{value!r}."
)
MSG_REOPEN_MARGIN = N_(
    "reopen.risk_margin in {source!r} must be a probability difference in [0, 1] "
    "(0.10 is ten points); got {value!r}."
)
MSG_URGENT_DAYS = N_(
    "deadlines.urgent_days in {source!r} must be a whole number of days from 1 to "
    "the identification days ({days}); got {value!r}: an urgent case (紧急) is "
    "verified sooner than the others, never later."
)
MSG_DEADLINE_TWICE = N_(
    "{path!r} gives the identification days twice (deadline_days: {old!r} and "
    "deadlines.identification_days: {new!r}); keep deadlines.identification_days "
    "only."
)
MSG_DEADLINE_KEYS = N_(
    "deadlines in {path!r} has unknown key(s) {unknown}{hint}; allowed: {allowed}."
)
MSG_NOT_MAPPING = N_("Alerts config {path!r} must be a mapping.")
MSG_SECTIONS = N_(
    "Alerts config {path!r} has unknown section(s) {unknown}{hint}; allowed: "
    "{allowed}."
)
MSG_SECTION_MAPPING = N_("{name!r} in {path!r} must be a mapping.")


@dataclass(frozen=True)
class AlertsConfig:
    """Checked content of ``alerts.yaml``.

    Examples
    --------
    >>> cfg = AlertsConfig(capacity_by_township={"乙镇": 5})
    >>> cfg.capacity_of("乙镇"), cfg.capacity_of("丙镇")
    (5, 30)
    """

    min_level: str = "中"
    min_score: float | None = None
    capacity: int = 30
    capacity_by_township: Mapping[str, int] = field(default_factory=dict)
    deadline_days: int = 15
    urgent_deadline_days: int = 3
    max_measures: int = 4
    disaster_business_share: float = 0.5
    default_persons: int = 1
    covered_events: str = "skip"
    what_if: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    reopen_risk_margin: float = 0.10
    source: str = "inline"

    def __post_init__(self) -> None:
        if self.min_level not in ALERT_LEVELS:
            raise ConfigError(
                Message(
                    MSG_MIN_LEVEL,
                    source=self.source,
                    levels=", ".join(ALERT_LEVELS),
                    value=self.min_level,
                    hint=did_you_mean(self.min_level, ALERT_LEVELS),
                )
            )
        if self.min_score is not None and not 0 <= float(self.min_score) <= 1:
            raise ConfigError(
                Message(MSG_MIN_SCORE, source=self.source, value=self.min_score)
            )
        caps = {
            "capacity.default": self.capacity,
            **{
                f"capacity.townships.{k}": v
                for k, v in self.capacity_by_township.items()
            },
        }
        for where, v in caps.items():
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ConfigError(
                    Message(MSG_CAPACITY, where=where, source=self.source, value=v)
                )
        for name, v, low in (
            ("deadline_days", self.deadline_days, 1),
            ("max_measures", self.max_measures, 1),
            ("events.default_persons", self.default_persons, 1),
        ):
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ConfigError(
                    Message(MSG_WHOLE, name=name, source=self.source, low=low, value=v)
                )
        urgent = self.urgent_deadline_days
        if (
            isinstance(urgent, bool)
            or not isinstance(urgent, int)
            or not 1 <= urgent <= self.deadline_days
        ):
            raise ConfigError(
                Message(
                    MSG_URGENT_DAYS, source=self.source, days=self.deadline_days,
                    value=urgent,
                )  # fmt: skip
            )
        if self.covered_events not in ("skip", "apply"):
            raise ConfigError(
                Message(MSG_COVERED, source=self.source, value=self.covered_events)
            )
        if not 0 <= float(self.disaster_business_share) <= 1:
            raise ConfigError(
                Message(
                    MSG_BUSINESS_SHARE,
                    source=self.source,
                    value=self.disaster_business_share,
                )
            )
        for measure, params in self.what_if.items():
            if measure not in WHAT_IF_MEASURES:
                raise ConfigError(
                    Message(
                        MSG_WHAT_IF_MEASURE,
                        measure=measure,
                        source=self.source,
                        hint=did_you_mean(measure, WHAT_IF_MEASURES),
                        known=", ".join(WHAT_IF_MEASURES),
                    )
                )
            unknown = set(params) - set(WHAT_IF_MEASURES[measure])
            if unknown:
                raise ConfigError(
                    Message(
                        MSG_WHAT_IF_PARAMS,
                        measure=measure,
                        source=self.source,
                        unknown=sorted(unknown),
                        allowed=WHAT_IF_MEASURES[measure],
                    )
                )
        margin = self.reopen_risk_margin
        if (
            isinstance(margin, bool)
            or not isinstance(margin, (int, float))
            or not 0 <= margin <= 1
        ):
            raise ConfigError(
                Message(MSG_REOPEN_MARGIN, source=self.source, value=margin)
            )
        share = self.what_if.get("健康帮扶", {}).get("medical_aid_share")
        if share is not None and not 0 <= float(share) <= 1:
            raise ConfigError(
                Message(MSG_MEDICAL_SHARE, source=self.source, value=share)
            )
        object.__setattr__(
            self,
            "capacity_by_township",
            MappingProxyType(dict(self.capacity_by_township)),
        )
        object.__setattr__(
            self,
            "what_if",
            MappingProxyType(
                {k: MappingProxyType(dict(v)) for k, v in self.what_if.items()}
            ),
        )

    def capacity_of(self, township: object) -> int:
        """Verification capacity of a township (the default when not listed)."""
        return int(self.capacity_by_township.get(str(township), self.capacity))


def load_alerts_config(path: str | Path | None = None) -> AlertsConfig:
    """Load ``alerts.yaml`` (the shipped default when ``path`` is None).

    Examples
    --------
    >>> cfg = load_alerts_config()
    >>> cfg.deadline_days, cfg.min_level, cfg.what_if["健康帮扶"]["medical_aid_share"]
    (15, '中', 0.5)
    >>> cfg.reopen_risk_margin, cfg.urgent_deadline_days
    (0.1, 3)
    """
    data, p = read_yaml(path, "alerts.yaml")
    if not isinstance(data, Mapping):
        raise ConfigError(Message(MSG_NOT_MAPPING, path=str(p)))
    known = {
        "alert", "capacity", "deadline_days", "deadlines", "max_measures", "events",
        "what_if", "reopen",
    }  # fmt: skip
    refuse_unknown_sections(data, known, MSG_SECTIONS, p)
    alert = data.get("alert") or {}
    capacity = data.get("capacity") or {}
    events = data.get("events") or {}
    what_if = data.get("what_if") or {}
    reopen = data.get("reopen") or {}
    deadlines = data.get("deadlines") or {}
    for name, sec in (("alert", alert), ("capacity", capacity), ("events", events),
                      ("what_if", what_if), ("reopen", reopen),
                      ("deadlines", deadlines)):  # fmt: skip
        if not isinstance(sec, Mapping):
            raise ConfigError(Message(MSG_SECTION_MAPPING, name=name, path=str(p)))
    days = _identification_days(data, deadlines, p)
    min_score = alert.get("min_score")
    return AlertsConfig(
        min_level=str(alert.get("min_level", "中")),
        min_score=None if min_score is None else float(min_score),
        capacity=capacity.get("default", 30),
        capacity_by_township={
            str(k): v for k, v in (capacity.get("townships") or {}).items()
        },
        deadline_days=days,
        urgent_deadline_days=deadlines.get("urgent_days", 3),
        max_measures=data.get("max_measures", 4),
        disaster_business_share=float(events.get("disaster_business_share", 0.5)),
        default_persons=events.get("default_persons", 1),
        covered_events=str(events.get("covered", "skip")),
        what_if={str(k): dict(v or {}) for k, v in what_if.items()},
        reopen_risk_margin=reopen.get("risk_margin", 0.10),
        source=str(p),
    )


_DEADLINE_KEYS = ("identification_days", "urgent_days")


def _identification_days(data: Mapping, deadlines: Mapping, p: Path) -> object:
    """``deadlines.identification_days`` (or the older top-level ``deadline_days``;
    both at once is refused)."""
    unknown = sorted(set(map(str, deadlines)) - set(_DEADLINE_KEYS))
    if unknown:
        raise ConfigError(
            Message(
                MSG_DEADLINE_KEYS, path=str(p), unknown=unknown,
                hint=did_you_mean(unknown[0], _DEADLINE_KEYS),
                allowed=list(_DEADLINE_KEYS),
            )  # fmt: skip
        )
    old, new = data.get("deadline_days"), deadlines.get("identification_days")
    if old is not None and new is not None and old != new:
        raise ConfigError(Message(MSG_DEADLINE_TWICE, path=str(p), old=old, new=new))
    return new if new is not None else old if old is not None else 15
