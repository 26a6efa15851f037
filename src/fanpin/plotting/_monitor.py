"""Charts of drift, calibration, group metrics and a tuning study."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ..messages import N_, Message
from ..report import COLOURS, FOR_PLOTS, chart_style, draw_calibration

__all__ = [
    "plot_calibration",
    "plot_group_metrics",
    "plot_optimization",
    "plot_psi",
    "plot_psi_by_year",
]

MSG_COLUMNS = N_(
    "{func} expects a DataFrame from {source} with columns {need}; missing "
    "{missing}. Pass that function's output unchanged."
)
#: The usual PSI thresholds: below 0.1 stable, above 0.25 a significant shift.
PSI_LINES = (0.1, 0.25)


def _need(df: pd.DataFrame, cols: Sequence[str], func: str, source: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            Message(MSG_COLUMNS,
                func=func, source=source, need=list(cols), missing=missing
            )
        )


def _band_colour(value: float) -> str:
    if not np.isfinite(value) or value < PSI_LINES[0]:
        return COLOURS["stable"]
    return COLOURS["shift"] if value < PSI_LINES[1] else COLOURS["significant"]


def _psi_lines(ax: Any, *, vertical: bool) -> None:
    for v, c in zip(PSI_LINES, (COLOURS["shift"], COLOURS["significant"]), strict=True):
        (ax.axvline if vertical else ax.axhline)(v, color=c, linestyle="--", lw=1)


def plot_psi(report: pd.DataFrame, *, top: int = 20, title: str | None = None) -> Any:
    """Horizontal bars of PSI (score first, then the most drifting features).

    ``report`` is :func:`fanpin.monitor.stability_report` (or one year pair of
    :func:`~fanpin.monitor.drift_between_years`). Bars are coloured by band; dashed
    lines mark 0.1 and 0.25.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"variable": ["score", "income__pc_income"],
    ...                   "kind": ["score", "feature"], "psi": [0.02, 0.3]})
    >>> len(plot_psi(r).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    _need(report, ["variable", "kind", "psi"], "plot_psi", "stability_report")
    score = report[report["kind"] == "score"]
    feats = report[report["kind"] != "score"].sort_values(
        "psi", ascending=False, kind="stable"
    )
    rows = pd.concat([score, feats.head(top)])[::-1]
    with st.context():
        fig, ax = st.figure(7.5, 0.28 * len(rows) + 1.4)
        values = rows["psi"].to_numpy(dtype="float64")
        ax.barh(
            [st.name(v) for v in rows["variable"]],
            np.nan_to_num(values),
            color=[_band_colour(v) for v in values],
        )
        _psi_lines(ax, vertical=True)
        ax.set_xlabel(
            st.title("群体稳定性指数 PSI", "population stability index (PSI)")
        )
        ax.set_title(
            title or st.title("特征与评分的分布偏移", "drift of features and score")
        )
    return fig


def plot_psi_by_year(drift: pd.DataFrame, *, top: int = 8) -> Any:
    """PSI by year of the score and of the ``top`` features that drifted most.

    ``drift`` is :func:`fanpin.monitor.drift_between_years`.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"year_ref": [2021, 2022], "year_cur": [2022, 2023],
    ...                   "variable": ["score"] * 2, "kind": ["score"] * 2,
    ...                   "psi": [0.01, 0.2]})
    >>> len(plot_psi_by_year(d).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    _need(
        drift,
        ["year_cur", "variable", "kind", "psi"],
        "plot_psi_by_year",
        "drift_between_years",
    )
    worst = (
        drift[drift["kind"] != "score"]
        .groupby("variable", sort=False)["psi"]
        .max()
        .sort_values(ascending=False, kind="stable")
        .head(top)
        .index.tolist()
    )
    with st.context():
        fig, ax = st.figure(7.5, 4.2)
        for name in ["score", *worst]:
            part = drift[drift["variable"] == name].sort_values("year_cur")
            if part.empty:
                continue
            is_score = name == "score"
            ax.plot(
                part["year_cur"].astype(int),
                part["psi"],
                marker="o",
                lw=3 if is_score else 1.2,
                color=COLOURS["model"] if is_score else None,
                label=st.name(name),
            )
        _psi_lines(ax, vertical=False)
        years = sorted(drift["year_cur"].astype(int).unique().tolist())
        ax.set_xticks(years)
        ax.set_xlabel(
            st.title("年度（与上一年比较）", "year (against the year before)")
        )
        ax.set_ylabel("PSI")
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        ax.set_title(st.title("逐年分布偏移", "drift year by year"))
    return fig


def plot_calibration(table: pd.DataFrame) -> Any:
    """Observed fall rate against mean predicted risk, one line per year.

    ``table`` is :func:`fanpin.monitor.calibration_by_year` (or a single
    :func:`~fanpin.monitor.calibration_curve_table`). Error bars are the 95 %
    Wilson intervals.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mean_predicted": [0.01, 0.1], "observed_rate": [0.0, 0.12],
    ...                   "observed_low": [0.0, 0.08], "observed_high": [0.02, 0.15]})
    >>> len(plot_calibration(t).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    need = ["mean_predicted", "observed_rate", "observed_low", "observed_high"]
    _need(table, need, "plot_calibration", "calibration_by_year")
    with st.context():
        fig, ax = st.figure(6.0, 5.0)
        draw_calibration(ax, table, st, percent=False)
        if "year" in table:
            ax.legend(title=st.title("年度", "year"), loc="upper left", frameon=False)
        ax.set_title(st.title("逐年校准曲线", "calibration by year"))
    return fig


def plot_group_metrics(table: pd.DataFrame, *, metric: str = "recall_in_list") -> Any:
    """One panel per group column: ``metric`` of each group, the overall value dashed.

    ``table`` is :func:`fanpin.monitor.group_metrics`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"column": ["all", "household_type", "household_type"],
    ...                   "group": ["all", "脱贫户", "一般农户"],
    ...                   "n": [10, 4, 6], "recall_in_list": [0.5, 0.6, 0.4]})
    >>> len(plot_group_metrics(t).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    _need(table, ["column", "group", metric], "plot_group_metrics", "group_metrics")
    overall = table.loc[table["column"] == "all", metric]
    parts = [(c, p) for c, p in table.groupby("column", sort=False) if c != "all"]
    if not parts:
        parts = [("all", table)]
    with st.context():
        fig, axes = st.figure(
            3.6 * len(parts), 3.8, nrows=1, ncols=len(parts), squeeze=False
        )
        for ax, (col, part) in zip(axes[0], parts, strict=True):
            labels = [str(g) for g in part["group"]]
            ax.bar(
                labels, part[metric].to_numpy(dtype="float64"), color=COLOURS["model"]
            )
            if len(overall):
                ax.axhline(
                    float(overall.iloc[0]), color=COLOURS["marker"], ls="--", lw=1
                )
            ax.set_title(st.name(str(col)))
            ax.tick_params(axis="x", labelrotation=45)
        axes[0][0].set_ylabel(metric)
    return fig


def plot_optimization(
    trials: pd.DataFrame, *, default_value: float | None = None
) -> Any:
    """Each trial's objective and the best so far; the default config dashed.

    ``trials`` is :attr:`fanpin.evaluate.TuningResult.trials`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"number": [0, 1, 2], "value": [0.3, 0.35, 0.32]})
    >>> len(plot_optimization(t, default_value=0.3).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    _need(trials, ["number", "value"], "plot_optimization", "TuningResult.trials")
    values = trials["value"].to_numpy(dtype="float64")
    with st.context():
        fig, ax = st.figure(7.0, 4.0)
        ax.scatter(
            trials["number"],
            values,
            color=COLOURS["trial"],
            label=st.title("试验", "trial"),
        )
        ax.step(
            trials["number"],
            np.fmax.accumulate(np.nan_to_num(values, nan=-np.inf)),
            where="post",
            color=COLOURS["model"],
            label=st.title("当前最优", "best so far"),
        )
        if default_value is not None:
            ax.axhline(
                default_value, color=COLOURS["significant"], ls="--", lw=1,
                label=st.title("默认参数", "default parameters"),
            )  # fmt: skip
        ax.set_xlabel(st.title("试验序号", "trial"))
        ax.set_ylabel(st.title("时间交叉验证目标值", "objective (temporal CV)"))
        ax.legend(frameon=False)
    return fig
