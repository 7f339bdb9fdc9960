"""Keep one GitHub issue per failing account: open it, comment while it fails, close it on recovery.

A red scheduled run emails only whoever last edited the cron lines. An issue that @mentions the account's
owner reaches the person whose plan was not filed, collects one comment per failed run instead of a pile of
duplicates, and closes itself on the first healthy run. Notify never decides the run's colour: it exits 0
after doing what it can, whatever GitHub answers, and 2 only when it cannot even start.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import tenacity

from runner.errors import UsageError
from runner.inputs import Inputs
from runner.output import workflow_command
from runner.status import ExitCode, Reason, Status, proves_health

ACCOUNT_TITLE = "dailyplan: account {id} is failing"
RUN_TITLE = "dailyplan: the run failed"
MAX_ATTEMPTS = 4
MAX_WAIT = 60.0  # GitHub asks for a minute when it names no time; a scheduled job should not wait longer
GATEWAY = (502, 503, 504)
HANDLE = re.compile(r"@?([A-Za-z0-9][A-Za-z0-9-]{0,38})")
FOOTER = "Every failing run comments here; the next healthy run closes this issue."
HINTS = {
    Reason.AUTH: "the site refused the login: check the DAILYPLAN_PASSWORD_<ID> or "
                 "DAILYPLAN_TOKEN_<ID> secret.",
    Reason.NETWORK: "the site was out of reach: a runner inside the intranet (DAILYPLAN_RUNS_ON) may help.",
    Reason.REJECTED: "the site answered with an error; the message above is its own.",
    Reason.SITE_CHANGED: "the site's pages changed shape, so nothing was submitted blind.",
    Reason.VERIFY: "the site said saved, but the plan read back differs: check it by hand.",
    Reason.CONFIG: "the account's template is missing or failed to render.",
    Reason.LOCKED: "another dailyplan run on the same machine held the lock; the next slot retries.",
    Reason.INTERRUPTED: "the run was stopped before this account finished; the next slot retries.",
    Reason.INTERNAL: "a bug in dailyplan: rerun with --debug and report it.",
}
STATUS_HINTS = {401: "is GITHUB_TOKEN set to the job's token?",
                403: "give the job `permissions: issues: write`.",
                404: "check GITHUB_REPOSITORY and the job's `issues: write` permission."}


class GitHubError(Exception):
    """One failed API call, named by method, path and status: never the token, never a traceback."""

    def __init__(self, method: str, url: str, status: int) -> None:
        self.status = status
        super().__init__(f"{method} {urlsplit(url).path} answered {status}")


class IssuesDisabled(GitHubError):
    """410 Gone: the repository has Issues turned off (the default in forks)."""


class RateLimited(GitHubError):
    """Still limited after every attempt; any later call would only be limited too."""


def rate_limited(response: requests.Response) -> bool:
    """GitHub's documented signs: 429, or a 403 that names a wait or has no requests left."""
    if response.status_code != 403:
        return response.status_code == 429
    headers = response.headers
    return ("retry-after" in headers or headers.get("x-ratelimit-remaining") == "0"
            or "rate limit" in response.text.lower())


class GitHub:
    """The few issue endpoints notify needs, with GitHub's retry rules for rate limits built in."""

    def __init__(self, api_url: str, repo: str, token: str, *, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.time) -> None:
        self.base = f"{api_url.rstrip('/')}/repos/{repo}"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": "dailyplan-notify",
                                     "Accept": "application/vnd.github+json",
                                     "X-GitHub-Api-Version": "2022-11-28"})
        self.sleep, self.now = sleep, now

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """Retry-After first, then the reset time, else a minute, all capped; gateways back off 1, 2, 4 s."""
        outcome = state.outcome
        response = None if outcome is None or outcome.failed else outcome.result()
        if response is None or response.status_code in GATEWAY:
            return float(2 ** (state.attempt_number - 1))
        headers = response.headers
        if headers.get("retry-after", "").isdigit():
            wait = float(headers["retry-after"])
        elif headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
            wait = float(headers["x-ratelimit-reset"]) - self.now()
        else:
            wait = MAX_WAIT
        return min(max(wait, 1.0), MAX_WAIT)

    def call(self, method: str, path_or_url: str, **kwargs: Any) -> requests.Response:
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(MAX_ATTEMPTS), wait=self._wait, sleep=self.sleep,
            retry=tenacity.retry_if_exception_type((requests.ConnectionError, requests.Timeout))
            | tenacity.retry_if_result(lambda r: r.status_code in GATEWAY or rate_limited(r)),
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None)
        response = retrying(self.session.request, method, url, timeout=30, **kwargs)
        if response.status_code == 410:
            raise IssuesDisabled(method, url, 410)
        if rate_limited(response):
            raise RateLimited(method, url, response.status_code)
        if response.status_code >= 400:
            raise GitHubError(method, url, response.status_code)
        return response

    def open_issues(self, label: str) -> dict[str, dict[str, Any]]:
        """Open issues with the label by title (the oldest wins), following ``Link: next`` pages."""
        found: dict[str, dict[str, Any]] = {}
        url: str | None = "/issues"
        params: dict[str, Any] | None = {"labels": label, "state": "open", "per_page": 100}
        for _ in range(20):  # 2,000 open dailyplan issues would be a different problem
            if url is None:
                break
            response = self.call("GET", url, params=params)
            for issue in sorted(response.json(), key=lambda i: i["number"], reverse=True):
                if "pull_request" not in issue:  # this endpoint lists pull requests too
                    found[issue["title"]] = issue
            url, params = response.links.get("next", {}).get("url"), None
        return found

    def ensure_label(self, label: str) -> None:
        """Create the label once, with a colour and a description that say what it is for."""
        try:
            self.call("GET", f"/labels/{quote(label, safe='')}")
            return
        except GitHubError as exc:
            if exc.status != 404:
                raise
        try:
            self.call("POST", "/labels", json={"name": label, "color": "d93f0b",
                                               "description": "dailyplan failures, kept by the workflow"})
        except GitHubError as exc:
            if exc.status != 422:  # 422: a concurrent run created it meanwhile
                raise


class Notifier:
    """Decides which issue to open, comment on or close; the client only speaks HTTP."""

    def __init__(self, github: GitHub, label: str, run_url: str, say: Callable[[str, str], None]) -> None:
        self.github, self.label, self.run_url, self.say = github, label, run_url, say
        self.label_checked = False

    def apply(self, report: dict[str, Any] | None, outcome: str) -> None:
        accounts = report.get("accounts", []) if report else []
        failed = [a for a in accounts if a.get("status") == Status.FAILED]
        healthy = [a for a in accounts if proves_health(a.get("status", ""), a.get("reason"))]
        run_broken = outcome in ("failure", "cancelled") and not failed
        if not (failed or healthy or run_broken):
            return  # nothing to open and nothing that could close an issue: not even a request
        day = report.get("date", "") if report else ""
        issues = self.github.open_issues(self.label)
        for account in failed:
            self._guard(self._failing, account, day, issues)
        for account in healthy:
            if issue := issues.get(ACCOUNT_TITLE.format(id=account.get("id"))):
                text = f"Recovered: {day} {account['status']}: {account.get('message')}"
                self._guard(self._close, issue, text)
        if run_broken:
            self._guard(self._run_failed, issues.get(RUN_TITLE), outcome, report is not None)
        elif healthy and not failed and RUN_TITLE in issues:
            self._guard(self._close, issues[RUN_TITLE], f"Recovered: {day} the run wrote its result again.")

    def _guard(self, action: Callable[..., None], *args: Any) -> None:
        """One failed call costs one warning; disabled issues and rate limits stop everything."""
        try:
            action(*args)
        except (IssuesDisabled, RateLimited):
            raise
        except GitHubError as exc:
            self.say("warning", f"notify: {exc}; {STATUS_HINTS.get(exc.status, 'issue not updated.')}")

    def _failing(self, account: dict[str, Any], day: str, issues: dict[str, Any]) -> None:
        account_id, reason = account.get("id"), account.get("reason") or "unknown"
        message = " ".join(str(account.get("message", "")).split())
        title = ACCOUNT_TITLE.format(id=account_id)
        if title in issues:
            text = f"Still failing on {day}: `{reason}`: {message}\n\nRun: {self.run_url}"
            return self._comment(issues[title], text)
        lines = [f"The daily plan for account `{account_id}` was not filed on {day}.", "",
                 f"- reason: `{reason}`", f"- message: {message}", f"- run: {self.run_url}", ""]
        if reason in HINTS:
            lines += [f"What to do: {HINTS[reason]}", ""]
        if handle := HANDLE.fullmatch(str(account.get("github") or "")):
            lines += [f"@{handle.group(1)}", ""]  # the owner hears of it; the cron editor got the email
        issues[title] = self._create(title, "\n".join([*lines, FOOTER]))

    def _run_failed(self, issue: dict[str, Any] | None, outcome: str, had_result: bool) -> None:
        what = f"ended `{outcome}`" + ("" if had_result else " before it wrote a result")
        if issue:
            return self._comment(issue, f"Failed again: the run {what}.\n\nRun: {self.run_url}")
        self._create(RUN_TITLE, "\n".join([
            f"The dailyplan run {what}, " + ("though no account in its result failed." if had_result
                                              else "so no account was reported."), "",
            f"- run: {self.run_url}", "",
            "Its log says why: a config or secret error (exit 2 names the variable to set), a failed "
            "install, or `cancelled` by the job's timeout.", "", FOOTER]))

    def _create(self, title: str, body: str) -> dict[str, Any]:
        if not self.label_checked:
            self.github.ensure_label(self.label)
            self.label_checked = True
        issue = self.github.call("POST", "/issues", json={"title": title, "body": body,
                                                          "labels": [self.label]}).json()
        print(f"opened #{issue['number']}: {title}")
        return issue

    def _comment(self, issue: dict[str, Any], text: str) -> None:
        self.github.call("POST", f"/issues/{issue['number']}/comments", json={"body": text})
        print(f"commented on #{issue['number']}: {issue['title']}")

    def _close(self, issue: dict[str, Any], text: str) -> None:
        self._comment(issue, f"{text}\n\nRun: {self.run_url}")
        self.github.call("PATCH", f"/issues/{issue['number']}", json={"state": "closed",
                                                                      "state_reason": "completed"})
        print(f"closed #{issue['number']}: {issue['title']}")


def _load(result: Path | None, say: Callable[[str, str], None]) -> dict[str, Any] | None:
    """The run's result, or None when the run died before writing one (or wrote something else)."""
    if result is None or not result.is_file():
        return None
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        say("warning", f"notify: cannot read {result} ({exc.__class__.__name__}); treating it as no result.")
        return None
    return data if isinstance(data, dict) else None


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan notify``, the shape every command shares."""
    return run(Path(args.result) if args.result else None, env)


def run(result: Path | None, env: Mapping[str, str], *, sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time) -> ExitCode:
    """0 whatever GitHub answers, 2 when it cannot even start."""
    try:
        inputs = Inputs.read(env, "notify")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    missing = [name for name, value in (("GITHUB_TOKEN", inputs.github_token),
                                        ("GITHUB_REPOSITORY", inputs.repository)) if not value]
    if missing:
        print(f"error: notify needs {' and '.join(missing)}; in the workflow set GITHUB_TOKEN: "
              "${{ github.token }} in the step's env (Actions sets GITHUB_REPOSITORY itself).",
              file=sys.stderr)
        return ExitCode.USAGE

    def say(level: str, text: str) -> None:
        if inputs.actions:  # escaped, or a % or a newline would cut the annotation short
            print(workflow_command(level, text, title="dailyplan"), flush=True)
        else:
            print(f"{level}: {text}", file=sys.stderr)

    repo = inputs.repository
    server = inputs.server_url or "https://github.com"
    run_url = f"{server}/{repo}/actions/runs/{inputs.run_id}"
    api = inputs.api_url or "https://api.github.com"
    github = GitHub(api, repo, inputs.github_token, sleep=sleep, now=now)
    report = _load(result, say)
    outcome = inputs.run_outcome
    label = inputs.issue_label or "dailyplan"
    failing = outcome in ("failure", "cancelled") or any(
        a.get("status") == Status.FAILED for a in (report or {}).get("accounts", []))
    try:
        Notifier(github, label, run_url, say).apply(report, outcome)
    except IssuesDisabled:
        if failing:  # a green run had nothing to report: do not nag every fork every day
            say("error", f"Issues are turned off for {repo}, so no failure issue was opened. Turn them on "
                         "under Settings → General → Features → Issues (or ignore this: the red run already "
                         "emailed you).")
    except RateLimited as exc:
        say("warning", f"notify: GitHub's rate limit held after {MAX_ATTEMPTS} attempts ({exc}), so the "
                       "dailyplan issues were not updated; the next run catches up.")
    except GitHubError as exc:
        say("warning", f"notify: {exc}; {STATUS_HINTS.get(exc.status, 'issues not updated.')}")
    except requests.RequestException as exc:
        say("warning", f"notify: could not reach {api} ({exc.__class__.__name__}); issues not updated.")
    except Exception as exc:  # a bug here must not turn a green run red
        say("warning", f"notify: unexpected {exc.__class__.__name__}; issues not updated. Run "
                       "`python -m runner notify --result FILE` locally to see more.")
    return ExitCode.OK
