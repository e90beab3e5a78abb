"""The language weituo's management commands speak (``weituo.core.commands``): Chinese unless the
environment asks for English, as gettext reads it; help, argument errors, output and errors alike."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.utils import translation

from weituo.core.commands import LANGUAGE_VARIABLES, cli_language, error_text
from weituo.core.errors import ErrorDetail, ValidationFailed


@pytest.fixture(autouse=True)
def no_language_asked(monkeypatch):
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "zh-hans"),
        ({"LANG": "C.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh-hans"),  # LC_MESSAGES before LANG
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),  # LC_ALL before both
        ({"LC_ALL": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh-hans"),  # LANGUAGE first of all
        ({"LANGUAGE": "en_US:zh_CN", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "", "LANG": "en_US.UTF-8"}, "en"),  # an empty variable is not set
    ],
)
def test_the_language_is_the_sites_unless_the_environment_asks_for_english(environ, language):
    assert cli_language(environ) == language


def test_an_application_error_is_shown_in_the_commands_language():
    error = ValidationFailed(
        code="validation_failed",
        message_zh="导入有 1 处错误，未写入任何数据",
        message_en="import has 1 error(s); nothing was written",
        details=[ErrorDetail("统一社会信用代码无效", "invalid USCC", sheet="企业", row=2, column="统一社会信用代码")],
    )
    with translation.override("zh-hans"):
        assert error_text(error) == (
            "validation_failed: 导入有 1 处错误，未写入任何数据\n  - [企业] 第2行 列「统一社会信用代码」: 统一社会信用代码无效"
        )
    with translation.override("en"):
        assert error_text(error) == (
            "validation_failed: import has 1 error(s); nothing was written\n"
            "  - [企业] row 2 column “统一社会信用代码”: invalid USCC"
        )


def test_help_and_argument_errors_speak_the_readers_language(monkeypatch, capsys):
    command = load_command_class("weituo.integrity", "ledger")
    command.print_help("weituo", "ledger")
    assert "审计追踪：检查点、校验、导出" in capsys.readouterr().out
    with pytest.raises(CommandError, match="日期无法解析"):
        call_command("calendar", "add", "2026-02-30", "5")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    command.print_help("weituo", "ledger")
    assert "audit ledger: checkpoint, verify, export" in capsys.readouterr().out
    with pytest.raises(CommandError, match="cannot parse date"):
        call_command("calendar", "add", "2026-02-30", "5")


def test_a_command_leaves_the_active_language_as_it_found_it(monkeypatch, db):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    with translation.override("zh-hans"):
        with pytest.raises(CommandError):
            call_command("calendar", "add", "2026-02-30", "5")  # spoke English, as the environment asked
        assert translation.get_language() == "zh-hans"
