"""Verification results back from the townships: the filled workbooks, read.

A township workbook (:func:`~fanpin.workflow.write_workbooks`) has, per
household, its case id (案件号) and the columns the township fills: 核查结果
(属实-纳入监测 / 不属实-排除 / 待核查), 认定类别, 核查日期, 核查人 and 备注.
:func:`read_verifications` reads them back, row by row, and says what is wrong
with a row (naming the workbook, sheet and row); :func:`plan_steps` turns a
result into the transitions it means from the case's state, which
:meth:`CaseStore.apply_verifications` applies, one transaction per workbook.

============== =================== ==========================================
核查结果        case state          transitions
============== =================== ==========================================
属实-纳入监测   预警 / 核查中        -> 核查中 -> 已认定 (认定类别 required)
不属实-排除     预警 / 核查中        -> 核查中 -> 已排除
待核查          预警                 -> 核查中
============== =================== ==========================================

A case already where the row takes it (已认定 with the same category, or a
later state; 已排除; 核查中 or further for 待核查) is left as it is: reading the
same workbook again changes nothing. A row that contradicts the case (属实 for
an excluded case, 不属实 for an identified one, another category) is refused.

Only the case id, household code and the filled columns are read: personal
data a workbook may hold (户主姓名, 联系电话) is never read; 核查人 and 备注 go
through the case store's checks (an ID- or phone-like number in 核查人 is
refused, in 备注 masked). No formula is evaluated and no macro run (openpyxl
reads the cached values only).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ..exceptions import InputError
from ..messages import N_, Message
from ._export import CHECK_RESULTS, EXCEL_HEADERS
from ._states import CATEGORIES

__all__ = [
    "ROW_NO_ACTOR",
    "ROW_NO_CASE",
    "ROW_OTHER_HOUSEHOLD",
    "VerificationRow",
    "VerificationSheet",
    "plan_steps",
    "read_verifications",
    "refusal",
]

TRUE, FALSE, PENDING = CHECK_RESULTS

MSG_ROW = N_("{workbook}, sheet {sheet!r}, row {row}: {problem}")
MSG_NOT_XLSX = N_(
    "{workbook}: not an .xlsx workbook ({suffix}); save it as Excel .xlsx (WPS: 另存为 "
    ".xlsx) and import that."
)
MSG_UNREADABLE = N_(
    "{workbook} cannot be read as an Excel workbook ({reason}); is it the workbook "
    "fanpin wrote, saved as .xlsx?"
)
MSG_NO_SHEET = N_(
    "{workbook} has no sheet with the columns 案件号 and 核查结果: it is not a "
    "township workbook written by `fanpin alerts --store`."
)
ROW_NO_CASE_ID = N_(
    "核查结果 is filled but 案件号 is empty (the workbook was written without a case "
    "store, or the cell was cleared); put the case id back"
)
ROW_BAD_CASE_ID = N_("案件号 {got!r} is not a case number")
ROW_BAD_RESULT = N_("核查结果 {got!r} is not one of {allowed}")
ROW_NO_DATE = N_("核查日期 is empty; give the date of the home check")
ROW_BAD_DATE = N_("核查日期 {got!r} is not a date (e.g. 2026-07-03)")
ROW_NO_ACTOR = N_(
    "核查人 is empty; give who checked (a name or post), or pass --actor for rows "
    "without one"
)
ROW_NEEDS_CATEGORY = N_("属实-纳入监测 needs 认定类别, one of {categories}")
ROW_BAD_CATEGORY = N_("认定类别 {got!r} is not one of {categories}")
ROW_DUPLICATE = N_(
    "case {case_id} is also in sheet {sheet!r}, row {row}; one row a case"
)
ROW_NO_CASE = N_(
    "there is no case {case_id} in this store (was the workbook made with another "
    "store?)"
)
ROW_OTHER_HOUSEHOLD = N_(
    "case {case_id} is household {stored}, but the row says {got}: rows may have "
    "been moved or pasted; put the case id back"
)
ROW_CONFLICT = N_(
    "case {case_id} is already {state} (since {when}); the sheet says {result}. "
    "If the new result is right, correct the case with the county (it is closed "
    "or identified) and leave 核查结果 empty here"
)
ROW_OTHER_CATEGORY = N_(
    "case {case_id} was identified as {stored}; the sheet says {got}"
)

_HEADER_KEYS = {
    "case_id": EXCEL_HEADERS["case_id"],
    "household_id": EXCEL_HEADERS["household_id"],
    "check_result": EXCEL_HEADERS["check_result"],
    "category": EXCEL_HEADERS["category"],
    "check_date": EXCEL_HEADERS["check_date"],
    "checker": EXCEL_HEADERS["checker"],
    "note": EXCEL_HEADERS["note"],
}
_FILLED = ("check_result", "category", "check_date", "checker", "note")
_HEADER_SCAN = 10  # rows looked at for the header row
_ALIASES = {
    "属实": TRUE, "纳入监测": TRUE, "属实纳入监测": TRUE,
    "不属实": FALSE, "排除": FALSE, "不属实排除": FALSE,
    "待核查": PENDING, "核查中": PENDING, "待核实": PENDING,
}  # fmt: skip
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$|^(\d{4})(\d{2})(\d{2})$"
)


@dataclass(frozen=True)
class VerificationRow:
    """One filled row of a township workbook (``row``: the Excel row number)."""

    workbook: str
    sheet: str
    row: int
    case_id: int
    household_id: str | None
    result: str
    category: str | None
    day: date
    actor: str | None
    note: str | None

    def where(self, problem: object) -> Message:
        """``problem`` prefixed with the workbook, sheet and row."""
        return Message(
            MSG_ROW, workbook=self.workbook, sheet=self.sheet, row=self.row,
            problem=problem,
        )  # fmt: skip


@dataclass(frozen=True)
class VerificationSheet:
    """What :func:`read_verifications` found in one workbook.

    ``rows``: the rows with a result; ``problems``: every row that cannot be
    read (each message names the workbook, sheet and row); ``blank``: rows of
    a case with no result filled in (not verified yet).
    """

    workbook: str
    rows: list[VerificationRow] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    blank: int = 0


def _norm(value: object) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _result(value: object) -> str | None:
    key = _norm(value).replace("-", "").replace("—", "")
    for result in CHECK_RESULTS:
        if key == result.replace("-", ""):
            return result
    return _ALIASES.get(key)


def _day(value: object) -> date | None:
    """A date from a cell: a date, an Excel serial number, or a text date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day (1954 to 2119)
            return date(1899, 12, 30) + timedelta(days=int(value))
        return None
    m = _DATE_TEXT.match(_norm(value))
    if m is None:
        return None
    y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _case_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    text = _norm(value)
    return int(text) if text.isdigit() and int(text) > 0 else None


def _header_map(cells: tuple) -> dict[str, int] | None:
    names = [_norm(c) for c in cells]
    where = {}
    for key, head in _HEADER_KEYS.items():
        if head in names:
            where[key] = names.index(head)
    if "case_id" in where and "check_result" in where:
        return where
    return None


def read_verifications(path: str | Path) -> VerificationSheet:
    """Read the filled rows of a township workbook.

    Every sheet with the columns 案件号 and 核查结果 (found in its first rows,
    wherever the township moved them) is read; a row counts when 核查结果 is
    filled. Each such row needs a case id, a known result, a date (a date
    cell, or a text such as 2026-07-03, 2026/7/3 or 2026年7月3日) and, for
    属实-纳入监测, a 认定类别. Rows with a case id and nothing filled in are
    counted as ``blank``.

    Raises
    ------
    InputError
        If the file is not an .xlsx workbook or has no such sheet.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from fanpin.workflow import write_workbooks
    >>> a = pd.DataFrame({"household_id": ["01"], "township": ["乙镇"],
    ...     "village": ["丙村"], "case_id": [7], "case_state": ["预警"]})
    >>> [p] = write_workbooks(a, tempfile.mkdtemp())
    >>> sheet = read_verifications(p)
    >>> len(sheet.rows), sheet.blank, sheet.problems
    (0, 1, [])
    """
    from openpyxl import load_workbook

    p = Path(path)
    name = p.name
    if p.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(Message(MSG_NOT_XLSX, workbook=name, suffix=p.suffix or "-"))
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file: one message
        raise InputError(
            Message(MSG_UNREADABLE, workbook=name, reason=type(exc).__name__)
        ) from None
    out = VerificationSheet(workbook=name)
    found = False
    seen: dict[int, tuple[str, int]] = {}
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            where = None
            r = 0
            for r, cells in enumerate(rows, start=1):
                where = _header_map(cells)
                if where is not None or r >= _HEADER_SCAN:
                    break
            if where is None:
                continue
            found = True
            for r2, cells in enumerate(rows, start=r + 1):
                row = _read_row(out, ws.title, r2, cells, where, seen)
                if row is not None:
                    out.rows.append(row)
    finally:
        wb.close()
    if not found:
        raise InputError(Message(MSG_NO_SHEET, workbook=name))
    return out


def _read_row(out, sheet, r, cells, where, seen) -> VerificationRow | None:  # noqa: ANN001
    def cell(key: str) -> object:
        j = where.get(key)
        return cells[j] if j is not None and j < len(cells) else None

    def problem(msg: Message) -> None:
        out.problems.append(
            Message(MSG_ROW, workbook=out.workbook, sheet=sheet, row=r, problem=msg)
        )

    raw_id, raw_result = cell("case_id"), cell("check_result")
    if _text(raw_result) is None:
        filled = any(_text(cell(k)) is not None for k in _FILLED)
        if _text(raw_id) is not None:
            object.__setattr__(out, "blank", out.blank + 1)
        if not filled:
            return None
    if _text(raw_result) is None:
        problem(Message(ROW_BAD_RESULT, got="", allowed=" / ".join(CHECK_RESULTS)))
        return None
    if _text(raw_id) is None:
        problem(Message(ROW_NO_CASE_ID))
        return None
    case_id = _case_id(raw_id)
    if case_id is None:
        problem(Message(ROW_BAD_CASE_ID, got=_text(raw_id)))
        return None
    bad = False
    result = _result(raw_result)
    if result is None:
        problem(
            Message(
                ROW_BAD_RESULT, got=_text(raw_result), allowed=" / ".join(CHECK_RESULTS)
            )
        )
        bad = True
    raw_day = cell("check_date")
    day = _day(raw_day)
    if day is None:
        problem(
            Message(ROW_NO_DATE)
            if _text(raw_day) is None
            else Message(ROW_BAD_DATE, got=_text(raw_day))
        )
        bad = True
    category = _norm(cell("category")) or None
    if category is not None and category not in CATEGORIES:
        problem(
            Message(
                ROW_BAD_CATEGORY, got=_text(cell("category")),
                categories=" / ".join(CATEGORIES),
            )
        )  # fmt: skip
        bad = True
    elif result == TRUE and category is None:
        problem(Message(ROW_NEEDS_CATEGORY, categories=" / ".join(CATEGORIES)))
        bad = True
    if case_id in seen:
        other_sheet, other_row = seen[case_id]
        problem(
            Message(ROW_DUPLICATE, case_id=case_id, sheet=other_sheet, row=other_row)
        )
        bad = True
    else:
        seen[case_id] = (sheet, r)
    if bad:
        return None
    hid = _text(cell("household_id"))
    return VerificationRow(
        workbook=out.workbook, sheet=sheet, row=r, case_id=case_id,
        household_id=hid, result=result, category=category, day=day,
        actor=_text(cell("checker")), note=_text(cell("note")),
    )  # fmt: skip


def plan_steps(
    result: str, state: str, *, category: str | None, stored_category: str | None
) -> list[str] | str:
    """The transitions ``result`` means for a case in ``state``: the states to
    move through (empty: the case is already there), or why the row is refused
    (``"conflict"``: the case is decided otherwise; ``"category"``: identified
    as another category).

    Examples
    --------
    >>> plan_steps("属实-纳入监测", "预警", category="边缘易致贫户",
    ...            stored_category=None)
    ['核查中', '已认定']
    >>> plan_steps("不属实-排除", "已排除", category=None, stored_category=None)
    []
    >>> plan_steps("不属实-排除", "帮扶中", category=None, stored_category="X")
    'conflict'
    >>> plan_steps("待核查", "帮扶中", category=None, stored_category="X")
    []
    """
    checking = ["核查中"] if state == "预警" else []
    if result == PENDING:
        return checking
    open_check = state in ("预警", "核查中")
    if result == TRUE:
        if open_check:
            return [*checking, "已认定"]
        if state == "已排除":
            return "conflict"
        if stored_category is not None and category != stored_category:
            return "category"
        return []
    if open_check:
        return [*checking, "已排除"]
    return [] if state == "已排除" else "conflict"


def refusal(kind: str, v: VerificationRow, case: dict, since: datetime) -> Message:
    """The message of a refused row (``kind`` from :func:`plan_steps`)."""
    if kind == "category":
        problem = Message(
            ROW_OTHER_CATEGORY, case_id=v.case_id, stored=case["category"],
            got=v.category,
        )  # fmt: skip
    else:
        problem = Message(
            ROW_CONFLICT, case_id=v.case_id, state=case["state"],
            when=since.date().isoformat(), result=v.result,
        )  # fmt: skip
    return v.where(problem)
