"""Risk elimination (风险消除) rules: checked before a case may close as eliminated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from ..config import MonitoringLines
from ..exceptions import CaseStoreError, ConfigError
from ..messages import N_, Message

__all__ = ["EliminationEvidence", "EliminationRules"]

ELIMINATION_REFUSED = N_(
    "Case {case_id}: risk elimination refused, {n} rule(s) fail (domain.md section "
    "4):\n{rules}\nKeep the case in 帮扶中 and try again when every rule holds."
)
MSG_EVIDENCE_MISSING = N_("EliminationEvidence.{name} is missing; give a number.")
MSG_BAD_LABOR = N_("EliminationEvidence.labor_count must be >= 0; got {got!r}.")
MSG_BAD_RULE = N_("EliminationRules.{name} must be an int >= 0; got {got!r}.")
MSG_NO_ROW = N_(
    "Household {household_id!r} has no row in the panel; pass the panel that holds "
    "its current record."
)
MSG_NO_ROW_YEAR = N_(
    "Household {household_id!r} has no row in {year} in the panel; pass the panel "
    "that holds its current record."
)
RULE_DAYS = N_(
    "monitored for {days} day(s) since identification; at least {need} are needed"
)
RULE_MEASURES = N_(
    "{n} measure(s) in place for at least {days} day(s) (recorded that long before "
    "the elimination); at least {need} needed. A measure recorded with the "
    "elimination, or less than {days} day(s) before it, does not count"
)
RULE_INCOME = N_("per-capita income {income:.0f} is not above the line {line:.0f}")
RULE_LABOUR = N_(
    "no one in the household can work (labor_count 0): such households stay under "
    "follow-up and are not marked eliminated"
)
RULE_GUARANTEES = N_("housing, compulsory schooling or drinking water is not secure")


@dataclass(frozen=True)
class EliminationEvidence:
    """What the caller knows about the household at elimination time.

    Parameters
    ----------
    per_capita_income : float
        Current yearly per-capita net income (yuan).
    line : float
        The monitoring line of the household's province for the current year.
    labor_count : int
        Members able to work.
    guarantees_secure : bool
        Housing, compulsory schooling and drinking water are secure.

    Examples
    --------
    >>> EliminationEvidence(per_capita_income=9000, line=7100, labor_count=2).line
    7100.0
    """

    per_capita_income: float
    line: float
    labor_count: int
    guarantees_secure: bool = True

    def __post_init__(self) -> None:
        for name in ("per_capita_income", "line"):
            v = getattr(self, name)
            if v is None or pd.isna(v):
                raise CaseStoreError(Message(MSG_EVIDENCE_MISSING, name=name))
            object.__setattr__(self, name, float(v))
        if (
            self.labor_count is None
            or pd.isna(self.labor_count)
            or self.labor_count < 0
        ):
            raise CaseStoreError(Message(MSG_BAD_LABOR, got=self.labor_count))
        object.__setattr__(self, "labor_count", int(self.labor_count))

    @classmethod
    def from_panel(
        cls,
        panel: pd.DataFrame,
        household_id: str,
        lines: MonitoringLines,
        *,
        year: int | None = None,
    ) -> EliminationEvidence:
        """Evidence from a validated panel: the household's row of ``year``.

        The latest year when ``year`` is None.

        Per-capita income is (wage + business + property + transfer) / size.
        """
        rows = panel[panel["household_id"] == household_id]
        if year is not None:
            rows = rows[rows["year"] == year]
        if rows.empty:
            raise CaseStoreError(
                Message(MSG_NO_ROW, household_id=household_id)
                if year is None
                else Message(MSG_NO_ROW_YEAR, household_id=household_id, year=year)
            )
        row = rows.sort_values("year").iloc[-1]
        income = sum(
            0.0 if pd.isna(row.get(c)) else float(row[c])
            for c in (
                "income_wage",
                "income_business",
                "income_property",
                "income_transfer",
            )
        )
        dropout = row.get("dropout_count")
        secure = (
            bool(row["housing_safe"])
            and bool(row["water_safe"])
            and not (dropout is not None and not pd.isna(dropout) and dropout > 0)
        )
        return cls(
            per_capita_income=income / float(row["household_size"]),
            line=lines.line(str(row["province"]), int(row["year"])),
            labor_count=int(row["labor_count"]),
            guarantees_secure=secure,
        )


@dataclass(frozen=True)
class EliminationRules:
    """The rules a case must meet before its risk is eliminated.

    Parameters
    ----------
    min_monitored_days : int
        Days since identification (已认定), normally half a year [S20].
    min_measures : int
        Measures that must be in place [S20].
    min_measure_days : int
        Days a measure must have been in place to count ("a measure for at least
        half a year"): a measure recorded at the moment of elimination, or later
        than this many days before it, does not count.

    Examples
    --------
    >>> EliminationRules().min_monitored_days, EliminationRules().min_measure_days
    (183, 183)
    """

    min_monitored_days: int = 183
    min_measures: int = 1
    min_measure_days: int = 183

    def __post_init__(self) -> None:
        for name in ("min_monitored_days", "min_measures", "min_measure_days"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ConfigError(Message(MSG_BAD_RULE, name=name, got=v))

    def counted_measures(
        self, measures_started: Sequence[datetime], now: datetime
    ) -> int:
        """How many of the measures (their start times) count at ``now``.

        Examples
        --------
        >>> from datetime import timedelta
        >>> t = datetime(2025, 7, 1)
        >>> EliminationRules().counted_measures(
        ...     [t - timedelta(days=200), t - timedelta(days=30), t], t)
        1
        """
        return sum(
            1
            for started in measures_started
            if started < now and (now - started).days >= self.min_measure_days
        )

    def failures(
        self,
        *,
        identified_at: datetime | None,
        measures_started: Sequence[datetime],
        evidence: EliminationEvidence,
        now: datetime,
    ) -> list[str]:
        """Every failing rule as a readable line (empty when elimination may go on).

        ``measures_started``: when each measure of the case was recorded.
        """
        out = []
        days = None if identified_at is None else (now - identified_at).days
        if days is None or days < self.min_monitored_days:
            out.append(Message(RULE_DAYS, days=days, need=self.min_monitored_days))
        n_measures = self.counted_measures(measures_started, now)
        if n_measures < self.min_measures:
            out.append(
                Message(
                    RULE_MEASURES,
                    n=n_measures,
                    need=self.min_measures,
                    days=self.min_measure_days,
                )
            )
        if not evidence.per_capita_income > evidence.line:
            out.append(
                Message(
                    RULE_INCOME, income=evidence.per_capita_income, line=evidence.line
                )
            )
        if evidence.labor_count == 0:
            out.append(Message(RULE_LABOUR))
        if not evidence.guarantees_secure:
            out.append(Message(RULE_GUARANTEES))
        return out
