"""Where a problem is: household code, year (or event date) and the file's row.

Every validation message points at the rows it is about the same way: the
number of rows in the message and the rows listed agree (all of them up to
five, else "first 5 shown"), and each row is named by its household code, its
year and its row in the file as Excel or a text editor numbers it (title rows
and the header counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..messages import N_, Message

__all__ = ["SHEET_COLUMN", "SHOWN", "Locator", "joined"]

SHEET_COLUMN = "_fanpin_sheet"
"""The sheet each row was read from, in a table stacked from several sheets of
a workbook (:func:`fanpin.schema.read_events`); not kept in the result."""

SHOWN = 5
"""Rows listed in a message (all of them when there are at most this many)."""

MSG_AT_ROW = N_("{household} in {year} at row {row}")
MSG_AT = N_("{household} in {year}")
MSG_ROW_ONLY = N_("{household} at row {row}")
MSG_EVENT_AT_ROW = N_("{household} on {date} at row {row}")
MSG_EVENT_AT = N_("{household} on {date}")
MSG_EVENT_AT_SHEET_ROW = N_("{household} on {date} at sheet {sheet!r} row {row}")
MSG_AT_SHEET_ROW = N_("{household} at sheet {sheet!r} row {row}")
MSG_FIRST_SHOWN = N_("first {k} shown: {items}")


def joined(items: list[str]) -> Message:
    """Items (messages or text) separated by commas, each translated on its own."""
    template = ", ".join(f"{{i{k}}}" for k in range(len(items)))
    return Message(template, **{f"i{k}": v for k, v in enumerate(items)})


class Locator:
    """Names rows in messages.

    Parameters
    ----------
    ids : Series
        Household codes as text (missing allowed).
    when : Series, optional
        The year of each row (or, for events, the date as text).
    rows : array, optional
        Each row's number in the file (1-based, title rows counted).
    events : bool
        Name ``when`` as a date ("on ...") rather than a year ("in ...").
    sheets : array, optional
        Each row's sheet (a table stacked from several sheets of a workbook).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> at = Locator(pd.Series(["0001", "0002"]), pd.Series([2023, 2024]),
    ...              np.array([3, 4]))
    >>> at(np.array([True, True]))
    '0001 in 2023 at row 3, 0002 in 2024 at row 4'
    """

    def __init__(
        self,
        ids: pd.Series,
        when: pd.Series | None = None,
        rows: np.ndarray | None = None,
        *,
        events: bool = False,
        sheets: np.ndarray | None = None,
    ):
        self.sheets = None if sheets is None else np.asarray(sheets, dtype=object)
        self.ids = ids.reset_index(drop=True)
        self.when = None if when is None else when.reset_index(drop=True)
        self.rows = None if rows is None else np.asarray(rows)
        self.events = events

    def item(self, i: int) -> str:
        """One row, as a message."""
        hid = self.ids.iloc[i]
        household = "?" if pd.isna(hid) else str(hid)
        when = None if self.when is None else self.when.iloc[i]
        when = None if when is None or pd.isna(when) else when
        if isinstance(when, float) and when.is_integer():
            when = int(when)
        if isinstance(when, pd.Timestamp):
            when = when.date().isoformat()
        row = None
        if self.rows is not None and not pd.isna(self.rows[i]):
            row = int(self.rows[i])
        sheet = None if self.sheets is None else self.sheets[i]
        if sheet is not None and row is not None:
            if when is None or not self.events:
                return Message(MSG_AT_SHEET_ROW, household=household, sheet=str(sheet),
                               row=row)  # fmt: skip
            return Message(MSG_EVENT_AT_SHEET_ROW, household=household,
                           date=str(when), sheet=str(sheet), row=row)  # fmt: skip
        if when is None:
            if row is None:
                return household
            return Message(MSG_ROW_ONLY, household=household, row=row)
        if self.events:
            if row is None:
                return Message(MSG_EVENT_AT, household=household, date=str(when))
            return Message(
                MSG_EVENT_AT_ROW, household=household, date=str(when), row=row
            )
        if row is None:
            return Message(MSG_AT, household=household, year=when)
        return Message(MSG_AT_ROW, household=household, year=when, row=row)

    def __call__(self, mask: np.ndarray) -> Message | str:
        """The rows of ``mask``: all up to :data:`SHOWN`, else the first ones."""
        hit = np.flatnonzero(np.asarray(mask, dtype=bool))
        items = [self.item(int(i)) for i in hit[:SHOWN]]
        if len(hit) <= SHOWN:
            return joined(items)
        return Message(MSG_FIRST_SHOWN, k=SHOWN, items=joined(items))

    def first_row(self, mask: np.ndarray) -> str:
        """The first row of ``mask`` alone (for messages about one example)."""
        hit = np.flatnonzero(np.asarray(mask, dtype=bool))
        return self.item(int(hit[0])) if len(hit) else ""
