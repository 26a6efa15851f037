"""Names, ID numbers and phone numbers never reach an output, a log line, an error
message, a model file, a report or the case store."""

from __future__ import annotations

import logging
import pickle
import sqlite3
import zipfile

import joblib
import pandas as pd
import pytest

from .conftest import SMALL_MODEL_YAML, invoke

SURNAMES = "王李张刘陈杨黄赵吴周"


def _pii(n: int, english: bool) -> pd.DataFrame:
    cols = (
        ("head_name", "id_number", "phone")
        if english
        else ("户主姓名", "身份证号", "联系电话")
    )
    return pd.DataFrame(
        {
            cols[0]: [f"{SURNAMES[i % 10]}秘名{i:04d}" for i in range(n)],
            cols[1]: [f"52010119800101{i:04d}" for i in range(n)],
            cols[2]: [f"1390000{i:04d}" for i in range(n)],
        }
    )


def _text_of(path) -> str:
    """Every string a file holds, decompressed/decoded where needed."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path).astype(str).to_csv()
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if suffix == ".joblib":
        raw = path.read_bytes().decode("latin-1")
        obj = joblib.load(path)  # our own model, just written
        return raw + pickle.dumps(obj).decode("latin-1") + repr(obj.__dict__)
    if suffix == ".db":
        con = sqlite3.connect(path)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()
    return path.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("english", [False, True], ids=["chinese", "english"])
def test_no_personal_data_anywhere(sim, tmp_path, caplog, english):
    caplog.set_level(logging.DEBUG)
    panel = sim.panel.reset_index(drop=True)
    ids = panel["household_id"].drop_duplicates().reset_index(drop=True)
    pii = _pii(len(ids), english).assign(household_id=ids)
    raw = panel.merge(pii, on="household_id", how="left")
    data = tmp_path / "in" / "panel.csv"
    data.parent.mkdir()
    raw.to_csv(data, index=False)
    secrets = [v for c in pii if c != "household_id" for v in pii[c]]
    cfg = tmp_path / "in" / "m.yaml"
    cfg.write_text(SMALL_MODEL_YAML, encoding="utf-8")
    out = tmp_path / "out"
    outputs = []
    runs = [
        ["validate", data],
        ["train", data, "--out", out / "model", "--config", cfg],
        ["score", data, "--model", out / "model", "--out", out / "scores.csv"],
    ]
    if not english:  # the slower commands once, with the Chinese headers
        runs.append(
            [
                "report",
                data,
                "--model",
                out / "model",
                "--out",
                out / "report.html",
                "--date",
                "2025-03-01",
            ]
        )
    from fanpin.cli import app

    if not english and "alerts" in {c.name for c in app.registered_commands}:
        runs.append(
            [
                "alerts",
                data,
                "--model",
                out / "model",
                "--out",
                out / "al",
                "--as-of",
                "2025-03-01",
                "--store",
                f"sqlite:///{out / 'c.db'}",
            ]
        )
    # An error message on a file holding personal data (a broken row).
    bad = tmp_path / "in" / "bad.csv"
    broken = raw.head(5).copy()
    broken.loc[0, "labor_count"] = 99
    broken.loc[1, "income_wage"] = -5
    broken.to_csv(bad, index=False)
    runs.append(["validate", bad])
    for args in runs:
        res = invoke(args)
        outputs.append(res.output)
        assert res.exit_code == (1 if args[-1] == bad else 0), res.output
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "model.json" for p in files)
    assert english or any(p.name == "report.html" for p in files)
    blobs = {str(p): _text_of(p) for p in files}
    blobs["cli output"] = "\n".join(outputs)
    blobs["log"] = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    for where, text in blobs.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} personal value(s) in {where}: e.g. (hidden)"
