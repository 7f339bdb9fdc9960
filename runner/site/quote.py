"""How a message quotes what the site said: a short line of text, never a page.

Answers are quoted so a person can see what the site meant ('内容不能为空'), but a page is not
an answer: a login form may hold the password it was just sent (``<input type="password"
value="…">``, common in old Java web apps), and a 40 KB page in a result file or an issue helps no
one. So text is quoted up to ``LIMIT`` characters on one line, and a page is named by its kind:
"a login page", or its ``<title>``. Every message that quotes an answer goes through
``quote_answer``; redaction (``runner.redact``) still runs at every sink after it.
"""

from __future__ import annotations

import re

from runner.site.pages import is_login_page, soup
from runner.site.shapes import answer_text

LIMIT = 200
_TAG = re.compile(r"<\s*(?:!doctype|html|head|body|form|input|textarea|div|table|title|script|"
                  r"style|meta|link|p|h[1-6]|span|a|br|ul|li)\b", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def quote_answer(text: str, limit: int = LIMIT) -> str:
    """What the site answered, ready for a message: ``'its words'`` or the kind of page it was."""
    if _TAG.search(text):
        return describe_page(text)
    said = one_line(answer_text(text))
    if not said:
        return "an empty answer"
    return repr(said if len(said) <= limit else said[: limit - 1] + "…")


def describe_page(page: str) -> str:
    """A page by its kind, never its content: a login page, or the page its title names."""
    if is_login_page(page):
        return "a login page"
    title = soup(page).title
    name = one_line(title.get_text()) if title else ""
    return f"an HTML page titled {name[:80]!r}" if name else "an HTML page without a title"


def one_line(text: str) -> str:
    """Text fit for a one-line message: no line breaks or control characters, no lone surrogates."""
    return " ".join(_CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text)).split())
