"""Every command, every hostile input: a clear message or a result, never a traceback.

Table-driven: :data:`INPUTS` are panel (and push) files shaped the way real ones
go wrong, :data:`COMMANDS` build each command's line for one of them, and the
test runs every pair through the CLI in-process (a small model trained once per
session). Add a row to either table to cover a new case; the bad-input
catalogue (``catalogue.py``) holds the exact messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from .catalogue import ALIAS, TITLE, Ctx, _panel_file, export_xlsx
from .conftest import SMALL_MODEL_YAML, invoke

# -- hostile inputs --------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    panel: Path
    events: Path | None = None


def _panel(ctx: Ctx) -> pd.DataFrame:
    return ctx.sim.panel.astype(str).replace({"<NA>": "", "nan": ""})


def _csv(ctx: Ctx, df: pd.DataFrame, name: str = "p.csv", **kw) -> Path:
    p = ctx.tmp / name
    df.to_csv(p, index=False, **kw)
    return p


def _edit(ctx: Ctx, column: str, value: str, rows: int = 3) -> Path:
    df = _panel(ctx)
    df[column] = df[column].astype(object)
    df.loc[: rows - 1, column] = value
    return _csv(ctx, df)


def _title_gbk(ctx: Ctx) -> Path:
    p = ctx.tmp / "p.csv"
    with open(p, "w", encoding="gbk", newline="") as fh:
        fh.write(TITLE + "\r\n")
        _panel(ctx).rename(columns=ALIAS).to_csv(fh, index=False)
    return p


def _same_header(ctx: Ctx) -> Path:
    df = _panel(ctx).rename(columns=ALIAS)
    df.insert(len(df.columns), "家庭人口数_dup", "9")
    p = ctx.tmp / "p.csv"
    df.to_csv(p, index=False, header=[*df.columns[:-1], "家庭人口数"])
    return p


def _events(ctx: Ctx, dates: list[str] | None) -> Path:
    rows = [
        {"户编码": "00000001", "日期": d, "推送部门": "医保", "事件类型": "住院自付",
         "金额": "12000", "人数": "1"}
        for d in (dates or [])
    ]  # fmt: skip
    cols = ["户编码", "日期", "推送部门", "事件类型", "金额", "人数"]
    return _csv(ctx, pd.DataFrame(rows, columns=cols), "events.csv")


def _bytes(name: str, data: bytes) -> Callable[[Ctx], Path]:
    def make(ctx: Ctx) -> Path:
        p = ctx.tmp / name
        p.write_bytes(data)
        return p

    return make


def _truncated(ctx: Ctx) -> Path:
    p = ctx.tmp / "p.parquet"
    ctx.sim.panel.to_parquet(p)
    p.write_bytes(p.read_bytes()[:2000])
    return p


def _long_line(ctx: Ctx) -> Path:
    p = ctx.tmp / "p.csv"
    p.write_bytes(b"x," * (1 << 19))
    os.truncate(p, 50 << 20)
    return p


def _fifo(ctx: Ctx) -> Path:
    p = ctx.tmp / "p.csv"
    os.mkfifo(p)
    return p


def _folder(ctx: Ctx) -> Path:
    p = ctx.tmp / "p.csv"
    p.mkdir()
    return p


def _with_events(dates: list[str] | None) -> Callable[[Ctx], Files]:
    def make(ctx: Ctx) -> Files:
        return Files(_panel_file(ctx), _events(ctx, dates))

    return make


INPUTS: dict[str, Callable[[Ctx], Path | Files]] = {
    "parquet": _panel_file,
    "export-xlsx": lambda ctx: export_xlsx(ctx.tmp / "p.xlsx", _panel(ctx)),
    "gbk-title-csv": _title_gbk,
    "control-chars": lambda ctx: _edit(ctx, "village", "一村\x1b[2J\x0b"),
    "formula-village": lambda ctx: _edit(ctx, "village", '=HYPERLINK("http://x")'),
    "zero-width-id": lambda ctx: _edit(ctx, "household_id", "\ufeff00000001", 1),
    "inf-money": lambda ctx: _edit(ctx, "income_wage", "inf"),
    "huge-money": lambda ctx: _edit(ctx, "medical_cost_total", "1e308"),
    "inf-accidents": lambda ctx: _edit(ctx, "accident_count", "1e20"),
    "pii-in-category": lambda ctx: _edit(ctx, "head_education", "电话13987654321"),
    "same-header-twice": _same_header,
    "empty-file": _bytes("p.csv", b""),
    "binary-csv": _bytes("p.csv", b"\x00\xff\xfe\x81" * 500),
    "header-only": lambda ctx: _csv(ctx, _panel(ctx).iloc[:0]),
    "truncated-parquet": _truncated,
    "one-long-line": _long_line,
    "fifo": _fifo,
    "folder": _folder,
    "events-time-zone": _with_events(["2025-02-01T10:00:00+08:00"]),
    "events-header-only": _with_events(None),
    "events-ambiguous": _with_events(["25-02-03", "02/03/2025"]),
    "events-excel-serial": _with_events(["45717"]),
}


# -- commands --------------------------------------------------------------------
def _small(ctx: Ctx) -> Path:
    p = ctx.tmp / "small.yaml"
    p.write_text(SMALL_MODEL_YAML, "utf-8")
    return p


COMMANDS: dict[str, Callable[[Ctx, Files], list]] = {
    "validate": lambda ctx, f: ["validate", f.panel],
    "convert": lambda ctx, f: ["convert", f.panel, ctx.tmp / "o.parquet", "-q"],
    "train": lambda ctx, f: [
        "train",
        f.panel,
        "--out",
        ctx.tmp / "m",
        "--config",
        _small(ctx),
    ],  # fmt: skip
    "score": lambda ctx, f: [
        "score",
        f.panel,
        "--model",
        ctx.model_dir,
        "--out",
        ctx.tmp / "s.csv",
        "-q",
    ],  # fmt: skip
    "alerts": lambda ctx, f: [
        "alerts",
        f.panel,
        "--model",
        ctx.model_dir,
        "--out",
        ctx.tmp / "a",
        "--as-of",
        "2025-06-30",
        "--quiet",
        *(["--events", f.events] if f.events is not None else []),
    ],  # fmt: skip
    "evaluate": lambda ctx, f: [
        "evaluate",
        f.panel,
        "--config",
        _small(ctx),
        "--out",
        ctx.tmp / "e",
    ],  # fmt: skip
    "report": lambda ctx, f: [
        "report",
        f.panel,
        "--model",
        ctx.model_dir,
        "--out",
        ctx.tmp / "r.html",
    ],  # fmt: skip
}
#: Inputs that only one command reads (the pushes: ``alerts``).
ONLY = {k: ("alerts",) for k in INPUTS if k.startswith("events-")}
#: Valid inputs whose cells differ only in content: the commands that train a
#: backtest (``evaluate``, ``report``: 15-25 s each) read them as the others
#: do, so they run on one of them (the Excel export) only.
READ_ALIKE = {"parquet", "gbk-title-csv", "control-chars", "formula-village",
              "zero-width-id"}  # fmt: skip
HEAVY = {"evaluate", "report"}


def _pairs():
    for name in INPUTS:
        for command in ONLY.get(name, tuple(COMMANDS)):
            if command in HEAVY and name in READ_ALIKE:
                continue
            yield pytest.param(name, command, id=f"{command}-{name}")


@pytest.mark.parametrize(("name", "command"), list(_pairs()))
def test_no_traceback(name, command, tmp_path, sim, model_dir, lines_yaml):
    ctx = Ctx(tmp=tmp_path, sim=sim, model_dir=model_dir, lines_yaml=lines_yaml)
    made = INPUTS[name](ctx)
    files = made if isinstance(made, Files) else Files(made)
    result = invoke(COMMANDS[command](ctx, files))
    out = result.output
    assert "Traceback" not in out, out
    assert result.exit_code in (0, 1), (result.exit_code, out)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 1:
        assert "error:" in out, out  # a message, not a silent failure
    for secret in ("13987654321",):
        assert secret not in out
