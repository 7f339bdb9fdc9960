"""A small fake of GitHub's REST API on loopback, shaped like the REST docs, for notify's tests.

It implements only what ``runner.github`` uses (list/create/update issues, list/create comments,
labels, a run attempt's jobs) and the failure modes notify must survive: Issues turned off (410),
rate limits (403 with ``x-ratelimit-remaining: 0``, or 429 with ``retry-after``), a wrong token
(401), a token without ``actions: read`` (403), and writes whose answer is lost (applied, then a
502 or a dropped connection) or that fail before they apply (a 502 first). Tests assert on what
it holds (``issues``, ``labels``) and on what reached it (``log``, ``sent``).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DOCS = "https://docs.github.com/rest"
STAMP = "2026-11-20T01:17:00Z"  # fixed, so re-recorded cassettes only change when behaviour does
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


@dataclass
class Issue:
    number: int
    title: str
    body: str
    labels: list[str]
    state: str = "open"
    state_reason: str | None = None
    comments: list[str] = field(default_factory=list)
    updated_at: str = STAMP


@dataclass
class Fault:
    status: int  # 403/429: a rate limit; 502/503/504: a gateway; 0: no answer; -1: a late one
    retry_after: int | None = None
    reset: int | None = None
    method: str | None = None  # only requests with this method meet the fault
    applied: bool = False  # the write happens, then the answer is lost (the unknown outcome)


DROP = object()  # a route's answer that makes the handler close the connection without a word


class FakeGitHub:
    """``with FakeGitHub(token=...) as gh:`` serves ``gh.url``; state is plain attributes."""

    def __init__(self, token: str, repo: str = "octo/plans") -> None:
        self.token, self.repo = token, repo
        self.issues: list[Issue] = []
        self.labels: dict[str, dict[str, Any]] = {}
        self.issues_enabled = True
        self.page_cap = 100  # GitHub's per_page maximum; lower it to exercise Link: next
        self.faults: list[Fault] = []
        self.log: list[str] = []  # "METHOD /path" per request that reached the fake
        self.sent: list[tuple[str, str, dict[str, str], Any]] = []  # method, path, query, body
        self.jobs: list[dict[str, Any]] = []  # what the run attempt's jobs endpoint lists
        self.actions_readable = True  # False: the token lacks `actions: read`
        self.stamp = STAMP  # updated_at of issues the API touches
        self.slow_seconds = 0.5  # how late a -1 fault's answer comes
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- knobs ---------------------------------------------------------------------------------
    def rate_limit(self, count: int, status: int = 429, retry_after: int | None = None,
                   reset: int | None = None) -> None:
        """The next ``count`` authenticated requests answer 403/429 like GitHub's limits do."""
        self.faults.extend(Fault(status, retry_after, reset) for _ in range(count))

    def lose_answer(self, method: str, status: int = 502, count: int = 1) -> None:
        """The next ``count`` writes with ``method`` happen, but the client hears ``status`` (0: the
        connection drops; -1: the answer comes ``slow_seconds`` late) and cannot know they did."""
        self.faults.extend(Fault(status, method=method, applied=True) for _ in range(count))

    def fail(self, method: str, status: int = 502, count: int = 1) -> None:
        """The next ``count`` requests with ``method`` fail with ``status`` before they apply."""
        self.faults.extend(Fault(status, method=method) for _ in range(count))

    def add_job(self, name: str, started: str, completed: str, conclusion: str) -> None:
        self.jobs.append({"id": 900 + len(self.jobs), "name": name, "status": "completed",
                          "conclusion": conclusion, "started_at": started, "completed_at": completed,
                          "steps": []})

    def add_issue(self, title: str, labels: list[str], state: str = "open", body: str = "") -> Issue:
        issue = Issue(len(self.issues) + 1, title, body, labels, state)
        self.issues.append(issue)
        return issue

    def open_titles(self) -> list[str]:
        return [i.title for i in self.issues if i.state == "open"]

    # -- server --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "use FakeGitHub as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            github = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # -- the API -------------------------------------------------------------------------------
    def label_json(self, name: str) -> dict[str, Any]:
        label = self.labels.get(name) or {"name": name, "color": "ededed", "description": None}
        return {"id": zlib.crc32(name.encode()), "url": f"{self.url}/repos/{self.repo}/labels/{name}",
                "default": False, **label}

    def issue_json(self, issue: Issue) -> dict[str, Any]:
        api = f"{self.url}/repos/{self.repo}/issues/{issue.number}"
        return {"id": 1000 + issue.number, "number": issue.number, "title": issue.title,
                "body": issue.body, "state": issue.state, "state_reason": issue.state_reason,
                "labels": [self.label_json(n) for n in issue.labels], "user": BOT,
                "comments": len(issue.comments), "url": api,
                "html_url": f"https://github.com/{self.repo}/issues/{issue.number}",
                "created_at": STAMP, "updated_at": STAMP, "locked": False}

    def handle(self, method: str, path: str, query: dict[str, str], body: Any,
               auth: str) -> tuple[int, Any, dict[str, str]]:
        if auth not in (f"Bearer {self.token}", f"token {self.token}"):
            return 401, {"message": "Bad credentials", "documentation_url": DOCS,
                         "status": "401"}, {}
        fault = next((f for f in self.faults if f.method in (None, method)), None)
        if fault is not None:
            self.faults.remove(fault)
            if fault.status in (403, 429):
                return self._limited(fault)
            if fault.applied:
                answer = self._route(method, path, query, body)
                if fault.status == -1:  # the answer comes, but after the client gave up on it
                    time.sleep(self.slow_seconds)
                    return answer
            if fault.status == 0:
                return 0, DROP, {}
            return fault.status, {"message": "Server Error"}, {}
        return self._route(method, path, query, body)

    def _route(self, method: str, path: str, query: dict[str, str],
               body: Any) -> tuple[int, Any, dict[str, str]]:
        prefix = f"/repos/{self.repo}/"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        rest = path[len(prefix):]
        if rest.startswith("issues") and not self.issues_enabled:
            return 410, {"message": "Issues are disabled for this repo",
                         "documentation_url": "https://docs.github.com/v3/issues/",
                         "status": "410"}, {}
        for (verb, pattern), route in ROUTES.items():
            match = re.fullmatch(pattern, rest)
            if verb == method and match:
                return route(self, query, body, *match.groups())
        return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}

    def _limited(self, fault: Fault) -> tuple[int, Any, dict[str, str]]:
        headers = {"x-ratelimit-limit": "1000", "x-ratelimit-used": "1000",
                   "x-ratelimit-resource": "core"}
        if fault.retry_after is not None:
            headers["retry-after"] = str(fault.retry_after)
        if fault.status == 403 or fault.reset is not None:
            headers.update({"x-ratelimit-remaining": "0",
                            "x-ratelimit-reset": str(fault.reset or 1_800_000_000)})
            message = "API rate limit exceeded for installation ID 4242."
        else:
            message = ("You have exceeded a secondary rate limit. Please wait a few minutes "
                       "before you try again.")
        return fault.status, {"message": message, "documentation_url": DOCS,
                              "status": str(fault.status)}, headers

    def list_issues(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        wanted = [n for n in query.get("labels", "").split(",") if n]
        state = query.get("state", "open")
        since = query.get("since", "")
        found = [i for i in reversed(self.issues)  # newest first, GitHub's default sort
                 if (state == "all" or i.state == state) and all(n in i.labels for n in wanted)
                 and i.updated_at >= since]
        return self._page("issues", query, [self.issue_json(i) for i in found])

    def _page(self, path: str, query: dict[str, str],
              items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        size = min(int(query.get("per_page", 30)), self.page_cap)
        page = int(query.get("page", 1))
        headers = {}
        if page * size < len(items):
            rest = {k: v for k, v in query.items() if k != "page"}
            link = "&".join(f"{k}={v}" for k, v in {**rest, "page": page + 1}.items())
            headers["Link"] = f'<{self.url}/repos/{self.repo}/{path}?{link}>; rel="next"'
        return 200, items[(page - 1) * size:page * size], headers

    def create_issue(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict) or not body.get("title"):
            return 422, {"message": "Validation Failed", "status": "422",
                         "errors": [{"resource": "Issue", "code": "missing_field",
                                     "field": "title"}], "documentation_url": DOCS}, {}
        for name in body.get("labels", []):  # GitHub creates unknown labels for writers too
            self.labels.setdefault(name, {"name": name, "color": "ededed", "description": None})
        issue = self.add_issue(body["title"], list(body.get("labels", [])),
                               body=body.get("body", ""))
        issue.updated_at = self.stamp
        return 201, self.issue_json(issue), {}

    def _issue(self, number: str) -> Issue | None:
        return next((i for i in self.issues if i.number == int(number)), None)

    def update_issue(self, query: dict[str, str], body: Any,
                     number: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(number)
        if issue is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        if body.get("state") in ("open", "closed"):
            issue.state = body["state"]
            issue.state_reason = body.get("state_reason") if issue.state == "closed" else None
        issue.title = body.get("title", issue.title)
        issue.body = body.get("body", issue.body)
        issue.updated_at = self.stamp
        return 200, self.issue_json(issue), {}

    def comment(self, query: dict[str, str], body: Any,
                number: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(number)
        if issue is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        issue.comments.append(body["body"])
        issue.updated_at = self.stamp
        return 201, self.comment_json(issue, len(issue.comments) - 1), {}

    def comment_json(self, issue: Issue, index: int) -> dict[str, Any]:
        cid = 5000 + issue.number * 100 + index
        return {"id": cid, "body": issue.comments[index], "user": BOT, "created_at": STAMP,
                "html_url": f"https://github.com/{self.repo}/issues/{issue.number}"
                            f"#issuecomment-{cid}"}

    def list_comments(self, query: dict[str, str], body: Any,
                      number: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(number)
        if issue is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        items = [self.comment_json(issue, n) for n in range(len(issue.comments))]
        return self._page(f"issues/{number}/comments", query, items)

    def list_jobs(self, query: dict[str, str], body: Any, run_id: str,
                  attempt: str) -> tuple[int, Any, dict[str, str]]:
        if not self.actions_readable:
            return 403, {"message": "Resource not accessible by integration",
                         "documentation_url": DOCS, "status": "403"}, {}
        return 200, {"total_count": len(self.jobs), "jobs": self.jobs}, {}

    def get_label(self, query: dict[str, str], body: Any,
                  name: str) -> tuple[int, Any, dict[str, str]]:
        if unquote(name) not in self.labels:
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        return 200, self.label_json(unquote(name)), {}

    def create_label(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if body["name"] in self.labels:
            return 422, {"message": "Validation Failed", "status": "422",
                         "errors": [{"resource": "Label", "code": "already_exists",
                                     "field": "name"}], "documentation_url": DOCS}, {}
        self.labels[body["name"]] = {"name": body["name"], "color": body.get("color", "ededed"),
                                     "description": body.get("description")}
        return 201, self.label_json(body["name"]), {}

    def list_labels(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, [self.label_json(n) for n in self.labels], {}


ROUTES = {
    ("GET", r"issues"): FakeGitHub.list_issues,
    ("POST", r"issues"): FakeGitHub.create_issue,
    ("PATCH", r"issues/(\d+)"): FakeGitHub.update_issue,
    ("POST", r"issues/(\d+)/comments"): FakeGitHub.comment,
    ("GET", r"issues/(\d+)/comments"): FakeGitHub.list_comments,
    ("GET", r"actions/runs/(\d+)/attempts/(\d+)/jobs"): FakeGitHub.list_jobs,
    ("GET", r"labels"): FakeGitHub.list_labels,
    ("POST", r"labels"): FakeGitHub.create_label,
    ("GET", r"labels/([^/]+)"): FakeGitHub.get_label,
}


class _Handler(BaseHTTPRequestHandler):
    github: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        return "Fri, 20 Nov 2026 01:17:00 GMT"  # fixed, like STAMP: stable cassettes

    def version_string(self) -> str:
        return "fake-github"

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            status, payload, headers = 400, {"message": "Problems parsing JSON"}, {}
        else:
            with self.github.lock:
                self.github.log.append(f"{self.command} {parts.path}")
                self.github.sent.append((self.command, parts.path, query, body))
                status, payload, headers = self.github.handle(
                    self.command, parts.path, query, body, self.headers.get("Authorization", ""))
        if payload is DROP:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # a late answer to a client that gave up: what the test wanted
            self.close_connection = True

    do_GET = do_POST = do_PATCH = _serve
