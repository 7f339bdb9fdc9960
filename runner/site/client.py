"""The only module that speaks HTTP to the team system.

One client per account per run: it logs in once, keeps the session, logs in again at most once
when the session ends mid-run, and retries only what is safe to retry (connection errors,
timeouts, 502/503/504). Messages never include a URL: the reference system's login puts the
password in the query string, and requests' exceptions would happily print it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import tenacity
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from runner import __version__
from runner.config import Secret, Site
from runner.errors import AuthError, NetworkError, Rejected
from runner.site.pages import Row, count_team_plans, parse_history

TRANSIENT_STATUSES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 4
MAX_RETRY_SECONDS = 60.0
MAX_LOGINS = 3  # per account per run: a session may end mid-run, a loop of logins is a fault
RETRY_SLEEP: Callable[[float], None] = tenacity.nap.sleep  # looked up per call: tests replace it
USER_AGENT = f"dailyplan/{__version__}"


class _Transient(Exception):
    """A gateway hiccup worth another try; becomes NetworkError when the tries run out."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


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
    ) -> None:
        self.site = site
        self.username = username
        self.secret = secret
        self.requests = 0
        self._http = session or requests.Session()
        self._http.headers["User-Agent"] = USER_AGENT
        # Proxies and CA bundles from the environment are read once here, not on every request
        # (requests re-reads the whole environment per call when trust_env is on).
        self._http.trust_env = False
        self._http.proxies.update(requests.utils.get_environ_proxies(site.base_url))
        if site.ca_bundle:  # a company CA (REQUESTS_CA_BUNDLE reaches it through inputs.py)
            self._http.verify = site.ca_bundle  # never a switch to turn verification off
        self._sleep = sleep
        self._logged_in = False
        self._logins = 0
        self._host = urlsplit(site.base_url).hostname or "the site"

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
            raise Rejected(f"the site refused the plan for {day}: {said[:200]!r}")

    # -------------------------------------------------------------- plumbing

    def _check_token(self) -> None:
        expires = jwt_expiry(self.secret.value)
        if expires and expires <= datetime.now(UTC):
            raise AuthError(f"{self.secret.variable} expired on {expires:%Y-%m-%d %H:%M} UTC; "
                            "copy a fresh token from the browser and update the secret")

    def _send(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> requests.Response:
        if auth and not self._logged_in:
            self.login()
        resp = self._retrying(method, path, **kwargs)
        if auth and self._session_ended(resp):
            # The session ended mid-run: log in again and repeat this request, once.
            if self.secret.kind == "token":
                raise AuthError(f"the site refused {self.secret.variable}; "
                                "copy a fresh token from the browser and update the secret")
            if self._logins >= MAX_LOGINS:
                raise AuthError(f"the site keeps ending {self.username}'s session "
                                f"({self._logins} logins this run); check {self.secret.variable}")
            self.login()
            resp = self._retrying(method, path, **kwargs)
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
            raise Rejected(f"{self._host} answered {resp.status_code} to {method} {path}")
        return resp

    def _session_ended(self, resp: requests.Response) -> bool:
        if resp.status_code == 401:
            return True
        if resp.status_code in (301, 302, 303, 307, 308):
            location = urlsplit(resp.headers.get("Location", "")).path
            return location.rstrip("/") == self.site.login_path.rstrip("/")
        return False

    def _retrying(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.site.base_url + path
        retryer = Retrying(
            retry=retry_if_exception_type((requests.ConnectionError, requests.Timeout, _Transient)),
            stop=stop_after_attempt(MAX_ATTEMPTS) | stop_after_delay(MAX_RETRY_SECONDS),
            wait=wait_exponential_jitter(initial=1, max=8, jitter=1),
            reraise=True,
            sleep=self._sleep or RETRY_SLEEP,
        )
        try:
            for attempt in retryer:
                with attempt:
                    self.requests += 1
                    resp = self._http.request(method, url, allow_redirects=False,
                                              timeout=(10, self.site.timeout), **kwargs)
                    if resp.status_code in TRANSIENT_STATUSES:
                        raise _Transient(resp.status_code)
                    return resp
        except _Transient as exc:
            raise NetworkError(f"{self._host} kept answering {exc.status} to {method} {path} "
                               f"({_tries(retryer.statistics)})") from None
        except requests.Timeout:
            raise NetworkError(f"{self._host} did not answer {method} {path} within "
                               f"{self.site.timeout:g} s ({_tries(retryer.statistics)})") from None
        except requests.exceptions.SSLError:
            raise NetworkError(f"TLS verification failed for {self._host}; if it uses a company "
                               "CA, set site.ca_bundle to its certificate file") from None
        except requests.ConnectionError:
            raise NetworkError(f"could not connect to {self._host} for {method} {path} "
                               f"({_tries(retryer.statistics)})") from None
        except requests.RequestException as exc:
            raise NetworkError(f"{method} {path} failed: {exc.__class__.__name__}") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def close(self) -> None:
        self._http.close()


def _tries(stats: dict[str, Any]) -> str:
    n = stats.get("attempt_number", MAX_ATTEMPTS)
    return f"{n} {'try' if n == 1 else 'tries'}"


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
