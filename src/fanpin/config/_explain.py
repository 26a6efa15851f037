"""The parts of ``risk_types.yaml`` that say how a risk is explained.

Read by :func:`~fanpin.config.load_risk_types` (the file's one loader) into
the one :class:`~fanpin.config.RiskTypes`: sentence templates
(:class:`Template`), evidence rules (:class:`EvidenceRule`), composite
features (:class:`CompositeRule`) and the structural rule for 其他
(:class:`StructuralRule`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._evidence import VALUE_FIELDS, Condition, parse_condition
from ._names import close_matches

__all__ = [
    "DISASTER_CODE",
    "INCOME_SPLIT",
    "CompositeRule",
    "EvidenceRule",
    "StructuralRule",
    "Template",
]

DISASTER_CODE = "02"
"""Risk code resolved per household to a disaster sub-item (0201 ...)."""
INCOME_SPLIT = "income"
"""Pseudo-code resolved per household to 06 / 07 (the income component that fell)
or to the structural code."""

MSG_BAD_TEMPLATE = N_(
    "Sentence template {text!r} for risk {code!r} in {source!r} is not a valid "
    "template: {why}. Use named fields like {{medical_oop:,.0f}}."
)
MSG_TEMPLATE_FIELD = N_(
    "Sentence template {text!r} for risk {code!r} in {source!r} uses the unknown "
    "field {field!r}{hint}. Known fields: {known}."
)
MSG_NEEDS_MAPPING = N_(
    "{where} in {source!r} must be a mapping (see the shipped "
    "configs/risk_types.yaml); got {got!r}."
)
MSG_NUMBER_CODE = N_(
    "{where} in {source!r} was read as the number {value}; quote risk codes "
    '("0{value}") so the leading zero is kept.'
)
MSG_BAD_ITEM = N_("{where} in {source!r}: {problem}; got {got!r}.")
MSG_BAD_NUMBER = N_("{where} in {source!r} must be {expected}; got {got!r}.")

#: fields a sentence may quote besides :data:`VALUE_FIELDS`
SENTENCE_EXTRA = ("risk_name", "top_feature")


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
class EvidenceRule:
    """When a household's record supports a risk type, and where its
    contribution goes when it does not.

    Parameters
    ----------
    condition : Condition
        The rule over the household's value fields.
    passes_to : tuple of str
        Codes, tried in order, that receive the contribution when the rule fails
        (the first whose own evidence holds); else the structural code, else it
        is dropped.
    source : str
        Where the rule comes from (source keys of the domain brief).
    """

    condition: Condition
    passes_to: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class CompositeRule:
    """Features that mix several causes, their contribution split by cause.

    A positive contribution of one of ``features`` is divided among the codes of
    ``parts`` in proportion to the household's value of each part's field (for
    income after rigid spending: out-of-pocket medical cost per head -> 因病,
    education cost per head -> 因学, the income shortfall -> income). When every
    part is 0 the contribution stays with the feature's own code.
    """

    features: tuple[str, ...] = ()
    parts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))


@dataclass(frozen=True)
class StructuralRule:
    """When 其他 (99) is the reason: the risk is structural.

    Parameters
    ----------
    code : str
        The structural code (99).
    yields_to : float
        99 is ranked after any coded cause with evidence whose contribution is at
        least this share of 99's own.
    rigid_share : float
        Rigid spending (out-of-pocket medical plus education) at or above this
        share of household net income is named in 99's sentence (the 2026 刚性支出
        rule; local shares of 60-80 % are reported, domain.md section 8).
    standing : tuple of str
        Codes of standing conditions rather than shocks (因缺劳动力), ranked like
        99 after the coded shocks whose contribution is at least ``yields_to``
        x their own (and before 99).
    """

    code: str = "99"
    yields_to: float = 0.5
    rigid_share: float = 0.6
    standing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "standing", tuple(self.standing))


def check_template(t: Template, code: str, source: str) -> None:
    """ConfigError for a template that does not parse or quotes an unknown field."""
    try:
        names = t.fields
    except ValueError as exc:
        raise ConfigError(
            Message(MSG_BAD_TEMPLATE, text=t.text, code=code, source=source, why=exc)
        ) from None
    known = {*VALUE_FIELDS, *SENTENCE_EXTRA}
    for f in (*names, *((t.when,) if t.when else ())):
        if f not in known:
            raise ConfigError(
                Message(
                    MSG_TEMPLATE_FIELD, text=t.text, code=code, source=source,
                    field=f, hint=close_matches(f, known),
                    known=", ".join(sorted(known)),
                )
            )  # fmt: skip


def mapping(value: Any, where: str, p: Path | str) -> dict:
    """``value`` as a dict with string keys (ConfigError when not a mapping)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            Message(MSG_NEEDS_MAPPING, where=where, source=str(p), got=value)
        )
    return {str(k) if not isinstance(k, int) else k: v for k, v in value.items()}


def code(value: object, where: str, p: Path | str) -> str:
    """A risk code as written in YAML (numbers refused: the leading zero)."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ConfigError(
            Message(MSG_NUMBER_CODE, where=where, source=str(p), value=value)
        )
    return str(value)


def number(value: object, where: str, p: Path | str, low: float, high: float) -> float:
    """A float in [low, high] (ConfigError otherwise)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not low <= float(value) <= high:  # type: ignore[arg-type]
        raise ConfigError(
            Message(
                MSG_BAD_NUMBER, where=where, source=str(p),
                expected=f"a number in [{low}, {high}]", got=value,
            )
        )  # fmt: skip
    return float(value)  # type: ignore[arg-type]


def read_sentences(raw: Mapping, p: Path | str) -> dict[str, tuple[Template, ...]]:
    """The ``sentences`` section: code -> templates tried in order."""
    out: dict[str, tuple[Template, ...]] = {}
    for key, items in mapping(raw, "sentences", p).items():
        c = code(key, f"sentences.{key}", p)
        if isinstance(items, (str, Mapping)):
            items = [items]
        templates = []
        for item in items or []:
            if isinstance(item, str):
                item = {"text": item}
            if not isinstance(item, Mapping) or "text" not in item:
                raise ConfigError(
                    Message(
                        MSG_BAD_ITEM, where=f"sentences.{c}", source=str(p),
                        problem="each item needs 'text' (and optionally 'when')",
                        got=item,
                    )
                )  # fmt: skip
            when = item.get("when")
            t = Template(str(item["text"]), None if when is None else str(when))
            check_template(t, c, str(p))
            templates.append(t)
        out[c] = tuple(templates)
    return out


def read_evidence(raw: Mapping, p: Path | str) -> dict[str, EvidenceRule]:
    """The ``evidence`` section: code -> rule, passes_to, source."""
    out: dict[str, EvidenceRule] = {}
    for key, spec in mapping(raw, "evidence", p).items():
        c = code(key, f"evidence.{key}", p)
        if isinstance(spec, str):
            spec = {"rule": spec}
        spec = mapping(spec, f"evidence.{c}", p)
        unknown = set(spec) - {"rule", "passes_to", "source"}
        if unknown or "rule" not in spec:
            raise ConfigError(
                Message(
                    MSG_BAD_ITEM, where=f"evidence.{c}", source=str(p),
                    problem="give 'rule' (and optionally 'passes_to', 'source') only",
                    got=sorted(spec),
                )
            )  # fmt: skip
        passes = spec.get("passes_to") or []
        if isinstance(passes, str):
            passes = [passes]
        out[c] = EvidenceRule(
            condition=parse_condition(str(spec["rule"]), code=c, source=str(p)),
            passes_to=tuple(code(x, f"evidence.{c}.passes_to", p) for x in passes),
            source=str(spec.get("source", "")),
        )
    return out


def read_composites(
    raw: Mapping, p: Path | str
) -> tuple[tuple[CompositeRule, ...], tuple[float, float, float]]:
    """The ``composites`` section: its rules, the income-gap reference, the
    wage of a member kept from work (in lines) and the share of a wage a
    chronically ill worker loses."""
    spec = mapping(raw, "composites", p)
    rules = []
    for k, item in enumerate(spec.get("rules") or ()):
        where = f"composites.rules[{k}]"
        item = mapping(item, where, p)
        parts = {
            code(c, f"{where}.parts", p): str(v)
            for c, v in mapping(item.get("parts"), f"{where}.parts", p).items()
        }
        for c, f in parts.items():
            if f not in VALUE_FIELDS:
                raise ConfigError(
                    Message(
                        MSG_TEMPLATE_FIELD, text=f, code=c, source=str(p), field=f,
                        hint=close_matches(f, VALUE_FIELDS),
                        known=", ".join(VALUE_FIELDS),
                    )
                )  # fmt: skip
        rules.append(
            CompositeRule(
                features=tuple(str(f) for f in item.get("features") or ()),
                parts=parts,
            )
        )
    reference = number(spec.get("reference", 1.5), "composites.reference", p, 0, 10)
    worker = number(spec.get("worker_wage", 2.5), "composites.worker_wage", p, 0, 20)
    chronic = number(
        spec.get("chronic_work_loss", 0.0), "composites.chronic_work_loss", p, 0, 1
    )
    return tuple(rules), (reference, worker, chronic)


def read_structural(raw: Mapping, p: Path | str) -> StructuralRule:
    """The ``structural`` section."""
    spec = mapping(raw, "structural", p)
    return StructuralRule(
        code=code(spec.get("code", "99"), "structural.code", p),
        yields_to=number(spec.get("yields_to", 0.5), "structural.yields_to", p, 0, 10),
        rigid_share=number(
            spec.get("rigid_share", 0.6), "structural.rigid_share", p, 0, 10
        ),
        standing=read_codes(spec.get("standing"), "structural.standing", p),
    )


def read_codes(value: object, where: str, p: Path | str) -> tuple[str, ...]:
    """A list of risk codes (empty when not given)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(
            Message(
                MSG_BAD_ITEM, where=where, source=str(p),
                problem="must be a list of risk codes", got=value,
            )
        )  # fmt: skip
    return tuple(code(v, where, p) for v in value)
