import pytest
import yaml

from fanpin.config import load_assistance_config, load_risk_types
from fanpin.config._yaml import default_config_path
from fanpin.exceptions import ConfigError
from fanpin.workflow import AssistanceMap, load_assistance_map


def _shipped():
    return yaml.safe_load(default_config_path("assistance.yaml").read_text("utf-8"))


def _write(tmp_path, data, name="assistance.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_unknown_measure_names_close_match(tmp_path):
    data = _shipped()
    data["risks"]["01"]["measures"] = ["健康帮助", "综合保障"]
    with pytest.raises(ConfigError) as exc:
        load_assistance_config(_write(tmp_path, data))
    assert "'健康帮助'" in str(exc.value) and "did you mean '健康帮扶'" in str(
        exc.value
    )


def test_unknown_department_names_close_match(tmp_path):
    data = _shipped()
    data["measures"]["健康帮扶"]["department"] = "医保局"
    data["measures"]["饮水安全保障"]["department"] = "水务"
    with pytest.raises(ConfigError) as exc:
        load_assistance_config(_write(tmp_path, data))
    msg = str(exc.value)
    assert "2 problem(s)" in msg and "'医保局'" in msg and "'水务'" in msg
    assert "did you mean '医保'" in msg


def test_measure_used_but_not_declared(tmp_path):
    data = _shipped()
    del data["measures"]["搬迁"]
    data["risks"]["99"]["measures"] = ["搬迁"]
    with pytest.raises(ConfigError, match="no entry under 'measures'"):
        load_assistance_config(_write(tmp_path, data))


def test_unquoted_code_and_unknown_key(tmp_path):
    data = _shipped()
    data["risks"][9] = data["risks"].pop("09")
    with pytest.raises(ConfigError, match="quote it"):
        load_assistance_config(_write(tmp_path, data))
    data = _shipped()
    data["extra"] = 1
    with pytest.raises(ConfigError, match="unknown key"):
        load_assistance_config(_write(tmp_path, data))


def test_rule_for_unknown_risk_type(tmp_path):
    data = _shipped()
    data["risks"]["08"] = {"measures": ["社会帮扶"]}
    with pytest.raises(ConfigError, match="unknown risk code"):
        load_assistance_map(_write(tmp_path, data), risk_types=load_risk_types())


def test_risk_types_file_may_hold_other_sections(tmp_path):
    data = yaml.safe_load(default_config_path("risk_types.yaml").read_text("utf-8"))
    data["features"] = {"health__oop_share": "01"}
    rt = load_risk_types(_write(tmp_path, data, "risk_types.yaml"))
    assert rt.name("01") == "因病"
    amap = AssistanceMap(load_assistance_config(), rt)
    assert amap.risk_name("H_dropout") == "义务教育辍学"
