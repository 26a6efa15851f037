"""Assistance mapping: official risk types -> measure categories -> lead departments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import AssistanceConfig, RiskTypes, load_assistance_config
from ..exceptions import ConfigError, InputError
from ..messages import N_, Message, did_you_mean

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

UNKNOWN_RISK = N_(
    "Risk code {code!r} has no rule in the assistance config ({source}){hint}. Add it "
    "under 'risks' in your assistance.yaml, or fix the code. Known codes: {known}."
)
MSG_UNKNOWN_RULE_CODES = N_(
    "The assistance config ({source}) has rules for unknown risk code(s) {codes}"
    "{hints}; the risk types ({types}) know {known}."
)
MSG_BAD_LABOUR = N_("labor_count must be a count >= 0 (劳动力人数); got {value!r}.")
MSG_FRAME_COLUMNS = N_(
    "suggest_frame needs columns {missing}{hint}; the frame has {columns}."
)
MSG_FRAME_LABOUR = N_(
    "{column!r} must be a count >= 0 in every row; {bad} row(s) are missing or "
    "negative."
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


def _one_per_department(measures) -> list[Measure]:  # noqa: ANN001
    """The first measure of each lead department, in order."""
    out: dict[str, Measure] = {}
    for m in measures:
        out.setdefault(m.department, m)
    return list(out.values())


def _developmental(cfg: AssistanceConfig, measures: list[Measure]) -> Measure:
    """The policy's developmental measure: the first whose department is free."""
    used = {m.department for m in measures}
    for name in cfg.developmental:
        spec = cfg.measures[name]
        if spec.department not in used:
            return Measure(name, spec.department, REASON_DEVELOPMENTAL)
    first = cfg.developmental[0]
    return Measure(first, cfg.measures[first].department, REASON_DEVELOPMENTAL)


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
    >>> from fanpin.config import load_risk_types
    >>> amap = load_assistance_map(risk_types=load_risk_types())
    >>> [m.category for m in amap.suggest(["01"], labor_count=2)]
    ['健康帮扶', '综合保障', '产业帮扶']
    >>> [m.department for m in amap.suggest(["01"], labor_count=2)]
    ['医保', '民政', '农业农村']
    >>> [m.category for m in amap.suggest(["07"], labor_count=0)]
    ['综合保障']
    """

    config: AssistanceConfig
    risk_types: RiskTypes

    def __post_init__(self) -> None:
        unknown = [c for c in self.config.risks if c not in self.risk_types]
        if unknown:
            raise ConfigError(
                Message(
                    MSG_UNKNOWN_RULE_CODES, source=self.config.source, codes=unknown,
                    hints="".join(did_you_mean(c, self.risk_types) for c in unknown),
                    types=self.risk_types.source, known=", ".join(self.risk_types),
                )
            )  # fmt: skip

    def _rule(self, code: str) -> tuple[str, tuple]:
        key = self.risk_types.resolve(code) if code not in self.config.risks else code
        rt = self.risk_types.types.get(key)
        while key not in self.config.risks and rt is not None and rt.parent is not None:
            key = rt.parent
            rt = self.risk_types.types.get(key)
        if key not in self.config.risks:
            raise ConfigError(
                Message(
                    UNKNOWN_RISK, code=code, source=self.config.source,
                    hint=did_you_mean(code, self.config.risks),
                    known=", ".join(self.config.risks),
                )
            )  # fmt: skip
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
            raise InputError(Message(MSG_BAD_LABOUR, value=labor_count))
        can_work = int(labor_count) > 0
        cfg = self.config
        specific: dict[str, Measure] = {}
        general: dict[str, Measure] = {}
        for code in split_codes(risk_codes):
            resolved, items = self._rule(code)
            for item in items:
                spec = cfg.measures[item.measure]
                if spec.needs_labour and not can_work:
                    continue
                into = general if item.measure in cfg.general else specific
                if item.measure not in into:
                    into[item.measure] = Measure(
                        item.measure, item.department or spec.department, resolved
                    )
        measures = _one_per_department(specific.values())
        if can_work:
            required = [m for m in measures if m.category in cfg.developmental]
            if not required:
                m = _developmental(cfg, measures)
                measures = [x for x in measures if x.department != m.department]
                measures.append(m)
                required = [m]
        else:
            required = [m for m in measures if m.category == cfg.safety_net]
            if not required:
                net = cfg.safety_net
                m = Measure(net, cfg.measures[net].department, REASON_SAFETY_NET)
                measures = [x for x in measures if x.department != m.department]
                measures.append(m)
                required = [m]
        # general measures (社会帮扶) after every specific one; each department once
        measures = _one_per_department([*measures, *general.values()])
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
            >>> from fanpin.config import load_risk_types
        >>> amap = load_assistance_map(risk_types=load_risk_types())
            >>> df = pd.DataFrame({"risk_types": ["H_water", "09;H_dropout"],
            ...                    "labor_count": [0, 1]})
            >>> amap.suggest_frame(df)["measures"].tolist()
            ['饮水安全保障;综合保障', '其他教育帮扶;产业帮扶']
        """
        missing = [c for c in (risk_col, labor_col) if c not in frame.columns]
        if missing:
            raise InputError(
                Message(
                    MSG_FRAME_COLUMNS, missing=missing,
                    hint=did_you_mean(missing[0], frame.columns),
                    columns=list(frame.columns),
                )
            )  # fmt: skip
        labour = pd.to_numeric(frame[labor_col], errors="coerce")
        if labour.isna().any() or (labour < 0).any():
            bad = int((labour.isna() | (labour < 0)).sum())
            raise InputError(Message(MSG_FRAME_LABOUR, column=labor_col, bad=bad))
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
    path: str | Path | None = None, *, risk_types: RiskTypes
) -> AssistanceMap:
    """Build an :class:`AssistanceMap` from ``assistance.yaml`` (the shipped one
    if None) and the risk types already loaded (:func:`~fanpin.config.load_risk_types`).

    Examples
    --------
    >>> from fanpin.config import load_risk_types
    >>> load_assistance_map(risk_types=load_risk_types()).risk_name("09")
    '因学'
    """
    return AssistanceMap(load_assistance_config(path), risk_types)
