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
