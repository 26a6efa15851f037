"""The rule baseline's configuration: today's practice as data (rules.yaml)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError
from ..messages import N_, Message, did_you_mean
from ._yaml import read_yaml

__all__ = [
    "REASON_FIELDS",
    "RULE_KINDS",
    "RULE_LINE_TYPES",
    "RuleSpec",
    "RulesConfig",
    "load_rules_config",
]

MSG_PARAMS = N_(
    "Rule {rule!r} (kind {kind!r}) takes parameters {expected}; got unknown "
    "{unknown} and missing {missing}. Fix its 'params'."
)
MSG_POSITIVE = N_(
    "Rule {rule!r}: parameter {name!r} must be a positive number; got {value!r}."
)
MSG_SHARE = N_("Rule {rule!r}: parameter {name!r} must be in (0, 1]; got {value!r}.")
MSG_FIXED_YUAN = N_(
    "Rule {rule!r}: with reference 'fixed', 'yuan' must be a positive number of "
    "yuan; got {value!r}."
)
MSG_RULE_ID = N_(
    "A rule id must be a short identifier like 'income_drop'; got {value!r}."
)
MSG_KIND = N_("Rule {rule!r} has unknown kind {kind!r}; expected one of {kinds}.")
MSG_WEIGHT = N_("Rule {rule!r}: 'weight' must be a positive number; got {value!r}.")
MSG_PARAMS_MAPPING = N_("Rule {rule!r}: 'params' must be a mapping.")
MSG_NO_RULES = N_("The rules config has no rules; give at least one.")
MSG_DUPLICATE_IDS = N_("Rule ids must be unique; {ids} appear more than once.")
MSG_NO_RULES_LIST = N_(
    "Rules file {path!r} must have a 'rules' list; each item has id, name, kind, "
    "params, weight and source (see the shipped configs/rules.yaml)."
)
MSG_RULE_NOT_MAPPING = N_("Rules file {path!r}: rule #{i} is not a mapping.")
MSG_CHOICE = N_(
    "Rule {rule!r}: parameter {name!r} must be one of {allowed}; got {value!r}."
)
MSG_REASON_FIELD = N_(
    "Rule {rule!r} (kind {kind!r}): its reason sentence {text!r} uses the unknown "
    "field {field!r}{hint}. Fields of this kind: {known}."
)
MSG_REASON_BAD = N_(
    "Rule {rule!r}: its reason sentence {text!r} is not a valid template: {why}. "
    "Use named fields like {{income_pc:,.0f}} (yuan) or {{share:.0%}} (a share)."
)
MSG_RULE_KEYS = N_(
    "Rules file {path!r}: rule #{i} needs 'id' and 'kind' and may have {allowed}; "
    "got unknown keys {unknown}."
)

#: Rule kinds and the parameters each takes, with a check and a description.
RULE_KINDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "income_near_line": {"multiple": "positive number"},
        "medical_oop": {
            "monitored_yuan": "positive number",
            "other_yuan": "positive number",
        },
        "oop_over_local_income": {
            "reference": "county_mean or fixed",
            "yuan": "number or null",
        },
        "disaster_loss_share": {"share": "positive number"},
        "income_drop": {"share": "number in (0, 1]"},
        "new_disability": {},
        "rigid_spending_share": {"share": "positive number"},
        "dibao_edge": {"multiple": "positive number"},
        "rigid_spending_hardship": {"dibao_multiple": "positive number"},
    }
)

#: Optional parameters of a kind, with their default (older rule files, which
#: do not give them, keep their meaning).
RULE_OPTIONAL: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {"income_near_line": {"income": "net"}}
)
#: Allowed values of the parameters that name a choice.
RULE_CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"income": ("net", "after_rigid"), "reference": ("county_mean", "fixed")}
)

#: Line types (see :data:`fanpin.config.LINE_TYPES`) each kind needs: a rule is
#: not checked for a household whose province and year lack one of them.
RULE_LINE_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "income_near_line": ("monitoring",),
        "dibao_edge": ("dibao",),
        "rigid_spending_hardship": (
            "dibao",
            "disposable_income",
            "rigid_spending_share",
        ),
    }
)

_COMMON_FIELDS = {
    "income_pc": "yuan",
    "income_pc_after_rigid": "yuan",
    "income_total": "yuan",
    "household_size": "count",
    "line": "yuan",
}
#: The fields a rule's reason sentence may quote, by kind, and their type
#: (yuan, share, multiple or count).
REASON_FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        kind: MappingProxyType({**_COMMON_FIELDS, **own})
        for kind, own in {
            "income_near_line": {
                "income": "yuan", "multiple": "multiple", "threshold": "yuan",
            },
            "medical_oop": {"oop": "yuan", "threshold": "yuan"},
            "oop_over_local_income": {"oop": "yuan", "reference": "yuan"},
            "disaster_loss_share": {
                "loss": "yuan", "share": "share", "threshold": "yuan",
                "loss_share": "share",
            },
            "income_drop": {
                "income_pc_last_year": "yuan", "drop": "share", "share": "share",
            },
            "new_disability": {"disabled": "count", "disabled_last_year": "count"},
            "rigid_spending_share": {
                "rigid": "yuan", "rigid_share": "share", "share": "share",
                "threshold": "yuan",
            },
            "dibao_edge": {
                "dibao": "yuan", "multiple": "multiple", "threshold": "yuan",
            },
            "rigid_spending_hardship": {
                "disposable_income": "yuan", "rigid": "yuan",
                "rigid_share": "share", "share": "share", "threshold": "yuan",
                "dibao": "yuan",
            },
        }.items()
    }
)  # fmt: skip
_SAMPLE = {"yuan": 1234.5, "share": 0.25, "multiple": 1.5, "count": 2}


def check_reason(rule_id: str, kind: str, text: str) -> str:
    """ConfigError for a reason sentence that does not parse, formats badly or
    quotes a field its kind does not have (nor an attribute or an index of one)."""
    import string

    known = REASON_FIELDS[kind]
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ConfigError(
            Message(MSG_REASON_BAD, rule=rule_id, text=text, why=str(exc))
        ) from None
    for name in names:
        if name not in known:
            raise ConfigError(
                Message(
                    MSG_REASON_FIELD, rule=rule_id, kind=kind, text=text, field=name,
                    hint=did_you_mean(name, known), known=", ".join(known),
                )
            )  # fmt: skip
    try:
        text.format(**{k: _SAMPLE[t] for k, t in known.items()})
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ConfigError(
            Message(MSG_REASON_BAD, rule=rule_id, text=text, why=str(exc))
        ) from None
    return text


def _positive(v: Any) -> bool:
    return (
        not isinstance(v, bool)
        and isinstance(v, (int, float))
        and math.isfinite(v)
        and v > 0
    )


def _check_params(rule_id: str, kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    expected = RULE_KINDS[kind]
    optional = RULE_OPTIONAL.get(kind, {})
    unknown = sorted(set(params) - set(expected) - set(optional))
    missing = sorted(set(expected) - set(params))
    if unknown or missing:
        raise ConfigError(
            Message(
                MSG_PARAMS,
                rule=rule_id,
                kind=kind,
                expected=sorted({*expected, *optional}),
                unknown=unknown,
                missing=missing,
            )
        )
    out = {**optional, **params}
    for name, allowed in RULE_CHOICES.items():
        if name in out and out[name] not in allowed:
            raise ConfigError(
                Message(
                    MSG_CHOICE, rule=rule_id, name=name, allowed=list(allowed),
                    value=out[name],
                )
            )  # fmt: skip
    for name, what in expected.items():
        v = out[name]
        if what == "positive number" and not _positive(v):
            raise ConfigError(Message(MSG_POSITIVE, rule=rule_id, name=name, value=v))
        if what.startswith("number in (0, 1]") and not (_positive(v) and v <= 1):
            raise ConfigError(Message(MSG_SHARE, rule=rule_id, name=name, value=v))
    if kind == "oop_over_local_income":
        if out["reference"] == "fixed" and not _positive(out["yuan"]):
            raise ConfigError(
                Message(MSG_FIXED_YUAN, rule=rule_id, value=out["yuan"])
            )
    return {k: (float(v) if _positive(v) else v) for k, v in out.items()}


@dataclass(frozen=True)
class RuleSpec:
    """One rule of the baseline.

    Parameters
    ----------
    id : str
        Short identifier, used as the flag column name (``rule__<id>``).
    name : str
        Chinese name shown to staff.
    kind : str
        One of :data:`RULE_KINDS`.
    params : mapping
        The kind's parameters (see :data:`RULE_KINDS`).
    weight : float
        Weight in the rule score (1 = plain count).
    source : str
        The domain-brief key(s) and status (official, proxy, UNVERIFIED).
    reason : str
        The Chinese sentence shown to cadres when the rule fires: a template
        quoting the fields of :data:`REASON_FIELDS` for its kind (e.g.
        ``{income_pc:,.0f}``). Empty: the rule's name is shown.
    """

    id: str
    name: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    source: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.isidentifier():
            raise ConfigError(Message(MSG_RULE_ID, value=self.id))
        if self.kind not in RULE_KINDS:
            raise ConfigError(
                Message(
                    MSG_KIND, rule=self.id, kind=self.kind, kinds=sorted(RULE_KINDS)
                )
            )
        if not _positive(self.weight):
            raise ConfigError(Message(MSG_WEIGHT, rule=self.id, value=self.weight))
        if not isinstance(self.params, Mapping):
            raise ConfigError(Message(MSG_PARAMS_MAPPING, rule=self.id))
        params = _check_params(self.id, self.kind, self.params)
        object.__setattr__(self, "params", MappingProxyType(params))
        object.__setattr__(self, "weight", float(self.weight))
        reason = "" if self.reason is None else str(self.reason)
        object.__setattr__(self, "reason", check_reason(self.id, self.kind, reason))

    @property
    def line_types(self) -> tuple[str, ...]:
        """The line types the rule needs (:data:`RULE_LINE_TYPES`)."""
        return RULE_LINE_TYPES.get(self.kind, ())

    def __reduce__(self):
        # MappingProxyType cannot be pickled or deep-copied: rebuild from a plain
        # dict (models hold rules: sklearn.clone, deepcopy and Dask need this).
        d = self.to_dict()
        return (type(self), (d["id"], d["name"], d["kind"], d["params"], d["weight"],
                             d["source"], d["reason"]))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for model cards and reports)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "params": dict(self.params),
            "weight": self.weight,
            "source": self.source,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RulesConfig:
    """The rules of the baseline, in order.

    Examples
    --------
    >>> cfg = RulesConfig(rules=(RuleSpec("drop", "收入大幅缩减", "income_drop",
    ...                                   {"share": 0.3}),))
    >>> cfg.ids
    ('drop',)
    """

    rules: tuple[RuleSpec, ...]
    source: str = "inline"

    def __post_init__(self) -> None:
        rules = tuple(self.rules)
        if not rules:
            raise ConfigError(MSG_NO_RULES)
        ids = [r.id for r in rules]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ConfigError(Message(MSG_DUPLICATE_IDS, ids=dup))
        object.__setattr__(self, "rules", rules)

    @property
    def ids(self) -> tuple[str, ...]:
        """The rule ids, in order."""
        return tuple(r.id for r in self.rules)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (YAML-able)."""
        return {"rules": [r.to_dict() for r in self.rules]}


def load_rules_config(path: str | Path | None = None) -> RulesConfig:
    """Load a rules YAML file (shipped ``configs/rules.yaml`` when ``path`` is None).

    Examples
    --------
    >>> cfg = load_rules_config()
    >>> cfg.ids[:3]
    ('income_near_line', 'dibao_edge', 'rigid_spending_hardship')
    >>> cfg.rules[3].params["monitored_yuan"]
    6000.0
    """
    data, p = read_yaml(path, "rules.yaml")
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise ConfigError(Message(MSG_NO_RULES_LIST, path=str(p)))
    specs = []
    allowed = {"id", "name", "kind", "params", "weight", "source", "reason"}
    for i, item in enumerate(data["rules"]):
        if not isinstance(item, Mapping):
            raise ConfigError(Message(MSG_RULE_NOT_MAPPING, path=str(p), i=i + 1))
        unknown = sorted(set(item) - allowed)
        if unknown or "id" not in item or "kind" not in item:
            raise ConfigError(
                Message(
                    MSG_RULE_KEYS,
                    path=str(p),
                    i=i + 1,
                    allowed=sorted(allowed),
                    unknown=unknown,
                )
            )
        specs.append(
            RuleSpec(
                id=item["id"],
                name=str(item.get("name", item["id"])),
                kind=item["kind"],
                params=item.get("params") or {},
                weight=item.get("weight", 1.0),
                source=str(item.get("source", "")),
                reason=str(item.get("reason") or ""),
            )
        )
    return RulesConfig(rules=tuple(specs), source=str(p))
