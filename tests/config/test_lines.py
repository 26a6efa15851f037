import pytest

from fanpin.config import MonitoringLines, load_monitoring_lines
from fanpin.exceptions import ConfigError


def test_shipped_table():
    lines = load_monitoring_lines()
    assert lines.line("甘肃省", 2021) == 6000.0  # the official national floor
    assert lines.line("湖北省", 2023) == 7600.0
    assert lines.line("湖北省", 2024) == lines.default[2024]  # falls back


def test_every_default_year_at_least_the_floor():
    assert min(load_monitoring_lines().default.values()) >= 6000


def test_user_file_round_trip(tmp_path):
    lines = MonitoringLines(default={2022: 6500}, provinces={"某省": {2022: 6900}})
    path = tmp_path / "lines.yaml"
    path.write_text(lines.to_yaml(), encoding="utf-8")
    again = load_monitoring_lines(path)
    assert again.to_dict() == lines.to_dict()


@pytest.mark.parametrize("text,match", [
    ("provinces: {}", "'default'"),
    ("default: {2021: -5}", "positive"),
    ("default: {abc: 6000}", "not a year"),
    ("default: {2021: 6000}\nextra: 1", "unknown key"),
    ("default: [1, 2", "not valid YAML"),
])
def test_bad_files(tmp_path, text, match):
    path = tmp_path / "lines.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        load_monitoring_lines(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_monitoring_lines(tmp_path / "none.yaml")
