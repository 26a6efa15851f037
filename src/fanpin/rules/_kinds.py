"""One function per rule kind: each returns a bool array aligned with the panel rows.

Every function has the signature ``(panel, params, ctx) -> np.ndarray[bool]`` where
``ctx`` holds quantities computed once per panel (per-capita income, the lines,
last year's values). Missing inputs never trigger a rule; a rule whose line type
is missing for a row's province and year is not checked there (it does not fire,
and :meth:`RuleContext.checked` says so).

:func:`reason_values` gives, per kind, the values its reason sentence quotes
(the fields of :data:`fanpin.config.REASON_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import LineValues, MonitoringLines
from ..schema import (
    income_below_line,
    per_capita_income,
    per_capita_income_after_rigid,
)

__all__ = ["LAST_YEAR_KINDS", "RULE_FUNCTIONS", "RuleContext", "reason_values"]

LAST_YEAR_KINDS = frozenset({"income_drop", "new_disability"})
"""Rule kinds that compare a household with its record of the previous year:
not checked for a household without one (:attr:`RuleContext.has_last_year`)."""


def _num(panel: pd.DataFrame, name: str, fill: float | None = None) -> np.ndarray:
    if name not in panel:
        out = np.full(len(panel), np.nan)
    else:
        out = pd.to_numeric(panel[name], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
    return out if fill is None else np.where(np.isnan(out), fill, out)


def _flag(panel: pd.DataFrame, name: str) -> np.ndarray:
    """A bool column (missing column or value: False)."""
    if name not in panel:
        return np.zeros(len(panel), dtype=bool)
    col = panel[name]
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        col = col.astype("string").str.strip().str.lower().isin(["true", "1", "是"])
    return col.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _last_year_rows(panel: pd.DataFrame) -> np.ndarray:
    """Position of the same household's record of exactly year t-1 (-1 when
    the household has none)."""
    keys = pd.DataFrame(
        {
            "household_id": panel["household_id"].to_numpy(),
            "year": panel["year"].to_numpy(dtype="int64"),
        }
    )
    prev = keys.assign(year=keys["year"] + 1, _pos=np.arange(len(keys)))
    merged = keys.merge(
        prev, on=["household_id", "year"], how="left", validate="one_to_one"
    )
    return merged["_pos"].fillna(-1).to_numpy(dtype="int64")


def _last_year(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Value of the same household in exactly year t-1 (NaN when absent);
    ``rows`` from :func:`_last_year_rows`."""
    out = np.full(len(rows), np.nan)
    has = rows >= 0
    out[has] = np.asarray(values, dtype="float64")[rows[has]]
    return out


@dataclass
class RuleContext:
    """Quantities shared by the rules, computed once per panel."""

    income_pc: np.ndarray
    income_pc_after_rigid: np.ndarray
    income_total: np.ndarray
    line: np.ndarray
    income_pc_last_year: np.ndarray
    disabled_last_year: np.ndarray
    #: whether the household has a record of exactly year t-1 (the rules of
    #: :data:`LAST_YEAR_KINDS` are not checked without one)
    has_last_year: np.ndarray
    lines: dict[str, LineValues]
    on_dibao: np.ndarray
    on_tekun: np.ndarray
    rigid: np.ndarray
    assistance_columns: tuple[str, ...]

    @classmethod
    def build(cls, panel: pd.DataFrame, lines: MonitoringLines) -> RuleContext:
        """Compute the shared quantities of ``panel``."""
        inc = per_capita_income(panel).to_numpy(dtype="float64")
        prov, year = panel["province"], panel["year"]
        line = lines.lookup(prov, year)
        values = {
            kind: lines.values(kind, prov, year)
            for kind in lines.line_types
            if kind != "monitoring"
        }
        values["monitoring"] = lines.values("monitoring", prov, year)
        prev = _last_year_rows(panel)
        return cls(
            income_pc=inc,
            income_pc_after_rigid=per_capita_income_after_rigid(panel).to_numpy(
                dtype="float64"
            ),
            income_total=inc * _num(panel, "household_size"),
            line=line,
            income_pc_last_year=_last_year(prev, inc),
            disabled_last_year=_last_year(prev, _num(panel, "disabled_count")),
            has_last_year=prev >= 0,
            lines=values,
            on_dibao=_flag(panel, "dibao"),
            on_tekun=_flag(panel, "tekun"),
            rigid=_num(panel, "medical_cost_oop", 0.0)
            + _num(panel, "education_cost", 0.0),
            assistance_columns=tuple(c for c in ("dibao", "tekun") if c in panel),
        )

    def value(self, line_type: str) -> np.ndarray:
        """A line type's values row by row (NaN where missing)."""
        got = self.lines.get(line_type)
        return got.values if got is not None else np.full(len(self.line), np.nan)

    def checked(self, line_types: tuple[str, ...]) -> np.ndarray:
        """Rows where every one of ``line_types`` has a value."""
        ok = np.ones(len(self.line), dtype=bool)
        for kind in line_types:
            ok &= ~np.isnan(self.value(kind))
        return ok

    def placeholder(self, line_types: tuple[str, ...]) -> np.ndarray:
        """Rows where a value of ``line_types`` used is a placeholder."""
        ph = np.zeros(len(self.line), dtype=bool)
        for kind in line_types:
            got = self.lines.get(kind)
            if got is not None:
                ph |= got.placeholder
        return ph


def _income(params: Mapping[str, Any], ctx: RuleContext) -> np.ndarray:
    if params.get("income", "net") == "after_rigid":
        return ctx.income_pc_after_rigid
    return ctx.income_pc


def income_near_line(panel, params: Mapping[str, Any], ctx: RuleContext) -> np.ndarray:
    """Per-capita income below ``multiple`` x the province's monitoring line [S6]:
    net income (``income: net``, the default) or income after rigid spending
    (``income: after_rigid``, the 2026 one way of counting).

    Compared in whole fen as :func:`fanpin.schema.income_below_line` does, so at
    ``multiple`` 1 with income after rigid spending the rule flags exactly the
    households whose income puts them in hardship."""
    size = _num(panel, "household_size")
    threshold = params["multiple"] * ctx.line
    ok = np.isfinite(ctx.income_total) & np.isfinite(threshold) & (size > 0)
    rigid = ctx.rigid if params.get("income", "net") == "after_rigid" else 0.0
    below = income_below_line(
        np.where(ok, ctx.income_total, 0.0),
        np.broadcast_to(rigid, size.shape),
        np.where(ok, size, 1.0),
        np.where(ok, threshold, 0.0),
    )
    return ok & below


def dibao_edge(panel, params, ctx) -> np.ndarray:
    """低保边缘: not on 低保, per-capita net income below ``multiple`` x the local
    低保 standard (line type ``dibao``; not checked where it is missing)."""
    with np.errstate(invalid="ignore"):
        below = ctx.income_pc < params["multiple"] * ctx.value("dibao")
    return below & ~ctx.on_dibao


def rigid_spending_hardship(panel, params, ctx) -> np.ndarray:
    """刚性支出困难 (民发〔2024〕57号): not on 低保 or 特困 and not 低保边缘
    (per-capita net income below ``dibao_multiple`` x the 低保 standard); per-capita
    net income below last year's local per-capita disposable income; rigid
    spending (medical out of pocket + education) above the local share of
    household net income. Not checked where a line type it needs is missing."""
    dibao = ctx.value("dibao")
    with np.errstate(invalid="ignore"):
        edge = ctx.income_pc < params["dibao_multiple"] * dibao
        below = ctx.income_pc < ctx.value("disposable_income")
        share = ctx.value("rigid_spending_share")
        over = (ctx.rigid > 0) & (
            ctx.rigid > share * np.maximum(ctx.income_total, 0.0)
        )
    known = ~np.isnan(dibao)
    return known & ~ctx.on_dibao & ~ctx.on_tekun & ~edge & below & over


def medical_oop(panel, params, ctx) -> np.ndarray:
    """Yearly oop above ``monitored_yuan`` (monitored) or ``other_yuan`` [S15]."""
    monitored = np.zeros(len(panel), dtype=bool)
    if "monitor_category" in panel:
        cat = panel["monitor_category"].astype("string").str.strip()
        monitored = (cat.fillna("") != "").to_numpy(dtype=bool)
    cut = np.where(monitored, params["monitored_yuan"], params["other_yuan"])
    return _num(panel, "medical_cost_oop", 0.0) > cut


def oop_over_local_income(panel, params, ctx) -> np.ndarray:
    """Yearly oop above local per-capita income (county mean, or a fixed yuan) [S16]."""
    if params["reference"] == "fixed":
        ref = np.full(len(panel), float(params["yuan"]))
    else:
        ref = _county_mean(panel, ctx)
    return _num(panel, "medical_cost_oop", 0.0) > ref


def disaster_loss_share(panel, params, ctx) -> np.ndarray:
    """Disaster loss above ``share`` x household net income (any loss if <= 0)."""
    loss = _num(panel, "disaster_loss", 0.0)
    return (loss > 0) & (loss > params["share"] * np.maximum(ctx.income_total, 0.0))


def income_drop(panel, params, ctx) -> np.ndarray:
    """Per-capita net income fell by more than ``share`` since year t-1."""
    last = ctx.income_pc_last_year
    with np.errstate(invalid="ignore"):
        return (last > 0) & (ctx.income_pc < (1.0 - params["share"]) * last)


def new_disability(panel, params, ctx) -> np.ndarray:
    """More disabled members than in year t-1."""
    with np.errstate(invalid="ignore"):
        return _num(panel, "disabled_count") > ctx.disabled_last_year


def rigid_spending_share(panel, params, ctx) -> np.ndarray:
    """(oop + education cost) above ``share`` x household net income [S42]."""
    rigid = ctx.rigid
    return (rigid > 0) & (rigid > params["share"] * np.maximum(ctx.income_total, 0.0))


RULE_FUNCTIONS: Mapping[str, Callable[..., np.ndarray]] = {
    "income_near_line": income_near_line,
    "medical_oop": medical_oop,
    "oop_over_local_income": oop_over_local_income,
    "disaster_loss_share": disaster_loss_share,
    "income_drop": income_drop,
    "new_disability": new_disability,
    "rigid_spending_share": rigid_spending_share,
    "dibao_edge": dibao_edge,
    "rigid_spending_hardship": rigid_spending_hardship,
}


def _share_of(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1.0), np.nan)


def _county_mean(panel: pd.DataFrame, ctx: RuleContext) -> np.ndarray:
    return (
        pd.Series(ctx.income_pc)
        .groupby([panel["county"].to_numpy(), panel["year"].to_numpy()])
        .transform("mean")
        .to_numpy(dtype="float64")
    )


def _common(panel, ctx) -> dict[str, np.ndarray]:
    return {
        "income_pc": ctx.income_pc,
        "income_pc_after_rigid": ctx.income_pc_after_rigid,
        "income_total": ctx.income_total,
        "household_size": _num(panel, "household_size"),
        "line": ctx.line,
    }


def _values_income_near_line(panel, params, ctx):
    return {
        "income": _income(params, ctx),
        "multiple": np.full(len(panel), params["multiple"]),
        "threshold": params["multiple"] * ctx.line,
    }


def _values_medical_oop(panel, params, ctx):
    monitored = np.zeros(len(panel), dtype=bool)
    if "monitor_category" in panel:
        cat = panel["monitor_category"].astype("string").str.strip()
        monitored = (cat.fillna("") != "").to_numpy(dtype=bool)
    cut = np.where(monitored, params["monitored_yuan"], params["other_yuan"])
    return {"oop": _num(panel, "medical_cost_oop", 0.0), "threshold": cut}


def _values_oop_over_local_income(panel, params, ctx):
    if params["reference"] == "fixed":
        ref = np.full(len(panel), float(params["yuan"]))
    else:
        ref = _county_mean(panel, ctx)
    return {"oop": _num(panel, "medical_cost_oop", 0.0), "reference": ref}


def _values_disaster_loss_share(panel, params, ctx):
    loss = _num(panel, "disaster_loss", 0.0)
    total = np.maximum(ctx.income_total, 0.0)
    return {
        "loss": loss,
        "share": np.full(len(panel), params["share"]),
        "threshold": params["share"] * total,
        "loss_share": _share_of(loss, total),
    }


def _values_income_drop(panel, params, ctx):
    last = ctx.income_pc_last_year
    return {
        "income_pc_last_year": last,
        "drop": 1.0 - _share_of(ctx.income_pc, last),
        "share": np.full(len(panel), params["share"]),
    }


def _values_new_disability(panel, params, ctx):
    return {
        "disabled": _num(panel, "disabled_count"),
        "disabled_last_year": ctx.disabled_last_year,
    }


def _rigid_values(ctx, share: np.ndarray) -> dict[str, np.ndarray]:
    total = np.maximum(ctx.income_total, 0.0)
    return {
        "rigid": ctx.rigid,
        "rigid_share": _share_of(ctx.rigid, total),
        "share": share,
        "threshold": share * total,
    }


def _values_rigid_spending_share(panel, params, ctx):
    return _rigid_values(ctx, np.full(len(panel), params["share"]))


def _values_dibao_edge(panel, params, ctx):
    dibao = ctx.value("dibao")
    return {
        "dibao": dibao,
        "multiple": np.full(len(panel), params["multiple"]),
        "threshold": params["multiple"] * dibao,
    }


def _values_rigid_spending_hardship(panel, params, ctx):
    return {
        **_rigid_values(ctx, ctx.value("rigid_spending_share")),
        "disposable_income": ctx.value("disposable_income"),
        "dibao": ctx.value("dibao"),
    }


_REASON_VALUES: Mapping[str, Callable[..., dict[str, np.ndarray]]] = {
    "income_near_line": _values_income_near_line,
    "medical_oop": _values_medical_oop,
    "oop_over_local_income": _values_oop_over_local_income,
    "disaster_loss_share": _values_disaster_loss_share,
    "income_drop": _values_income_drop,
    "new_disability": _values_new_disability,
    "rigid_spending_share": _values_rigid_spending_share,
    "dibao_edge": _values_dibao_edge,
    "rigid_spending_hardship": _values_rigid_spending_hardship,
}


def reason_values(
    kind: str, panel: pd.DataFrame, params: Mapping[str, Any], ctx: RuleContext
) -> dict[str, np.ndarray]:
    """The values a rule's reason sentence may quote, row by row: those of its
    kind (:data:`fanpin.config.REASON_FIELDS`) and the common ones (per-capita
    income, income after rigid spending, household income and size, the
    monitoring line)."""
    return {**_common(panel, ctx), **_REASON_VALUES[kind](panel, params, ctx)}
