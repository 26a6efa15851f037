"""Official risk types (致贫/返贫风险, code table 100A27): code -> Chinese name."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..exceptions import ConfigError
from ._yaml import read_yaml

__all__ = ["RiskType", "RiskTypes", "load_risk_types"]


def close_matches(word: str, candidates: object) -> str:
    """`` (did you mean 'x'?)`` for the nearest candidates, or an empty string."""
    near = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=3)
    return f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""


@dataclass(frozen=True)
class RiskType:
    """One risk type.

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
            raise ConfigError(
                f"A risk type code must be a non-empty string; got {self.code!r}."
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(
                f"Risk type {self.code!r} needs a Chinese 'name' (e.g. 因病); got "
                f"{self.name!r}."
            )


@dataclass(frozen=True)
class RiskTypes:
    """The table of risk types, keyed by code.

    Examples
    --------
    >>> rt = RiskTypes({"01": RiskType("01", "因病")})
    >>> rt.name("01"), rt.code_of("因病")
    ('因病', '01')
    """

    types: Mapping[str, RiskType]
    source: str = "inline"
    _by_name: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        types = dict(self.types)
        for code, rt in types.items():
            if rt.code != code:
                raise ConfigError(f"Risk type keyed {code!r} carries code {rt.code!r}.")
            if rt.parent is not None and rt.parent not in types:
                raise ConfigError(
                    f"Risk type {code!r} names parent {rt.parent!r}, which is not a "
                    f"risk type{close_matches(rt.parent, types)}."
                )
        by_name: dict[str, str] = {}
        for code, rt in types.items():
            # sub-items (洪涝 ...) are addressed by code or as "因自然灾害-洪涝"
            key = rt.name if rt.parent is None else f"{types[rt.parent].name}-{rt.name}"
            by_name.setdefault(key, code)
        object.__setattr__(self, "types", MappingProxyType(types))
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    def __contains__(self, code: object) -> bool:
        return code in self.types

    def __iter__(self):  # noqa: ANN204 - iterator over codes
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    def name(self, code: str) -> str:
        """Chinese name of ``code`` (ConfigError with close matches if unknown)."""
        return self.types[self.resolve(code)].name

    def code_of(self, name: str) -> str:
        """Code of a Chinese risk name (因病 -> ``"01"``)."""
        if name in self._by_name:
            return self._by_name[name]
        raise ConfigError(
            f"{name!r} is not a known risk name{close_matches(name, self._by_name)}. "
            f"Known names: {', '.join(self._by_name)}."
        )

    def resolve(self, code_or_name: str) -> str:
        """The code of ``code_or_name``, given either a code or a Chinese name."""
        key = str(code_or_name).strip()
        if key in self.types:
            return key
        if key in self._by_name:
            return self._by_name[key]
        raise ConfigError(
            f"{key!r} is not a known risk type code or name"
            f"{close_matches(key, [*self.types, *self._by_name])}. Known codes: "
            f"{', '.join(self.types)} ({self.source})."
        )


def load_risk_types(path: str | Path | None = None) -> RiskTypes:
    """Load the ``types`` section of ``risk_types.yaml`` (shipped default if None).

    Other top-level sections are left to the loaders that own them.

    Examples
    --------
    >>> rt = load_risk_types()
    >>> rt.name("0201"), rt.code_of("因学"), rt.types["H_water"].official
    ('洪涝', '09', False)
    """
    data, p = read_yaml(path, "risk_types.yaml")
    raw = data.get("types") if isinstance(data, Mapping) else None
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(
            f"Risk types file {str(p)!r} needs a non-empty 'types' mapping of code to "
            "{name: ...}, e.g. 'types: {\"01\": {name: 因病}}'. Quote codes so that "
            "YAML keeps the leading zero."
        )
    types: dict[str, RiskType] = {}
    for code, spec in raw.items():
        if isinstance(code, int):
            raise ConfigError(
                f"Risk type code {code!r} in {str(p)!r} was read as a number; quote it "
                f'("0{code}" or "{code}") so the leading zero is kept.'
            )
        if isinstance(spec, str):
            spec = {"name": spec}
        if not isinstance(spec, Mapping):
            raise ConfigError(
                f"Risk type {code!r} in {str(p)!r} must be a mapping with 'name'."
            )
        unknown = set(spec) - {"name", "en", "parent", "official"}
        if unknown:
            raise ConfigError(
                f"Risk type {code!r} in {str(p)!r} has unknown field(s) "
                f"{sorted(unknown)}; "
                "allowed: name, en, parent, official."
            )
        parent = spec.get("parent")
        types[str(code)] = RiskType(
            code=str(code),
            name=spec.get("name"),
            en=str(spec.get("en", "")),
            parent=None if parent is None else str(parent),
            official=bool(spec.get("official", True)),
        )
    return RiskTypes(types, source=str(p))
