"""Assistance mapping: official risk types -> measure categories -> lead departments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import (
    AssistanceConfig,
    RiskTypes,
    load_assistance_config,
    load_risk_types,
)
from ..config._risk_types import close_matches
from ..exceptions import ConfigError, InputError

__all__ = [
    "REASON_DEVELOPMENTAL",
    "REASON_SAFETY_NET",
    "AssistanceMap",
    "Measure",
    "load_assistance_map",
    "split_codes",
]

REASON_DEVELOPMENTAL = "P_developmental"
"""Reason code of a developmental measure added because the household can work."""
REASON_SAFETY_NET = "P_safety_net"
"""Reason code of the safety-net measure added because no one can work."""

UNKNOWN_RISK = (
    "Risk code {code!r} has no rule in the assistance config ({source}){hint}. Add it "
    "under 'risks' in your assistance.yaml, or fix the code. Known codes: {known}."
)


def split_codes(value: object) -> list[str]:
    """Risk codes from a list or a ``;``-joined string (empty for missing).

    Examples
    --------
    >>> split_codes("01; 0201"), split_codes(["07"]), split_codes(None)
    (['01', '0201'], ['07'], [])
    """
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return []
    parts = value.split(";") if isinstance(value, str) else [str(v) for v in value]
    return [p.strip() for p in parts if p and p.strip()]


@dataclass(frozen=True)
class Measure:
    """One suggested measure.

    Parameters
    ----------
    category : str
        One of the 14 national measure categories (产业帮扶 ...).
    department : str
        The lead department (医保, 民政 ...).
    reason : str
        The risk code that called for it, or :data:`REASON_DEVELOPMENTAL` /
        :data:`REASON_SAFETY_NET` for the policy rules.
    """

    category: str
    department: str
    reason: str


@dataclass(frozen=True)
class AssistanceMap:
    """Suggest assistance measures for a household's ranked risk types.

    Not an estimator: a frozen, checked workflow object built from config.

    Policy rules (domain.md section 4): a household with members able to work gets
    at least one developmental measure (产业帮扶 or 就业帮扶); a household with none
    gets the safety net (综合保障), and measures that need labour are dropped.

    Parameters
    ----------
    config : AssistanceConfig
        Checked content of ``assistance.yaml``.
    risk_types : RiskTypes
        Code -> name table; every risk rule's code must be in it.

    Examples
    --------
    >>> amap = load_assistance_map()
    >>> [m.category for m in amap.suggest(["01"], labor_count=2)]
    ['健康帮扶', '综合保障', '社会帮扶', '产业帮扶']
    >>> [m.department for m in amap.suggest(["01"], labor_count=2)]
    ['医保', '民政', '农业农村', '农业农村']
    >>> [m.category for m in amap.suggest(["07"], labor_count=0)]
    ['综合保障']
    """

    config: AssistanceConfig
    risk_types: RiskTypes

    def __post_init__(self) -> None:
        unknown = [c for c in self.config.risks if c not in self.risk_types]
        if unknown:
            raise ConfigError(
                f"The assistance config ({self.config.source}) has rules for unknown "
                "risk "
                f"code(s) {unknown}"
                + "".join(close_matches(c, self.risk_types) for c in unknown)
                + f"; the risk types ({self.risk_types.source}) know "
                f"{', '.join(self.risk_types)}."
            )

    def _rule(self, code: str) -> tuple[str, tuple]:
        key = self.risk_types.resolve(code) if code not in self.config.risks else code
        rt = self.risk_types.types.get(key)
        while key not in self.config.risks and rt is not None and rt.parent is not None:
            key = rt.parent
            rt = self.risk_types.types.get(key)
        if key not in self.config.risks:
            raise ConfigError(
                UNKNOWN_RISK.format(
                    code=code,
                    source=self.config.source,
                    hint=close_matches(code, self.config.risks),
                    known=", ".join(self.config.risks),
                )
            )
        return self.risk_types.resolve(code), self.config.risks[key]

    def suggest(
        self,
        risk_codes: Iterable[str] | str,
        *,
        labor_count: int,
        limit: int | None = None,
    ) -> list[Measure]:
        """Measures for one household, deduplicated, in the order of risk rank.

        Parameters
        ----------
        risk_codes : list of str or str
            Risk codes (or Chinese names) ranked by importance, most important
            first; a ``;``-joined string is accepted.
        labor_count : int
            Members able to work (劳动力人数).
        limit : int, optional
            Keep at most this many measures (the policy measure is always kept).

        Returns
        -------
        list of Measure
        """
        if labor_count is None or pd.isna(labor_count) or int(labor_count) < 0:
            raise InputError(
                f"labor_count must be a count >= 0 (劳动力人数); got {labor_count!r}."
            )
        can_work = int(labor_count) > 0
        cfg = self.config
        out: dict[str, Measure] = {}
        for code in split_codes(risk_codes):
            resolved, items = self._rule(code)
            for item in items:
                spec = cfg.measures[item.measure]
                if item.measure in out or (spec.needs_labour and not can_work):
                    continue
                out[item.measure] = Measure(
                    item.measure, item.department or spec.department, resolved
                )
        measures = list(out.values())
        if can_work:
            required = [m for m in measures if m.category in cfg.developmental]
            if not required:
                first = cfg.developmental[0]
                required = [
                    Measure(first, cfg.measures[first].department, REASON_DEVELOPMENTAL)
                ]
                measures.append(required[0])
        else:
            required = [m for m in measures if m.category == cfg.safety_net]
            if not required:
                net = cfg.safety_net
                required = [
                    Measure(net, cfg.measures[net].department, REASON_SAFETY_NET)
                ]
                measures.append(required[0])
        if limit is None or len(measures) <= limit:
            return measures
        # keep the top ``limit`` measures but never drop the policy rule's measure
        keep = measures[: max(limit, 1)]
        if not any(m in keep for m in required):
            keep[-1] = required[0]
        return keep

    def suggest_frame(
        self,
        frame: pd.DataFrame,
        *,
        risk_col: str = "risk_types",
        labor_col: str = "labor_count",
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Vectorised :meth:`suggest` over a frame, one output row per input row.

        Returns a frame on ``frame.index`` with ``;``-joined ``measures``,
        ``departments`` and ``measure_reasons`` (aligned position by position).

        Examples
        --------
        >>> amap = load_assistance_map()
        >>> df = pd.DataFrame({"risk_types": ["H_water", "09;H_dropout"],
        ...                    "labor_count": [0, 1]})
        >>> amap.suggest_frame(df)["measures"].tolist()
        ['饮水安全保障;综合保障', '其他教育帮扶;义务教育保障;产业帮扶']
        """
        missing = [c for c in (risk_col, labor_col) if c not in frame.columns]
        if missing:
            raise InputError(
                f"suggest_frame needs columns {missing}"
                f"{close_matches(missing[0], frame.columns)}; the frame has "
                f"{list(frame.columns)}."
            )
        labour = pd.to_numeric(frame[labor_col], errors="coerce")
        if labour.isna().any() or (labour < 0).any():
            bad = int((labour.isna() | (labour < 0)).sum())
            raise InputError(
                f"{labor_col!r} must be a count >= 0 in every row; {bad} row(s) are "
                "missing or negative."
            )
        keys = [
            (tuple(split_codes(r)), bool(n > 0))
            for r, n in zip(frame[risk_col].tolist(), labour.tolist(), strict=True)
        ]
        cache: dict[tuple, tuple[str, str, str]] = {}
        for key in dict.fromkeys(keys):
            ms = self.suggest(list(key[0]), labor_count=int(key[1]), limit=limit)
            cache[key] = (
                ";".join(m.category for m in ms),
                ";".join(m.department for m in ms),
                ";".join(m.reason for m in ms),
            )
        rows = [cache[k] for k in keys]
        return pd.DataFrame(
            rows or None,
            index=frame.index,
            columns=["measures", "departments", "measure_reasons"],
            dtype="string",
        )

    def risk_name(self, code: str) -> str:
        """Chinese name of a risk code (因病 for ``"01"``)."""
        return self.risk_types.name(code)


def load_assistance_map(
    path: str | Path | None = None, *, risk_types: str | Path | None = None
) -> AssistanceMap:
    """Build an :class:`AssistanceMap` from YAML files (shipped defaults if None).

    Examples
    --------
    >>> load_assistance_map().risk_name("09")
    '因学'
    """
    return AssistanceMap(load_assistance_config(path), load_risk_types(risk_types))
