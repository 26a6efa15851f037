"""Monitoring a deployed model: drift between years, calibration over time, groups.

Every function returns a DataFrame; plotting and printing are left to the caller
(a notebook, :mod:`fanpin.report` or the CLI).

=========================  ====================================================
function                   question
=========================  ====================================================
:func:`psi`                has one variable's distribution moved?
:func:`stability_report`   which features (and the score) moved, by how much?
:func:`drift_between_years`  the same, each year against the previous one
:func:`calibration_curve_table`  does a predicted 10 % mean 10 % falling?
:func:`calibration_by_year`  the calibration curve of every year
:func:`calibration_summary`  predicted against observed rate, Brier, ECE per year
:func:`group_metrics`      AUC, rates and recall of the list by group
=========================  ====================================================

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> a, b = rng.normal(size=2000), rng.normal(0.5, 1, size=2000)
>>> psi_band(psi(a, a[::-1], bins=5)), psi_band(psi(a, b, bins=5), language="en")
('稳定', 'slight shift')
"""

from ._calibration import (
    calibration_by_year,
    calibration_curve_table,
    calibration_summary,
    wilson_interval,
)
from ._groups import DEFAULT_GROUPS, group_metrics
from ._psi import PSI_BANDS, drift_between_years, psi, psi_band, stability_report

__all__ = [
    "DEFAULT_GROUPS",
    "PSI_BANDS",
    "calibration_by_year",
    "calibration_curve_table",
    "calibration_summary",
    "drift_between_years",
    "group_metrics",
    "psi",
    "psi_band",
    "stability_report",
    "wilson_interval",
]
