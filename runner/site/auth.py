"""Logging in, in each shape a team system takes, and telling when a session has ended.

``auth = "cookie"`` (a login that sets ``cookie_name``), ``"bearer"`` (a login that answers a token
at the dotted ``token_field``, or a ready token) and ``"cookie-secret"`` (the session cookie copied
from the browser into ``DAILYPLAN_COOKIE_<ID>``, for systems behind SSO or a captcha: no login
request at all). A wrong password is tried once per run: trying it again is how accounts get locked.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import requests

from runner.config import Secret, Site
from runner.errors import AuthError, NetworkError, Rejected, SiteChanged
from runner.site.http import Transport
from runner.site.pages import decode_page, dig, hidden_value, is_login_page
from runner.site.quote import quote_answer
from runner.site.shapes import login_request, session_cookies

REDIRECTS = frozenset({301, 302, 303, 307, 308})
LOGINISH = re.compile(r"log-?[io]n|sign-?in|/sso\b|/cas\b|/auth\b|/oauth|passport|/uaa\b", re.I)


def page_text(resp: requests.Response) -> str:
    return decode_page(resp.content, resp.headers.get("Content-Type", ""))


def session_ended(site: Site, resp: requests.Response) -> bool:
    """401, a redirect to the login page on any host, or a 200 page holding a password field."""
    if resp.status_code == 401:
        return True
    if resp.status_code in REDIRECTS:
        # a relative Location ("login.do", "../login") is resolved as a browser would
        where = urljoin(resp.url or site.base_url + "/", resp.headers.get("Location", ""))
        target = urlsplit(where).path.rstrip("/")
        prefix = urlsplit(site.base_url).path.rstrip("/")
        logins = {urlsplit(p).path.rstrip("/")
                  for p in (site.login_path, site.login_page_path, site.api_login_path)}
        # the login form's page is often not where it posts to (/login.jsp → /j_security_check,
        # or an SSO host): a path that names a login is one too
        return target in logins | {prefix + p for p in logins} or bool(LOGINISH.search(target))
    if resp.status_code == 200 and "json" not in resp.headers.get("Content-Type", ""):
        return is_login_page(page_text(resp))
    if resp.status_code == 200:  # JSON APIs that always answer 200 say it in the body: {"code": 401}
        try:
            body = json.loads(page_text(resp))
        except ValueError:
            return False
        return isinstance(body, dict) and any(
            str(body.get(key)) == "401" for key in ("code", "status", "errcode", "errCode"))
    return False


def ended_message(site: Site, username: str, secret: Secret, fresh: bool) -> str:
    """Why an ended session is an auth failure rather than a reason to log in (again)."""
    if secret.kind == "cookie":
        return (f"the site ended the session in {secret.variable}; copy a fresh cookie from the "
                "browser (after logging in) and update the secret")
    if secret.kind == "token":
        return (f"the site refused {secret.variable}; copy a fresh token from the browser and "
                "update the secret")
    if fresh:
        return (f"the site refused {username} right after logging in (the session ended on "
                f"the first request); check {secret.variable}")
    return f"the site keeps ending {username}'s session; check {secret.variable}"


def log_in(site: Site, transport: Transport, username: str, secret: Secret) -> str | None:
    """Log in (or install the ready token or cookie) on the transport's session.

    Returns the CSRF token the login page gave, if ``csrf_field`` is set, for the submit.
    """
    http = transport.session
    if secret.kind == "cookie":
        http.cookies.clear()
        for name, value in session_cookies(secret.value, site.cookie_name):
            http.cookies.set(name, value)
        return None
    if secret.kind == "token":
        expires = jwt_expiry(secret.value)
        if expires and expires <= datetime.now(UTC):
            raise AuthError(f"{secret.variable} expired on {expires:%Y-%m-%d %H:%M} UTC; "
                            "copy a fresh token from the browser and update the secret")
        http.headers["Authorization"] = f"Bearer {secret.value}"
        return None
    if site.auth != "bearer":
        http.cookies.clear()
    http.headers.pop("Authorization", None)
    csrf = _csrf_from_login_page(site, transport) if site.csrf_field else None
    req = login_request(site, username, secret.value, csrf)
    resp = transport.send(req.method, req.path, **req.kwargs)
    refused = f"login refused for {username}"
    if resp.status_code >= 500:
        raise NetworkError(f"{transport.host} answered {resp.status_code} to {req.method} {req.path}")
    if resp.status_code in (401, 403):
        raise AuthError(f"{refused}; check {secret.variable}")
    if 400 <= resp.status_code < 500:
        raise Rejected(f"{transport.host} answered {resp.status_code} to {req.method} {req.path}; "
                       f"check site.{'api_login_path' if site.auth == 'bearer' else 'login_path'}")
    text = page_text(resp)
    if site.auth == "bearer":
        try:
            token = dig(json.loads(text), site.token_field) if resp.status_code == 200 else None
        except (ValueError, KeyError):
            token = None
        if not isinstance(token, str | int) or isinstance(token, bool) or not str(token):
            raise AuthError(f"{refused}; check {secret.variable}")
        http.headers["Authorization"] = f"Bearer {token}"
        return csrf
    if not cookie_value(http.cookies, site.cookie_name):
        others = sorted({c.name for c in http.cookies})
        hint = f" (or site.cookie_name: the site set {', '.join(others)})" if others else ""
        said = quote_answer(text)  # a short answer, or the kind of page: never the page
        raise AuthError(f"{refused} (the site answered {said}); check {secret.variable}{hint}")
    if (resp.status_code == 200 and is_login_page(text)) or (
            resp.status_code in REDIRECTS and session_ended(site, resp)):
        raise AuthError(f"{refused} (the login page came back); check {secret.variable}")
    return cookie_value(http.cookies, site.csrf_field) or csrf if site.csrf_field else None


def _csrf_from_login_page(site: Site, transport: Transport) -> str:
    bare = urlsplit(site.login_page_path).path
    resp = transport.send("GET", bare, params=urlsplit(site.login_page_path).query or None)
    if resp.status_code >= 500:
        raise NetworkError(f"{transport.host} answered {resp.status_code} to GET {bare}")
    if resp.status_code >= 400:
        raise Rejected(f"{transport.host} answered {resp.status_code} to GET {bare}; "
                       "check site.login_page_path (or site.login_path)")
    value = (hidden_value(page_text(resp), site.csrf_field)
             or cookie_value(transport.session.cookies, site.csrf_field))
    if value is None:
        raise SiteChanged(f"the login page GET {bare} ({resp.status_code}) has no field or cookie "
                          f"{site.csrf_field!r}; set site.csrf_field to its hidden input's name "
                          "(or to '' if there is none)")
    return value


def cookie_value(jar: requests.cookies.RequestsCookieJar, name: str) -> str | None:
    """A cookie's value by name; the last one set when a site sets it for two paths.

    (``jar.get`` raises on such a pair, which Java apps produce with ``/`` and ``/app``.)
    """
    found = [c.value for c in jar if c.name == name and c.value]
    return found[-1] if found else None


def jwt_expiry(token: str) -> datetime | None:
    """Read a JWT's ``exp`` without verifying it: only to warn early, the server decides."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        exp = payload.get("exp") if isinstance(payload, dict) else None
        return datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None
    except (ValueError, TypeError, OverflowError, OSError):
        return None
