"""Plain Chinese sentences quoting a household's own values (templates in config).

The value fields are computed here from the household's record, its previous
year's record and its features; the wording lives in ``risk_types.yaml``. No
personal-data column (name, ID number, phone) is ever read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..config import ExplainConfig, MonitoringLines
from ..exceptions import FanpinError
from ..features import PanelView

__all__ = ["COUNT_FIELDS", "FELL_SHARE", "household_values", "render_sentence"]

FELL_SHARE = 0.05
"""``wage_fell`` / ``business_fell``: the component fell by at least this share."""

COUNT_FIELDS = (
    "chronic_ill_count", "serious_ill_count", "disabled_count",
    "severe_disabled_count", "household_size", "labor_count", "elderly_count",
    "children_count", "accident_count", "students_compulsory", "students_higher",
    "dropout_count", "migrant_workers",
)  # fmt: skip
"""Fields formatted as whole numbers (``{x:d}``)."""


def _share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(len(num), np.nan)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    out[ok] = num[ok] / den[ok]
    return out


def household_values(
    panel: pd.DataFrame,
    rows: pd.Index,
    *,
    features: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
) -> pd.DataFrame:
    """The sentence fields of the rows ``rows`` of ``panel`` (index ``rows``).

    Money in yuan; shares as fractions (``{x:.0%}``); counts as numbers (NaN when
    unknown). Last-year values come from the household's record of exactly t-1.

    Examples
    --------
    >>> panel = pd.DataFrame({"household_id": ["a", "a"], "year": [2022, 2023],
    ...     "income_wage": [30000.0, 12000.0], "income_business": [0.0, 0.0],
    ...     "income_transfer": [0.0, 0.0], "medical_cost_oop": [0.0, 6000.0]})
    >>> v = household_values(panel, pd.Index([1]))
    >>> float(v.loc[1, "wage_drop"]), float(v.loc[1, "oop_share"])
    (18000.0, 0.5)
    """
    view = PanelView(panel.reset_index(drop=True))
    pos = panel.index.get_indexer(rows)
    num = {c: view.num(c) for c in (
        "medical_cost_oop", "medical_cost_total", "disaster_loss", "income_wage",
        "income_business", "income_transfer", "education_cost", *COUNT_FIELDS,
    )}  # fmt: skip
    wage_last = view.lag(num["income_wage"])
    bus_last = view.lag(num["income_business"])
    net = view.total_income()
    size = num["household_size"]
    pc = _share(net, size)
    pc_rigid = _share(
        net - view.num0("medical_cost_oop") - view.num0("education_cost"), size
    )
    line = np.full(view.n, np.nan)
    if lines is not None and "province" in panel:
        try:
            line = np.asarray(
                lines.lookup(panel["province"], panel["year"]), dtype="float64"
            )
        except FanpinError:
            # A year outside the table: the sentences of THOSE rows skip the
            # line; the others keep it (so a row's sentence never depends on
            # which other rows are explained with it, e.g. chunk by chunk).
            year = panel["year"].to_numpy()
            for y in pd.unique(year):
                at = year == y
                try:
                    line[at] = lines.lookup(panel["province"][at], panel["year"][at])
                except FanpinError:
                    pass
    out = pd.DataFrame(
        {
            "medical_oop": num["medical_cost_oop"],
            "medical_total": num["medical_cost_total"],
            "net_income": net,
            "oop_share": _share(num["medical_cost_oop"], net),
            "disaster_loss": num["disaster_loss"],
            "loss_share": _share(num["disaster_loss"], net),
            "income_wage": num["income_wage"],
            "wage_last": wage_last,
            "wage_drop": wage_last - num["income_wage"],
            "wage_drop_pct": _share(wage_last - num["income_wage"], wage_last),
            "income_business": num["income_business"],
            "business_last": bus_last,
            "business_drop": bus_last - num["income_business"],
            "business_drop_pct": _share(
                bus_last - num["income_business"], np.abs(bus_last)
            ),
            "income_transfer": num["income_transfer"],
            "education_cost": num["education_cost"],
            "edu_share": _share(num["education_cost"], net),
            "pc_income": pc,
            "pc_income_after_rigid": pc_rigid,
            "line": line,
            "margin_pct": _share(pc_rigid, line),
            **{c: num[c] for c in COUNT_FIELDS},
        }
    )
    # a fall worth quoting: at least FELL_SHARE of last year's amount
    out["wage_fell"] = out["wage_drop_pct"] >= FELL_SHARE
    out["business_fell"] = out["business_drop_pct"] >= FELL_SHARE
    out["no_labour"] = out["labor_count"] == 0
    out["has_disabled"] = out["disabled_count"] > 0
    out["has_students"] = (
        out["students_compulsory"].fillna(0) + out["students_higher"].fillna(0)
    ) > 0
    dtype = (
        panel["disaster_type"].astype("string").str.strip()
        if "disaster_type" in panel
        else pd.Series(pd.NA, index=panel.index, dtype="string")
    )
    out["disaster_type"] = dtype.astype(object).where(dtype.notna(), None).to_numpy()
    insured = view.num("medical_insured")
    out["uninsured"] = insured == 0
    out = out.iloc[pos].set_axis(rows)
    flag = "health__above_serious_threshold"
    if features is not None and flag in features:
        above = features.loc[rows, flag].to_numpy(dtype="float64", na_value=np.nan)
        out["above_serious_threshold"] = above > 0
    else:
        out["above_serious_threshold"] = False
    return out


def _ready(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return not (isinstance(value, str) and not value)


def render_sentence(
    code: str, values: Mapping[str, object], config: ExplainConfig, *, top_feature: str
) -> str:
    """The first template of ``code`` whose condition holds and whose fields all
    have values; the fallback otherwise.

    Examples
    --------
    >>> from fanpin.config import load_explain_config
    >>> cfg = load_explain_config()
    >>> v = {"medical_oop": 32400.0, "oop_share": 0.58,
    ...      "above_serious_threshold": True}
    >>> render_sentence("01", v, cfg, top_feature="医疗自付费用")
    '医疗自付 32,400 元,占家庭纯收入 58%,超过大病保险起付线'
    """
    return _render(code, _prepare(values), config, top_feature=top_feature)


def _prepare(values: Mapping[str, object]) -> dict[str, object]:
    """A household's fields ready for templates (counts as whole numbers).

    Prepared once per household, then reused by every sentence of it.
    """
    fields = dict(values)
    for c in COUNT_FIELDS:
        v = fields.get(c)
        if isinstance(v, float) and math.isfinite(v):
            fields[c] = int(round(v))
    return fields


def _templates(code: str, config: ExplainConfig) -> tuple:
    templates = config.sentences.get(code)
    if templates is None:
        parent = (
            config.risk_types.types[code].parent if code in config.risk_types else None
        )
        templates = config.sentences.get(parent, ()) if parent else ()
    return tuple(templates)


def _render(
    code: str,
    fields: dict[str, object],
    config: ExplainConfig,
    *,
    top_feature: str,
    templates: tuple | None = None,
    risk_name: str | None = None,
) -> str:
    """:func:`render_sentence` on fields from :func:`_prepare` (updated in place:
    ``risk_name`` and ``top_feature`` are set for this sentence)."""
    fields["risk_name"] = (
        risk_name if risk_name is not None else config.risk_types.name(code)
    )
    fields["top_feature"] = top_feature
    if templates is None:
        templates = _templates(code, config)
    for t in templates:
        if t.when is not None:
            flag = fields.get(t.when)
            if not _ready(flag) or not bool(flag):
                continue
        if not all(_ready(fields.get(f)) for f in t.fields):
            continue
        try:
            return t.text.format(**fields)
        except (ValueError, TypeError, KeyError):
            continue
    return config.fallback.format(**fields)
