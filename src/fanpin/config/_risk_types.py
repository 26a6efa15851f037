"""Official risk types (致贫/返贫风险, code table 100A27) and how fanpin explains them.

``configs/risk_types.yaml`` has one loader, :func:`load_risk_types`, and one
checked object, :class:`RiskTypes`: the code table (code -> Chinese name), the
evidence rule of every code, where each model feature's contribution goes, the
department-push event that raises each code and the sentence templates. Load it
once at the edge and pass it down (explanations, the assistance map, reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._evidence import VALUE_FIELDS
from ._explain import (
    DISASTER_CODE,
    INCOME_SPLIT,
    CompositeRule,
    EvidenceRule,
    StructuralRule,
    Template,
    check_template,
    code,
    mapping,
    number,
    read_codes,
    read_composites,
    read_evidence,
    read_sentences,
    read_structural,
)
from ._names import close_matches
from ._yaml import read_yaml

__all__ = ["RiskType", "RiskTypes", "close_matches", "load_risk_types"]

MSG_EMPTY_CODE = N_("A risk type code must be a non-empty string; got {code!r}.")
MSG_NO_NAME = N_("Risk type {code!r} needs a Chinese 'name' (e.g. 因病); got {name!r}.")
MSG_KEY_MISMATCH = N_("Risk type keyed {key!r} carries code {code!r}.")
MSG_BAD_PARENT = N_(
    "Risk type {code!r} names parent {parent!r}, which is not a risk type{hint}."
)
MSG_UNKNOWN_NAME = N_("{name!r} is not a known risk name{hint}. Known names: {known}.")
MSG_UNKNOWN_CODE = N_(
    "{key!r} is not a known risk type code or name{hint}. Known codes: {known} "
    "({source})."
)
MSG_CONFIG_CODE = N_(
    "{where} in {source!r} names risk code {code!r}, which is not in the 'types' "
    "section{hint}. Use one of: {known}."
)
MSG_NO_TYPES = N_(
    "Risk types file {path!r} needs a non-empty 'types' mapping of code to "
    "{{name: ...}}, e.g. 'types: {{\"01\": {{name: 因病}}}}'. Quote codes so that "
    "YAML keeps the leading zero."
)
MSG_TYPE_SPEC = N_(
    "Risk type {code!r} in {path!r} must be a mapping with 'name' and optionally "
    "{allowed}; got {got!r}."
)
MSG_UNKNOWN_KEYS = N_(
    "{where} in {path!r} has unknown key(s) {keys}; allowed: {allowed}."
)
MSG_FEATURE_NAME = N_(
    "features.{feature} in {source!r}: a feature name is '<domain>__<feature>' "
    "(e.g. income__wage_change)."
)
MSG_MAX_RISKS = N_(
    "explain.max_risks in {source!r} must be 1 to 5 (the national export keeps up "
    "to five risks); got {value!r}."
)
MSG_MIN_CONTRIBUTION = N_(
    "explain.min_contribution in {source!r} must be a number >= 0; got {value!r}."
)
MSG_NO_EVIDENCE = N_(
    "Risk type {code!r} in {source!r} has no evidence rule: every code listed for a "
    "household must be checkable. Add it under 'evidence' (e.g. "
    "'{code}: {{rule: \"disabled_count > 0\"}}')."
)

MSG_SPLIT_FIELD = N_(
    "income_split.components.{code} in {path!r} names {field!r}, which is not a "
    "value field{hint}; give the field of the component's relative fall, e.g. "
    "wage_drop_pct."
)

MSG_BACKEND = N_(
    "explain.backend in {path!r} must be one of {known}; got {value!r}."
)
BACKEND_NAMES = ("lightgbm", "shap", "woodelf")
"""Kept equal to fanpin.explain.BACKENDS (config cannot import explain)."""

TYPE_FIELDS = ("name", "en", "parent", "official")
SECTIONS = (
    "types", "explain", "domains", "features", "disaster", "income_split",
    "composites", "evidence", "structural", "guarantees", "events", "sentences",
    "fallback", "no_reason",
)  # fmt: skip


@dataclass(frozen=True)
class RiskType:
    """One risk type of the code table.

    Parameters
    ----------
    code : str
        ``"01"`` ... ``"99"``, a disaster sub-item ``"0201"`` ..., or a flag key
        ``"H_housing"`` whose national code is not confirmed.
    name : str
        Chinese name shown to cadres (因病).
    en : str
        English gloss.
    parent : str or None
        The parent code of a sub-item (``"02"`` for ``"0201"``).
    official : bool
        Whether the code itself is seen in official code tables.
    """

    code: str
    name: str
    en: str = ""
    parent: str | None = None
    official: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise ConfigError(Message(MSG_EMPTY_CODE, code=self.code))
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(Message(MSG_NO_NAME, code=self.code, name=self.name))


def _frozen(value: Mapping) -> Mapping:
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class RiskTypes:
    """Everything ``risk_types.yaml`` says, checked: the code table and how each
    risk type is found, checked and worded.

    Parameters
    ----------
    types : mapping of str to RiskType
        The code table.
    domains, features : mapping of str to str
        Where a feature's contribution goes: ``features[name]`` when listed,
        else ``domains[<domain>]``; ``"02"`` is resolved per household to the
        disaster sub-item, ``"income"`` to 06 / 07 / 99.
    disaster_subtypes, disaster_otherwise
        Disaster type (洪涝 ...) -> sub-item code.
    split_components, split_otherwise
        ``income``: code -> the value field of the component's relative fall
        (``wage_drop_pct`` ...); the largest fall of at least ``split_min_fall``
        wins, else ``split_otherwise``.
    composites : tuple of CompositeRule
    gap_reference : float
        ``income_gap``: per-capita income short of this multiple of the line.
    worker_wage : float
        The yearly wage of a member kept from work, in lines, for a household
        without a wage earner (else its own wage per worker).
    chronic_work_loss : float
        The share of a worker's yearly wage a chronically ill member able to
        work loses to the illness (counted for 因病 in the income shortfall).
    evidence : mapping of str to EvidenceRule
        Every code's evidence rule (a sub-item uses its parent's).
    structural : StructuralRule
    guarantees : tuple of str
        The codes of the 三保障 flags (unsafe housing, a compulsory-school
        dropout, unsafe water) that put a household in hardship by themselves:
        listed first (after a push's own cause) whenever their evidence holds.
    events : mapping of str to str
        Department-push event type -> the risk code it raises.
    sentences : mapping of str to tuple of Template
    fallback : str
    no_reason : str
        The reason of a household none of whose risk types has evidence.
    max_risks : int
    min_contribution : float
    backend : str
        TreeSHAP backend of explanations (``explain.backend``):
        :data:`fanpin.explain.BACKENDS`; ``lightgbm`` (pred_contrib) by default.
    source : str

    Examples
    --------
    >>> rt = RiskTypes({"01": RiskType("01", "因病")})
    >>> rt.name("01"), rt.code_of("因病")
    ('因病', '01')
    >>> rt = load_risk_types()
    >>> rt.code_of_feature("health__medical_oop"), rt.disaster_code("洪涝")
    ('01', '0201')
    >>> rt.evidence_of("0201").condition.text
    'disaster_loss > 0'
    """

    types: Mapping[str, RiskType]
    domains: Mapping[str, str] = field(default_factory=dict)
    features: Mapping[str, str] = field(default_factory=dict)
    disaster_subtypes: Mapping[str, str] = field(default_factory=dict)
    disaster_otherwise: str | None = None
    split_components: Mapping[str, str] = field(default_factory=dict)
    split_otherwise: str = "99"
    split_min_fall: float = 0.05
    composites: tuple[CompositeRule, ...] = ()
    gap_reference: float = 1.5
    worker_wage: float = 2.5
    chronic_work_loss: float = 0.0
    evidence: Mapping[str, EvidenceRule] = field(default_factory=dict)
    structural: StructuralRule = field(default_factory=StructuralRule)
    guarantees: tuple[str, ...] = ()
    events: Mapping[str, str] = field(default_factory=dict)
    sentences: Mapping[str, tuple[Template, ...]] = field(default_factory=dict)
    fallback: str = "{risk_name}风险（主要因素：{top_feature}）"
    no_reason: str = (
        "现有记录中没有符合认定条件的风险类型，请入户核实风险原因"
    )
    max_risks: int = 5
    min_contribution: float = 0.0
    backend: str = "lightgbm"
    source: str = "inline"
    _by_name: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        types = dict(self.types)
        for key, rt in types.items():
            if rt.code != key:
                raise ConfigError(Message(MSG_KEY_MISMATCH, key=key, code=rt.code))
            if rt.parent is not None and rt.parent not in types:
                raise ConfigError(
                    Message(
                        MSG_BAD_PARENT, code=key, parent=rt.parent,
                        hint=close_matches(rt.parent, types),
                    )
                )  # fmt: skip
        by_name: dict[str, str] = {}
        for key, rt in types.items():
            # sub-items (洪涝 ...) are addressed by code or as "因自然灾害-洪涝"
            name = (
                rt.name if rt.parent is None else f"{types[rt.parent].name}-{rt.name}"
            )
            by_name.setdefault(name, key)
        object.__setattr__(self, "types", MappingProxyType(types))
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))
        for name in (
            "domains", "features", "disaster_subtypes", "split_components",
            "evidence", "events",
        ):  # fmt: skip
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "guarantees", tuple(self.guarantees))
        object.__setattr__(
            self,
            "sentences",
            MappingProxyType({k: tuple(v) for k, v in self.sentences.items()}),
        )
        self._check_codes()
        if isinstance(self.max_risks, bool) or self.max_risks not in range(1, 6):
            raise ConfigError(
                Message(MSG_MAX_RISKS, source=self.source, value=self.max_risks)
            )
        if not float(self.min_contribution) >= 0:
            raise ConfigError(
                Message(
                    MSG_MIN_CONTRIBUTION,
                    source=self.source,
                    value=self.min_contribution,
                )
            )
        for c, templates in [
            ("fallback", (Template(self.fallback),)),
            *self.sentences.items(),
        ]:
            for t in templates:
                check_template(t, c, self.source)
        if self.evidence:
            for c, rt in self.types.items():
                if c not in self.evidence and rt.parent not in self.evidence:
                    raise ConfigError(
                        Message(MSG_NO_EVIDENCE, code=c, source=self.source)
                    )

    def _check_codes(self) -> None:
        pseudo = {INCOME_SPLIT}
        checks = [
            *((f"domains.{d}", c) for d, c in self.domains.items()),
            *((f"features.{f}", c) for f, c in self.features.items()),
            *((f"disaster.subtypes.{k}", c) for k, c in self.disaster_subtypes.items()),
            *((f"income_split.components.{c}", c) for c in self.split_components),
            *(
                (("income_split.otherwise", self.split_otherwise),)
                if self.split_components
                else ()
            ),
            *(
                (f"composites.parts.{c}", c)
                for rule in self.composites
                for c in rule.parts
            ),
            *((f"evidence.{c}", c) for c in self.evidence),
            *(
                (f"evidence.{c}.passes_to", x)
                for c, r in self.evidence.items()
                for x in r.passes_to
            ),
            *((("structural.code", self.structural.code),) if self.evidence else ()),
            *(("structural.standing", c) for c in self.structural.standing),
            *(("guarantees", c) for c in self.guarantees),
            *((f"events.{e}", c) for e, c in self.events.items()),
            *((f"sentences.{c}", c) for c in self.sentences),
        ]
        if self.disaster_otherwise is not None:
            checks.append(("disaster.otherwise", self.disaster_otherwise))
        for where, c in checks:
            if c not in self.types and c not in pseudo:
                raise ConfigError(
                    Message(
                        MSG_CONFIG_CODE, where=where, source=self.source, code=c,
                        hint=close_matches(c, self.types), known=", ".join(self.types),
                    )
                )  # fmt: skip
        for f in self.features:
            if "__" not in str(f):
                raise ConfigError(
                    Message(MSG_FEATURE_NAME, feature=f, source=self.source)
                )

    # -- the code table ------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return key in self.types

    def __iter__(self):  # noqa: ANN204 - iterator over codes
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    def name(self, key: str) -> str:
        """Chinese name of ``key`` (ConfigError with close matches if unknown)."""
        return self.types[self.resolve(key)].name

    def full_name(self, key: str) -> str:
        """因自然灾害-洪涝 for a sub-item, the plain name otherwise."""
        rt = self.types[self.resolve(key)]
        if rt.parent is None:
            return rt.name
        return f"{self.types[rt.parent].name}-{rt.name}"

    def code_of(self, name: str) -> str:
        """Code of a Chinese risk name (因病 -> ``"01"``)."""
        if name in self._by_name:
            return self._by_name[name]
        raise ConfigError(
            Message(
                MSG_UNKNOWN_NAME, name=name, hint=close_matches(name, self._by_name),
                known=", ".join(self._by_name),
            )
        )  # fmt: skip

    def resolve(self, code_or_name: str) -> str:
        """The code of ``code_or_name``, given either a code or a Chinese name."""
        key = str(code_or_name).strip()
        if key in self.types:
            return key
        if key in self._by_name:
            return self._by_name[key]
        raise ConfigError(
            Message(
                MSG_UNKNOWN_CODE, key=key,
                hint=close_matches(key, [*self.types, *self._by_name]),
                known=", ".join(self.types), source=self.source,
            )
        )  # fmt: skip

    # -- explanations --------------------------------------------------------------
    def code_of_feature(self, name: str) -> str:
        """The configured code (or pseudo-code) of a feature, before per-household
        resolution; the structural code for a domain without a rule."""
        if name in self.features:
            return self.features[name]
        domain = str(name).partition("__")[0]
        return self.domains.get(domain, self.structural.code)

    def disaster_code(self, disaster_type: object) -> str:
        """Sub-item code of a disaster type (洪涝 -> 0201)."""
        if isinstance(disaster_type, str) and disaster_type in self.disaster_subtypes:
            return self.disaster_subtypes[disaster_type]
        return self.disaster_otherwise or DISASTER_CODE

    def evidence_of(self, key: str) -> EvidenceRule | None:
        """The evidence rule of a code (a sub-item's parent's when it has none)."""
        if key in self.evidence:
            return self.evidence[key]
        rt = self.types.get(key)
        if rt is not None and rt.parent is not None:
            return self.evidence.get(rt.parent)
        return None

    def templates(self, key: str) -> tuple[Template, ...]:
        """The sentence templates of a code (a sub-item's parent's when it has none)."""
        if key in self.sentences:
            return self.sentences[key]
        rt = self.types.get(key)
        if rt is not None and rt.parent is not None:
            return self.sentences.get(rt.parent, ())
        return ()


def _types(raw: object, p: Path) -> dict[str, RiskType]:
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(Message(MSG_NO_TYPES, path=str(p)))
    types: dict[str, RiskType] = {}
    for key, spec in raw.items():
        c = code(key, f"types.{key}", p)
        if isinstance(spec, str):
            spec = {"name": spec}
        if not isinstance(spec, Mapping) or set(spec) - set(TYPE_FIELDS):
            raise ConfigError(
                Message(
                    MSG_TYPE_SPEC, code=c, path=str(p),
                    allowed=", ".join(TYPE_FIELDS[1:]), got=spec,
                )
            )  # fmt: skip
        parent = spec.get("parent")
        types[c] = RiskType(
            code=c,
            name=spec.get("name"),  # type: ignore[arg-type]
            en=str(spec.get("en", "")),
            parent=None if parent is None else code(parent, f"types.{c}.parent", p),
            official=bool(spec.get("official", True)),
        )
    return types


def _split(raw: object, p: Path) -> dict[str, str]:
    out = {}
    for k, v in mapping(raw, "income_split.components", p).items():
        c = code(k, "income_split.components", p)
        if str(v) not in VALUE_FIELDS:
            raise ConfigError(
                Message(
                    MSG_SPLIT_FIELD, code=c, path=str(p), field=v,
                    hint=close_matches(str(v), VALUE_FIELDS),
                )
            )  # fmt: skip
        out[c] = str(v)
    return out


def _backend(value: object, p: Path) -> str:
    if value not in BACKEND_NAMES:
        raise ConfigError(
            Message(
                MSG_BACKEND, path=str(p), value=value, known=", ".join(BACKEND_NAMES)
            )
        )
    return str(value)


def _keys(spec: Mapping, allowed: tuple[str, ...], where: str, p: Path) -> None:
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        raise ConfigError(
            Message(
                MSG_UNKNOWN_KEYS, where=where, path=str(p), keys=unknown,
                allowed=", ".join(allowed),
            )
        )  # fmt: skip


def load_risk_types(path: str | Path | None = None) -> RiskTypes:
    """Load ``risk_types.yaml`` (the shipped default when ``path`` is None).

    Examples
    --------
    >>> rt = load_risk_types()
    >>> rt.name("0201"), rt.code_of("因学"), rt.types["H_water"].official
    ('洪涝', '09', False)
    >>> rt.max_risks, rt.events["新增残疾"]
    (5, '03')
    """
    data, p = read_yaml(path, "risk_types.yaml")
    if not isinstance(data, Mapping):
        raise ConfigError(Message(MSG_NO_TYPES, path=str(p)))
    _keys(data, SECTIONS, "The file", p)
    explain = mapping(data.get("explain"), "explain", p)
    _keys(explain, ("max_risks", "min_contribution", "backend"), "explain", p)
    disaster = mapping(data.get("disaster"), "disaster", p)
    _keys(disaster, ("subtypes", "otherwise"), "disaster", p)
    split = mapping(data.get("income_split"), "income_split", p)
    _keys(split, ("components", "otherwise", "min_fall"), "income_split", p)
    otherwise = disaster.get("otherwise")
    composites, gap_reference = read_composites(data.get("composites"), p)
    max_risks = explain.get("max_risks", 5)
    return RiskTypes(
        types=_types(data.get("types"), p),
        domains={
            k: code(v, f"domains.{k}", p)
            for k, v in mapping(data.get("domains"), "domains", p).items()
        },
        features={
            k: code(v, f"features.{k}", p)
            for k, v in mapping(data.get("features"), "features", p).items()
        },
        disaster_subtypes={
            str(k): code(v, f"disaster.subtypes.{k}", p)
            for k, v in mapping(
                disaster.get("subtypes"), "disaster.subtypes", p
            ).items()
        },
        disaster_otherwise=None
        if otherwise is None
        else code(otherwise, "disaster.otherwise", p),
        split_components=_split(split.get("components"), p),
        split_otherwise=code(split.get("otherwise", "99"), "income_split.otherwise", p),
        split_min_fall=number(
            split.get("min_fall", 0.05), "income_split.min_fall", p, 0, 1
        ),
        composites=composites,
        gap_reference=gap_reference[0],
        worker_wage=gap_reference[1],
        chronic_work_loss=gap_reference[2],
        evidence=read_evidence(data.get("evidence"), p),
        structural=read_structural(data.get("structural"), p),
        guarantees=read_codes(data.get("guarantees"), "guarantees", p),
        events={
            str(k): code(v, f"events.{k}", p)
            for k, v in mapping(data.get("events"), "events", p).items()
        },
        sentences=read_sentences(data.get("sentences"), p),
        fallback=str(data.get("fallback", RiskTypes.fallback)),
        no_reason=str(data.get("no_reason", RiskTypes.no_reason)),
        max_risks=max_risks,
        backend=_backend(explain.get("backend", "lightgbm"), p),
        min_contribution=number(
            explain.get("min_contribution", 0.0), "explain.min_contribution", p, 0, 100
        ),
        source=str(p),
    )
