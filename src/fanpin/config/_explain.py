"""The explanation config: features -> official risk types, and sentence templates.

Read from the sections ``explain``, ``domains``, ``features``, ``disaster``,
``income_split``, ``sentences`` and ``fallback`` of ``risk_types.yaml`` (the
``types`` section is :func:`load_risk_types`'s).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..exceptions import ConfigError
from ._risk_types import RiskTypes, close_matches, load_risk_types
from ._yaml import read_yaml

__all__ = [
    "DISASTER_CODE",
    "INCOME_SPLIT",
    "ExplainConfig",
    "Template",
    "load_explain_config",
]

DISASTER_CODE = "02"
"""Risk code resolved per household to a disaster sub-item (0201 ...)."""
INCOME_SPLIT = "income"
"""Pseudo-code resolved per household to 06 / 07 by which income component fell."""

MSG_UNKNOWN_CODE = (
    "{where} in {source!r} names risk code {code!r}, which is not in the 'types' "
    "section{hint}. Use one of: {known}."
)
MSG_BAD_TEMPLATE = (
    "Sentence template {text!r} for risk {code!r} in {source!r} is not a valid "
    "str.format template: {why}. Use named fields like {{medical_oop:,.0f}}."
)


@dataclass(frozen=True)
class Template:
    """One sentence template: used when ``when`` (a value field) is truthy."""

    text: str
    when: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """Names of the fields the template quotes."""
        return tuple(
            f for _, f, _, _ in string.Formatter().parse(self.text) if f is not None
        )


@dataclass(frozen=True)
class ExplainConfig:
    """Where each feature's contribution goes and how each risk is worded.

    Examples
    --------
    >>> cfg = load_explain_config()
    >>> cfg.code_of_feature("health__medical_oop"), cfg.code_of_feature(
    ...     "income__wage_change")
    ('01', '07')
    >>> cfg.disaster_code("洪涝"), cfg.disaster_code(None)
    ('0201', '0299')
    """

    risk_types: RiskTypes
    domains: Mapping[str, str]
    features: Mapping[str, str]
    disaster_subtypes: Mapping[str, str]
    disaster_otherwise: str
    split_components: Mapping[str, str]
    split_otherwise: str
    sentences: Mapping[str, tuple[Template, ...]]
    fallback: str
    max_risks: int = 5
    min_contribution: float = 0.0
    source: str = "inline"

    def __post_init__(self) -> None:
        for name in ("domains", "features", "disaster_subtypes", "split_components"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(
            self,
            "sentences",
            MappingProxyType({k: tuple(v) for k, v in self.sentences.items()}),
        )
        pseudo = {INCOME_SPLIT}
        checks = [
            *((f"domains.{d}", c) for d, c in self.domains.items()),
            *((f"features.{f}", c) for f, c in self.features.items()),
            *((f"disaster.subtypes.{k}", c) for k, c in self.disaster_subtypes.items()),
            ("disaster.otherwise", self.disaster_otherwise),
            *((f"income_split.{c}", c) for c in self.split_components),
            ("income_split.otherwise", self.split_otherwise),
            *((f"sentences.{c}", c) for c in self.sentences),
        ]
        for where, code in checks:
            if code not in self.risk_types and code not in pseudo:
                raise ConfigError(
                    MSG_UNKNOWN_CODE.format(
                        where=where,
                        source=self.source,
                        code=code,
                        hint=close_matches(code, self.risk_types),
                        known=", ".join(self.risk_types),
                    )
                )
        for f in self.features:
            if "__" not in str(f):
                raise ConfigError(
                    f"features.{f} in {self.source!r}: a feature name is "
                    "'<domain>__<feature>' (e.g. income__wage_change)."
                )
        if not 1 <= int(self.max_risks) <= 5:
            raise ConfigError(
                f"explain.max_risks in {self.source!r} must be 1 to 5 (the national "
                f"export keeps up to five risks); got {self.max_risks!r}."
            )
        if float(self.min_contribution) < 0:
            raise ConfigError(
                f"explain.min_contribution in {self.source!r} must be >= 0; got "
                f"{self.min_contribution!r}."
            )
        for code, templates in [
            ("fallback", (Template(self.fallback),)),
            *((c, t) for c, t in self.sentences.items()),
        ]:
            for t in templates:
                try:
                    _ = t.fields
                except ValueError as exc:
                    raise ConfigError(
                        MSG_BAD_TEMPLATE.format(
                            text=t.text, code=code, source=self.source, why=exc
                        )
                    ) from None

    def code_of_feature(self, name: str) -> str:
        """The configured code (or pseudo-code) of a feature, before per-household
        resolution; ``"99"`` for a domain without a rule."""
        if name in self.features:
            return self.features[name]
        domain = str(name).partition("__")[0]
        return self.domains.get(domain, "99")

    def disaster_code(self, disaster_type: object) -> str:
        """Sub-item code of a disaster type (洪涝 -> 0201)."""
        if isinstance(disaster_type, str) and disaster_type in self.disaster_subtypes:
            return self.disaster_subtypes[disaster_type]
        return self.disaster_otherwise


def _mapping(data: Mapping, key: str, p: Path, *, required: bool = True) -> dict:
    value = data.get(key, {} if not required else None)
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{str(p)!r} needs a '{key}' mapping for explanations (see the shipped "
            "configs/risk_types.yaml)."
        )
    return {str(k): v for k, v in value.items()}


def _code(value: object, where: str, p: Path) -> str:
    if isinstance(value, int):
        raise ConfigError(
            f"{where} in {str(p)!r} was read as the number {value}; quote risk codes "
            f'("0{value}") so the leading zero is kept.'
        )
    return str(value)


def load_explain_config(path: str | Path | None = None) -> ExplainConfig:
    """Load the explanation sections of ``risk_types.yaml`` (shipped default if None).

    Examples
    --------
    >>> cfg = load_explain_config()
    >>> cfg.max_risks, [t.when for t in cfg.sentences["01"]][:2]
    (5, ['above_serious_threshold', 'medical_oop'])
    """
    risk_types = load_risk_types(path)
    data, p = read_yaml(path, "risk_types.yaml")
    explain = data.get("explain", {}) or {}
    if not isinstance(explain, Mapping):
        raise ConfigError(f"'explain' in {str(p)!r} must be a mapping.")
    domains = {
        k: _code(v, f"domains.{k}", p) for k, v in _mapping(data, "domains", p).items()
    }
    features = {
        k: _code(v, f"features.{k}", p)
        for k, v in _mapping(data, "features", p, required=False).items()
    }
    disaster = _mapping(data, "disaster", p)
    split = _mapping(data, "income_split", p)
    sentences: dict[str, tuple[Template, ...]] = {}
    for code, items in _mapping(data, "sentences", p).items():
        if isinstance(items, (str, Mapping)):
            items = [items]
        templates = []
        for item in items or []:
            if isinstance(item, str):
                item = {"text": item}
            if not isinstance(item, Mapping) or "text" not in item:
                raise ConfigError(
                    f"sentences.{code} in {str(p)!r}: each item needs 'text' (and "
                    f"optionally 'when'); got {item!r}."
                )
            when = item.get("when")
            templates.append(
                Template(str(item["text"]), None if when is None else str(when))
            )
        sentences[code] = tuple(templates)
    subtypes = disaster.get("subtypes", {}) or {}
    return ExplainConfig(
        risk_types=risk_types,
        domains=domains,
        features=features,
        disaster_subtypes={
            str(k): _code(v, f"disaster.subtypes.{k}", p) for k, v in subtypes.items()
        },
        disaster_otherwise=_code(
            disaster.get("otherwise", "0299"), "disaster.otherwise", p
        ),
        split_components={
            _code(k, "income_split.components", p): str(v)
            for k, v in (split.get("components", {}) or {}).items()
        },
        split_otherwise=_code(
            split.get("otherwise", "99"), "income_split.otherwise", p
        ),
        sentences=sentences,
        fallback=str(data.get("fallback", "{risk_name}风险(主要因素:{top_feature})")),
        max_risks=int(explain.get("max_risks", 5)),
        min_contribution=float(explain.get("min_contribution", 0.0)),
        source=str(p),
    )
