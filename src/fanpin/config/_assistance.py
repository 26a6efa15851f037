"""The assistance config: measure categories, their lead departments, risk rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..exceptions import ConfigError
from ._risk_types import close_matches
from ._yaml import read_yaml

__all__ = [
    "DEPARTMENTS",
    "MEASURE_CATEGORIES",
    "AssistanceConfig",
    "MeasureSpec",
    "RuleItem",
    "load_assistance_config",
]

MEASURE_CATEGORIES = (
    "产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶", "住房安全保障", "饮水安全保障",
    "健康帮扶", "义务教育保障", "其他教育帮扶", "综合保障", "社会帮扶", "搬迁",
    "生产生活条件改善", "基础设施建设",
)  # fmt: skip
"""The 14 measure categories of the 2023 national collection schema (domain.md [G2])."""

DEPARTMENTS = (
    "医保", "民政", "人社", "教育", "住建", "水利", "残联", "应急管理", "农业农村",
    "金融机构",
)  # fmt: skip
"""Lead departments a measure may name (农业农村 includes former 乡村振兴 bodies)."""

UNKNOWN_MEASURE = (
    "{where}: {name!r} is not one of the 14 national measure categories{hint}. "
    "Use one of: {known}."
)
UNKNOWN_DEPARTMENT = (
    "{where}: department {name!r} is not known{hint}. Use one of: {known}."
)


def _check_known(name: object, where: str, known: tuple, message: str) -> str:
    if name not in known:
        raise ConfigError(
            message.format(
                where=where,
                name=name,
                hint=close_matches(str(name), known),
                known=", ".join(known),
            )
        )
    return str(name)


def check_measure(name: object, where: str) -> str:
    """``name`` if it is a national measure category, else a ConfigError."""
    return _check_known(name, where, MEASURE_CATEGORIES, UNKNOWN_MEASURE)


def check_department(name: object, where: str) -> str:
    """``name`` if it is a known lead department, else a ConfigError."""
    return _check_known(name, where, DEPARTMENTS, UNKNOWN_DEPARTMENT)


@dataclass(frozen=True)
class MeasureSpec:
    """One measure category and its default lead department.

    Examples
    --------
    >>> spec = MeasureSpec("就业帮扶", "人社", developmental=True, needs_labour=True)
    >>> spec.department
    '人社'
    """

    name: str
    department: str
    developmental: bool = False
    needs_labour: bool = False
    verified: bool = False
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_measure(self.name, "measure")
        check_department(self.department, f"measure {self.name!r}")
        object.__setattr__(self, "sources", tuple(str(s) for s in self.sources))


@dataclass(frozen=True)
class RuleItem:
    """One suggested measure of a risk rule; ``department=None`` means the default."""

    measure: str
    department: str | None = None

    def __post_init__(self) -> None:
        check_measure(self.measure, "risk rule")
        if self.department is not None:
            check_department(self.department, f"risk rule for {self.measure!r}")


@dataclass(frozen=True)
class AssistanceConfig:
    """Checked content of ``assistance.yaml``.

    Parameters
    ----------
    measures : mapping of str to MeasureSpec
        Every measure category used, with its lead department.
    risks : mapping of str to tuple of RuleItem
        Risk code -> measures in priority order.
    developmental : tuple of str
        Developmental (开发式) measures; a household with labour gets at least one.
    safety_net : str
        The safety-net measure (综合保障) for households with no one able to work.
    risk_sources : mapping of str to tuple of str
        Source keys of each risk rule.
    source : str
        Where the config came from.
    """

    measures: Mapping[str, MeasureSpec]
    risks: Mapping[str, tuple[RuleItem, ...]]
    developmental: tuple[str, ...] = ("产业帮扶", "就业帮扶")
    safety_net: str = "综合保障"
    risk_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "inline"

    def __post_init__(self) -> None:
        where = f"assistance config ({self.source})"
        for name, spec in self.measures.items():
            if spec.name != name:
                raise ConfigError(
                    f"{where}: measure keyed {name!r} is named {spec.name!r}."
                )
        used = [item.measure for items in self.risks.values() for item in items]
        used += [*self.developmental, self.safety_net]
        missing = sorted({m for m in used if m not in self.measures})
        for m in missing:  # unknown names first, with close matches
            check_measure(m, where)
        if missing:
            raise ConfigError(
                f"{where}: measure(s) {missing} are used but have no entry under "
                "'measures'; add them with their lead department."
            )
        if not self.developmental:
            raise ConfigError(
                f"{where}: 'policy.developmental' must name at least one measure."
            )
        for code, items in self.risks.items():
            if not items:
                raise ConfigError(
                    f"{where}: risk {code!r} suggests no measure; add at least one."
                )
        object.__setattr__(self, "measures", MappingProxyType(dict(self.measures)))
        object.__setattr__(
            self,
            "risks",
            MappingProxyType({str(k): tuple(v) for k, v in self.risks.items()}),
        )
        object.__setattr__(self, "developmental", tuple(self.developmental))
        object.__setattr__(
            self, "risk_sources", MappingProxyType(dict(self.risk_sources))
        )


def _rule_item(raw: object, where: str) -> RuleItem:
    if isinstance(raw, str):
        return RuleItem(check_measure(raw, where))
    if (
        isinstance(raw, Mapping)
        and "measure" in raw
        and set(raw) <= {"measure", "department"}
    ):
        measure = check_measure(raw["measure"], where)
        dept = raw.get("department")
        return RuleItem(
            measure, None if dept is None else check_department(dept, where)
        )
    raise ConfigError(
        f"{where}: each measure must be a category name or "
        f"{{measure: ..., department: ...}}; got {raw!r}."
    )


def load_assistance_config(path: str | Path | None = None) -> AssistanceConfig:
    """Load ``assistance.yaml`` (the shipped default when ``path`` is None).

    Raises
    ------
    ConfigError
        Naming every unknown measure or department with close matches.

    Examples
    --------
    >>> cfg = load_assistance_config()
    >>> cfg.measures["饮水安全保障"].department, cfg.safety_net
    ('水利', '综合保障')
    """
    data, p = read_yaml(path, "assistance.yaml")
    if not isinstance(data, Mapping) or not {"measures", "risks"} <= set(data):
        raise ConfigError(
            f"Assistance file {str(p)!r} must have 'measures' (category -> department) "
            "and 'risks' (risk code -> measures), like the shipped "
            "configs/assistance.yaml."
        )
    unknown = set(data) - {"measures", "risks", "policy"}
    if unknown:
        raise ConfigError(
            f"Assistance file {str(p)!r} has unknown key(s) {sorted(unknown)}; "
            "allowed: "
            "measures, risks, policy."
        )
    problems: list[str] = []
    measures: dict[str, MeasureSpec] = {}
    for name, spec in (data["measures"] or {}).items():
        if not isinstance(spec, Mapping) or "department" not in spec:
            problems.append(f"measure {name!r} needs a mapping with 'department'")
            continue
        try:
            measures[name] = MeasureSpec(
                name=name,
                department=spec["department"],
                developmental=bool(spec.get("developmental", False)),
                needs_labour=bool(spec.get("needs_labour", False)),
                verified=bool(spec.get("verified", False)),
                sources=tuple(spec.get("sources") or ()),
            )
        except ConfigError as exc:
            problems.append(str(exc))
    risks: dict[str, tuple[RuleItem, ...]] = {}
    risk_sources: dict[str, tuple[str, ...]] = {}
    for code, spec in (data["risks"] or {}).items():
        if isinstance(code, int):
            problems.append(
                f'risk code {code!r} was read as a number; quote it ("0{code}")'
            )
            continue
        if not isinstance(spec, Mapping) or not isinstance(spec.get("measures"), list):
            problems.append(f"risk {code!r} needs 'measures: [...]'")
            continue
        items = []
        for raw in spec["measures"]:
            try:
                items.append(_rule_item(raw, f"risk {code!r}"))
            except ConfigError as exc:
                problems.append(str(exc))
        risks[str(code)] = tuple(items)
        risk_sources[str(code)] = tuple(str(s) for s in spec.get("sources") or ())
    if problems:
        raise ConfigError(
            f"Assistance file {str(p)!r} has {len(problems)} problem(s):\n"
            + "\n".join(f"  - {x}" for x in problems)
        )
    policy = data.get("policy") or {}
    return AssistanceConfig(
        measures=measures,
        risks=risks,
        developmental=tuple(policy.get("developmental", ("产业帮扶", "就业帮扶"))),
        safety_net=str(policy.get("safety_net", "综合保障")),
        risk_sources=risk_sources,
        source=str(p),
    )
