"""The verification deadline of a case: one fact, computed here and kept by the
case store; alerts.csv and the township workbooks show the store's.

The days count from the later of the discovery date (the date of the push that
raised the case, or the run's ``--as-of``) and the day the case is opened (the
run's ``--as-of``): a case cannot be overdue before anyone could act on it, so a
push that reaches the county 60 days after its date opens a case with its full
days, while ``discovered`` keeps the push's date. A case is due that start plus
the identification days (configs/alerts.yaml ``deadlines.identification_days``,
15 [S11]); an urgent case (紧急, :data:`fanpin.ranking.URGENT_LEVEL`) plus
``deadlines.urgent_days`` (3): the household a push or its annual record puts
into hardship is checked at once. An open case still to be verified that rises
to 紧急 gets the urgent deadline if it is earlier than the one it had.

:func:`alert_deadlines` is the one computation: the alert list's deadlines and
the case store's (:meth:`DeadlineRules.due`) both come from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..config import AlertsConfig
from ..exceptions import ConfigError
from ..messages import N_, Message
from ..ranking import URGENT_LEVEL

__all__ = ["DeadlineRules", "alert_deadlines"]

MSG_BAD_DAYS = N_(
    "DeadlineRules needs whole numbers of days with 1 <= urgent_days <= days "
    "(deadlines in the alerts config); got days={days!r}, urgent_days={urgent!r}."
)


@dataclass(frozen=True)
class DeadlineRules:
    """Days from discovery to the verification deadline.

    Parameters
    ----------
    days : int
        Every case but the urgent ones (identification within 15 days [S11]).
    urgent_days : int
        A case at level 紧急 (at most ``days``).

    Examples
    --------
    >>> rules = DeadlineRules(days=15, urgent_days=3)
    >>> rules.days_of("紧急"), rules.days_of("高")
    (3, 15)
    >>> rules.due(date(2026, 6, 30), "紧急")
    datetime.date(2026, 7, 3)
    """

    days: int = 15
    urgent_days: int = 3

    def __post_init__(self) -> None:
        ok = all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            for v in (self.days, self.urgent_days)
        )
        if not ok or not 1 <= self.urgent_days <= self.days:
            raise ConfigError(
                Message(MSG_BAD_DAYS, days=self.days, urgent=self.urgent_days)
            )

    @classmethod
    def from_config(cls, config: AlertsConfig) -> DeadlineRules:
        """The rules of an alerts config (``deadlines`` in alerts.yaml)."""
        return cls(days=config.deadline_days, urgent_days=config.urgent_deadline_days)

    def days_of(self, level: object) -> int:
        """The days a case at risk level ``level`` has."""
        return self.urgent_days if level == URGENT_LEVEL else self.days

    def due(
        self,
        discovered: date | datetime,
        level: object,
        *,
        opened: date | datetime | None = None,
    ) -> date:
        """The deadline of a case discovered on ``discovered`` at ``level`` and
        opened on ``opened`` (default: the discovery day): the days count from
        the later of the two (:func:`alert_deadlines`).

        Examples
        --------
        >>> DeadlineRules().due(date(2026, 5, 1), "高", opened=date(2026, 6, 30))
        datetime.date(2026, 7, 15)
        """
        got = alert_deadlines(
            pd.Series([pd.Timestamp(discovered)]), pd.Series([level]), self,
            opened=opened,
        )  # fmt: skip
        return got.iloc[0].date()


def alert_deadlines(
    discovered: pd.Series,
    levels: pd.Series,
    rules: DeadlineRules,
    *,
    opened: date | datetime | pd.Timestamp | None = None,
) -> pd.Series:
    """The deadline of each alert: the later of ``discovered`` and ``opened``
    (days; the run's ``--as-of``: a case is never overdue before it is opened)
    plus the days of its level (:meth:`DeadlineRules.days_of`).

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2026-06-30", "2026-06-20", "2026-05-01"]))
    >>> alert_deadlines(d, pd.Series(["高", "紧急", "高"]), DeadlineRules(),
    ...                 opened=date(2026, 6, 30)).dt.strftime("%m-%d").tolist()
    ['07-15', '07-03', '07-15']
    """
    urgent = (levels.astype("string") == URGENT_LEVEL).fillna(False).to_numpy(bool)
    days = np.where(urgent, rules.urgent_days, rules.days)
    start = pd.to_datetime(discovered).dt.normalize()
    if opened is not None:
        day = pd.Timestamp(opened).normalize()
        if start.dt.tz is None and day.tz is not None:
            day = day.tz_localize(None)
        start = start.where(start.isna() | (start >= day), day)
    return start + pd.to_timedelta(days, unit="D")
