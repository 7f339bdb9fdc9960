"""``quote_answer``: a site's words on one short line, a page only by its kind."""

from __future__ import annotations

import pytest

from runner.site.quote import quote_answer

LOGIN = '<html><head><title>登录</title></head><body><input type="password" value="pw-ECHO"></body></html>'


@pytest.mark.parametrize(("answer", "quoted"), [
    ('"\\u5185\\u5bb9\\u4e0d\\u80fd\\u4e3a\\u7a7a"\n', "'内容不能为空'"),  # the JSON-string answer
    ("plain words\r\nover\tlines\x1b[31m", "'plain words over lines [31m'"),
    ('{"code": 1, "msg": "locked"}', '\'{"code": 1, "msg": "locked"}\''),
    ('"lone \\ud800 surrogate"', "'lone \ufffd surrogate'"),
    ("   ", "an empty answer"),
    (LOGIN, "a login page"),
    ("<!DOCTYPE html><html><head><title> 403\n无权限 </title></head></html>",
     "an HTML page titled '403 无权限'"),
    ("<div>no title here</div>", "an HTML page without a title"),
])
def test_quotes_text_and_names_pages(answer: str, quoted: str) -> None:
    assert quote_answer(answer) == quoted


def test_long_text_is_cut_at_the_limit() -> None:
    quoted = quote_answer("长" * 5000)
    assert quoted == "'" + "长" * 199 + "…'"


def test_a_page_is_never_quoted_even_in_part() -> None:
    assert "pw-ECHO" not in quote_answer(LOGIN) and "pw-ECHO" not in quote_answer(LOGIN * 50)
