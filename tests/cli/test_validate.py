from typer.testing import CliRunner

from fanpin.cli import app

from ..conftest import make_rows

runner = CliRunner()


def test_valid_file(tmp_path):
    path = tmp_path / "p.csv"
    rows = make_rows({}, {"household_id": "2", "housing_safe": False})
    rows.to_csv(path, index=False)
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert "is valid" in res.output
    assert "50.0%" in res.output  # one of two households is in hardship


def test_invalid_file_exit_1(tmp_path):
    path = tmp_path / "p.csv"
    make_rows({"labor_count": 99}).to_csv(path, index=False)
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 1
    assert "labor_count" in res.output


def test_usage_error_exit_2():
    assert runner.invoke(app, ["validate"]).exit_code == 2


def test_help_lists_commands():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0 and "validate" in res.output
