"""What may go into the case store: actors, notes, places and their lengths.

The store never holds personal data and never lets the database refuse a value
(a refusal would print the statement's parameters):

- an **actor** (who made a change) that holds an ID- or phone-like number is
  refused: it must be a role or a login, and masking it would lose who it was;
- a **note** that holds one has the number masked (``#``), with a warning: the
  rest of the note is kept;
- **place names** (province, county, township, village) have such numbers
  masked, with a warning naming the column;
- control characters are removed from all of them (a terminal showing
  ``cases show`` would obey them);
- every text is checked against its column's length (:data:`LIMITS`) first.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import pandas as pd

from ..exceptions import CaseStoreError, DataRepairWarning
from ..io import clean_text, mask_personal_numbers, safe_frame
from ..messages import N_, Message
from ._tables import LIMITS

__all__ = [
    "MAX_NOTE",
    "check_actor",
    "check_lengths",
    "clean_note",
    "clean_places",
]

MAX_NOTE = 2000
"""Longest note (characters) kept in the audit trail."""

PLACES = ("province", "county", "township", "village")

MSG_NO_ACTOR = N_(
    "Every change needs an actor (who did it, e.g. a cadre's role or login); got {got}."
)
MSG_ACTOR_PERSONAL = N_(
    "The actor holds an ID- or phone-like number; the case store keeps no personal "
    "data. Give a role or a login name (e.g. 乙镇干部 or zhang.gb), not a phone or "
    "ID number."
)
MSG_TOO_LONG = N_(
    "{what}: {n} value(s) longer than {limit} characters ({where}); the case store "
    "keeps at most {limit}. Shorten them in the input."
)
MSG_WHERE_HOUSEHOLDS = N_("households {ids}")
MSG_WHERE_ROWS = N_("rows {rows}")
MSG_WHERE_LENGTH = N_("{n} characters")
MSG_COLUMN = N_("column {column!r}")
MSG_THE_NOTE = N_("the note")
MSG_NOTE_MASKED = N_(
    "The note held ID- or phone-like numbers; they were masked with # before it "
    "was stored (the case store keeps no personal data)."
)
MSG_PLACE_MASKED = N_(
    "Case store: column {column!r} had {n} value(s) with ID- or phone-like numbers; "
    "they were masked with # (the case store keeps no personal data)."
)
MSG_CONTROL_REMOVED = N_(
    "Case store: {what} had control characters; they were removed (values not shown)."
)


def check_actor(actor: object) -> str:
    """``actor`` stripped, refused if empty, too long or holding a personal number."""
    if not isinstance(actor, str) or not actor.strip():
        got = repr(actor) if not isinstance(actor, str) else "an empty text"
        raise CaseStoreError(Message(MSG_NO_ACTOR, got=got))
    value = clean_text(actor).strip()
    if mask_personal_numbers(value) != value:
        raise CaseStoreError(Message(MSG_ACTOR_PERSONAL))
    check_lengths({"actor": value}, limits={"actor": LIMITS["actor"]})
    return value


def clean_note(note: str | None) -> str | None:
    """``note`` without control characters, personal numbers masked (warned)."""
    if note is None:
        return None
    text = clean_text(str(note))
    if text != str(note):
        what = Message(MSG_THE_NOTE)
        warnings.warn(Message(MSG_CONTROL_REMOVED, what=what), DataRepairWarning, 3)
    masked = mask_personal_numbers(text)
    if masked != text:
        warnings.warn(Message(MSG_NOTE_MASKED), DataRepairWarning, 3)
    check_lengths({"note": masked}, limits={"note": MAX_NOTE})
    return masked or None


def clean_places(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with personal numbers masked in its place columns (warned)."""
    out, repairs = safe_frame(frame, formulas=False, places=PLACES)
    for r in repairs:
        if r.kind == "personal":
            msg = Message(MSG_PLACE_MASKED, column=r.column, n=r.n)
        else:
            column = Message(MSG_COLUMN, column=r.column)
            msg = Message(MSG_CONTROL_REMOVED, what=column)
        warnings.warn(msg, DataRepairWarning, 3)
    return out


def check_lengths(
    values: pd.DataFrame | Mapping[str, object],
    *,
    limits: Mapping[str, int] = LIMITS,
    ids: pd.Series | None = None,
) -> None:
    """Refuse texts longer than their column holds, naming where (never the value).

    ``values`` is a table (``ids`` names its rows: household ids) or one record.
    """
    frame = (
        values
        if isinstance(values, pd.DataFrame)
        else pd.DataFrame({k: [v] for k, v in values.items()})
    )
    for col, limit in limits.items():
        if col not in frame:
            continue
        s = frame[col]
        length = s.map(lambda v: len(v) if isinstance(v, str) else 0)
        bad = (length > limit).to_numpy()
        if not bad.any():
            continue
        more = "…" if bad.sum() > 3 else ""
        if ids is not None and col != "household_id":
            shown = ", ".join(str(v) for v in ids[bad].head(3)) + more
            where = Message(MSG_WHERE_HOUSEHOLDS, ids=shown)
        elif len(frame) > 1:
            rows = ", ".join(str(i + 1) for i in bad.nonzero()[0][:3]) + more
            where = Message(MSG_WHERE_ROWS, rows=rows)
        else:
            where = Message(MSG_WHERE_LENGTH, n=int(length.max()))
        # One column at a time: each message is complete on its own.
        raise CaseStoreError(
            Message(MSG_TOO_LONG, what=col, n=int(bad.sum()), limit=limit, where=where)
        )
