"""`fanpin alerts` streams the panel file in chunks: same files as the whole
panel in memory, a progress bar, and events of unknown households skipped."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.cli._app import ProgressBar
from fanpin.io._write import MANIFEST
from fanpin.models import save_model
from fanpin.schema import read_events
from fanpin.workflow import run_alerts, write_alert_files

AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def setup(stream, tmp_path_factory):
    """The streaming scenario (root conftest: one township per county, gaps,
    pushes) as the files a county office passes: CSV panel and events, a model
    folder."""
    tmp = tmp_path_factory.mktemp("cli-alerts")
    save_model(stream["model"], tmp / "model")
    stream["panel"].to_csv(tmp / "panel.csv", index=False)
    ev = stream["events"]  # without the events of unknown households or the future
    known = ev["household_id"].isin(stream["panel"]["household_id"])
    ev[known & (ev["date"] <= AS_OF)].to_csv(tmp / "events.csv", index=False)
    return {"tmp": tmp, "panel": stream["panel"], "model": stream["model"]}


def _alerts(setup, out, *extra):
    tmp = setup["tmp"]
    args = ["alerts", str(tmp / "panel.csv"), "--model", str(tmp / "model"),
            "--out", str(out), "--as-of", AS_OF, *extra]  # fmt: skip
    return CliRunner().invoke(app, args)


def test_alerts_cli_streams_same_files_as_in_memory(setup, tmp_path):
    tmp = setup["tmp"]
    res = _alerts(
        setup, tmp_path / "cli", "--events", str(tmp / "events.csv"),
        "--capacity", "2", "--chunk-households", "120", "--quiet",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "chunk(s)" in res.output and "Department pushes:" in res.output
    ev = read_events(tmp / "events.csv", setup["panel"], today=pd.Timestamp(AS_OF))
    mem = run_alerts(setup["model"], setup["panel"], as_of=AS_OF, events=ev, capacity=2)
    write_alert_files(mem, tmp_path / "mem")
    names = sorted(p.name for p in (tmp_path / "mem").glob("*.*"))
    assert "scored.csv" in names and "exclusions.csv" in names
    for name in names:
        assert (tmp_path / "mem" / name).read_bytes() == (
            tmp_path / "cli" / name
        ).read_bytes(), name
    assert f"{len(mem.scored):,} households scored" in res.output
    hidden = [p.name for p in (tmp_path / "cli").iterdir() if p.name[0] == "."]
    assert hidden == [MANIFEST]  # no temporary file left, the manifest written last
    assert not [p.name for p in tmp_path.iterdir() if p.name[0] == "."]


def test_alerts_cli_skips_events_of_unknown_households(setup, tmp_path):
    bad = tmp_path / "events.csv"
    pd.DataFrame(
        {"household_id": ["not-a-household"], "date": ["2025-03-01"],
         "source": ["医保"], "event_type": ["住院自付"], "amount": [100.0]}
    ).to_csv(bad, index=False)  # fmt: skip
    out = tmp_path / "out"
    res = _alerts(setup, out, "--events", str(bad), "--quiet")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "0 events applied, 1 skipped (household not in the panel: 1)" in text
    excl = pd.read_csv(out / "exclusions.csv", dtype=str)
    row = excl.loc[excl["kind"] == "event"].iloc[0]
    assert (row["household_id"], row["why"], row["file"], row["row"]) == (
        "not-a-household", "household not in the panel", "events.csv", "2"
    )


def test_progress_bar_reports_each_stage_with_its_unit():
    bar = ProgressBar()
    for stage, total in (("score", 10), ("write", 7), ("alerts", 10), ("excel", 2)):
        bar(stage, 0, total)
        bar(stage, total, total)
    tasks = {t.description: t for t in bar.progress.tasks}
    assert set(tasks) == {"scoring", "writing", "alerts", "excel"}
    assert all(t.completed == t.total for t in tasks.values())
    assert tasks["writing"].total == 7
