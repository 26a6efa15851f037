"""Which rules fire for each household-year, named, with a sentence per rule.

:class:`RuleHits` is what the alert list needs from the rules: one flag per rule,
the union (``rule_hit``: any rule fired), the Chinese names of the rules that
fired, one reason sentence per rule for the cadre (the rule's ``reason``
template in ``rules.yaml``), and the rules that could not be checked for the
row because its province and year lack a line type they need, or because the
rule compares with the previous year and the household has no record of it.
``notes`` says the same for the whole table, and which hits rest on
placeholder lines.
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
from ._kinds import LAST_YEAR_KINDS, RuleContext, reason_values

__all__ = [
    "GAP_COLUMNS",
    "HITS_COLUMNS",
    "NAME_SEP",
    "REASON_SEP",
    "RuleHits",
    "rule_hits",
    "rule_notes",
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
    "Rule {name} ({rule}) was checked with placeholder values of {missing} "
    "({places}) for {checked:,} household-year(s) and flagged {n:,} of them: "
    "replace them with the published figures in your lines file before relying "
    "on these hits."
)
MSG_NOT_CHECKED_HOUSEHOLDS = N_(
    "Rule {name} ({rule}) was not checked for {n:,} household(s): the lines "
    "({source}) have no {missing} for {places}. Add the line type(s) to your lines "
    "file (see the shipped configs/monitoring_lines.yaml) and pass it with --lines."
)
MSG_PLACEHOLDER_HOUSEHOLDS = N_(
    "Rule {name} ({rule}) was checked with placeholder values of {missing} "
    "({places}) for {checked:,} household(s) and flagged {n:,} of them: replace "
    "them with the published figures in your lines file before relying on these "
    "hits."
)
MSG_NO_LAST_YEAR = N_(
    "Rule(s) {names} ({rules}) compare each household with its record of the "
    "previous year and were not checked for {n:,} household-year(s) without one "
    "(no record of {previous}). Include the previous year's records (its export) "
    "in the input to check them."
)
MSG_NO_LAST_YEAR_HOUSEHOLDS = N_(
    "Rule(s) {names} ({rules}) compare each household with its record of the "
    "previous year and were not checked for {n:,} household(s) without one (no "
    "record of {previous}). Include the previous year's export together with this "
    "year's records in the input to check them."
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

GAP_COLUMNS = ("rule", "note", "province", "year", "line_types", "households",
               "flagged")  # fmt: skip
"""The columns of :attr:`RuleHits.gaps`."""
NOT_CHECKED, PLACEHOLDER, NO_ASSISTANCE = "not_checked", "placeholder", "no_assistance"
NO_LAST_YEAR = "no_last_year"
_LINE_ORDER = {k: i for i, k in enumerate(LINE_TYPE_NAMES)}

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
        not checked for the row: a line type they need is missing, or the rule
        compares with the previous year and the household has no record of it).
    notes : tuple of Message
        Rules not checked for some rows (which line type is missing, where;
        or no record of the previous year), hits that rest on placeholder
        lines, and missing 低保 / 特困 columns.
    names : mapping of str to str
        Flag column -> the rule's Chinese name.
    gaps : DataFrame
        What the notes say, as data (:data:`GAP_COLUMNS`), one row per rule,
        note and province-year: ``note`` is ``not_checked`` (``line_types``
        missing there), ``placeholder`` (``line_types`` used there are
        placeholders; ``flagged``: the hits among them), ``no_last_year``
        (the rule compares with the previous year and the rows' households
        have no record of it; ``year``: the rows' year) or ``no_assistance``
        (``line_types``: the missing 低保 / 特困 columns; no place);
        ``households``: the rows concerned. The tables of several pieces of
        a panel (chunks) are concatenated and turned into notes once with
        :func:`rule_notes`.
    """

    table: pd.DataFrame
    notes: tuple[Message, ...]
    names: Mapping[str, str]
    gaps: pd.DataFrame | None = None

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


def _places(keys: pd.DataFrame) -> str | Message:
    """"甘肃省 2025, 云南省 2025" for the province-years of ``keys`` (columns
    ``province``, ``year``; the first few)."""
    keys = (
        keys[["province", "year"]]
        .drop_duplicates()
        .sort_values(["year", "province"])
    )
    items = [f"{p} {y}" for p, y in zip(keys["province"], keys["year"], strict=True)]
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
    hit_names, reasons, skipped, gaps = [], [], [], []
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
        no_last = np.zeros(len(take), dtype=bool)
        if rule.kind in LAST_YEAR_KINDS:  # compared with the previous year
            no_last = checked[take] & ~ctx.has_last_year[take]
        skipped.append((not_checked | no_last, names_of))
        if no_last.any():
            none = np.zeros((len(take), 0), dtype=bool)  # no line types
            gaps.append(_gap_rows(rule.id, NO_LAST_YEAR, prov, year, no_last,
                                  none, ()))  # fmt: skip
        if not_checked.any():
            missing = np.column_stack(
                [np.isnan(ctx.value(k)[take]) for k in rule.line_types]
            )
            gaps.append(_gap_rows(rule.id, NOT_CHECKED, prov, year, not_checked,
                                  missing, rule.line_types))  # fmt: skip
        used = checked[take] & ctx.placeholder(rule.line_types)[take]
        if used.any():
            kinds = [k for k in rule.line_types if k in ctx.lines]
            marks = np.column_stack([ctx.lines[k].placeholder[take] for k in kinds])
            gaps.append(_gap_rows(rule.id, PLACEHOLDER, prov, year, used, marks,
                                  kinds, flagged=hit[take]))  # fmt: skip
    need: dict[str, list[str]] = {}
    for r in config.rules:
        for c in _ASSISTANCE_KINDS.get(r.kind, ()):
            if c not in ctx.assistance_columns:
                need.setdefault(r.id, []).append(c)
    for rule_id, columns in need.items():
        gaps.append(pd.DataFrame({
            "rule": [rule_id], "note": [NO_ASSISTANCE], "province": [""],
            "year": [0], "line_types": ["|".join(columns)],
            "households": [len(take)], "flagged": [0],
        }))  # fmt: skip
    gap_table = _concat_gaps(gaps)
    flag_cols = list(names)
    table["rule_hit"] = table[flag_cols].any(axis=1).to_numpy(dtype=bool)
    table["rules"] = _join(hit_names, NAME_SEP, len(take))
    table["rule_reasons"] = _join(reasons, REASON_SEP, len(take))
    table["rules_not_checked"] = _join(skipped, NAME_SEP, len(take))
    notes = rule_notes(gap_table, config, source=source)
    return RuleHits(table=table, notes=notes, names=names, gaps=gap_table)


def _gap_rows(
    rule: str,
    note: str,
    prov: pd.Series,
    year: pd.Series,
    rows: np.ndarray,
    marks: np.ndarray,
    kinds: tuple[str, ...] | list[str],
    flagged: np.ndarray | None = None,
) -> pd.DataFrame:
    """The gap rows of one rule and note: ``rows`` counted by province-year,
    with the line types marked (``marks``: one column per kind) there."""
    # each row's set of marked kinds as a bit code, named once per code
    code = marks[rows].astype(np.int64) @ (1 << np.arange(len(kinds), dtype=np.int64))
    uniq, inverse = np.unique(code, return_inverse=True)
    names = np.array(
        ["|".join(k for j, k in enumerate(kinds) if c >> j & 1) for c in uniq.tolist()],
        dtype=object,
    )
    kinds_of = names[inverse.reshape(-1)]
    frame = pd.DataFrame({
        "province": prov[rows].astype(str).to_numpy(),
        "year": year[rows].astype("int64").to_numpy(),
        "line_types": kinds_of,
        "households": 1,
        "flagged": (np.zeros(len(rows), dtype=bool) if flagged is None
                    else flagged)[rows].astype("int64"),
    })  # fmt: skip
    out = frame.groupby(["province", "year", "line_types"], as_index=False,
                        sort=True)[["households", "flagged"]].sum()  # fmt: skip
    out.insert(0, "note", note)
    out.insert(0, "rule", rule)
    return out


def _by_line_types(part: pd.DataFrame) -> list[tuple[list[str], pd.DataFrame]]:
    """The gap rows grouped by their line types (in the line types' order),
    the largest group first."""
    key = part["line_types"].map(
        lambda v: tuple(sorted((k for k in str(v).split("|") if k),
                               key=lambda k: _LINE_ORDER.get(k, len(_LINE_ORDER))))
    )  # fmt: skip
    groups = [(list(k), part[key == k]) for k in dict.fromkeys(key)]
    return sorted(groups, key=lambda g: -int(g[1]["households"].sum()))


def _concat_gaps(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(
            {c: pd.Series([], dtype="int64" if c in ("year", "households", "flagged")
                          else object) for c in GAP_COLUMNS}  # fmt: skip
        )
    return pd.concat(parts, ignore_index=True)[list(GAP_COLUMNS)]


def rule_notes(
    gaps: pd.DataFrame | list[pd.DataFrame],
    config: RulesConfig,
    *,
    source: str = "",
    households: bool = False,
) -> tuple[Message, ...]:
    """The notes of :attr:`RuleHits.gaps` (or of several such tables, e.g. one
    per chunk of a panel, summed): per rule, in the rules' order, the rows not
    checked (which line types are missing, where), the rows checked with
    placeholder values (and the hits among them); then the rules that took
    every household as not on 低保 / 特困. A rule that compares with the
    previous year says how many rows it could not check for want of a record
    of that year. ``households``: the rows are one
    record per household (the alert run), and the notes say households.

    Examples
    --------
    >>> from fanpin.config import RulesConfig, RuleSpec
    >>> rules = RulesConfig(rules=(RuleSpec("edge", "低保边缘", "dibao_edge",
    ...     {"multiple": 1.5}),))
    >>> gap = pd.DataFrame({"rule": ["edge"], "note": ["not_checked"],
    ...     "province": ["乙省"], "year": [2025], "line_types": ["dibao"],
    ...     "households": [3], "flagged": [0]})
    >>> print(rule_notes([gap, gap], rules, households=True)[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    Rule 低保边缘 (edge) was not checked for 6 household(s): the lines () have
    no 低保标准 for 乙省 2025. Add the line type(s) to your lines file (see the
    shipped configs/monitoring_lines.yaml) and pass it with --lines.
    """
    table = _concat_gaps(list(gaps) if isinstance(gaps, list) else [gaps])
    if not len(table):
        return ()
    not_checked = MSG_NOT_CHECKED_HOUSEHOLDS if households else MSG_NOT_CHECKED
    placeholder = MSG_PLACEHOLDER_HOUSEHOLDS if households else MSG_PLACEHOLDER
    no_last = MSG_NO_LAST_YEAR_HOUSEHOLDS if households else MSG_NO_LAST_YEAR
    notes: list[Message] = []
    by_id = {r.id: r for r in config.rules}
    last_year: dict[tuple[int, str], list[RuleSpec]] = {}
    for rule in config.rules:
        mine = table[table["rule"] == rule.id]
        for note, template in ((NOT_CHECKED, not_checked),
                               (PLACEHOLDER, placeholder)):  # fmt: skip
            part = mine[mine["note"] == note]
            # one note per set of line types (the places that lack the same)
            for kinds, group in _by_line_types(part):
                missing = " / ".join(LINE_TYPE_NAMES.get(k, k) for k in kinds)
                n = int(group["households"].sum())
                params = (
                    {"n": n, "source": source}
                    if note == NOT_CHECKED
                    else {"checked": n, "n": int(group["flagged"].sum())}
                )
                notes.append(
                    Message(template, name=rule.name, rule=rule.id,
                            missing=missing, places=_places(group),
                            **params)  # fmt: skip
                )
        part = mine[mine["note"] == NO_LAST_YEAR]
        if len(part):
            previous = ", ".join(str(y) for y in sorted({int(y) - 1
                                                        for y in part["year"]}))
            key = (int(part["households"].sum()), previous)
            last_year.setdefault(key, []).append(rule)  # fmt: skip
    # the rules that compare with the previous year: one note for the rules
    # not checked on the same households (usually all of them)
    for (n, previous), rules in last_year.items():
        notes.append(
            Message(no_last, names=NAME_SEP.join(r.name for r in rules),
                    rules=", ".join(r.id for r in rules), n=n,
                    previous=previous)  # fmt: skip
        )
    need = table[table["note"] == NO_ASSISTANCE]
    if len(need):
        columns = sorted({c for v in need["line_types"] for c in str(v).split("|")})
        rule_names = sorted({by_id[r].name for r in need["rule"] if r in by_id})
        notes.append(
            Message(MSG_NO_ASSISTANCE, columns=" / ".join(columns),
                    names=NAME_SEP.join(rule_names))  # fmt: skip
        )
    return tuple(notes)
