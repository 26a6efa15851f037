"""Charts of SHAP explanations: domains, features, dependence, one household, risks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ..features import domain_of
from ..messages import N_, Message
from ..report import COLOURS, FOR_PLOTS, chart_style

__all__ = [
    "plot_dependence",
    "plot_domain_importance",
    "plot_feature_importance",
    "plot_risk_types",
    "plot_waterfall",
    "risk_type_counts",
]

MSG_NO_HOUSEHOLD = N_(
    "Household {hid!r} is not among the explained rows. Pass a household_id of "
    "the rows given to shap_values (e.g. one of the latest year)."
)
MSG_NO_FEATURE = N_(
    "Feature {name!r} is not a column of the SHAP values; got e.g. {some}."
)
MSG_BY = N_(
    "risk_type_counts groups by {by!r}, which is not a column of the explanations; "
    "merge it in first (e.g. explanations.merge(scores[['household_id', {by!r}]]))."
)
_RISK_SEP = ";"


def _safe_domain(name: str) -> str:
    try:
        return domain_of(name)
    except Exception:  # noqa: BLE001 - unknown prefixes are shown as they are
        return str(name).partition("__")[0]


def plot_domain_importance(domains: pd.DataFrame) -> Any:
    """Mean absolute SHAP value per risk domain, largest on top.

    ``domains`` is :func:`fanpin.explain.domain_contributions` of some rows.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"income": [0.5, -0.2], "health": [0.1, 0.3]})
    >>> len(plot_domain_importance(d).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    mean_abs = domains.abs().mean().sort_values(kind="stable")
    with st.context():
        fig, ax = st.figure(6.5, 0.35 * len(mean_abs) + 1.4)
        ax.barh([st.name(d) for d in mean_abs.index], mean_abs, color=COLOURS["model"])
        ax.set_xlabel(st.title("平均 |SHAP|（对数几率）", "mean |SHAP| (log-odds)"))
        ax.set_title(
            st.title("各风险领域对评分的贡献", "contribution of each risk domain")
        )
    return fig


def plot_feature_importance(values: pd.DataFrame, *, top: int = 15) -> Any:
    """Mean absolute SHAP value of the ``top`` features, coloured by domain.

    ``values`` is :attr:`fanpin.explain.ShapValues.values`.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"income__pc_income": [0.5, -0.2], "health__x": [0.1, 0.3]})
    >>> len(plot_feature_importance(v).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    mean_abs = values.abs().mean().sort_values(ascending=False, kind="stable")
    mean_abs = mean_abs.head(top)[::-1]
    domains = [_safe_domain(c) for c in mean_abs.index]
    unique = list(dict.fromkeys(domains))
    palette = dict(zip(unique, _colours(len(unique)), strict=True))
    with st.context():
        fig, ax = st.figure(7.5, 0.32 * len(mean_abs) + 1.4)
        ax.barh(
            [st.name(c) for c in mean_abs.index],
            mean_abs,
            color=[palette[d] for d in domains],
        )
        from matplotlib.patches import Patch

        ax.legend(
            handles=[Patch(color=c, label=st.name(d)) for d, c in palette.items()],
            frameon=False,
            loc="lower right",
            fontsize=8,
        )
        ax.set_xlabel(st.title("平均 |SHAP|（对数几率）", "mean |SHAP| (log-odds)"))
        ax.set_title(st.title("最重要的特征", "most important features"))
    return fig


def _colours(n: int) -> list[str]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def plot_dependence(
    values: pd.DataFrame,
    features: pd.DataFrame,
    feature: str,
    *,
    color_by: str | None = None,
) -> Any:
    """SHAP value of ``feature`` against its value (one dot per household).

    ``values`` is :attr:`fanpin.explain.ShapValues.values`; ``features`` the
    feature frame of the same rows; ``color_by`` another feature for the colour.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"income__pc_income": np.arange(5.0)})
    >>> len(plot_dependence(-X / 10, X, "income__pc_income").axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    if feature not in values.columns:
        raise InputError(Message(MSG_NO_FEATURE, name=feature, some=list(values)[:3]))
    x = features.loc[values.index, feature].to_numpy(dtype="float64", na_value=np.nan)
    y = values[feature].to_numpy(dtype="float64")
    with st.context():
        fig, ax = st.figure(6.5, 4.2)
        if color_by is not None:
            c = features.loc[values.index, color_by].to_numpy(
                dtype="float64", na_value=np.nan
            )
            pts = ax.scatter(x, y, c=c, s=8, cmap="coolwarm", alpha=0.7)
            fig.colorbar(pts, ax=ax, label=st.name(color_by))
        else:
            ax.scatter(x, y, s=8, color=COLOURS["model"], alpha=0.6)
        ax.axhline(0, color=COLOURS["guide"], lw=0.8)
        ax.set_xlabel(st.name(feature))
        ax.set_ylabel(st.title("SHAP 值（对数几率）", "SHAP value (log-odds)"))
    return fig


def plot_waterfall(
    shap: Any, panel: pd.DataFrame, household_id: str, *, top: int = 10
) -> Any:
    """One household's score, from the base value through its ``top`` contributions.

    ``shap`` is a :class:`fanpin.explain.ShapValues` of rows of ``panel`` (same
    index); the household's latest explained row is drawn. Red steps raise the
    risk, green ones lower it; the rest of the features are summed in one step.

    Examples
    --------
    >>> import pandas as pd
    >>> from fanpin.explain import ShapValues
    >>> v = pd.DataFrame({"income__pc_income": [0.8], "health__x": [-0.3]})
    >>> sv = ShapValues(values=v, base_value=-3.0,
    ...                 raw_score=pd.Series([-2.5]))
    >>> p = pd.DataFrame({"household_id": ["h1"], "year": [2024]})
    >>> len(plot_waterfall(sv, p, "h1").axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    ids = panel.loc[shap.values.index, "household_id"].astype(str)
    rows = ids.index[(ids == str(household_id)).to_numpy()]
    if len(rows) == 0:
        raise InputError(Message(MSG_NO_HOUSEHOLD, hid=household_id))
    row = panel.loc[rows, "year"].astype(int).idxmax()
    contrib = shap.values.loc[row]
    order = contrib.abs().sort_values(ascending=False, kind="stable").index
    shown = contrib[order[:top]]
    rest = float(contrib[order[top:]].sum())
    labels = [st.name(c) for c in shown.index]
    steps = shown.to_numpy(dtype="float64")
    if len(order) > top:
        n_rest = len(order) - top
        labels.append(st.title(f"其余 {n_rest} 个特征", f"{n_rest} other features"))
        steps = np.r_[steps, rest]
    starts = shap.base_value + np.r_[0.0, np.cumsum(steps)[:-1]]
    with st.context():
        fig, ax = st.figure(8.0, 0.38 * len(steps) + 1.8)
        y = np.arange(len(steps))[::-1]
        ax.barh(
            y,
            steps,
            left=starts,
            color=np.where(steps > 0, COLOURS["up"], COLOURS["down"]).tolist(),
        )
        for yi, s, v in zip(y, starts, steps, strict=True):
            ax.text(s + v, yi, f" {v:+.2f}", va="center", fontsize=8)
        ax.set_yticks(y, labels)
        ax.axvline(shap.base_value, color=COLOURS["guide"], ls=":", lw=1)
        final = shap.base_value + float(contrib.sum())
        ax.axvline(final, color=COLOURS["marker"], ls="--", lw=1)
        ax.set_xlabel(st.title("原始评分（对数几率）", "raw score (log-odds)"))
        ax.set_title(
            st.title(
                f"农户 {household_id}：基准 {shap.base_value:.2f} → 评分 {final:.2f}",
                f"household {household_id}: base {shap.base_value:.2f} -> {final:.2f}",
            )
        )
    return fig


def risk_type_counts(explanations: pd.DataFrame, *, by: str = "county") -> pd.DataFrame:
    """Households per group and official risk type (a household counts once per risk).

    ``explanations`` is :func:`fanpin.explain.explain_households` with a ``by``
    column merged in; the result has one row per group, one column per risk
    name (most frequent first) and a ``total`` of explained households.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"county": ["A", "A", "B"],
    ...                   "risk_names": ["因病;因灾", "因病", ""]})
    >>> risk_type_counts(e).to_dict("index")
    {'A': {'因病': 2, '因灾': 1, 'total': 2}, 'B': {'因病': 0, '因灾': 0, 'total': 1}}
    """
    if by not in explanations.columns:
        raise InputError(Message(MSG_BY, by=by))
    groups = explanations[by].astype("string").fillna("<NA>")
    names = explanations["risk_names"].astype("string").fillna("")
    long = pd.DataFrame({by: groups, "risk": names.str.split(_RISK_SEP)}).explode(
        "risk"
    )
    long = long[long["risk"].astype(str).str.len() > 0]
    table = pd.crosstab(long[by], long["risk"]).reindex(
        sorted(groups.unique()), fill_value=0
    )
    table = table[table.sum().sort_values(ascending=False, kind="stable").index]
    table.columns.name = None
    table.index.name = by
    table["total"] = groups.value_counts().reindex(table.index).to_numpy()
    return table.astype("int64")


def plot_risk_types(
    explanations: pd.DataFrame, *, by: str = "county", top: int = 6
) -> Any:
    """Stacked bars: the ``top`` risk types of the explained households per group.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"county": ["A", "B"], "risk_names": ["因病;因灾", "因病"]})
    >>> len(plot_risk_types(e).axes)
    1
    """
    st = chart_style(FOR_PLOTS)
    table = risk_type_counts(explanations, by=by).drop(columns="total")
    shown = table.iloc[:, :top]
    if table.shape[1] > top:
        shown = shown.assign(
            **{st.title("其他", "other"): table.iloc[:, top:].sum(axis=1)}
        )
    with st.context():
        fig, ax = st.figure(max(6.0, 0.5 * len(shown) + 3), 4.5)
        bottom = np.zeros(len(shown))
        x = np.arange(len(shown))
        for colour, col in zip(_colours(shown.shape[1]), shown.columns, strict=True):
            v = shown[col].to_numpy(dtype="float64")
            ax.bar(x, v, bottom=bottom, label=str(col), color=colour)
            bottom += v
        ax.set_xticks(x, [str(i) for i in shown.index], rotation=45, ha="right")
        ax.set_ylabel(
            st.title("户数（每户可有多项风险）", "households (up to 5 risks each)")
        )
        ax.set_title(st.title("各县主要风险类型", "main risk types by county"))
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return fig
