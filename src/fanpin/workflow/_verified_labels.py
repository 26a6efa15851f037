"""Verified outcomes as training labels (``fanpin train --verified STORE``).

A case the townships verified says what happened after its alert: 属实 (found
in hardship: identified) or 不属实 (excluded). As a label of the alert's annual
record (the household in year t, the record the alert rests on) it is the
label "in hardship after t": 属实 -> 1, 不属实 -> 0, beside the panel's own
label "in hardship in t + 1".

Optional, and biased: only listed households are ever verified (a selection
on the model's and the rules' own ranking: the households they missed never
get a verified label), and 属实 is the townships' finding at the home visit, a
different outcome from the panel's next-year hardship by the income line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ..messages import N_, Message
from ._hit_rate import OUTCOME_FALSE, OUTCOME_TRUE

__all__ = ["VerifiedLabels", "verified_labels"]

MSG_NO_VERIFIED = N_(
    "The case store {store} holds no verified case (属实 or 不属实): {listed:,} "
    "listed case(s), none identified or excluded yet. Import the townships' "
    "filled workbooks first (`fanpin cases import WORKBOOK... --store URL`), or "
    "train without --verified."
)
MSG_NONE_MATCH = N_(
    "None of the {n:,} verified case(s) in {store} matches a household and year "
    "of the panel that is not already in hardship (for example household "
    "{example!r}, record year {year}): was the store made from another panel? "
    "Train on the panel the alerts were made from, or without --verified."
)


@dataclass(frozen=True)
class VerifiedLabels:
    """Labels with verified outcomes, and what they changed.

    ``labels``: aligned with the panel (1, 0 or missing). Counts: ``true`` and
    ``false`` verified outcomes used; ``added`` rows that had no panel label
    (the latest year: no t + 1 record yet); ``changed`` rows whose panel label
    they replaced with another; ``agreed`` rows whose panel label they equal;
    ``unused`` verified cases not used (no panel row not in hardship for
    them, or a later case on the same row).
    """

    labels: pd.Series
    true: int
    false: int
    added: int
    changed: int
    agreed: int
    unused: int

    def counts(self) -> dict[str, int]:
        """The counts, for the model card."""
        return {
            k: int(getattr(self, k))
            for k in ("true", "false", "added", "changed", "agreed", "unused")
        }


def verified_labels(
    panel: pd.DataFrame,
    labels: pd.Series,
    outcomes: pd.DataFrame,
    hardship: pd.Series,
    *,
    store: str = "the case store",
) -> VerifiedLabels:
    """``labels`` of ``panel`` with the verified outcomes of ``outcomes``
    (:meth:`CaseStore.outcomes`) put on the rows of their annual records.

    Each verified case labels the row (household, record_year, else year):
    属实 -> 1, 不属实 -> 0; of several cases on one row, the latest (highest
    case id) counts. Rows in hardship in their own year (``hardship`` true:
    monitored, never trained on) keep no label.

    Raises
    ------
    InputError
        If no case is verified, or none matches a usable panel row.

    Examples
    --------
    >>> panel = pd.DataFrame({"household_id": ["a", "a", "b"],
    ...                       "year": [2024, 2025, 2025]})
    >>> labels = pd.Series([0, pd.NA, pd.NA], dtype="Int8")
    >>> o = pd.DataFrame({"case_id": [1, 2], "household_id": ["a", "b"],
    ...     "year": [2025, 2025], "record_year": [2025, None],
    ...     "outcome": ["属实", "不属实"]})
    >>> got = verified_labels(panel, labels, o, pd.Series([False] * 3))
    >>> got.labels.tolist(), got.added
    ([0, 1, 0], 2)
    """
    verified = outcomes[outcomes["outcome"].isin([OUTCOME_TRUE, OUTCOME_FALSE])]
    if verified.empty:
        raise InputError(Message(MSG_NO_VERIFIED, store=store, listed=len(outcomes)))
    year = pd.to_numeric(verified["record_year"], errors="coerce").fillna(
        pd.to_numeric(verified["year"], errors="coerce")
    )
    v = pd.DataFrame(
        {
            "household_id": verified["household_id"].astype(str).to_numpy(),
            "year": year.to_numpy(),
            "case_id": verified["case_id"].to_numpy(),
            "label": (verified["outcome"] == OUTCOME_TRUE).to_numpy(dtype="int8"),
        }
    ).dropna(subset=["year"])
    v = v.sort_values("case_id").drop_duplicates(["household_id", "year"], keep="last")
    keys = pd.MultiIndex.from_arrays(
        [panel["household_id"].astype(str).to_numpy(),
         panel["year"].to_numpy(dtype="int64")]
    )  # fmt: skip
    pos = keys.get_indexer(
        pd.MultiIndex.from_arrays([v["household_id"], v["year"].astype("int64")])
    )
    hard = np.asarray(hardship, dtype=bool)
    usable = pos >= 0
    usable[usable] = ~hard[pos[usable]]
    if not usable.any():
        first = v.iloc[0]
        raise InputError(
            Message(
                MSG_NONE_MATCH, n=len(verified), store=store,
                example=first["household_id"], year=int(first["year"]),
            )  # fmt: skip
        )
    rows, new = pos[usable], v["label"].to_numpy()[usable]
    out = labels.astype("Int8").copy()
    before = out.iloc[rows]
    added = int(before.isna().sum())
    agreed = int((before.fillna(-1).to_numpy() == new).sum())
    out.iloc[rows] = new
    return VerifiedLabels(
        labels=out,
        true=int(new.sum()),
        false=int(len(new) - new.sum()),
        added=added,
        changed=len(new) - added - agreed,
        agreed=agreed,
        unused=int(len(verified) - len(new)),
    )
