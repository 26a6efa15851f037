"""Which rules fire for each household-year, named, with a sentence per rule.

:class:`RuleHits` is what the alert list needs from the rules: one flag per rule,
the union (``rule_hit``: any rule fired), the Chinese names of the rules that
fired, one reason sentence per rule for the cadre (the rule's ``reason``
template in ``rules.yaml``), and the rules that could not be checked for the
row because its province and year lack a line type they need. ``notes`` says
the same for the whole table, and which hits rest on placeholder lines.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import LINE_TYPE_NAMES, REASON_FIELDS, RulesConfig, RuleSpec
from ..exceptions import InputError
from ..messages import N_, Message
from ._kinds import RuleContext, reason_values

__all__ = [
    "HITS_COLUMNS",
    "NAME_SEP",
    "REASON_SEP",
    "RuleHits",
    "rule_hits",
]

NAME_SEP = "、"
"""Between the names of the rules that fired (``rules``)."""
REASON_SEP = "；"
"""Between the reason sentences (``rule_reasons``), as in the alert list."""
HITS_COLUMNS = ("rule_hit", "rules", "rule_reasons", "rules_not_checked")
"""The columns of :attr:`RuleHits.table` after the ``rule__<id>`` flags."""
MAX_PLACES = 5

MSG_NOT_CHECKED = N_(
    "Rule {name} ({rule}) was not checked for {n:,} household-year(s): the lines "
    "({source}) have no {missing} for {places}. Add the line type(s) to your lines "
    "file (see the shipped configs/monitoring_lines.yaml) and pass it with --lines."
)
MSG_PLACEHOLDER = N_(
    "Rule {name} ({rule}) flagged {n:,} household-year(s) with placeholder values "
    "of {missing} ({places}): replace them with the published figures in your "
    "lines file before relying on these hits."
)
MSG_NO_ASSISTANCE = N_(
    "The panel has no {columns} column: rule(s) {names} took every household as "
    "not on 低保 / 特困, so households already on assistance may be flagged. Add "
    "the column(s) 享受低保 (dibao) and 特困供养 (tekun) to the export."
)
MSG_MORE_PLACES = N_("{places} and {more:,} more")
MSG_ROWS = N_(
    "{n:,} of the rows asked for are not in the panel's index; pass index labels "
    "of the panel the rules are computed on."
)

#: Kinds that exclude households on 低保 / 特困 (and need those columns).
_ASSISTANCE_KINDS = {"dibao_edge": ("dibao",),
                     "rigid_spending_hardship": ("dibao", "tekun")}  # fmt: skip


@dataclass(frozen=True)
class RuleHits:
    """The rules that fired, per household-year.

    Attributes
    ----------
    table : DataFrame
        On the panel's index (the rows asked for): ``household_id``, ``year``,
        one bool ``rule__<id>`` per rule, ``rule_hit`` (any rule fired),
        ``rules`` (the Chinese names of the rules that fired, in the rules'
        order, joined with "、"), ``rule_reasons`` (one sentence per rule that
        fired, joined with "；") and ``rules_not_checked`` (names of the rules
        not checked for the row: a line type they need is missing).
    notes : tuple of Message
        Rules not checked for some rows (which line type is missing, where),
        hits that rest on placeholder lines, and missing 低保 / 特困 columns.
    names : mapping of str to str
        Flag column -> the rule's Chinese name.
    """

    table: pd.DataFrame
    notes: tuple[Message, ...]
    names: Mapping[str, str]

    @property
    def flag_columns(self) -> list[str]:
        """The ``rule__<id>`` columns, in the rules' order."""
        return list(self.names)

    def counts(self) -> pd.Series:
        """Rows flagged by each rule (by Chinese name), and by any (规则命中)."""
        flags = self.table[self.flag_columns]
        out = pd.Series(
            flags.sum(axis=0).to_numpy(dtype="int64"),
            index=[self.names[c] for c in self.flag_columns],
        )
        out["规则命中"] = int(self.table["rule_hit"].sum())
        return out


def _places(prov: pd.Series, year: pd.Series, mask: np.ndarray) -> str | Message:
    """"甘肃省 2025, 云南省 2025" for the rows in ``mask`` (the first few)."""
    keys = (
        pd.DataFrame({"p": prov[mask].astype(str).to_numpy(),
                      "y": year[mask].astype("int64").to_numpy()})  # fmt: skip
        .drop_duplicates()
        .sort_values(["y", "p"])
    )
    items = [f"{p} {y}" for p, y in zip(keys["p"], keys["y"], strict=True)]
    if len(items) <= MAX_PLACES:
        return ", ".join(items)
    return Message(
        MSG_MORE_PLACES,
        places=", ".join(items[:MAX_PLACES]),
        more=len(items) - MAX_PLACES,
    )


def _format(
    text: str, fields: Mapping[str, str], row: Mapping[str, float]
) -> str | None:
    """The sentence of one row, or None when a quoted value is not a number."""
    values = {}
    for name, kind in fields.items():
        v = row[name]
        if not math.isfinite(v):
            values[name] = None
        else:
            values[name] = int(round(v)) if kind == "count" else float(v)
    try:
        return text.format(**values)
    except (TypeError, ValueError):
        return None


def _sentences(
    rule: RuleSpec, panel: pd.DataFrame, ctx: RuleContext, hit: np.ndarray
) -> np.ndarray:
    """One reason sentence per flagged row (object array, "" elsewhere)."""
    out = np.full(len(panel), "", dtype=object)
    where = np.flatnonzero(hit)
    if not len(where):
        return out
    if not rule.reason:
        out[where] = rule.name
        return out
    fields = REASON_FIELDS[rule.kind]
    quoted = list(
        dict.fromkeys(
            f for _, f, _, _ in string.Formatter().parse(rule.reason) if f
        )
    )
    vals = reason_values(rule.kind, panel, rule.params, ctx)
    cols = {f: np.asarray(vals[f], dtype="float64")[where] for f in quoted}
    spec = {f: fields[f] for f in quoted}
    for j, i in enumerate(where):
        row = {f: cols[f][j] for f in quoted}
        text = _format(rule.reason, spec, row)
        out[i] = text if text else rule.name
    return out


def _join(
    parts: list[tuple[np.ndarray, np.ndarray]], sep: str, n: int
) -> pd.arrays.StringArray:
    """Row by row, the strings of ``parts`` (``(mask, strings)`` pairs) whose
    mask is true, joined with ``sep``; only the rows with one are joined."""
    out = np.full(n, "", dtype=object)
    if parts:
        masks = np.column_stack([m for m, _ in parts])
        texts = [t for _, t in parts]
        for i in np.flatnonzero(masks.any(axis=1)):
            out[i] = sep.join(t[i] for t, m in zip(texts, masks[i], strict=True) if m)
    return pd.array(out, dtype="string")


def rule_hits(
    panel: pd.DataFrame,
    config: RulesConfig,
    ctx: RuleContext,
    flags: pd.DataFrame,
    *,
    rows: pd.Index | None = None,
    source: str = "",
) -> RuleHits:
    """Build :class:`RuleHits` from the flags of ``panel`` (see
    :meth:`fanpin.rules.RuleBaseline.hits`, the public entry point)."""
    take = (
        np.arange(len(panel))
        if rows is None
        else panel.index.get_indexer(pd.Index(rows))
    )
    if (take < 0).any():
        raise InputError(Message(MSG_ROWS, n=int((take < 0).sum())))
    sub = panel.iloc[take]
    prov = sub["province"].reset_index(drop=True)
    year = sub["year"].reset_index(drop=True)
    table = pd.DataFrame(
        {"household_id": sub["household_id"].astype("string").to_numpy(),
         "year": sub["year"].to_numpy()},
        index=sub.index,
    )  # fmt: skip
    wanted = np.zeros(len(panel), dtype=bool)
    wanted[take] = True
    names: dict[str, str] = {}
    hit_names, reasons, skipped, notes = [], [], [], []
    for rule in config.rules:
        col = f"rule__{rule.id}"
        names[col] = rule.name
        checked = ctx.checked(rule.line_types)
        hit = flags[col].to_numpy(dtype=bool) & checked
        table[col] = hit[take]
        names_of = np.full(len(take), rule.name, dtype=object)
        hit_names.append((hit[take], names_of))
        sentences = _sentences(rule, panel, ctx, hit & wanted)
        reasons.append((hit[take], sentences[take]))
        not_checked = ~checked[take]
        skipped.append((not_checked, names_of))
        if not_checked.any():
            missing = [
                LINE_TYPE_NAMES[k]
                for k in rule.line_types
                if np.isnan(ctx.value(k)[take][not_checked]).any()
            ]
            notes.append(
                Message(
                    MSG_NOT_CHECKED, name=rule.name, rule=rule.id,
                    n=int(not_checked.sum()), source=source,
                    missing=" / ".join(missing),
                    places=_places(prov, year, not_checked),
                )
            )  # fmt: skip
        placeholder = hit[take] & ctx.placeholder(rule.line_types)[take]
        if placeholder.any():
            used = [
                LINE_TYPE_NAMES[k]
                for k in rule.line_types
                if k in ctx.lines and ctx.lines[k].placeholder[take][placeholder].any()
            ]
            notes.append(
                Message(
                    MSG_PLACEHOLDER, name=rule.name, rule=rule.id,
                    n=int(placeholder.sum()), missing=" / ".join(used),
                    places=_places(prov, year, placeholder),
                )
            )  # fmt: skip
    need = {
        c: r.name
        for r in config.rules
        for c in _ASSISTANCE_KINDS.get(r.kind, ())
        if c not in ctx.assistance_columns
    }
    if need:
        rule_names = sorted(set(need.values()))
        notes.append(
            Message(MSG_NO_ASSISTANCE, columns=" / ".join(sorted(need)),
                    names=NAME_SEP.join(rule_names))  # fmt: skip
        )
    flag_cols = list(names)
    table["rule_hit"] = table[flag_cols].any(axis=1).to_numpy(dtype=bool)
    table["rules"] = _join(hit_names, NAME_SEP, len(take))
    table["rule_reasons"] = _join(reasons, REASON_SEP, len(take))
    table["rules_not_checked"] = _join(skipped, NAME_SEP, len(take))
    return RuleHits(table=table, notes=tuple(notes), names=names)
