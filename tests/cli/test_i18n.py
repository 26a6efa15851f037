"""The command line in Chinese and in English: the language switch, summaries,
errors, warnings, usage errors and --help of every command."""

from __future__ import annotations

import warnings

import pytest
import typer
from typer.testing import CliRunner

import fanpin
from fanpin.cli import app
from fanpin.cli._app import FanpinCommand, FanpinGroup, FanpinTyper
from fanpin.cli._i18n import language_from_args, language_from_env
from fanpin.exceptions import FanpinWarning
from fanpin.messages import N_, Message

from ..conftest import make_rows

runner = CliRunner()

#: No language from the environment unless a test gives one.
NO_LOCALE = dict.fromkeys(
    ("FANPIN_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
)


def invoke(args, **env):
    return runner.invoke(app, args, env={**NO_LOCALE, **env})


def flat(text: str) -> str:
    """Output with rich's line breaks and panel borders taken out."""
    return " ".join(w for w in text.split() if w not in "│╭╮╰╯")


def zh(args, **env):
    return invoke(["--lang", "zh", *args], **env)


def en(args, **env):
    return invoke(["--lang", "en", *args], **env)


# -- which language ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "zh"),  # the locale says nothing: Chinese
        ({"LANG": "C"}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_GB"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # another language: the source language
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh"),
        ({"LANG": "C", "LANGUAGE": "en"}, "zh"),  # GNU: LANGUAGE ignored under C
        ({"LANG": "en_US.UTF-8", "FANPIN_LANG": "zh"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "FANPIN_LANG": "en"}, "en"),
        ({"FANPIN_LANG": "zh_CN"}, "zh"),
        ({"FANPIN_LANG": "", "LANG": "en_US.UTF-8"}, "en"),  # empty says nothing
    ],
)
def test_language_from_the_environment(env, lang):
    assert language_from_env(env) == lang
    res = invoke(["--help"], **env)
    assert res.exit_code == 0, res.output
    assert ("用法：" in res.output) == (lang == "zh")
    assert ("Usage:" in res.output) == (lang == "en")


def test_lang_option_wins_over_environment():
    assert "Usage:" in invoke(["--lang", "en", "--help"], FANPIN_LANG="zh").output
    assert "用法：" in invoke(["--lang=zh", "--help"], LANG="en_US.UTF-8").output
    assert language_from_args(["--lang", "en", "score"]) == "en"
    assert language_from_args(["score", "--lang", "en"]) is None  # global only


def test_bad_language_is_a_usage_error_in_the_environment_s_language():
    res = invoke(["--lang", "fr", "--help"], LANG="zh_CN.UTF-8")
    assert res.exit_code == 2
    assert "应为 zh（中文）或 en（英文）" in res.output
    res = invoke(["simulate", "--help"], FANPIN_LANG="klingon", LANG="en_US.UTF-8")
    assert res.exit_code == 2
    assert "expected zh (Chinese) or en (English)" in flat(res.output)


def test_every_command_is_a_fanpin_command():
    """New commands and sub-apps must be made with FanpinTyper, or their help and
    errors are not translated."""
    root = typer.main.get_command(app)
    assert isinstance(root, FanpinGroup)

    def walk(cmd):
        yield cmd
        for sub in getattr(cmd, "commands", {}).values():
            yield from walk(sub)

    for cmd in walk(root):
        assert isinstance(cmd, FanpinCommand | FanpinGroup), cmd.name


# -- --help of every command ------------------------------------------------------

COMMANDS = [
    [], ["simulate"], ["validate"], ["train"], ["score"], ["alerts"], ["evaluate"],
    ["report"], ["cases"], ["cases", "list"], ["cases", "show"], ["cases", "update"],
]  # fmt: skip


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "fanpin")
def test_help_in_both_languages(path):
    cn = zh([*path, "--help"])
    assert cn.exit_code == 0, cn.output
    for text in ("用法：", "选项", "显示本帮助并退出。"):
        assert text in cn.output, (text, cn.output)
    # Chinese wraps between characters: nothing is cut with "…" (the only ones
    # are those of the texts, as in postgresql://…)
    assert "…" not in cn.output.replace("://…", ""), cn.output
    assert "Show this message" not in cn.output
    english = en([*path, "--help"])
    assert english.exit_code == 0, english.output
    for text in ("Usage:", "Options", "Show this message and exit."):
        assert text in flat(english.output)
    assert "选项" not in english.output


def test_help_shows_translated_docstring_and_option_help():
    cn = flat(zh(["score", "--help"]).output).replace(" ", "")
    assert "对数据中最近一年尚未处于困难的农户评分并按风险排序" in cn
    assert "评分结果文件" in cn and "［必填］" in cn and "［默认：local］" in cn
    english = flat(en(["score", "--help"]).output)
    assert "Scores file (.csv or .parquet)." in english
    assert "[default: local]" in english


def test_usage_errors_in_chinese():
    res = zh(["simulate"])
    assert res.exit_code == 2
    assert "缺少选项 '--out'。" in res.output and "错误" in res.output
    res = zh(["simulate", "--out", "x", "--households", "abc"])
    assert res.exit_code == 2 and "应为整数。" in res.output
    res = zh(["simulat"])
    assert res.exit_code == 2 and "没有命令 'simulat'。" in res.output
    assert "是否应为 'simulate'？" in res.output
    res = zh(["simulate", "--out", "x", "--years", "2025-2021"])
    assert res.exit_code == 2 and "--years 应写成 2021-2025" in res.output
    res = en(["simulate"])
    assert res.exit_code == 2 and "Missing option '--out'." in res.output


# -- summaries, errors, warnings ---------------------------------------------------


def test_simulate_summary_and_next_step_in_both_languages(tmp_path):
    cn = zh(["simulate", "--households", "20", "--years", "2023-2024", "--out",
             str(tmp_path / "a")])  # fmt: skip
    assert cn.exit_code == 0, cn.output
    assert "已模拟 20 户 × 2 年（随机种子 0）" in cn.output
    assert "输出文件：" in cn.output and "下一步：" in cn.output
    assert str(tmp_path / "a" / "panel.parquet") in cn.output
    assert "fanpin validate" in cn.output and "fanpin train" in cn.output
    english = en(["simulate", "--households", "20", "--years", "2023-2024", "--out",
                  str(tmp_path / "b")])  # fmt: skip
    assert english.exit_code == 0, english.output
    assert "Simulated 20 households × 2 years (seed 0)" in english.output
    assert "Outputs:" in english.output and "Next:" in english.output


def test_a_csv_without_the_year_column_is_a_chinese_error(tmp_path):
    path = tmp_path / "p.csv"
    rows = make_rows({}).rename(columns={"year": "年度"})
    rows.drop(columns=["年度"]).to_csv(path, index=False)
    res = invoke(["validate", str(path)], LANG="zh_CN.UTF-8")
    assert res.exit_code == 1
    assert "错误：农户数据不符合数据规范（共 1 个问题）" in res.output, res.output
    assert "缺少必填列 'year'（年度）" in res.output
    assert "Traceback" not in res.output
    res = en(["validate", str(path)])
    assert res.exit_code == 1
    assert "error: The households break the data contract (1 problem(s))" in res.output
    assert "required column 'year' (年度) is missing" in res.output


def test_config_error_in_both_languages(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - {id: drop, kind: income_drop, params: {share: 0.3}}\n"
        "  - {id: drop, kind: income_drop, params: {share: 0.5}}\n",
        encoding="utf-8",
    )
    args = ["evaluate", str(tmp_path / "panel.csv"), "--rules", str(rules)]
    cn = zh(args)
    assert cn.exit_code == 1
    assert "错误：规则编号不能重复；['drop'] 出现了不止一次。" in cn.output
    english = en(args)
    assert "error: Rule ids must be unique; ['drop'] appear more than once." in (
        english.output
    )


MSG_TEST_WARNING = N_("Rule {rule!r}: parameter {name!r} must be a positive number; got {value!r}.")  # noqa: E501 - a template of the catalogue


def _warning_app() -> FanpinTyper:
    demo = FanpinTyper(add_completion=False)

    @demo.callback()
    def _root(lang: str = typer.Option(None, "--lang")) -> None:
        pass

    @demo.command("warn")
    def _warn() -> None:
        warnings.warn(
            Message(MSG_TEST_WARNING, rule="r", name="share", value=-1),
            FanpinWarning,
            stacklevel=2,
        )

    return demo


def test_warnings_are_one_translated_line():
    demo = _warning_app()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        cn = runner.invoke(demo, ["--lang", "zh", "warn"], env=NO_LOCALE)
        english = runner.invoke(demo, ["--lang", "en", "warn"], env=NO_LOCALE)
    assert cn.exit_code == 0, cn.output
    assert cn.output.strip() == "警告：规则 'r'：参数 'share' 应为正数，实际为 -1。"
    assert english.output.strip() == (
        "warning: Rule 'r': parameter 'share' must be a positive number; got -1."
    )


def test_repaired_values_are_reported_in_chinese(tmp_path):
    path = tmp_path / "p.csv"
    rows = make_rows({}, {"household_id": "2"})
    rows["income_wage"] = ["40,000", "12,550"]
    rows.to_csv(path, index=False)
    res = zh(["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert "已修复：" in res.output
    assert "✓ p.csv 合格" in res.output
    assert "数据概况" in res.output and "困难户数" in res.output


# -- version -----------------------------------------------------------------------


def test_version():
    res = invoke(["--version"])
    assert res.exit_code == 0
    assert res.output.strip() == f"fanpin {fanpin.__version__}"
    assert fanpin.__version__ and fanpin.__version__ != "0.0.0"


def test_the_package_shows_its_version_only_as_dunder_version():
    names = set(dir(fanpin))
    assert "__version__" in names
    assert not names & {"version", "PackageNotFoundError", "importlib", "metadata"}
