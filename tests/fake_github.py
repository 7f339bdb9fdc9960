"""A small fake of GitHub's issues API on loopback, shaped like the REST docs, for notify's tests.

It implements only what ``runner.notify`` uses (list/create/update issues, comments, labels) and
the failure modes notify must survive: Issues turned off (410), rate limits (403 with
``x-ratelimit-remaining: 0``, or 429 with ``retry-after``) and a wrong token (401).
"""

from __future__ import annotations

import json
import re
import threading
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


@dataclass
class Fault:
    status: int  # 403 or 429
    retry_after: int | None = None
    reset: int | None = None


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
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- knobs ---------------------------------------------------------------------------------
    def rate_limit(self, count: int, status: int = 429, retry_after: int | None = None,
                   reset: int | None = None) -> None:
        """The next ``count`` authenticated requests answer 403/429 like GitHub's limits do."""
        self.faults.extend(Fault(status, retry_after, reset) for _ in range(count))

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
        if self.faults:
            return self._limited(self.faults.pop(0))
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
        found = [i for i in reversed(self.issues)  # newest first, GitHub's default sort
                 if (state == "all" or i.state == state) and all(n in i.labels for n in wanted)]
        size = min(int(query.get("per_page", 30)), self.page_cap)
        page = int(query.get("page", 1))
        headers = {}
        if page * size < len(found):
            rest = {k: v for k, v in query.items() if k != "page"}
            link = "&".join(f"{k}={v}" for k, v in {**rest, "page": page + 1}.items())
            headers["Link"] = f'<{self.url}/repos/{self.repo}/issues?{link}>; rel="next"'
        return 200, [self.issue_json(i) for i in found[(page - 1) * size:page * size]], headers

    def create_issue(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict) or not body.get("title"):
            return 422, {"message": "Validation Failed", "status": "422",
                         "errors": [{"resource": "Issue", "code": "missing_field",
                                     "field": "title"}], "documentation_url": DOCS}, {}
        for name in body.get("labels", []):  # GitHub creates unknown labels for writers too
            self.labels.setdefault(name, {"name": name, "color": "ededed", "description": None})
        issue = self.add_issue(body["title"], list(body.get("labels", [])),
                               body=body.get("body", ""))
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
        return 200, self.issue_json(issue), {}

    def comment(self, query: dict[str, str], body: Any,
                number: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(number)
        if issue is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        issue.comments.append(body["body"])
        cid = 5000 + sum(len(i.comments) for i in self.issues)
        return 201, {"id": cid, "body": body["body"], "user": BOT, "created_at": STAMP,
                     "html_url": f"https://github.com/{self.repo}/issues/{number}#issuecomment-"
                                 f"{cid}"}, {}

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
                status, payload, headers = self.github.handle(
                    self.command, parts.path, query, body, self.headers.get("Authorization", ""))
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = _serve
