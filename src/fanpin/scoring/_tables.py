"""The output tables of a scoring run: id columns, monitored and excluded lists."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..messages import N_
from ..schema import HARDSHIP_REASONS

__all__ = [
    "ID_COLUMNS",
    "MSG_NO_LATEST",
    "excluded_frame",
    "id_frame",
    "monitored_frame",
]

ID_COLUMNS = (
    "household_id",
    "year",
    "province",
    "county",
    "township",
    "village",
    "household_type",
)
"""Columns that identify a household in every output row."""


MSG_NO_LATEST = N_("no record in {year}, the year scored")
"""The ``reason`` of an excluded household (a value of the output table)."""


def excluded_frame(panel: pd.DataFrame, latest_year: int) -> pd.DataFrame:
    """Households of ``panel`` with no record in ``latest_year``, with the reason.

    Columns ``household_id``, ``last_year`` and ``reason``, sorted by household_id,
    so that households = scored + monitored + excluded.
    """
    last = panel.groupby(panel["household_id"].astype(str), sort=True)["year"].max()
    gone = last[last < latest_year]
    return pd.DataFrame(
        {
            "household_id": pd.Series(gone.index, dtype="string"),
            "last_year": gone.to_numpy(dtype="int64"),
            "reason": pd.Series(
                [MSG_NO_LATEST.format(year=latest_year)] * len(gone), dtype="string"
            ),
        }
    )


def monitored_frame(rows: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """The households already in hardship, with their reasons: cases to monitor.

    ``rows`` are panel rows in hardship and ``reasons`` the output of
    :func:`fanpin.schema.hardship_reasons` (indexed like the panel). One row per
    household: its identifying columns, a ``reason_<name>`` flag per reason and
    the reasons in Chinese, sorted by household_id.
    """
    monitored = id_frame(rows)
    r = reasons.loc[rows.index]
    for name in HARDSHIP_REASONS:
        monitored[f"reason_{name}"] = r[name].to_numpy(dtype=bool)
    labels = np.array(list(HARDSHIP_REASONS.values()), dtype=object)
    monitored["reasons"] = pd.Series(
        [
            "；".join(labels[row])
            for row in r[list(HARDSHIP_REASONS)].to_numpy(dtype=bool)
        ],
        index=monitored.index,
        dtype="string",
    )
    return monitored.sort_values("household_id").reset_index(drop=True)


def id_frame(panel: pd.DataFrame) -> pd.DataFrame:
    """The identifying columns of output rows (``ID_COLUMNS``), missing ones empty."""
    out = pd.DataFrame(index=panel.index)
    for c in ID_COLUMNS:
        out[c] = (
            panel[c]
            if c in panel
            else pd.Series(pd.NA, index=panel.index, dtype="string")
        )
    return out
