from datetime import date
from pathlib import Path

import pytest

from runner.config import DEFAULT_TEMPLATE
from runner.errors import ConfigError
from runner.plan import PlanContext, check_template, first_part, normalize, render


def ctx(previous: str = "", plan: str = "继续重构支付接口", prev_day: date | None = None) -> PlanContext:
    return PlanContext(date(2026, 11, 20), plan, previous, prev_day, {"id": "alice"})


@pytest.mark.parametrize(("text", "part"), [
    ("2026.11.19\n修复bug\n\n2026.11.18\n旧的", "2026.11.19\n修复bug"),
    ("a\r\nb\r\n\r\nc", "a\nb"),
    ("a\n   \t\nc", "a"),
    ("only one part\n", "only one part"),
    ("", ""),
])
def test_first_part_cuts_at_the_first_blank_line(text: str, part: str) -> None:
    assert first_part(text) == part


def test_shipped_template_reproduces_the_reference_shape() -> None:
    text = render(DEFAULT_TEMPLATE, ctx("2026.11.19\n修复登录 bug\n\n2026.11.18\n更早", prev_day=date(2026, 11, 19)))
    assert text == "2026.11.20\n继续重构支付接口\n\n2026.11.19\n修复登录 bug"


def test_shipped_template_without_previous_plan_ends_after_the_preset() -> None:
    assert render(DEFAULT_TEMPLATE, ctx()) == "2026.11.20\n继续重构支付接口"


def test_multiline_preset_and_trailing_whitespace() -> None:
    assert render(DEFAULT_TEMPLATE, ctx("prev  \n", plan="一\n二\n")) == "2026.11.20\n一\n二\n\nprev"


def test_custom_template_gets_every_name(tmp_path: Path) -> None:
    path = tmp_path / "t.j2"
    path.write_text("{{ account.id }}|{{ previous_date }}|{{ previous_full }}|{{ today.isoformat() }}\n\n\n")
    text = render(path, ctx("x\n\ny", prev_day=date(2026, 11, 19)))
    assert text == "alice|2026-11-19|x\n\ny|2026-11-20"


def test_undefined_name_at_render_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "t.j2"
    path.write_text("line one\n{{ account.missing }}\n")
    with pytest.raises(ConfigError) as err:
        render(path, ctx())
    assert str(err.value) == f"template {path}, line 2: 'dict object' has no attribute 'missing'"


def test_check_template_catches_unknown_names_before_any_run(tmp_path: Path) -> None:
    path = tmp_path / "t.j2"
    path.write_text("{{ today }}\n{{ plann }}\n")
    with pytest.raises(ConfigError) as err:
        check_template(path)
    assert str(err.value) == (f"template {path}, line 2: 'plann' is undefined; use one of account, "
                              "plan, previous, previous_date, previous_full, today")


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "t.j2"
    path.write_text("ok\n\n{{ plan | }}\n")
    with pytest.raises(ConfigError) as err:
        check_template(path)
    assert str(err.value).startswith(f"template {path}, line 3:")


def test_normalize_ignores_line_endings_and_trailing_space() -> None:
    assert normalize("a\r\nb  \n\n") == normalize("a\nb")
    assert normalize("a\nb") != normalize("a\n b")
