"""The transport under the site client: one session, one request at a time, retried only when safe.

It knows nothing of logins or pages: it sends a request, retries connection errors, timeouts and
502/503/504 with backoff, counts every request it makes (the result reports them), and turns any
failure into one ``NetworkError`` line. Messages never include a URL: the reference system's login
puts the password in the query string, and requests' exceptions would happily print it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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
from runner.errors import NetworkError

TRANSIENT_STATUSES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 4
MAX_RETRY_SECONDS = 60.0
CONNECT_TIMEOUT = 10.0
RETRY_SLEEP: Callable[[float], None] = tenacity.nap.sleep  # looked up per call: tests replace it
USER_AGENT = f"dailyplan/{__version__}"


class _Transient(Exception):
    """A gateway hiccup worth another try; becomes NetworkError when the tries run out."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Transport:
    """Owns one account's ``requests.Session``; ``send`` makes one request, retried when safe.

    Cookies and headers (a bearer token) live on ``session``, so the client above sets them there.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        ca_bundle: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.requests = 0
        self.host = urlsplit(base_url).hostname or "the site"
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # Proxies and CA bundles from the environment are read once here, not on every request
        # (requests re-reads the whole environment per call when trust_env is on).
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(base_url))
        env_ca = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if ca_bundle or env_ca:
            self.session.verify = ca_bundle or env_ca  # a company CA; never a switch to turn it off
        self._sleep = sleep

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request to ``base_url + path``, retried on transient failures; never follows redirects."""
        url = self.base_url + path
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
                    resp = self.session.request(method, url, allow_redirects=False,
                                                timeout=(CONNECT_TIMEOUT, self.timeout), **kwargs)
                    if resp.status_code in TRANSIENT_STATUSES:
                        raise _Transient(resp.status_code)
                    return resp
        except _Transient as exc:
            raise NetworkError(f"{self.host} kept answering {exc.status} to {method} {path} "
                               f"({_tries(retryer.statistics)})") from None
        except requests.Timeout:
            raise NetworkError(f"{self.host} did not answer {method} {path} within "
                               f"{self.timeout:g} s ({_tries(retryer.statistics)})") from None
        except requests.exceptions.SSLError:
            raise NetworkError(f"TLS verification failed for {self.host}; if it uses a company "
                               "CA, set site.ca_bundle to its certificate file") from None
        except requests.ConnectionError:
            raise NetworkError(f"could not connect to {self.host} for {method} {path} "
                               f"({_tries(retryer.statistics)})") from None
        except requests.RequestException as exc:
            raise NetworkError(f"{method} {path} failed: {exc.__class__.__name__}") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def close(self) -> None:
        self.session.close()


def _tries(stats: dict[str, Any]) -> str:
    n = stats.get("attempt_number", MAX_ATTEMPTS)
    return f"{n} {'try' if n == 1 else 'tries'}"
