"""One function per rule kind: each returns a bool array aligned with the panel rows.

Every function has the signature ``(panel, params, ctx) -> np.ndarray[bool]`` where
``ctx`` holds quantities computed once per panel (per-capita income, the line,
last year's values). Missing inputs never trigger a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import MonitoringLines
from ..schema import per_capita_income, per_capita_income_after_rigid

__all__ = ["RULE_FUNCTIONS", "RuleContext"]


def _num(panel: pd.DataFrame, name: str, fill: float | None = None) -> np.ndarray:
    if name not in panel:
        out = np.full(len(panel), np.nan)
    else:
        out = pd.to_numeric(panel[name], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
    return out if fill is None else np.where(np.isnan(out), fill, out)


def _last_year(panel: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Value of the same household in exactly year t-1 (NaN when absent)."""
    keys = pd.DataFrame(
        {
            "household_id": panel["household_id"].to_numpy(),
            "year": panel["year"].to_numpy(dtype="int64"),
        }
    )
    prev = keys.assign(year=keys["year"] + 1, _v=values)
    merged = keys.merge(
        prev, on=["household_id", "year"], how="left", validate="one_to_one"
    )
    return merged["_v"].to_numpy(dtype="float64")


@dataclass
class RuleContext:
    """Quantities shared by the rules, computed once per panel."""

    income_pc: np.ndarray
    income_pc_after_rigid: np.ndarray
    income_total: np.ndarray
    line: np.ndarray
    income_pc_last_year: np.ndarray
    disabled_last_year: np.ndarray

    @classmethod
    def build(cls, panel: pd.DataFrame, lines: MonitoringLines) -> RuleContext:
        """Compute the shared quantities of ``panel``."""
        inc = per_capita_income(panel).to_numpy(dtype="float64")
        return cls(
            income_pc=inc,
            income_pc_after_rigid=per_capita_income_after_rigid(panel).to_numpy(
                dtype="float64"
            ),
            income_total=inc * _num(panel, "household_size"),
            line=lines.lookup(panel["province"], panel["year"]),
            income_pc_last_year=_last_year(panel, inc),
            disabled_last_year=_last_year(panel, _num(panel, "disabled_count")),
        )


def income_near_line(panel, params: Mapping[str, Any], ctx: RuleContext) -> np.ndarray:
    """Per-capita net income below ``multiple`` x the province's line [S6]."""
    return ctx.income_pc < params["multiple"] * ctx.line


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
        ref = (
            pd.Series(ctx.income_pc)
            .groupby([panel["county"].to_numpy(), panel["year"].to_numpy()])
            .transform("mean")
            .to_numpy(dtype="float64")
        )
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
    rigid = _num(panel, "medical_cost_oop", 0.0) + _num(panel, "education_cost", 0.0)
    return (rigid > 0) & (rigid > params["share"] * np.maximum(ctx.income_total, 0.0))


RULE_FUNCTIONS: Mapping[str, Callable[..., np.ndarray]] = {
    "income_near_line": income_near_line,
    "medical_oop": medical_oop,
    "oop_over_local_income": oop_over_local_income,
    "disaster_loss_share": disaster_loss_share,
    "income_drop": income_drop,
    "new_disability": new_disability,
    "rigid_spending_share": rigid_spending_share,
}
