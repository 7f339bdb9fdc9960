import json
from datetime import date

import pytest

from runner.config import Site
from runner.errors import SiteChanged
from runner.sandbox import escape_plan
from runner.site.pages import count_team_plans, decode_text, parse_history

SITE = Site(base_url="http://x")
TRICKY = '2026.11.20\n中文 🚀 <b>&amp; "quoted" C:\\new \\u4fee typed\r\nend'


def row(day: str, text: str) -> str:
    return (f'<div class="routine"><span class="date">{day}</span>\n'
            f'  <textarea name="content" readonly>{escape_plan(text)}</textarea></div>')


def page(*rows: str, extra: str = '<textarea name="draft">2026-11-21 draft</textarea>') -> str:
    return "<html><body><h1>日报</h1>" + "".join(rows) + extra + "</body></html>"


def test_decode_round_trips_what_json_escaping_stores() -> None:
    assert decode_text(json.dumps(TRICKY)[1:-1]) == TRICKY


def test_unicode_escape_would_mangle_it() -> None:
    stored = json.dumps(TRICKY)[1:-1]
    assert stored.encode().decode("unicode-escape") != TRICKY  # the original script's decoder


def test_history_rows_newest_first_and_draft_box_ignored() -> None:
    html = page(row("2026-11-19", "older"), row("2026-11-20", TRICKY))
    rows = parse_history(html, SITE)
    assert [(r.day, r.text) for r in rows] == [(date(2026, 11, 20), TRICKY), (date(2026, 11, 19), "older")]


def test_the_empty_row_means_no_plans() -> None:
    assert parse_history(page(row("", "")), SITE) == []


def test_no_rows_at_all_is_a_changed_site() -> None:
    with pytest.raises(SiteChanged) as err:
        parse_history(page(extra="<table><tr><td>2026-11-20</td></tr></table>"), SITE)
    assert "no '.routine' rows" in str(err.value)


def test_a_row_without_a_date_is_a_changed_site() -> None:
    with pytest.raises(SiteChanged, match="no readable date"):
        parse_history(page(row("Nov 20", "text")), SITE)


def test_unescaped_text_suggests_plain_encoding() -> None:
    html = page('<div class="routine"><span class="date">2026-11-20</span><textarea>say "hi"</textarea></div>')
    with pytest.raises(SiteChanged, match="content_encoding = 'plain'"):
        parse_history(html, SITE)
    plain = Site(base_url="http://x", content_encoding="plain")
    assert parse_history(html, plain)[0].text == 'say "hi"'


def test_custom_selectors_from_the_profile() -> None:
    site = Site(base_url="http://x", row_selector="li.plan", row_date_selector="time",
                row_content_selector="pre")
    html = '<ul><li class="plan"><time>2026-11-20</time><pre>a\\nb</pre></li></ul>'
    assert parse_history(html, site)[0].text == "a\nb"


def test_team_page_counts_plans_longer_than_15_characters() -> None:
    long_plan = escape_plan("2026.11.20\n继续推进支付重构与测试")
    html = ("<table>"
            f"<tr><td>a</td><td><textarea>{long_plan}</textarea></td></tr>"
            f"<tr><td>b</td><td><textarea>{long_plan}</textarea></td></tr>"
            "<tr><td>c</td><td><textarea>未填写</textarea></td></tr>"
            f"<tr><td>d</td><td><textarea>{escape_plan('短计划')}</textarea></td></tr></table>")
    assert count_team_plans(html, SITE) == 2
