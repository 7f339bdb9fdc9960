"""Keep the dailyplan issues true: open, comment on and close them from one run's result.

A red scheduled run emails only whoever last edited the cron lines. An issue that @mentions the
account's owner reaches the person whose plan was not filed, collects one comment per failed run
instead of a pile of duplicates, and closes on the first run that proves the account healthy (a
login and a read happened: ``submitted`` or ``skipped already-submitted``); a day off or a dry
run proves nothing and touches nothing. The same result also carries missed days and warnings
with a deadline (``missed``, ``headsup``). ``decide`` is pure; ``Notifier`` does the writes.
Notify never decides the run's colour: it exits 0 after doing what it can, 2 only when it cannot
even start.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from runner.github import headsup, missed
from runner.github.api import GitHub, GitHubError, IssuesDisabled, RateLimited
from runner.github.text import code, marker, mention
from runner.status import Reason, Status, proves_health

ACCOUNT_TITLE = "dailyplan: account {id} is failing"
RUN_TITLE = "dailyplan: the run failed"
FOOTER = "Every failing run comments here; the next run that files or finds the plan closes this issue."
BROKEN = ("failure", "cancelled", "timed-out")  # "cancelled": notify could not tell who cancelled
TIMEOUT_SLACK = 60  # seconds: a job cancelled this close to its timeout-minutes was the timeout
HINTS = {
    Reason.AUTH: "the site refused the login: check the DAILYPLAN_PASSWORD_<ID> or "
                 "DAILYPLAN_TOKEN_<ID> secret.",
    Reason.NETWORK: ("the site was out of reach, too slow, or answered with a server error (5xx): if it "
                     "is out of reach from GitHub, a runner inside the intranet (DAILYPLAN_RUNS_ON) "
                     "may help; a 5xx is the site's own trouble, and the next slot tries again."),
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


@dataclass(frozen=True)
class Open:
    title: str
    body: str


@dataclass(frozen=True)
class Comment:
    issue: dict[str, Any]
    text: str


@dataclass(frozen=True)
class Close:
    issue: dict[str, Any]
    text: str


Action = Open | Comment | Close


def _accounts(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [a for a in (report or {}).get("accounts", []) if isinstance(a, dict)]


def is_dry_run(report: dict[str, Any] | None, flag: bool) -> bool:
    """The workflow's dry_run input, or a result that shows a preview."""
    return flag or any(a.get("status") == Status.PREVIEWED for a in _accounts(report))


def needed(report: dict[str, Any] | None, outcome: str, open_issues: int) -> bool:
    """Whether the notify job has anything to do: the run job says so in an output, so a healthy
    day bills one job, not two. Anything unusual says yes."""
    return (outcome not in ("success", "") or report is None or open_issues > 0
            or any(a.get("status") == Status.FAILED for a in _accounts(report))
            or bool(headsup.wanted(report) or missed.wanted(report)))


def classify_cancel(jobs: list[dict[str, Any]], job_name: str, timeout_minutes: int) -> str:
    """A cancelled run job was its own ``timeout-minutes`` when it ran (nearly) that long, else a
    person (a workflow cancelled by hand). ``cancelled`` when the jobs API does not say."""
    job = next((j for j in jobs if j.get("name") == job_name), None)
    try:
        started = datetime.fromisoformat(str(job["started_at"]).replace("Z", "+00:00"))  # type: ignore[index]
        ended = datetime.fromisoformat(str(job["completed_at"]).replace("Z", "+00:00"))  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return "cancelled"
    ran = (ended - started).total_seconds()
    return "timed-out" if ran >= timeout_minutes * 60 - TIMEOUT_SLACK else "cancelled-by-person"


def decide(report: dict[str, Any] | None, outcome: str, open_issues: dict[str, dict[str, Any]],
           closed_titles: set[str], run_url: str) -> list[Action]:
    """Every write this result calls for, given the open issues (title → issue) and the titles of
    issues closed lately (a missed day or a heads-up is opened once, never again after a close)."""
    accounts = _accounts(report)
    day = (report or {}).get("date", "")
    failed = [a for a in accounts if a.get("status") == Status.FAILED]
    healthy = [a for a in accounts if proves_health(str(a.get("status", "")), a.get("reason"))]
    actions: list[Action] = []
    for account in failed:
        actions.append(_failing(account, day, open_issues, run_url))
    for account in healthy:
        if issue := open_issues.get(ACCOUNT_TITLE.format(id=account.get("id"))):
            text = f"Recovered: {day} {account['status']}: {code(account.get('message'))}"
            actions.append(Close(issue, text))
    if outcome in BROKEN and not failed:
        actions.append(_run_failed(open_issues.get(RUN_TITLE), outcome, report is not None, run_url))
    elif healthy and not failed and RUN_TITLE in open_issues:
        actions.append(Close(open_issues[RUN_TITLE], f"Recovered: {day} the run wrote its result again."))
    if report is not None:
        for kind in (missed, headsup):
            actions += [Open(title, body) for title, body in kind.wanted(report).items()
                        if title not in open_issues and title not in closed_titles]
            actions += [Close(issue, text) for issue, text in kind.gone(report, open_issues)]
    return [Close(a.issue, f"{a.text}\n\nRun: {run_url}") if isinstance(a, Close) else a for a in actions]


def _failing(account: dict[str, Any], day: str, issues: dict[str, Any], run_url: str) -> Action:
    account_id, reason = account.get("id"), str(account.get("reason") or "unknown")
    title = ACCOUNT_TITLE.format(id=account_id)
    if title in issues:
        return Comment(issues[title], f"Still failing on {day}: {code(reason)}: "
                                      f"{code(account.get('message', ''))}\n\nRun: {run_url}")
    lines = [f"The daily plan for account {code(account_id)} was not filed on {day}.", "",
             f"- reason: {code(reason)}", f"- message: {code(account.get('message', ''))}",
             f"- run: {run_url}", ""]
    if reason in HINTS:
        lines += [f"What to do: {HINTS[Reason(reason)]}", ""]
    if who := mention(account.get("github")):
        lines += [who, ""]  # the owner hears of it; the cron editor got the email
    return Open(title, "\n".join([*lines, FOOTER]))


def _run_failed(issue: dict[str, Any] | None, outcome: str, had_result: bool, run_url: str) -> Action:
    what = {"timed-out": "was stopped by its job's `timeout-minutes`",
            "cancelled": "ended `cancelled` (by its timeout or by hand: the jobs API did not say)",
            }.get(outcome, f"ended `{outcome}`") + ("" if had_result else " before it wrote a result")
    if issue:
        return Comment(issue, f"Failed again: the run {what}.\n\nRun: {run_url}")
    return Open(RUN_TITLE, "\n".join([
        f"The dailyplan run {what}, " + ("though no account in its result failed." if had_result
                                          else "so no account was reported."), "",
        f"- run: {run_url}", "",
        "Its log says why: a config or secret error (exit 2 names the variable to set), a failed "
        "install, or a hung step stopped by its timeout.", "", FOOTER]))


class Notifier:
    """Carries out ``decide``'s actions; every write can be recognised if its answer is lost."""

    def __init__(self, github: GitHub, label: str, key: str, say: Callable[[str, str], None]) -> None:
        self.github, self.label, self.marker, self.say = github, label, marker(key), say
        self.label_checked = False

    def open_issues(self) -> dict[str, dict[str, Any]]:
        """Open issues with the label by title; the oldest wins when two share one."""
        return {i["title"]: i for i in sorted(self.github.issues(self.label), key=lambda i: -i["number"])}

    def closed_titles(self, report: dict[str, Any], open_issues: dict[str, Any]) -> set[str]:
        """Titles closed in the last 31 days, asked only when a missed day or heads-up would open."""
        once = {*missed.wanted(report), *headsup.wanted(report)} - set(open_issues)
        if not once:
            return set()
        try:
            since = f"{date.fromisoformat(str(report.get('date'))) - timedelta(days=31)}T00:00:00Z"
        except ValueError:
            since = None
        return {i["title"] for i in self.github.issues(self.label, state="closed", since=since)}

    def carry_out(self, actions: list[Action]) -> None:
        for action in actions:
            try:
                if isinstance(action, Open):
                    self._open(action.title, action.body)
                elif isinstance(action, Comment):
                    self._comment(action.issue, action.text)
                else:
                    self._close(action.issue, action.text)
            except (IssuesDisabled, RateLimited):
                raise
            except GitHubError as exc:  # one failed call costs one warning, the rest still happen
                self.say("warning", f"notify: {exc}; {STATUS_HINTS.get(exc.status, 'issue not updated.')}")

    def _open(self, title: str, body: str) -> None:
        if not self.label_checked:
            self.github.ensure_label(self.label)
            self.label_checked = True
        issue = self.github.write("POST", "/issues", {"title": title, "body": body, "labels": [self.label]},
                                  found=lambda: self.open_issues().get(title))
        print(f"opened #{issue.get('number', '?')}: {title}")

    def _comment(self, issue: dict[str, Any], text: str) -> None:
        number = issue["number"]
        self.github.write("POST", f"/issues/{number}/comments", {"body": f"{text}\n\n{self.marker}"},
                          found=lambda: next((c for c in self.github.comments(number)
                                              if self.marker in str(c.get("body", ""))), None))
        print(f"commented on #{number}: {issue['title']}")

    def _close(self, issue: dict[str, Any], text: str) -> None:
        self._comment(issue, text)
        self.github.write("PATCH", f"/issues/{issue['number']}",
                          {"state": "closed", "state_reason": "completed"})
        print(f"closed #{issue['number']}: {issue['title']}")


def load(result: Path | None, say: Callable[[str, str], None]) -> dict[str, Any] | None:
    """The run's result, or None when the run died before writing one (or wrote something else)."""
    if result is None or not result.is_file():
        return None
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        say("warning", f"notify: cannot read {result} ({exc.__class__.__name__}); treating it as no result.")
        return None
    return data if isinstance(data, dict) else None
