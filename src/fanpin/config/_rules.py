"""The rule baseline's configuration: today's practice as data (rules.yaml)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._yaml import read_yaml

__all__ = ["RULE_KINDS", "RuleSpec", "RulesConfig", "load_rules_config"]

MSG_PARAMS = N_(
    "Rule {rule!r} (kind {kind!r}) takes parameters {expected}; got unknown "
    "{unknown} and missing {missing}. Fix its 'params'."
)
MSG_POSITIVE = N_(
    "Rule {rule!r}: parameter {name!r} must be a positive number; got {value!r}."
)
MSG_SHARE = N_("Rule {rule!r}: parameter {name!r} must be in (0, 1]; got {value!r}.")
MSG_REFERENCE = N_(
    "Rule {rule!r}: 'reference' must be 'county_mean' or 'fixed'; got {value!r}."
)
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
    }
)


def _positive(v: Any) -> bool:
    return (
        not isinstance(v, bool)
        and isinstance(v, (int, float))
        and math.isfinite(v)
        and v > 0
    )


def _check_params(rule_id: str, kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    expected = RULE_KINDS[kind]
    unknown = sorted(set(params) - set(expected))
    missing = sorted(set(expected) - set(params))
    if unknown or missing:
        raise ConfigError(
            Message(
                MSG_PARAMS,
                rule=rule_id,
                kind=kind,
                expected=sorted(expected),
                unknown=unknown,
                missing=missing,
            )
        )
    out = dict(params)
    for name, what in expected.items():
        v = out[name]
        if what == "positive number" and not _positive(v):
            raise ConfigError(Message(MSG_POSITIVE, rule=rule_id, name=name, value=v))
        if what.startswith("number in (0, 1]") and not (_positive(v) and v <= 1):
            raise ConfigError(Message(MSG_SHARE, rule=rule_id, name=name, value=v))
    if kind == "oop_over_local_income":
        if out["reference"] not in ("county_mean", "fixed"):
            raise ConfigError(
                Message(MSG_REFERENCE, rule=rule_id, value=out["reference"])
            )
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
    """

    id: str
    name: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    source: str = ""

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

    def __reduce__(self):
        # MappingProxyType cannot be pickled or deep-copied: rebuild from a plain
        # dict (models hold rules: sklearn.clone, deepcopy and Dask need this).
        d = self.to_dict()
        return (type(self), (d["id"], d["name"], d["kind"], d["params"], d["weight"],
                             d["source"]))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for model cards and reports)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "params": dict(self.params),
            "weight": self.weight,
            "source": self.source,
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
    >>> cfg.rules[1].params["monitored_yuan"]
    6000.0
    """
    data, p = read_yaml(path, "rules.yaml")
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise ConfigError(Message(MSG_NO_RULES_LIST, path=str(p)))
    specs = []
    allowed = {"id", "name", "kind", "params", "weight", "source"}
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
            )
        )
    return RulesConfig(rules=tuple(specs), source=str(p))
