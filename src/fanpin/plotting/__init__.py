"""Small matplotlib helpers for the notebooks: a DataFrame in, a Figure out.

They draw what :mod:`fanpin.monitor`, :mod:`fanpin.evaluate` and
:mod:`fanpin.explain` compute and add no numbers of their own (beyond sorting,
counting and averaging for display). Figures are built without pyplot, so no
global state changes; they share the report's chart style
(:class:`fanpin.report.ChartStyle`: fonts, colours, labels, the calibration
chart): labels are Chinese when a CJK font is installed
(:func:`fanpin.report.find_cjk_font`), else the raw English names. matplotlib
is imported lazily (extra ``fanpin[notebooks]``).

==============================  ============================================
function                        draws
==============================  ============================================
:func:`plot_psi`                PSI per variable with the 0.1 / 0.25 bands
:func:`plot_psi_by_year`        PSI of the most drifting variables, by year
:func:`plot_calibration`        observed against predicted risk, by year
:func:`plot_group_metrics`      one metric by group (province, type …)
:func:`plot_optimization`       an Optuna study: trial values, best so far
:func:`plot_domain_importance`  mean |SHAP| per risk domain
:func:`plot_feature_importance` mean |SHAP| of the top features
:func:`plot_dependence`         SHAP of one feature against its value
:func:`plot_waterfall`          one household's contributions, step by step
:func:`plot_risk_types`         official risk types by county
==============================  ============================================

Examples
--------
>>> import numpy as np
>>> from fanpin.monitor import calibration_curve_table
>>> rng = np.random.default_rng(0)
>>> p = rng.uniform(0, 0.3, 2000)
>>> fig = plot_calibration(calibration_curve_table(rng.uniform(size=2000) < p, p))
>>> len(fig.axes)
1
"""

from ..report import chart_font, display_label
from ._explain import (
    plot_dependence,
    plot_domain_importance,
    plot_feature_importance,
    plot_risk_types,
    plot_waterfall,
    risk_type_counts,
)
from ._monitor import (
    plot_calibration,
    plot_group_metrics,
    plot_optimization,
    plot_psi,
    plot_psi_by_year,
)

__all__ = [
    "chart_font",
    "display_label",
    "plot_calibration",
    "plot_dependence",
    "plot_domain_importance",
    "plot_feature_importance",
    "plot_group_metrics",
    "plot_optimization",
    "plot_psi",
    "plot_psi_by_year",
    "plot_risk_types",
    "plot_waterfall",
    "risk_type_counts",
]
