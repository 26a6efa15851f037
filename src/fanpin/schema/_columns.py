"""The household contract as one declarative table: the single source of truth.

Readers (aliases), validation (dtypes, ranges, nullability), reports (Chinese
labels) and the docs are all generated from :data:`COLUMNS` and
:data:`EVENT_COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_SOURCES",
    "EVENT_TYPES",
    "Column",
    "HOUSEHOLD_TYPES",
    "MONITOR_CATEGORIES",
    "MAX_YUAN",
    "PII_COLUMNS",
    "PLAUSIBLE_RANGE",
    "column",
    "columns_markdown",
]

# Kinds and the pandas dtype a validated frame carries for them.
#   "id"     -> string (pandas StringDtype), never numeric: leading zeros are kept
#   "str"    -> string
#   "cat"    -> string, restricted to ``values``
#   "int"    -> int64 when required, Int64 (nullable) when optional
#   "yuan"   -> float64 (NaN where an optional value is missing)
#   "float"  -> float64
#   "bool"   -> bool when required, boolean (nullable) when optional
#   "date"   -> datetime64[ns]
KIND_DTYPES = {
    "id": "string",
    "str": "string",
    "cat": "string",
    "yuan": "float64",
    "float": "float64",
    "date": "datetime64[ns]",
}


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    Parameters
    ----------
    name : str
        English name, used in code and outputs.
    alias : str
        Chinese name, accepted on input and shown to township and county staff.
    kind : str
        One of ``id, str, cat, int, yuan, float, bool, date``.
    required : bool
        Whether the column must be present and non-missing.
    low, high : float or str or None
        Inclusive bounds. A string names another column (``"household_size"``) whose
        value bounds this one row by row.
    values : tuple of str
        Allowed values of a category (canonical spelling first).
    domain : str
        Risk domain the column feeds (``income``, ``health`` ...), or ``key``.
    unit : str
        Unit shown in reports.
    doc : str
        One line for the docs.
    """

    name: str
    alias: str
    kind: str
    required: bool = False
    low: float | str | None = None
    high: float | str | None = None
    values: tuple[str, ...] = ()
    domain: str = "key"
    unit: str = ""
    doc: str = ""

    @property
    def dtype(self) -> str:
        """The pandas dtype of this column in a validated frame."""
        if self.kind == "int":
            return "int64" if self.required else "Int64"
        if self.kind == "bool":
            return "bool" if self.required else "boolean"
        return KIND_DTYPES[self.kind]


HOUSEHOLD_TYPES = ("脱贫户", "一般农户")
"""Canonical household types; ``lifted``/``ordinary``/``普通农户`` are normalised to "
"these."""

MONITOR_CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")

C = Column
COLUMNS: tuple[Column, ...] = (
    # --- keys -------------------------------------------------------------------
    C(
        "household_id",
        "户编码",
        "id",
        True,
        doc="stable across years; unique within a year",
    ),
    C("year", "年度", "int", True, 2000, 2100, doc="calendar year the record covers"),
    C("province", "省", "str", True),
    C("county", "县", "str", True),
    C("village", "村", "str", True),
    C(
        "household_type",
        "户类型",
        "cat",
        True,
        values=HOUSEHOLD_TYPES,
        doc="脱贫户 (lifted out) or 一般农户 (ordinary)",
    ),
    C("household_size", "家庭人口数", "int", True, 1, 30, domain="labour", unit="人"),
    C(
        "labor_count",
        "劳动力人数",
        "int",
        True,
        0,
        "household_size",
        domain="labour",
        unit="人",
    ),
    C(
        "chronic_ill_count",
        "慢性病人数",
        "int",
        True,
        0,
        "household_size",
        domain="health",
        unit="人",
    ),
    C(
        "serious_ill_count",
        "大病人数",
        "int",
        True,
        0,
        "household_size",
        domain="health",
        unit="人",
    ),
    C(
        "disabled_count",
        "残疾人数",
        "int",
        True,
        0,
        "household_size",
        domain="disability",
        unit="人",
    ),
    C(
        "medical_cost_total",
        "医疗总费用",
        "yuan",
        True,
        0,
        None,
        domain="health",
        unit="元",
    ),
    C(
        "medical_cost_oop",
        "医疗自付费用",
        "yuan",
        True,
        0,
        "medical_cost_total",
        domain="health",
        unit="元",
        doc="after basic, serious-illness insurance and medical aid",
    ),
    C("disaster_loss", "因灾损失", "yuan", True, 0, None, domain="disaster", unit="元"),
    C("income_wage", "工资性收入", "yuan", True, 0, None, domain="income", unit="元"),
    C(
        "income_business",
        "生产经营性净收入",
        "yuan",
        True,
        None,
        None,
        domain="income",
        unit="元",
        doc="may be negative",
    ),
    C(
        "income_transfer",
        "转移性收入",
        "yuan",
        True,
        0,
        None,
        domain="income",
        unit="元",
    ),
    C("housing_safe", "住房安全有保障", "bool", True, domain="housing_water"),
    C("water_safe", "饮水安全有保障", "bool", True, domain="housing_water"),
    # --- optional -----------------------------------------------------------------
    C("township", "乡镇", "str"),
    C(
        "monitor_category",
        "监测对象类别",
        "cat",
        values=MONITOR_CATEGORIES,
        doc="empty when not monitored",
    ),
    C(
        "elderly_count",
        "65岁以上人数",
        "int",
        False,
        0,
        "household_size",
        domain="labour",
        unit="人",
    ),
    C(
        "children_count",
        "16岁以下人数",
        "int",
        False,
        0,
        "household_size",
        domain="labour",
        unit="人",
    ),
    C(
        "students_compulsory",
        "义务教育在校生数",
        "int",
        False,
        0,
        "household_size",
        domain="education",
        unit="人",
    ),
    C(
        "students_higher",
        "高中及以上在校生数",
        "int",
        False,
        0,
        "household_size",
        domain="education",
        unit="人",
    ),
    C(
        "dropout_count",
        "义务教育辍学人数",
        "int",
        False,
        0,
        "household_size",
        domain="education",
        unit="人",
    ),
    C("head_age", "户主年龄", "int", False, 16, 110, domain="labour", unit="岁"),
    C(
        "head_education",
        "户主文化程度",
        "cat",
        values=("文盲", "小学", "初中", "高中", "大专及以上"),
        domain="labour",
    ),
    C("ethnic_minority", "少数民族", "bool"),
    C(
        "severe_disabled_count",
        "重度残疾人数",
        "int",
        False,
        0,
        "disabled_count",
        domain="disability",
        unit="人",
    ),
    C("medical_insured", "全员参加基本医保", "bool", domain="health"),
    C(
        "disaster_type",
        "灾害类型",
        "cat",
        values=("无", "洪涝", "干旱", "地震地质", "风雹", "其他"),
        domain="disaster",
    ),
    C(
        "accident_count",
        "意外事故人次",
        "int",
        False,
        0,
        None,
        domain="accident",
        unit="人次",
    ),
    C(
        "income_property",
        "财产性收入",
        "yuan",
        False,
        0,
        None,
        domain="income",
        unit="元",
    ),
    C(
        "migrant_workers",
        "外出务工人数",
        "int",
        False,
        0,
        "labor_count",
        domain="income",
        unit="人",
    ),
    C(
        "education_cost",
        "教育支出",
        "yuan",
        False,
        0,
        None,
        domain="education",
        unit="元",
    ),
    C("dibao", "享受低保", "bool", domain="assistance"),
    C("tekun", "特困供养", "bool", domain="assistance"),
    C(
        "microcredit_balance",
        "小额信贷余额",
        "yuan",
        False,
        0,
        None,
        domain="assistance",
        unit="元",
    ),
    C("welfare_job", "公益岗位", "bool", domain="assistance"),
    C("industry_support", "产业帮扶", "bool", domain="assistance"),
    C("relocated", "易地扶贫搬迁户", "bool", domain="assistance"),
    C(
        "cultivated_land",
        "耕地面积",
        "float",
        False,
        0,
        None,
        domain="income",
        unit="亩",
    ),
)
del C

PII_COLUMNS: dict[str, str] = {
    "head_name": "户主姓名",
    "id_number": "身份证号",
    "phone": "联系电话",
}
"""Personal data columns: dropped on read, never used, never written."""

EVENT_SOURCES = (
    "医保",
    "民政",
    "残联",
    "应急管理",
    "人社",
    "教育",
    "住建",
    "水利",
    "农业农村",
)
EVENT_TYPES = (
    "住院自付",
    "大病",
    "新增残疾",
    "灾害损失",
    "意外事故",
    "失业返乡",
    "新增低保",
    "临时救助",
    "辍学",
    "危房",
    "饮水中断",
)

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("household_id", "户编码", "id", True, doc="must exist in the panel"),
    Column("date", "日期", "date", True),
    Column("source", "推送部门", "cat", True, values=EVENT_SOURCES),
    Column("event_type", "事件类型", "cat", True, values=EVENT_TYPES),
    Column("amount", "金额", "yuan", False, 0, None, unit="元"),
    Column("persons", "人数", "int", False, 0, 30, unit="人"),
)

MAX_YUAN = 100_000_000
"""No household-year amount of money is above 100 million yuan (一亿元) or, for
net business income, below minus that: such a value is a typing or unit error
(an amount in fen, digits run together), refused like a non-number."""

PLAUSIBLE_RANGE: dict[str, tuple[float, float]] = {
    **{c.name: (-MAX_YUAN if c.low is None else 0, MAX_YUAN)
       for c in (*COLUMNS, *EVENT_COLUMNS) if c.kind == "yuan"},
    "accident_count": (0, 100),
    "cultivated_land": (0, 100_000),
}  # fmt: skip
"""Bounds beyond the contract's own ones that no real household crosses: yuan
columns ±:data:`MAX_YUAN`, at most 100 accident victims (人次) in a year and
100,000 mu (亩) of cultivated land. Values outside are refused, naming the rows."""

_BY_NAME = {c.name: c for c in COLUMNS}


def column(name: str) -> Column:
    """The :class:`Column` of a panel column by English name.

    Examples
    --------
    >>> column("medical_cost_oop").alias
    '医疗自付费用'
    """
    return _BY_NAME[name]


def columns_markdown(columns: tuple[Column, ...] = COLUMNS) -> str:
    """The contract table as Markdown, generated from :data:`COLUMNS`."""
    rows = [
        "| column | 中文别名 | dtype | required | range / values | domain |",
        "|---|---|---|---|---|---|",
    ]
    for c in columns:
        if c.values:
            rng = ", ".join(c.values)
        elif c.low is not None or c.high is not None:
            rng = (
                f"{'' if c.low is None else c.low} … {'' if c.high is None else c.high}"
            )
        else:
            rng = ""
        rows.append(
            f"| {c.name} | {c.alias} | {c.dtype} | {'yes' if c.required else ''} | "
            f"{rng} | {c.domain} |"
        )
    return "\n".join(rows)
