"""All domain builders as one transformer."""

from __future__ import annotations

from numbers import Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._compat import Interval, StrOptions
from ..config import MonitoringLines
from ._accident import AccidentFeatures
from ._assistance import AssistanceFeatures
from ._base import BaseFeatureBuilder
from ._disability import DisabilityFeatures
from ._disaster import DisasterFeatures
from ._education import EducationFeatures
from ._health import HealthFeatures
from ._housing_water import HousingWaterFeatures
from ._income import IncomeFeatures
from ._labour import LabourFeatures
from ._panel import PanelView

__all__ = ["DOMAINS", "PanelFeatures", "domain_of", "make_features"]

BUILDERS: dict[str, type[BaseFeatureBuilder]] = {
    b.domain: b
    for b in (
        IncomeFeatures,
        HealthFeatures,
        DisabilityFeatures,
        DisasterFeatures,
        AccidentFeatures,
        LabourFeatures,
        EducationFeatures,
        HousingWaterFeatures,
        AssistanceFeatures,
    )
}

DOMAINS: tuple[str, ...] = tuple(BUILDERS)
"""The risk domains, in output order."""

MSG_BAD_FEATURE_NAME = (
    "{name!r} is not a fanpin feature name; expected '<domain>__<feature>' with a "
    "domain among {domains}."
)
MSG_BAD_DOMAINS = (
    "The 'domains' parameter of PanelFeatures must name domains among {domains}; "
    "got {got!r}. Drop the unknown name(s) or pass domains=None for all."
)


def domain_of(feature_name: str) -> str:
    """The risk domain of a feature name.

    Examples
    --------
    >>> domain_of("health__medical_oop")
    'health'
    """
    domain, sep, _ = str(feature_name).partition("__")
    if not sep or domain not in BUILDERS:
        raise ValueError(
            MSG_BAD_FEATURE_NAME.format(name=feature_name, domains=DOMAINS)
        )
    return domain


class PanelFeatures(BaseFeatureBuilder):
    """Every domain builder, concatenated (names stay ``<domain>__<feature>``).

    The panel is checked and sorted once and shared by all builders.

    Parameters
    ----------
    lines : MonitoringLines or None, default=None
        Passed to :class:`IncomeFeatures`.
    drop_threshold : float in (0, 1), default=0.3
        Passed to :class:`IncomeFeatures`.
    serious_illness_threshold : float >= 0 or "county_mean", default="county_mean"
        Passed to :class:`HealthFeatures`.
    domains : sequence of str or None, default=None
        Domains to compute, in :data:`DOMAINS` order; None for all.

    Attributes
    ----------
    builders_ : list of BaseFeatureBuilder
        The fitted builders, in output order.

    Examples
    --------
    >>> import pandas as pd
    >>> from fanpin.config import MonitoringLines
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a"], "year": [2023], "province": ["P"],
    ...     "household_size": [2], "labor_count": [1], "medical_cost_oop": [0.0],
    ...     "income_wage": [9000.0], "income_business": [0.0],
    ...     "income_transfer": [1000.0]})
    >>> pf = PanelFeatures(domains=["income", "labour"],
    ...                    lines=MonitoringLines(default={2023: 7000}))
    >>> out = pf.fit_transform(panel)
    >>> out["income__margin_over_line"].tolist()
    [-2000.0]
    >>> sorted({domain_of(c) for c in out.columns})
    ['income', 'labour']
    """

    domain: ClassVar[str] = "all"
    _parameter_constraints: ClassVar[dict] = {
        "lines": [MonitoringLines, None],
        "drop_threshold": [Interval(Real, 0, 1, closed="neither")],
        "serious_illness_threshold": [
            Interval(Real, 0, None, closed="left"),
            StrOptions({"county_mean"}),
        ],
        "domains": ["array-like", None],
    }

    def __init__(
        self,
        *,
        lines: MonitoringLines | None = None,
        drop_threshold: float = 0.3,
        serious_illness_threshold: float | str = "county_mean",
        domains: Any = None,
    ):
        self.lines = lines
        self.drop_threshold = drop_threshold
        self.serious_illness_threshold = serious_illness_threshold
        self.domains = domains

    def _selected(self) -> list[str]:
        if self.domains is None:
            return list(DOMAINS)
        chosen = [str(d) for d in self.domains]
        unknown = [d for d in chosen if d not in BUILDERS]
        if unknown or not chosen:
            raise ValueError(MSG_BAD_DOMAINS.format(domains=DOMAINS, got=self.domains))
        return [d for d in DOMAINS if d in chosen]

    def _make(self, domain: str) -> BaseFeatureBuilder:
        if domain == "income":
            return IncomeFeatures(lines=self.lines, drop_threshold=self.drop_threshold)
        if domain == "health":
            return HealthFeatures(
                serious_illness_threshold=self.serious_illness_threshold
            )
        return BUILDERS[domain]()

    def _required(self) -> tuple[str, ...]:
        cols: dict[str, None] = {}
        for d in self._selected():
            cols.update(dict.fromkeys(BUILDERS[d].required_columns))
        return tuple(cols)

    def _fit(self, X: pd.DataFrame) -> None:
        self.builders_ = [self._make(d).fit(X) for d in self._selected()]

    def _transform_view(self, view: PanelView, index: pd.Index) -> pd.DataFrame:
        values = np.empty((view.n_out, len(self._names_out())), order="F")
        start = 0
        for b in self.builders_:
            dest = values[:, start : start + len(b.features)]
            view._dest = dest  # feature_frame writes there
            part = b._values(view)
            view._dest = None
            if not _same_view(part, dest):
                values[:, start : start + part.shape[1]] = part
            start += part.shape[1]
            del part
        return pd.DataFrame(values, index=index, columns=self._names_out(), copy=False)

    def _names_out(self) -> list[str]:
        return [n for b in self.builders_ for n in b._names_out()]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names of every selected builder, in order."""
        return super().get_feature_names_out(input_features)


def _same_view(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` and ``b`` are the same memory seen the same way."""
    return (
        a.shape == b.shape
        and a.strides == b.strides
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


def make_features(
    lines: MonitoringLines | None = None, **options: Any
) -> PanelFeatures:
    """Build the all-domain feature transformer.

    Parameters
    ----------
    lines : MonitoringLines or None
        Monitoring lines (None: the shipped table, loaded at fit time).
    **options
        Other :class:`PanelFeatures` parameters.

    Examples
    --------
    >>> make_features(drop_threshold=0.4).drop_threshold
    0.4
    """
    return PanelFeatures(lines=lines, **options)
