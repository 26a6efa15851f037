"""Hardship in a year and the next-year label, exactly as the data contract says.

- Per-capita net income: (wage + business + property + transfer) / household_size.
- Per-capita income after rigid spending: the same, less
  (medical_cost_oop + education_cost) / household_size.
- In hardship in year t: income after rigid spending below the province's line of
  year t, or housing unsafe, or water unsafe, or a compulsory-school dropout.
- ``fell_next_year`` for (h, t): h is not in hardship in t and is in hardship in t + 1.
  Rows with no record in t + 1, and rows already in hardship in t, have no label.

Missing optional money (property income, education cost) counts as 0 and a missing
dropout count as no dropout.

The income test is computed exactly, in whole fen (0.01 yuan) and integers:
``income - rigid < line × household_size``, never by dividing floats, so that
the simulator (:mod:`fanpin.synthetic`), which calls the same
:func:`income_below_line`, and every reader of a panel agree on every household,
even one whose income is a hair from the line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import MonitoringLines

__all__ = [
    "HARDSHIP_REASONS",
    "hardship_reasons",
    "in_hardship",
    "income_below_line",
    "make_labels",
    "per_capita_income",
    "per_capita_income_after_rigid",
]

HARDSHIP_REASONS = {
    "income": "人均纯收入(扣除刚性支出)低于监测标准",
    "housing": "住房安全无保障",
    "water": "饮水安全无保障",
    "dropout": "义务教育阶段辍学",
}
"""The four reasons a household-year is in hardship, with their Chinese wording."""


def _money(panel: pd.DataFrame, name: str) -> np.ndarray:
    if name not in panel:
        return np.zeros(len(panel))
    return pd.to_numeric(panel[name], errors="coerce").fillna(0.0).to_numpy(dtype=float)


def per_capita_income(panel: pd.DataFrame) -> pd.Series:
    """Per-capita net income (yuan per person per year).

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.DataFrame({"household_size": [4], "income_wage": [20000.0],
    ...                     "income_business": [-2000.0], "income_transfer": [6000.0]})
    >>> float(per_capita_income(row).iloc[0])
    6000.0
    """
    total = (
        _money(panel, "income_wage")
        + _money(panel, "income_business")
        + _money(panel, "income_property")
        + _money(panel, "income_transfer")
    )
    size = panel["household_size"].to_numpy(dtype=float)
    return pd.Series(total / size, index=panel.index, name="per_capita_income")


def per_capita_income_after_rigid(panel: pd.DataFrame) -> pd.Series:
    """Per-capita income less per-capita out-of-pocket medical and schooling costs."""
    rigid = _money(panel, "medical_cost_oop") + _money(panel, "education_cost")
    size = panel["household_size"].to_numpy(dtype=float)
    out = per_capita_income(panel).to_numpy() - rigid / size
    return pd.Series(out, index=panel.index, name="per_capita_income_after_rigid")


def _fen(values: np.ndarray) -> np.ndarray:
    """Yuan as whole fen (int64); missing counts as 0."""
    v = np.nan_to_num(np.asarray(values, dtype="float64"), nan=0.0)
    return np.round(v * 100.0).astype(np.int64)


def income_below_line(
    income: np.ndarray, rigid: np.ndarray, size: np.ndarray, line: np.ndarray
) -> np.ndarray:
    """Whether per-capita income after rigid spending is below the line, exactly.

    ``(income - rigid) / size < line`` evaluated as ``income - rigid < line ×
    size`` in whole fen with integers: no rounding decides a household on the
    line. ``income`` is the household's total income (yuan), ``rigid`` its
    out-of-pocket medical plus schooling costs (yuan), ``size`` its members and
    ``line`` the per-capita line (yuan per person).

    Examples
    --------
    >>> import numpy as np
    >>> income_below_line(np.array([14199.99, 14200.0, 21300.0]),
    ...                   np.array([0.0, 0.0, 0.01]), np.array([2, 2, 3]),
    ...                   np.array([7100.0, 7100.0, 7100.0])).tolist()
    [True, False, True]
    """
    members = np.asarray(size, dtype="float64").round().astype(np.int64)
    left = _fen(income) - _fen(rigid)
    return left < _fen(line) * members


def _flag_false(panel: pd.DataFrame, name: str) -> np.ndarray:
    s = panel[name]
    # A missing safety flag is not evidence of hardship.
    return (s.astype("boolean").fillna(True) == False).to_numpy(dtype=bool)  # noqa: E712


def hardship_reasons(panel: pd.DataFrame, lines: MonitoringLines) -> pd.DataFrame:
    """Which of the four hardship reasons hold for each household-year.

    Returns a frame with the panel's index and bool columns ``income``, ``housing``,
    ``water`` and ``dropout``.
    """
    line = lines.lookup(panel["province"], panel["year"])
    total = (
        _money(panel, "income_wage")
        + _money(panel, "income_business")
        + _money(panel, "income_property")
        + _money(panel, "income_transfer")
    )
    rigid = _money(panel, "medical_cost_oop") + _money(panel, "education_cost")
    income = income_below_line(
        total, rigid, panel["household_size"].to_numpy(dtype=float), line
    )
    dropout = (
        pd.to_numeric(panel["dropout_count"], errors="coerce").fillna(0).to_numpy() > 0
        if "dropout_count" in panel
        else np.zeros(len(panel), dtype=bool)
    )
    return pd.DataFrame(
        {
            "income": income,
            "housing": _flag_false(panel, "housing_safe"),
            "water": _flag_false(panel, "water_safe"),
            "dropout": dropout,
        },
        index=panel.index,
    )


def in_hardship(panel: pd.DataFrame, lines: MonitoringLines) -> pd.Series:
    """Whether each household-year is in hardship (any of the four reasons).

    Examples
    --------
    >>> import pandas as pd
    >>> from fanpin.config import MonitoringLines
    >>> lines = MonitoringLines(default={2023: 7100})
    >>> rows = pd.DataFrame({"province": ["甘肃省"] * 2, "year": [2023, 2023],
    ...     "household_size": [2, 2], "income_wage": [14199.0, 14200.0],
    ...     "income_business": [0.0, 0.0], "income_transfer": [0.0, 0.0],
    ...     "medical_cost_oop": [0.0, 0.0], "housing_safe": [True, True],
    ...     "water_safe": [True, True]})
    >>> in_hardship(rows, lines).tolist()
    [True, False]
    """
    return hardship_reasons(panel, lines).any(axis=1).rename("in_hardship")


def make_labels(panel: pd.DataFrame, lines: MonitoringLines) -> pd.Series:
    """The label ``fell_next_year`` for every row of the panel.

    1 when the household is not in hardship in t and is in t + 1, 0 when it is in
    neither, and missing (``<NA>``) when it is already in hardship in t or has no
    record for t + 1. Returns an ``Int8`` series aligned with ``panel``.
    """
    hard = in_hardship(panel, lines).to_numpy()
    keys = pd.DataFrame(
        {
            "household_id": panel["household_id"].to_numpy(),
            "year": panel["year"].to_numpy(dtype="int64"),
        }
    )
    nxt = keys.assign(year=keys["year"] - 1, hard_next=hard)
    merged = keys.merge(
        nxt, on=["household_id", "year"], how="left", validate="one_to_one"
    )
    hard_next = merged["hard_next"].astype("boolean")
    label = hard_next.astype("Int8")
    label[hard] = pd.NA
    return pd.Series(
        label.to_numpy(), index=panel.index, name="fell_next_year", dtype="Int8"
    )
