"""Pages beyond the reference system: JSON history and team pages, written dates, charsets. No server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from runner.config import Site
from runner.errors import SiteChanged
from runner.site.dates import format_day, parse_day
from runner.site.pages import (
    count_team_plans,
    decode_page,
    dig,
    hidden_value,
    is_login_page,
    parse_history,
)

SITE = Site(base_url="http://x")
JSON_SITE = replace(SITE, history_format="json", history_items="data.rows", history_date_field="day",
                    history_content_field="text", team_items="data.members", team_content_field="plan")


@pytest.mark.parametrize("text", ["2026-11-20", "2026/11/20", "2026.11.20", "20261120", "2026-11-20 09:30:00",
                                  "2026/11/20T09:30", "  2026.11.20\n", "2026年11月20日", "2026-11-20T00:00:00+08:00",
                                  "日期：2026-11-20", "周五 2026/11/20", "12345678 2026-11-20"])
def test_common_written_dates(text: str) -> None:
    assert parse_day(text) == date(2026, 11, 20)


@pytest.mark.parametrize("text", ["", "未填写", "11/20/2026", "202611201", "2026-13-01", "2026-02-30", "11月20日"])
def test_what_is_not_a_date(text: str) -> None:
    assert parse_day(text) is None


def test_date_format_is_how_dates_are_written() -> None:
    assert format_day(date(2026, 1, 5), SITE) == "2026-01-05"
    assert format_day(date(2026, 1, 5), replace(SITE, date_format="%Y/%m/%d")) == "2026/01/05"


def test_json_history_at_a_dotted_path_newest_first() -> None:
    body = json.dumps({"code": 0, "data": {"rows": [
        {"day": "2026/11/19", "text": "昨天\n第二行"}, {"day": "2026/11/20 10:00", "text": "今天"},
        {"day": "", "text": ""}]}})
    rows = parse_history(body, JSON_SITE)
    assert [(r.day, r.text) for r in rows] == [(date(2026, 11, 20), "今天"), (date(2026, 11, 19), "昨天\n第二行")]


def test_json_history_top_level_list() -> None:
    site = replace(SITE, history_format="json")
    assert parse_history('[{"date": "20261120", "content": "x"}]', site) == parse_history(
        '[{"date": "2026-11-20", "content": "x"}]', site)


def test_a_wrong_json_path_names_the_key() -> None:
    with pytest.raises(SiteChanged) as err:
        parse_history(json.dumps({"code": 0, "data": {"list": []}}), JSON_SITE)
    assert str(err.value) == ("the history answer has no list at 'data.rows' (it holds: code, data); "
                              "set site.history_items to the dotted path of the list")


def test_a_wrong_date_field_names_the_key() -> None:
    with pytest.raises(SiteChanged) as err:
        parse_history(json.dumps({"data": {"rows": [{"date": "2026-11-20", "text": "x"}]}}), JSON_SITE)
    assert str(err.value) == ("a history item has no readable date in 'day' (found ''; fields: date, text); "
                              "set site.history_date_field")


def test_an_html_page_where_json_was_expected() -> None:
    with pytest.raises(SiteChanged, match="not JSON; if your system serves an HTML page there"):
        parse_history("<html></html>", JSON_SITE)


def test_json_team_page() -> None:
    body = json.dumps({"data": {"members": [{"plan": "1. 写接口文档并评审上线方案，然后跟进测试"}, {"plan": "未填写"},
                                            {"plan": None}]}})
    assert count_team_plans(body, JSON_SITE) == 1


def test_html_rows_of_any_element_with_slashed_dates() -> None:
    site = replace(SITE, row_selector="table#plans tr", row_date_selector="td.d", row_content_selector="td.t",
                   content_encoding="plain")
    html = ('<table id="plans"><tr><td class="d">2026/11/20</td><td class="t">一<br>二</td></tr>'
            '<tr><td class="d">2026/11/19</td><td class="t">三</td></tr></table>')
    assert [(r.day, r.text) for r in parse_history(html, site)] == [
        (date(2026, 11, 20), "一\n二"), (date(2026, 11, 19), "三")]


def test_dig_follows_objects_and_list_indexes() -> None:
    assert dig({"data": {"token": "t"}}, "data.token") == "t"
    assert dig({"data": [{"token": "t"}]}, "data.0.token") == "t"
    assert dig([1], "") == [1]
    with pytest.raises(KeyError):
        dig({"data": {}}, "data.token")


@pytest.mark.parametrize(("body", "content_type"), [
    ("计划".encode("gbk"), "text/html; charset=GBK"),
    ('<meta charset="gb2312">计划'.encode("gbk"), "text/html"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=gbk">计划'.encode("gbk"), ""),
    (b"\xef\xbb\xbf" + "计划".encode(), "text/html; charset=gbk"),  # the BOM says what the bytes are
    ("计划".encode(), ""),
])
def test_pages_decoded_by_their_declared_charset(body: bytes, content_type: str) -> None:
    assert decode_page(body, content_type).endswith("计划")
    assert not decode_page(body, content_type).startswith("\ufeff")


def test_login_page_and_hidden_fields() -> None:
    login = '<form><input type="hidden" name="_csrf" value="abc"><input TYPE="Password" name="pwd"></form>'
    assert is_login_page(login)
    assert not is_login_page('<div class="routine">password reset tips</div>')
    assert is_login_page('<input name="u"><input type="password" name="p">')  # no form element at all
    change = ('<div class="routine"><span class="date">2026-11-20</span></div><form id="pw">'
              '<input type="password" name="old"><input type="password" name="new">'
              '<input type="password" name="again"></form>')
    assert not is_login_page(change)  # a change-password dialog on every page is not a login page

    assert hidden_value(login, "_csrf") == "abc"
    assert hidden_value('<meta name="_csrf" content="m1">', "_csrf") == "m1"
    assert hidden_value(login, "other") is None


@pytest.mark.parametrize(("stamp", "day"), [
    ("1795104000000", date(2026, 11, 20)),  # midnight in Shanghai, in milliseconds
    ("1795104000", date(2026, 11, 20)),  # the same in seconds
    ("1795132800000", date(2026, 11, 20)),  # midnight UTC
    ("1795140000000", date(2026, 11, 20)),  # 10:00 Shanghai
])
def test_json_dates_as_unix_times(stamp: str, day: date) -> None:
    site = replace(SITE, history_format="json")
    rows = parse_history(json.dumps([{"date": int(stamp), "content": "x"}]), site)
    assert [r.day for r in rows] == [day]
