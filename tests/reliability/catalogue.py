"""The catalogue of bad inputs: one :class:`Case` per way a real file goes wrong.

Each case builds its input files in a temporary folder and returns the ``fanpin``
command line to run (or, for department events until ``fanpin alerts`` exists, a
library call). ``test_bad_inputs.py`` runs every case; ``docs/bad-inputs.md`` is
rendered from this list by :func:`render_markdown` and a test keeps the two in
sync. Regenerate the document with::

    python -m tests.reliability.catalogue
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fanpin.schema import COLUMNS

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
    ``repair`` (exit code 0 and a "repaired:" warning saying what changed) or
    ``accepted`` (read correctly as it is; exit code 0).
    """

    id: str
    input: str
    command: str
    outcome: str
    message: str
    make: Callable[[Ctx], Any]
    check: Callable[[Ctx], None] | None = None


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
        "2 duplicate (household_id, year) row(s) (households 0001, 0001)",
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
        "the file looks corrupted or is not .xlsx",
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
]

_OUTCOME = {
    "error": "error, exit code 1, nothing written",
    "repair": "repaired, with a warning",
    "accepted": "read as intended",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    """The text of ``docs/bad-inputs.md``, one row per case."""
    head = [
        "# Bad inputs: what fanpin does with them",
        "",
        "Generated from `tests/reliability/catalogue.py` (run "
        "`python -m tests.reliability.catalogue`); every row is a test in",
        "`tests/reliability/test_bad_inputs.py`, and a test checks that this file "
        "matches the catalogue.",
        "",
        "- **error**: the command stops with exit code 1 and a message that says "
        "what is wrong, where (column, households) and how to fix it; it writes no "
        "output and prints no traceback.",
        "- **repaired**: the input is read after a harmless repair and the command "
        "prints `repaired: …` saying what changed.",
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
