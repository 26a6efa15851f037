import copy
import pickle

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


# -- several line types (2026) -------------------------------------------------------

JOINT = """\
default: {2024: 7300, 2025: {value: 7500, source: "省文件", placeholder: false}}
provinces: {湖北省: {2025: 8000}}
dibao:
  source: "PLACEHOLDER"
  placeholder: true
  default: {2025: 6000}
  provinces: {湖北省: {2025: {value: 6500, source: "鄂民发 2025"}}}
disposable_income: {default: {2025: 21000}}
rigid_spending_share: {default: 0.6, provinces: {湖北省: 0.7}}
"""


def _write(tmp_path, text):
    path = tmp_path / "lines.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_line_types_with_their_sources(tmp_path):
    import pandas as pd

    lines = load_monitoring_lines(_write(tmp_path, JOINT))
    assert lines.line_types == (
        "monitoring", "dibao", "disposable_income", "rigid_spending_share"
    )
    prov, year = pd.Series(["湖北省", "河南省"]), pd.Series([2025, 2025])
    dibao = lines.values("dibao", prov, year)
    assert dibao.values.tolist() == [6500.0, 6000.0]
    assert dibao.placeholder.tolist() == [False, True]  # the value's own source wins
    assert lines.dibao.source_of("湖北省", 2025).text == "鄂民发 2025"
    share = lines.values("rigid_spending_share", prov, year)
    assert share.values.tolist() == [0.7, 0.6]
    income = lines.values("disposable_income", prov, pd.Series([2024, 2025]))
    assert income.missing.tolist() == [True, False]
    assert lines.monitoring.source_of(None, 2025).text == "省文件"
    # round trip through YAML and pickle keeps values and sources
    again = load_monitoring_lines(_write(tmp_path, lines.to_yaml()))
    assert again.to_dict() == lines.to_dict()
    assert pickle.loads(pickle.dumps(lines)).to_dict() == lines.to_dict()
    assert copy.deepcopy(lines).to_dict() == lines.to_dict()


def test_a_file_with_only_the_monitoring_line_keeps_working(tmp_path):
    import pandas as pd

    lines = load_monitoring_lines(_write(tmp_path, "default: {2023: 7100}\n"))
    assert lines.line_types == ("monitoring",)
    assert lines.to_dict() == {"default": {2023: 7100.0}, "provinces": {}}
    got = lines.values("dibao", pd.Series(["甘肃省"]), pd.Series([2023]))
    assert got.missing.tolist() == [True]


def test_the_shipped_table_marks_its_placeholders():
    lines = load_monitoring_lines()
    assert set(lines.line_types) == {
        "monitoring", "dibao", "disposable_income", "rigid_spending_share"
    }
    assert not lines.monitoring.source_of(None, 2021).placeholder  # official floor
    assert lines.monitoring.source_of(None, 2024).placeholder
    assert not lines.monitoring.source_of("湖北省", 2023).placeholder
    for kind in ("dibao", "disposable_income", "rigid_spending_share"):
        table = lines.table(kind)
        assert table.placeholder and "PLACEHOLDER" in table.source


def test_carried_forward_keeps_every_line_type():
    lines = load_monitoring_lines()
    ahead = lines.carried_forward([2026])
    assert ahead.line("甘肃省", 2026) == lines.line("甘肃省", 2025)
    assert ahead.dibao.default[2026] == lines.dibao.default[2025]
    assert "carried forward from 2025" in ahead.dibao.source_of(None, 2026).text
    assert ahead.dibao.source_of(None, 2026).placeholder


@pytest.mark.parametrize("text,match", [
    ("default: {2021: 6000}\ndibao: {default: {2025: 600}}", "monthly"),
    ("default: {2021: 6000}\ndisposable_income: {default: {2025: 1800}}", "monthly"),
    ("default: {2021: 6000}\nrigid_spending_share: {default: 60}", r"\(0, 1\]"),
    ("default: {2021: 6000}\nrigid_spending_share: {provinces: {甲: 0}}", r"\(0, 1\]"),
    ("default: {2021: 6000}\ndibao: [1, 2]", "must be a mapping"),
    ("default: {2021: 6000}\ndibao: {defaults: {2025: 6000}}", "unknown key"),
    ("default: {2021: 6000}\ndibao: {default: {2025: {valu: 6000}}}", "'value'"),
    ("default: {2021: 6000}\ndibao: {placeholder: yes please, default: {}}",
     "true or false"),
    ("default: {2021: 6000}\ndibao: {default: {2025: 6000, 2025: 6100}}", "twice"),
    ("default: {2021: 6000}\ndibao: {default: {2025: 6000}}\ndibao: {}", "twice"),
    ("default: {2021: 5000}\ndibao: {default: {2025: 6000}}", "national floor"),
    ("default: {2021: {value: 5000, source: x}}", "national floor"),
    ("default: {2021: 6000}\ndibao: {default: {二〇二五: 6000}}", "not a year"),
    ("default: {2021: 6000}\ndibao: " + "[" * 60 + "]" * 60, "nested"),
])
def test_bad_line_tables(tmp_path, text, match):
    with pytest.raises(ConfigError, match=match):
        load_monitoring_lines(_write(tmp_path, text))


def test_unknown_line_type_is_named():
    with pytest.raises(ConfigError, match="did you mean 'dibao'"):
        load_monitoring_lines().table("dibo")
