"""The alerts config (``configs/alerts.yaml``): who is listed, capacity, deadlines,
department-push parameters and what-if measures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError
from ._risk_types import close_matches
from ._yaml import read_yaml

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
    max_measures: int = 4
    disaster_business_share: float = 0.5
    default_persons: int = 1
    covered_events: str = "skip"
    what_if: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: str = "inline"

    def __post_init__(self) -> None:
        if self.min_level not in ALERT_LEVELS:
            raise ConfigError(
                f"alert.min_level in {self.source!r} must be one of "
                f"{', '.join(ALERT_LEVELS)}; got {self.min_level!r}"
                f"{close_matches(self.min_level, ALERT_LEVELS)}."
            )
        if self.min_score is not None and not 0 <= float(self.min_score) <= 1:
            raise ConfigError(
                f"alert.min_score in {self.source!r} must be a probability in [0, 1] "
                f"or null; got {self.min_score!r}."
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
                    f"{where} in {self.source!r} must be a whole number of households "
                    f">= 0; got {v!r}."
                )
        for name, v, low in (
            ("deadline_days", self.deadline_days, 1),
            ("max_measures", self.max_measures, 1),
            ("events.default_persons", self.default_persons, 1),
        ):
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ConfigError(
                    f"{name} in {self.source!r} must be a whole number >= {low}; got "
                    f"{v!r}."
                )
        if self.covered_events not in ("skip", "apply"):
            raise ConfigError(
                f"events.covered in {self.source!r} must be skip or apply; got "
                f"{self.covered_events!r}."
            )
        if not 0 <= float(self.disaster_business_share) <= 1:
            raise ConfigError(
                f"events.disaster_business_share in {self.source!r} must be in [0, 1];"
                f" got {self.disaster_business_share!r}."
            )
        for measure, params in self.what_if.items():
            if measure not in WHAT_IF_MEASURES:
                raise ConfigError(
                    f"what_if.{measure} in {self.source!r}: no what-if rule for this "
                    f"measure{close_matches(measure, WHAT_IF_MEASURES)}. Known: "
                    f"{', '.join(WHAT_IF_MEASURES)}."
                )
            unknown = set(params) - set(WHAT_IF_MEASURES[measure])
            if unknown:
                raise ConfigError(
                    f"what_if.{measure} in {self.source!r} has unknown parameter(s) "
                    f"{sorted(unknown)}; allowed: {WHAT_IF_MEASURES[measure]}."
                )
        share = self.what_if.get("健康帮扶", {}).get("medical_aid_share")
        if share is not None and not 0 <= float(share) <= 1:
            raise ConfigError(
                f"what_if.健康帮扶.medical_aid_share in {self.source!r} must be in "
                f"[0, 1]; got {share!r}."
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
    """
    data, p = read_yaml(path, "alerts.yaml")
    if not isinstance(data, Mapping):
        raise ConfigError(f"Alerts config {str(p)!r} must be a mapping.")
    known = {"alert", "capacity", "deadline_days", "max_measures", "events", "what_if"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(
            f"Alerts config {str(p)!r} has unknown section(s) {sorted(unknown)}"
            f"{close_matches(sorted(unknown)[0], known)}; allowed: {sorted(known)}."
        )
    alert = data.get("alert") or {}
    capacity = data.get("capacity") or {}
    events = data.get("events") or {}
    what_if = data.get("what_if") or {}
    for name, sec in (("alert", alert), ("capacity", capacity), ("events", events),
                      ("what_if", what_if)):  # fmt: skip
        if not isinstance(sec, Mapping):
            raise ConfigError(f"'{name}' in {str(p)!r} must be a mapping.")
    min_score = alert.get("min_score")
    return AlertsConfig(
        min_level=str(alert.get("min_level", "中")),
        min_score=None if min_score is None else float(min_score),
        capacity=capacity.get("default", 30),
        capacity_by_township={
            str(k): v for k, v in (capacity.get("townships") or {}).items()
        },
        deadline_days=data.get("deadline_days", 15),
        max_measures=data.get("max_measures", 4),
        disaster_business_share=float(events.get("disaster_business_share", 0.5)),
        default_persons=events.get("default_persons", 1),
        covered_events=str(events.get("covered", "skip")),
        what_if={str(k): dict(v or {}) for k, v in what_if.items()},
        source=str(p),
    )
