"""Evidence rules: when a household's own record supports a risk type.

A rule is a small boolean expression over the household's value fields
(:data:`VALUE_FIELDS`), written in ``risk_types.yaml``::

    medical_oop > 0 and (chronic_ill_count > 0 or serious_ill_count > 0)

Grammar (no Python is evaluated): comparisons ``a OP b`` with OP one of
``> >= < <= == !=``, where each side is a number, a field, or ``number * field``;
a bare field (true when above 0); ``not``, ``and``, ``or`` and parentheses. A
comparison with a missing value is false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._names import close_matches

__all__ = ["VALUE_FIELDS", "Condition", "parse_condition"]

VALUE_FIELDS: Mapping[str, str] = {
    # record and period
    "year": "year of the record",
    "period": "the period the flows cover: '2024年', or '2026年以来' for a record "
    "created from department pushes (year to date)",
    "income_period": "the period the incomes cover ('2025年' for a pushed record "
    "whose incomes are carried from the latest annual record)",
    # money (yuan)
    "net_income": "household net income (all components)",
    "income_wage": "wage income", "wage_last": "wage income of year t-1",
    "wage_drop": "wage_last - income_wage", "wage_drop_pct": "wage_drop / wage_last",
    "income_business": "net business income",
    "business_last": "net business income of year t-1",
    "business_drop": "business_last - income_business",
    "business_drop_pct": "business_drop / |business_last|",
    "wage_fall_share": "(wage_last - income_wage) / last year's net income",
    "business_fall_share": "(business_last - income_business) / last year's net "
    "income",
    "business_deficit": "the loss when net business income is below 0 (else 0)",
    "income_transfer": "transfer income",
    "medical_oop": "out-of-pocket medical cost", "medical_total": "total medical cost",
    "education_cost": "education cost", "disaster_loss": "direct disaster loss",
    "rigid_spending": "medical_oop + education_cost",
    "oop_pc": "medical_oop per household member",
    "edu_pc": "education_cost per household member",
    "income_gap": "per-capita income short of composites.reference x the line "
    "that would remain without the illness, disability and job losses below (a "
    "fall of business income is not given back: it is part of the gap; 0 when "
    "above)",
    "disability_loss_pc": "wages per head the members kept from work by severe "
    "disability would earn (the household's wage per worker, else "
    "composites.worker_wage x the line)",
    "illness_loss_pc": "oop_pc plus the wages per head of the members kept from "
    "work by serious illness and composites.chronic_work_loss of a worker's wage "
    "for each chronically ill member able to work",
    "wage_loss_pc": "the wages per head lost to jobs lost (失业返乡): a sharp fall "
    "of wage income since t-1 (at least income_split.min_fall) when a migrant "
    "worker came home (any sharp fall where migrant workers are not recorded), or, "
    "when larger, last year's wage per migrant worker for each migrant back home "
    "(the wage lost in the year ahead, whatever part of this year's was earned "
    "before the job was lost); less the wages of the members kept from work by "
    "serious illness or severe disability",
    "business_loss_pc": "a sharp fall of business income since t-1, per head",
    "blocked_by_disability": "working-age members kept from work by severe "
    "disability (estimated)",
    "blocked_by_illness": "working-age members kept from work by serious illness "
    "(estimated)",
    "dependants_count": "elderly_count + children_count",
    # shares
    "oop_share": "medical_oop / net income", "edu_share": "education_cost / net income",
    "loss_share": "disaster_loss / net income",
    "rigid_share": "rigid_spending / net income",
    "wage_share": "income_wage / net income",
    # per capita and the line
    "pc_income": "per-capita net income",
    "pc_income_after_rigid": "per-capita net income less rigid spending per head",
    "line": "the monitoring line of the household's province and year",
    "margin_pct": "pc_income_after_rigid / line",
    "income_line_ratio": "pc_income / line",
    # counts
    "household_size": "members", "labor_count": "members able to work",
    "labour_share": "labor_count / household_size",
    "chronic_ill_count": "chronically ill members",
    "serious_ill_count": "seriously ill members",
    "ill_count": "chronic_ill_count + serious_ill_count",
    "disabled_count": "disabled members", "severe_disabled_count": "of them severe",
    "elderly_count": "members 65 and over", "children_count": "members under 16",
    "students_compulsory": "compulsory-school students",
    "students_higher": "high-school and college students",
    "students": "students_compulsory + students_higher",
    "dropout_count": "compulsory-school dropouts",
    "migrant_workers": "migrant workers", "accident_count": "accidents (persons)",
    # flags (1 true, 0 false)
    "wage_fell": "wage income fell by at least 5 % since t-1",
    "business_fell": "business income fell by at least 5 % since t-1",
    "business_loss": "net business income below 0",
    "wage_work": "wage work recorded (wage income or migrant workers above 0)",
    "no_labour": "nobody able to work", "has_disabled": "a disabled member",
    "alone": "a one-person household",
    "wage_main": "wage income at least half of net income",
    "near_line": "income after rigid spending at most 1.2 x the line",
    "has_students": "a student",
    "uninsured": "a member without basic medical insurance",
    "housing_unsafe": "housing not safe", "water_unsafe": "drinking water not safe",
    "above_serious_threshold": "out-of-pocket cost above the serious-illness "
    "insurance threshold (local per-capita income)",
    "rigid_high": "rigid_share at least structural.rigid_share",
    # text (for sentences)
    "disaster_type": "the disaster type (洪涝 ...)",
    "ill_members": "e.g. '大病患者 1 人、慢性病患者 2 人' (only the non-zero parts)",
    "disabled_members": "e.g. '残疾 2 人（其中重度 1 人）'",
    "student_members": "e.g. '义务教育在校生 1 人、高中及以上在校生 1 人'",
    "dependants": "e.g. '65岁以上老人 2 人、16岁以下儿童 1 人'",
}  # fmt: skip
"""The value fields of a household that evidence rules and sentences may use."""

MSG_BAD_CONDITION = N_(
    "Evidence rule {text!r} for risk {code!r} in {source!r} cannot be read: {why}. "
    "Write comparisons of fields and numbers joined by and / or, e.g. "
    "'medical_oop > 0 and ill_count > 0'."
)
MSG_UNKNOWN_FIELD = N_(
    "Evidence rule {text!r} for risk {code!r} in {source!r} uses the unknown field "
    "{field!r}{hint}. Known fields: {known}."
)

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>>=|<=|==|!=|>|<|\*|\(|\)))"
)
_OPS = (">=", "<=", "==", "!=", ">", "<")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"unexpected text at {text[pos : pos + 12]!r}")
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "name" and value in ("and", "or", "not"):
            kind = value
        out.append((kind, value))
        pos = m.end()
    return out


@dataclass(frozen=True)
class Condition:
    """A parsed evidence rule: a tree of ``(op, *args)`` tuples.

    Examples
    --------
    >>> c = parse_condition("medical_oop > 0 and ill_count > 0")
    >>> c.fields
    ('medical_oop', 'ill_count')
    >>> c.holds({"medical_oop": np.array([10.0, 0.0, 5.0]),
    ...          "ill_count": np.array([1.0, 1.0, np.nan])}).tolist()
    [True, False, False]
    """

    text: str
    tree: tuple

    @property
    def fields(self) -> tuple[str, ...]:
        """Fields the rule reads, in order of first use."""
        seen: dict[str, None] = {}

        def walk(node: Any) -> None:
            if isinstance(node, tuple):
                if node[0] == "field":
                    seen.setdefault(node[1], None)
                for child in node[1:]:
                    walk(child)

        walk(self.tree)
        return tuple(seen)

    def holds(self, values: Mapping[str, Any]) -> np.ndarray:
        """The rule on arrays of values (one per field, equal length): a bool array."""
        return np.asarray(_eval(self.tree, values), dtype=bool)


def _num(node: tuple, values: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "field":
        return np.asarray(values[node[1]], dtype="float64")
    return node[1] * np.asarray(values[node[2][1]], dtype="float64")  # "scaled"


def _eval(node: tuple, values: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "and":
        return _eval(node[1], values) & _eval(node[2], values)
    if kind == "or":
        return _eval(node[1], values) | _eval(node[2], values)
    if kind == "not":
        return ~_eval(node[1], values)
    if kind == "cmp":
        a, b = _num(node[2], values), _num(node[3], values)
        with np.errstate(invalid="ignore"):
            return {
                ">": np.greater, ">=": np.greater_equal, "<": np.less,
                "<=": np.less_equal, "==": np.equal, "!=": np.not_equal,
            }[node[1]](a, b) & np.isfinite(a) & np.isfinite(b)  # fmt: skip
    v = _num(node, values)  # a bare field: true above 0
    with np.errstate(invalid="ignore"):
        return np.greater(v, 0) & np.isfinite(v)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.t = tokens
        self.i = 0

    def peek(self) -> str:
        return self.t[self.i][0] if self.i < len(self.t) else ""

    def take(self, kind: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.t):
            raise ValueError("the rule ends too early")
        tok = self.t[self.i]
        if kind is not None and tok[0] != kind and tok[1] != kind:
            raise ValueError(f"expected {kind!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def expr(self) -> tuple:
        node = self.term()
        while self.peek() == "or":
            self.take()
            node = ("or", node, self.term())
        return node

    def term(self) -> tuple:
        node = self.factor()
        while self.peek() == "and":
            self.take()
            node = ("and", node, self.factor())
        return node

    def factor(self) -> tuple:
        if self.peek() == "not":
            self.take()
            return ("not", self.factor())
        if self.i < len(self.t) and self.t[self.i][1] == "(":
            self.take("(")
            node = self.expr()
            self.take(")")
            return node
        left = self.operand()
        if self.i < len(self.t) and self.t[self.i][1] in _OPS:
            op = self.take()[1]
            return ("cmp", op, left, self.operand())
        if left[0] != "field":
            raise ValueError("a number alone is not a condition")
        return left

    def operand(self) -> tuple:
        kind, value = self.take()
        if kind == "num":
            if self.i < len(self.t) and self.t[self.i][1] == "*":
                self.take("*")
                k2, v2 = self.take()
                if k2 != "name":
                    raise ValueError(f"expected a field after '*', found {v2!r}")
                return ("scaled", float(value), ("field", v2))
            return ("num", float(value))
        if kind == "name":
            return ("field", value)
        raise ValueError(f"expected a field or a number, found {value!r}")


def parse_condition(text: str, *, code: str = "?", source: str = "inline") -> Condition:
    """Parse an evidence rule (see the module note); ConfigError when it cannot be
    read or names a field not in :data:`VALUE_FIELDS`."""
    try:
        parser = _Parser(_tokens(str(text)))
        tree = parser.expr()
        if parser.i != len(parser.t):
            raise ValueError(f"unexpected {parser.t[parser.i][1]!r}")
    except ValueError as exc:
        raise ConfigError(
            Message(
                MSG_BAD_CONDITION, text=text, code=code, source=source, why=str(exc)
            )
        ) from None
    cond = Condition(str(text), tree)
    for f in cond.fields:
        if f not in VALUE_FIELDS:
            raise ConfigError(
                Message(
                    MSG_UNKNOWN_FIELD, text=text, code=code, source=source, field=f,
                    hint=close_matches(f, VALUE_FIELDS), known=", ".join(VALUE_FIELDS),
                )
            )  # fmt: skip
    return cond
