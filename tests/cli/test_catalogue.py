"""The message catalogue: every template and help text has its Chinese, the
shipped .mo is the compiled .po, and the Chinese reads as Chinese."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("babel")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogue():
    spec = importlib.util.spec_from_file_location(
        "fanpin_messages_tool", ROOT / "scripts" / "messages.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def zh(catalogue):
    return {m.id: m.string for m in catalogue._read(catalogue.po_path("zh_CN"), "zh_CN")
            if m.id}  # fmt: skip


def test_catalogue_is_complete_and_compiled(catalogue):
    """Every N_ template and every --help text is translated (same placeholders),
    nothing unused is left, and the shipped .mo matches the .po."""
    problems = catalogue.problems()
    assert not problems, "run `make messages` and translate:\n" + "\n".join(problems)


def test_extraction_finds_code_templates_and_help(catalogue):
    ids = {m.id for m in catalogue.extract() if m.id}
    from fanpin.cli._alerts import MSG_CASES
    from fanpin.cli._app import MSG_APP_HELP
    from fanpin.exceptions import MSG_SCHEMA_HEADER

    assert {MSG_CASES, MSG_APP_HELP, MSG_SCHEMA_HEADER} <= ids
    assert "Households per chunk (whole counties; bounds memory)." in ids  # help=
    assert any(i.startswith("Write the early-warning list") for i in ids)  # docstring
    assert "Show this message and exit." in ids  # typer's own --help option


def test_the_mo_file_is_package_data():
    from importlib import resources

    mo = resources.files("fanpin") / "locale/zh_CN/LC_MESSAGES/fanpin.mo"
    assert mo.is_file()
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "locale/*/LC_MESSAGES/*.mo" in text


CJK = "\u4e00-\u9fff"
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"[{CJK}][,;:?!]|[,;:?!(][{CJK}]|[{CJK}]\)")


def test_chinese_uses_full_width_punctuation(zh):
    """Commas, colons, question marks and parentheses next to Chinese characters
    are the full-width ones (，：？（）), as in official documents."""
    bad = {k: v for k, v in zh.items() if HALF_WIDTH_NEXT_TO_CHINESE.search(v)}
    assert not bad, bad


def test_chinese_uses_the_field_s_terms(zh):
    """The words county and township staff use: 预警, 户编码, 核查, 风险消除."""
    from fanpin.cli._alerts import MSG_CASES, OUT_ALERTS_CSV, STEP_HAND_OUT
    from fanpin.cli._cases import LABELS

    assert "预警名单" in zh[OUT_ALERTS_CSV]
    assert "核查" in zh[STEP_HAND_OUT]
    assert zh[LABELS["household_id"]] == "户编码"
    assert zh[LABELS["elimination_method"]] == "风险消除方式"
    # "4 fell": what fell is the risk level of an open case
    assert "风险等级上升" in zh[MSG_CASES] and "下降" in zh[MSG_CASES]
    assert "rose to a higher risk level" in MSG_CASES
    assert "fell to a lower one" in MSG_CASES
