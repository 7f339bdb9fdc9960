"""The only module that speaks HTTP to the team system.

One client per account per run: it logs in once, keeps the session and logs in again at most once
when the session ends mid-run. Sending, retrying and bounding each request is the transport's job
(``runner.site.http``); logging in is ``auth``'s, the shape of each request and answer is
``shapes``', reading pages is ``pages``'; this module puts them in order. Messages never include a
URL: the reference system's login puts the password in the query string.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from runner.config import Secret, Site
from runner.deadline import Deadline
from runner.errors import AuthError, NetworkError, Rejected, SiteChanged
from runner.site.auth import cookie_value, ended_message, jwt_expiry, log_in, page_text, session_ended
from runner.site.dates import format_day
from runner.site.http import Transport
from runner.site.pages import Row, count_team_plans, hidden_value, parse_history, row_container
from runner.site.quote import quote_answer
from runner.site.shapes import submit_request, succeeded, with_query

__all__ = ["MAX_LOGINS", "SiteClient", "jwt_expiry"]

MAX_LOGINS = 3  # per account per run: a session may end mid-run, a loop of logins is a fault


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
        self._http.headers.update(dict(site.headers))
        self._logged_in = False
        self._fresh = False  # no authenticated answer yet since the last login
        self._proven = False  # an authenticated answer came back this run: the login works
        self._logins = 0
        self._csrf: str | None = None
        self._rows_in: str | None = None  # where the history's rows were found (pages.row_container)
        self._host = self.transport.host

    @property
    def requests(self) -> int:
        """Requests sent so far, every retry included: the result reports them."""
        return self.transport.requests

    @property
    def retries(self) -> int:
        """Tries after the first (a 502, a reset, a timeout): shown in the account's message."""
        return self.transport.retries

    # -------------------------------------------------------------- the four things we do

    def login(self) -> None:
        self._logins += 1
        self._csrf = log_in(self.site, self.transport, self.username, self.secret)
        self._logged_in = True
        self._fresh = True

    def history(self, first: date, last: date) -> list[Row]:
        site = self.site
        # a site whose end date excludes the day itself (``create_time BETWEEN '…-20' AND '…-20'``
        # on a datetime column) is asked for one day more, and that day is left out of the answer
        end = last + timedelta(days=1) if site.history_end == "next-day" else last
        resp = self._send("GET", site.history_path, params={
            site.start_param: format_day(first, site), site.end_param: format_day(end, site)})
        page = self._page(resp)
        rows = [r for r in parse_history(page, site, self._rows_in, end) if end == last or r.day <= last]
        if self._rows_in is None and site.history_format == "html":
            self._rows_in = row_container(page, site)  # where an empty answer must still have its table
        return rows

    def team_count(self, day: date) -> int:
        site = self.site
        resp = self._send("GET", site.team_path, params={
            site.team_mode_param: site.team_mode_value, site.team_date_param: format_day(day, site)})
        return count_team_plans(self._page(resp), site)

    def submit(self, day: date, text: str) -> None:
        try:
            req = submit_request(self.site, day, text, self._csrf)
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start:exc.end] if isinstance(exc.object, str) else "?"
            raise Rejected(f"the plan for {day} holds {bad!r}, which site.form_charset "
                           f"{self.site.form_charset!r} cannot encode; take it out of the plan") from None
        resp = self._send(req.method, req.path, rebuild=lambda: submit_request(
            self.site, day, text, self._csrf).kwargs, **req.kwargs)
        said = page_text(resp)
        if not succeeded(self.site, said):
            shown = quote_answer(said)
            raise Rejected(f"the site refused the plan for {day}: {shown}", shown)

    # -------------------------------------------------------------- plumbing

    def _page(self, resp: requests.Response) -> str:
        """A page's text; a CSRF token on it is kept for the submit."""
        text = page_text(resp)
        if self.site.csrf_field:
            self._csrf = (hidden_value(text, self.site.csrf_field)
                          or cookie_value(self._http.cookies, self.site.csrf_field) or self._csrf)
        return text

    def _refresh_csrf(self) -> None:
        """After a new login the token a form needs is on the pages, not the login page: read one."""
        today = date.today()
        self.history(today, today)

    def _send(self, method: str, path: str, *, auth: bool = True,
              params: dict[str, str] | list[tuple[str, str]] | None = None,
              rebuild: Callable[[], dict[str, Any]] | None = None, **kwargs: Any) -> requests.Response:
        if auth and not self._logged_in:
            self.login()
        if isinstance(params, dict):  # the runner's own; a configured path may carry a fixed query
            path, kwargs["params"] = with_query(path, params)
        elif params is not None:  # already merged (shapes built the request)
            kwargs["params"] = params
        resp = self.transport.send(method, path, **kwargs)
        if auth and session_ended(self.site, resp):
            # Ended right after a login (or with a copied cookie or token): the credentials are
            # wrong, and trying them again is how accounts get locked. Mid-run: once more.
            if self._fresh or self.secret.kind in ("cookie", "token") or self._logins >= MAX_LOGINS:
                raise AuthError(ended_message(self.site, self.username, self.secret, self._fresh))
            self.login()
            if rebuild is not None:  # a form carrying a CSRF token: the new session's token
                if self.site.csrf_field:
                    self._refresh_csrf()
                kwargs = rebuild()
            resp = self.transport.send(method, path, **kwargs)
            if session_ended(self.site, resp) and self._proven:
                # The same login works for other pages, so the password is right: this page
                # wants something else (a permission), or it is not the page the config says.
                raise SiteChanged(f"{method} {path} answers with a login page even right after a "
                                  f"new login, though {self.username}'s login works for other "
                                  "pages; the account may lack a permission, or the path is wrong")
            if session_ended(self.site, resp):
                raise AuthError(ended_message(self.site, self.username, self.secret, True))
        if auth:
            self._fresh = False
            self._proven = True
        if auth and resp.is_redirect:
            elsewhere = urlsplit(resp.headers.get("Location", "")).path or "?"  # never the query
            raise Rejected(f"{self._host} redirected {method} {path} to {elsewhere}; if that is "
                           "your system's login page, set site.login_path to it",
                           f"a redirect to {elsewhere}")
        if resp.status_code >= 500:
            raise NetworkError(f"{self._host} answered {resp.status_code} to {method} {path}")
        if 400 <= resp.status_code < 500:
            raise Rejected(f"{self._host} answered {resp.status_code} to {method} {path}",
                           f"HTTP {resp.status_code}")
        return resp

    def close(self) -> None:
        self.transport.close()
