"""Plain Chinese sentences quoting a household's own values (templates in config).

The value fields come from :func:`~fanpin.explain.household_values`; the
wording lives in ``risk_types.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..config import RiskTypes, Template
from ._values import COUNT_FIELDS

__all__ = ["render_sentence"]


def _ready(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return not (isinstance(value, str) and not value)


def render_sentence(
    code: str, values: Mapping[str, object], risk_types: RiskTypes, *, top_feature: str
) -> str:
    """The first template of ``code`` whose condition holds and whose fields all
    have values; the fallback otherwise.

    Examples
    --------
    >>> from fanpin.config import load_risk_types
    >>> rt = load_risk_types()
    >>> v = {"medical_oop": 32400.0, "period": "2024年", "ill_members": "大病患者 1 人"}
    >>> print(render_sentence("01", v, rt, top_feature="医疗自付费用"))
    2024年医疗自付费用 32,400 元，家中大病患者 1 人
    """
    return render(code, prepare(values), risk_types, top_feature=top_feature)


def prepare(values: Mapping[str, object]) -> dict[str, object]:
    """A household's fields ready for templates (counts as whole numbers).

    Prepared once per household, then reused by every sentence of it.
    """
    fields = dict(values)
    for c in COUNT_FIELDS:
        v = fields.get(c)
        if isinstance(v, float) and math.isfinite(v):
            fields[c] = int(round(v))
    return fields


def render(
    code: str,
    fields: dict[str, object],
    risk_types: RiskTypes,
    *,
    top_feature: str,
    templates: tuple[Template, ...] | None = None,
    risk_name: str | None = None,
) -> str:
    """:func:`render_sentence` on fields from :func:`prepare` (updated in place:
    ``risk_name`` and ``top_feature`` are set for this sentence)."""
    fields["risk_name"] = (
        risk_name if risk_name is not None else risk_types.full_name(code)
    )
    fields["top_feature"] = top_feature
    if templates is None:
        templates = risk_types.templates(code)
    for t in templates:
        if t.when is not None:
            flag = fields.get(t.when)
            if not _ready(flag) or not bool(flag):
                continue
        if not all(_ready(fields.get(f)) for f in t.fields):
            continue
        try:
            return t.text.format(**fields)
        except (ValueError, TypeError, KeyError):
            continue
    return risk_types.fallback.format(**fields)
