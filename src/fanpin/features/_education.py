"""Schooling costs and dropouts (因学)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView, safe_div

__all__ = ["EducationFeatures"]


class EducationFeatures(BaseFeatureBuilder):
    """Education features (因学).

    All inputs are optional contract columns; a feature is NaN where its
    inputs are missing.

    Features (prefix ``education__``):

    - ``students_compulsory``, ``students_higher`` (高中及以上),
      ``students_total``, ``student_share`` (per member).
    - ``education_cost`` (yuan), ``education_cost_to_income`` (over gross
      income, NaN when that is 0), ``cost_per_student`` (NaN with no student).
    - ``dropout_count``, ``has_dropout``; ``new_dropout``: a dropout this year
      after none in year t-1 (NaN without a record in t-1).
    - ``students_higher_change``: change since year t-1.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a"], "year": [2023], "household_size": [4],
    ...     "income_wage": [20000.0], "income_business": [0.0],
    ...     "income_transfer": [0.0], "students_compulsory": [1],
    ...     "students_higher": [1], "education_cost": [5000.0]})
    >>> out = EducationFeatures().fit_transform(panel)
    >>> out["education__education_cost_to_income"].tolist()
    [0.25]
    >>> out["education__cost_per_student"].tolist()
    [2500.0]
    """

    domain: ClassVar[str] = "education"
    required_columns: ClassVar[tuple[str, ...]] = (
        "household_size",
        "income_wage",
        "income_business",
        "income_transfer",
    )
    features: ClassVar[tuple[str, ...]] = (
        "students_compulsory",
        "students_higher",
        "students_total",
        "student_share",
        "education_cost",
        "education_cost_to_income",
        "cost_per_student",
        "dropout_count",
        "has_dropout",
        "new_dropout",
        "students_higher_change",
    )

    def __init__(self) -> None:
        pass

    def _compute(self, X: PanelView) -> pd.DataFrame:
        compulsory = X.num("students_compulsory")
        higher = X.num("students_higher")
        students = compulsory + higher
        cost = X.num("education_cost")
        dropout = X.num("dropout_count")
        has_dropout = (dropout > 0).astype("float64")
        has_dropout[np.isnan(dropout)] = np.nan
        last = X.lag(has_dropout)
        new = ((has_dropout == 1) & (last == 0)).astype("float64")
        new[np.isnan(has_dropout) | np.isnan(last)] = np.nan
        return feature_frame(
            X,
            {
                "students_compulsory": compulsory,
                "students_higher": higher,
                "students_total": students,
                "student_share": safe_div(students, X.num("household_size")),
                "education_cost": cost,
                "education_cost_to_income": safe_div(cost, X.gross_income()),
                "cost_per_student": safe_div(cost, students),
                "dropout_count": dropout,
                "has_dropout": has_dropout,
                "new_dropout": new,
                "students_higher_change": X.diff(higher),
            },
        )
