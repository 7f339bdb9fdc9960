"""A person at the browser, for any sandbox profile: log in, look, submit by hand, look again.

Driven by the profile's own description (``runner.sandbox.profiles.Profile``), the way the
person's browser would talk to that system: the login form and its CSRF field, a bearer token
kept by the page's script, a GBK form posted by the page, a cookie from single sign-on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup
from har_recorder import Browser


def written(day: date, fmt: str) -> str:
    return datetime(day.year, day.month, day.day).strftime(fmt)


def _hidden(html: str, name: str) -> str | None:
    box = BeautifulSoup(html, "html.parser").find("input", attrs={"name": name})
    return str(box["value"]) if box is not None and box.get("value") else None


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def record(profile: Any, base_url: str, *, username: str, password: str, day: date, text: str,
           sso_cookie: str | None = None, team: bool = True) -> dict[str, Any]:
    """The recording of one person filing ``text`` for ``day`` by hand, with the page's noise."""
    b = Browser(base_url)
    fmt, csrf_name, page = profile.date_format, profile.csrf_field, ""
    b.noise()
    creds = {profile.username_param: username, profile.password_param: password}
    token = bool(getattr(profile, "token_field", ""))
    if profile.login_path is None:  # single sign-on happened elsewhere; the browser holds the cookie
        b.http.cookies.set(profile.cookie_name, sso_cookie or "", path="/")
        answer = None
    elif profile.login_method == "get":
        answer = b.fetch("GET", profile.login_path, params=creds)
    elif profile.login_method == "post-form":  # the form may be shown on a page of its own
        page = b.open(getattr(profile, "login_page", None) or profile.login_path).text
        fields = list(creds.items())
        if csrf_name and (value := _hidden(page, csrf_name)):
            fields.append((csrf_name, value))
        answer = b.post_form(profile.login_path, fields, xhr=token)  # a token comes back to a script
        page = answer.text
    else:  # a script posts JSON, with the CSRF field of the page the form is on
        if csrf_name:
            page = b.open(getattr(profile, "login_page", None) or profile.login_path).text
            if value := _hidden(page, csrf_name):
                creds[csrf_name] = value
        answer = b.fetch("POST", profile.login_path, xhr=False, body=creds)
    if token and answer is not None:  # the page's script keeps the token and sends it back
        b.extra["Authorization"] = f"Bearer {_dig(answer.json(), profile.token_field)}"
    b.noise()
    rng = {profile.start_param: written(day - timedelta(days=30), fmt), profile.end_param: written(day, fmt)}

    def look() -> str:
        if profile.page_format == "json":
            return b.fetch("GET", profile.history_path, params=rng, xhr=False).text
        return b.open(profile.history_path, rng).text

    page = look() or page
    b.noise()
    fields = [(profile.date_param, written(day, fmt)), (profile.content_param, text),
              *profile.required_fields]
    if csrf_name and (value := _hidden(page, csrf_name) or _cookie(b, csrf_name)):
        fields.append((csrf_name, value))
    if profile.submit_format == "json":
        b.fetch(profile.submit_method, profile.submit_path, body=dict(fields), xhr=False)
    else:  # jQuery posts UTF-8; an old GBK page posts its own form, encoded in the page's charset
        utf8 = profile.charset.lower() in ("utf-8", "utf8")
        b.post_form(profile.submit_path, fields, xhr=utf8, charset=profile.charset,
                    method=profile.submit_method)
    look()
    if team:
        params = {profile.team_date_param: written(day, fmt)}
        if profile.page_format == "json":
            b.fetch("GET", profile.team_path, params=params, xhr=False)
        else:
            b.open(profile.team_path, params)
    b.noise()
    return b.har()


def _cookie(b: Browser, name: str) -> str | None:
    return b.http.cookies.get(name)
