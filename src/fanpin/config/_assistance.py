"""The assistance config: measure categories, their lead departments, risk rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._names import close_matches
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

UNKNOWN_MEASURE = N_(
    "{where}: {name!r} is not one of the 14 national measure categories{hint}. "
    "Use one of: {known}."
)
UNKNOWN_DEPARTMENT = N_(
    "{where}: department {name!r} is not known{hint}. Use one of: {known}."
)
MSG_MEASURE_KEY = N_("{where}: measure keyed {key!r} is named {name!r}.")
MSG_MEASURE_MISSING = N_(
    "{where}: measure(s) {missing} are used but have no entry under 'measures'; add "
    "them with their lead department."
)
MSG_NO_DEVELOPMENTAL = N_(
    "{where}: 'policy.developmental' must name at least one measure."
)
MSG_EMPTY_RULE = N_("{where}: risk {code!r} suggests no measure; add at least one.")
MSG_RULE_ITEM = N_(
    "{where}: each measure must be a category name or {{measure: ..., department: "
    "...}}; got {got!r}."
)
MSG_FILE_SHAPE = N_(
    "Assistance file {path!r} must have 'measures' (category -> department) and "
    "'risks' (risk code -> measures), like the shipped configs/assistance.yaml."
)
MSG_FILE_KEYS = N_(
    "Assistance file {path!r} has unknown key(s) {keys}; allowed: measures, risks, "
    "policy."
)
MSG_POLICY_KEYS = N_(
    "'policy' in assistance file {path!r} has unknown key(s) {keys}; allowed: "
    "{allowed}."
)
MSG_PROBLEMS = N_("Assistance file {path!r} has {n} problem(s):\n{problems}")
MSG_MIN_DROP = N_(
    "policy.what_if_min_drop in {where} must be a number in [0, 1] (a drop of the "
    "risk probability); got {value!r}."
)
PROBLEM_NEEDS_DEPARTMENT = N_("measure {name!r} needs a mapping with 'department'")
PROBLEM_NUMBER_CODE = N_(
    'risk code {code!r} was read as a number; quote it ("0{code}")'
)
PROBLEM_NEEDS_MEASURES = N_("risk {code!r} needs 'measures: [...]'")
POLICY_KEYS = ("developmental", "safety_net", "general", "what_if_min_drop")
WHAT_IF_TEXTS = {
    "lowers": "若落实{measure}，风险由 {before:.2f} 降至 {after:.2f}",
    "not_below": "任何一项措施单独落实都不能使风险降至预警线 {cutoff:.2f} 以下，"
    "需多措并举",
    "none": "所列措施中没有一项能使风险降低 {min_drop:.2f} 以上（现为 {before:.2f}），"
    "需入户核实后研究帮扶办法",
}
"""The what-if sentences (``what_if_text`` in assistance.yaml overrides them)."""
MSG_WHAT_IF_TEXT = N_(
    "what_if_text.{key} in {path!r}: {problem}. Keys: {keys}; fields: {{measure}}, "
    "{{before}}, {{after}} (lowers), {{cutoff}} (not_below), {{min_drop}}, "
    "{{before}} (none)."
)


def _check_known(name: object, where: str, known: tuple, message: str) -> str:
    if name not in known:
        raise ConfigError(
            Message(
                message, where=where, name=name, hint=close_matches(str(name), known),
                known=", ".join(known),
            )
        )  # fmt: skip
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
    general : tuple of str
        General measures (社会帮扶): listed after every specific measure, never
        first when a specific one applies.
    what_if_min_drop : float
        The what-if shows a measure only when it lowers the risk by at least this
        much (probability points).
    what_if_texts : mapping of str to str
        The what-if sentences: ``lowers``, ``not_below``, ``none``.
    risk_sources : mapping of str to tuple of str
        Source keys of each risk rule.
    source : str
        Where the config came from.
    """

    measures: Mapping[str, MeasureSpec]
    risks: Mapping[str, tuple[RuleItem, ...]]
    developmental: tuple[str, ...] = ("产业帮扶", "就业帮扶")
    safety_net: str = "综合保障"
    general: tuple[str, ...] = ("社会帮扶",)
    what_if_min_drop: float = 0.01
    what_if_texts: Mapping[str, str] = field(
        default_factory=lambda: dict(WHAT_IF_TEXTS)
    )
    risk_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "inline"

    def __post_init__(self) -> None:
        where = f"assistance config ({self.source})"
        for name, spec in self.measures.items():
            if spec.name != name:
                raise ConfigError(
                    Message(MSG_MEASURE_KEY, where=where, key=name, name=spec.name)
                )
        used = [item.measure for items in self.risks.values() for item in items]
        used += [*self.developmental, self.safety_net, *self.general]
        missing = sorted({m for m in used if m not in self.measures})
        for m in missing:  # unknown names first, with close matches
            check_measure(m, where)
        if missing:
            raise ConfigError(
                Message(MSG_MEASURE_MISSING, where=where, missing=missing)
            )
        if not self.developmental:
            raise ConfigError(Message(MSG_NO_DEVELOPMENTAL, where=where))
        for code, items in self.risks.items():
            if not items:
                raise ConfigError(Message(MSG_EMPTY_RULE, where=where, code=code))
        drop = self.what_if_min_drop
        if (
            isinstance(drop, bool)
            or not isinstance(drop, (int, float))
            or not (0 <= drop <= 1)
        ):
            raise ConfigError(Message(MSG_MIN_DROP, where=where, value=drop))
        object.__setattr__(self, "measures", MappingProxyType(dict(self.measures)))
        object.__setattr__(
            self,
            "risks",
            MappingProxyType({str(k): tuple(v) for k, v in self.risks.items()}),
        )
        object.__setattr__(self, "developmental", tuple(self.developmental))
        object.__setattr__(self, "general", tuple(self.general))
        object.__setattr__(
            self, "what_if_texts", MappingProxyType(dict(self.what_if_texts))
        )
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
    raise ConfigError(Message(MSG_RULE_ITEM, where=where, got=raw))


def _what_if_texts(raw: object, p: Path) -> dict[str, str]:
    out = dict(WHAT_IF_TEXTS)
    if raw is None:
        return out
    if not isinstance(raw, Mapping):
        raise ConfigError(
            Message(
                MSG_WHAT_IF_TEXT, key="*", path=str(p), problem="must be a mapping",
                keys=", ".join(WHAT_IF_TEXTS),
            )
        )  # fmt: skip
    sample = {"measure": "健康帮扶", "before": 0.5, "after": 0.2, "cutoff": 0.1,
              "min_drop": 0.01}  # fmt: skip
    for key, text in raw.items():
        problem = None
        if key not in WHAT_IF_TEXTS:
            problem = "unknown key"
        else:
            try:
                str(text).format(**sample)
            except (KeyError, ValueError, IndexError) as exc:
                problem = f"not a valid template ({exc})"
        if problem:
            raise ConfigError(
                Message(
                    MSG_WHAT_IF_TEXT, key=key, path=str(p), problem=problem,
                    keys=", ".join(WHAT_IF_TEXTS),
                )
            )  # fmt: skip
        out[str(key)] = str(text)
    return out


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
        raise ConfigError(Message(MSG_FILE_SHAPE, path=str(p)))
    unknown = set(data) - {"measures", "risks", "policy", "what_if_text"}
    if unknown:
        raise ConfigError(Message(MSG_FILE_KEYS, path=str(p), keys=sorted(unknown)))
    problems: list[str] = []
    measures: dict[str, MeasureSpec] = {}
    for name, spec in (data["measures"] or {}).items():
        if not isinstance(spec, Mapping) or "department" not in spec:
            problems.append(Message(PROBLEM_NEEDS_DEPARTMENT, name=name))
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
            problems.append(Message(PROBLEM_NUMBER_CODE, code=code))
            continue
        if not isinstance(spec, Mapping) or not isinstance(spec.get("measures"), list):
            problems.append(Message(PROBLEM_NEEDS_MEASURES, code=code))
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
            Message(
                MSG_PROBLEMS, path=str(p), n=len(problems),
                problems="\n".join(f"  - {x}" for x in problems),
            )
        )  # fmt: skip
    policy = data.get("policy") or {}
    unknown = (
        sorted(set(policy) - set(POLICY_KEYS)) if isinstance(policy, Mapping) else []
    )
    if unknown:
        raise ConfigError(
            Message(
                MSG_POLICY_KEYS,
                path=str(p),
                keys=unknown,
                allowed=", ".join(POLICY_KEYS),
            )
        )
    return AssistanceConfig(
        measures=measures,
        risks=risks,
        developmental=tuple(policy.get("developmental", ("产业帮扶", "就业帮扶"))),
        safety_net=str(policy.get("safety_net", "综合保障")),
        general=tuple(policy.get("general", ("社会帮扶",))),
        what_if_min_drop=policy.get("what_if_min_drop", 0.01),
        what_if_texts=_what_if_texts(data.get("what_if_text"), p),
        risk_sources=risk_sources,
        source=str(p),
    )
