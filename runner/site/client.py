"""The only module that speaks HTTP to the team system.

One client per account per run: it logs in once, keeps the session and logs in again at most once
when the session ends mid-run. Sending, retrying and bounding each request is the transport's job
(``runner.site.http``); this module knows the site's paths, parameters and answers. Messages never
include a URL: the reference system's login puts the password in the query string.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from runner.config import Secret, Site
from runner.deadline import Deadline
from runner.errors import AuthError, NetworkError, Rejected
from runner.site.http import Transport
from runner.site.pages import Row, count_team_plans, parse_history

MAX_LOGINS = 3  # per account per run: a session may end mid-run, a loop of logins is a fault


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


class SiteClient:
    """Talks to one account's view of the team system; counts its requests for the result."""

    def __init__(
        self,
        site: Site,
        username: str,
        secret: Secret,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.site = site
        self.username = username
        self.secret = secret
        self.transport = Transport(site.base_url, timeout=site.timeout, ca_bundle=site.ca_bundle,
                                   session=session, sleep=sleep, deadline=deadline)
        self._http = self.transport.session  # cookies and the bearer header live on the session
        self._logged_in = False
        self._logins = 0
        self._host = self.transport.host

    @property
    def requests(self) -> int:
        """Requests sent so far, every retry included: the result reports them."""
        return self.transport.requests

    # -------------------------------------------------------------- the four things we do

    def login(self) -> None:
        site = self.site
        self._logins += 1
        if site.auth == "bearer" and self.secret.kind == "token":
            self._check_token()
            self._http.headers["Authorization"] = f"Bearer {self.secret.value}"
        elif site.auth == "bearer":
            resp = self._send("POST", site.api_login_path, auth=False, json={
                site.username_param: self.username, site.password_param: self.secret.value})
            token = _json(resp).get(site.token_field) if resp.status_code == 200 else None
            if resp.status_code == 401 or not isinstance(token, str) or not token:
                raise AuthError(f"login refused for {self.username}; check {self.secret.variable}")
            self._http.headers["Authorization"] = f"Bearer {token}"
        else:
            self._http.cookies.clear()
            resp = self._send("GET", site.login_path, auth=False, params={
                site.username_param: self.username, site.password_param: self.secret.value})
            if not self._http.cookies.get(site.cookie_name):
                said = _answer(resp)
                raise AuthError(f"login refused for {self.username}"
                                f"{f' ({said})' if said else ''}; check {self.secret.variable}")
        self._logged_in = True

    def history(self, first: date, last: date) -> list[Row]:
        resp = self._send("GET", self.site.plan_path, params={
            self.site.start_param: first.isoformat(), self.site.end_param: last.isoformat()})
        return parse_history(_text(resp), self.site)

    def team_count(self, day: date) -> int:
        resp = self._send("GET", self.site.plan_path, params={
            self.site.team_mode_param: self.site.team_mode_value,
            self.site.team_date_param: day.isoformat()})
        return count_team_plans(_text(resp), self.site)

    def submit(self, day: date, text: str) -> None:
        resp = self._send("POST", self.site.plan_path, data={
            self.site.date_param: day.isoformat(), self.site.content_param: text})
        said = _answer(resp)
        if said != self.site.success_text:
            raise Rejected(f"the site refused the plan for {day}: {said[:200]!r}", repr(said[:200]))

    # -------------------------------------------------------------- plumbing

    def _check_token(self) -> None:
        expires = jwt_expiry(self.secret.value)
        if expires and expires <= datetime.now(UTC):
            raise AuthError(f"{self.secret.variable} expired on {expires:%Y-%m-%d %H:%M} UTC; "
                            "copy a fresh token from the browser and update the secret")

    def _send(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> requests.Response:
        if auth and not self._logged_in:
            self.login()
        resp = self.transport.send(method, path, **kwargs)
        if auth and self._session_ended(resp):
            # The session ended mid-run: log in again and repeat this request, once.
            if self.secret.kind == "token":
                raise AuthError(f"the site refused {self.secret.variable}; "
                                "copy a fresh token from the browser and update the secret")
            if self._logins >= MAX_LOGINS:
                raise AuthError(f"the site keeps ending {self.username}'s session "
                                f"({self._logins} logins this run); check {self.secret.variable}")
            self.login()
            resp = self.transport.send(method, path, **kwargs)
            if self._session_ended(resp):
                raise AuthError(f"the site refused {self.username} right after logging in; "
                                f"check {self.secret.variable}")
        if auth and resp.is_redirect:
            elsewhere = urlsplit(resp.headers.get("Location", "")).path or "?"  # never the query
            raise Rejected(f"{self._host} redirected {method} {path} to {elsewhere}; if that is "
                           "your system's login page, set site.login_path to it")
        if resp.status_code >= 500:
            raise NetworkError(f"{self._host} answered {resp.status_code} to {method} {path}")
        if 400 <= resp.status_code < 500 and not (path == self.site.api_login_path
                                                  and resp.status_code == 401):
            raise Rejected(f"{self._host} answered {resp.status_code} to {method} {path}",
                           f"HTTP {resp.status_code}")
        return resp

    def _session_ended(self, resp: requests.Response) -> bool:
        if resp.status_code == 401:
            return True
        if resp.status_code in (301, 302, 303, 307, 308):
            location = urlsplit(resp.headers.get("Location", "")).path
            return location.rstrip("/") == self.site.login_path.rstrip("/")
        return False

    def close(self) -> None:
        self.transport.close()


def _text(resp: requests.Response) -> str:
    """Pages are UTF-8 whatever the header says; requests' ISO-8859-1 default mangles 中文."""
    return resp.content.decode("utf-8", errors="replace")


def _answer(resp: requests.Response) -> str:
    """The system answers with a JSON string (``"\\u4fee..."\\n``); fall back to the raw text."""
    text = _text(resp).strip()
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, str) else text


def _json(resp: requests.Response) -> dict[str, Any]:
    try:
        value = json.loads(_text(resp))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
