"""Missed-day issues: a workday with no plan on the site reaches a person, once per account and day.

A run that fails goes red and emails someone; a run that never started (a disabled schedule, the
60-day rule, an offline runner) does neither. The next run that reads the account's history sees
the hole and lists the day under ``missed``; this module turns each into one issue, never two,
and closes it once a later run has read the history again (its status proves it) and no longer
lists the day (or, better, lists it under ``filed``: the history showed a plan for it). Pure
functions over the result file; notify does the I/O.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from runner.github.text import code, mention
from runner.status import proves_health

TITLE = "dailyplan: {id} has no plan for {day}"
TITLE_RE = re.compile(r"dailyplan: (.+) has no plan for (\d{4}-\d{2}-\d{2})")


def _days(account: dict[str, Any], key: str = "missed") -> list[str]:
    days = account.get(key)
    if not isinstance(days, list):
        return []
    valid = []
    for day in days:
        try:
            valid.append(date.fromisoformat(str(day)).isoformat())
        except ValueError:
            continue  # the file is data: a bad entry is skipped, never a crash
    return valid


def _accounts(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in report.get("accounts", []) if isinstance(a, dict)]


def wanted(report: dict[str, Any]) -> dict[str, str]:
    """Title → body for every account and missed day in this result."""
    issues = {}
    for account in _accounts(report):
        account_id, who = account.get("id"), mention(account.get("github"))
        for day in _days(account):
            weekday = date.fromisoformat(day).strftime("%A")
            issues[TITLE.format(id=account_id, day=day)] = "\n".join([
                f"Account {code(account_id)} has no plan on the team system for {day} (a {weekday}, "
                f"a workday by its calendar), and no dailyplan run filed one: the run of "
                f"{report.get('date', '')} found the day empty when it read the history.", "",
                "The likely cause is a run that never started, which leaves no red run and no email. "
                "Check:",
                "- is the scheduled workflow enabled (Actions → daily plan)? A fork's schedule starts "
                "disabled, and GitHub disables the schedule of a public repository after 60 days "
                "without activity (pushes, issues, runs; not only commits);",
                "- was the self-hosted runner (`DAILYPLAN_RUNS_ON`), if any, online at the slot times?",
                "- did that day's runs fail? Their own issues and red runs say so.", "",
                f"To file it: by hand in the team system, or `dailyplan run --date {day} --account "
                f"{account_id}` locally, or `gh workflow run daily-plan.yml -f date={day} -f "
                f"account={account_id}`.", "", *([who, ""] if who else []),
                f"This issue closes itself once a later run finds a plan for {day} on the site."])
    return issues


def _filed(account: dict[str, Any], day: str) -> bool | None:
    """Whether this result shows a plan for ``day``: True, False, or None when it cannot say.

    ``filed`` (the days the history read showed a plan for) answers directly, and a day that has
    left the audit window is not mistaken for a filed one. Without it, the run must have read the
    history (its status proves health) and listed ``missed`` without the day.
    """
    if "filed" in account:
        return day in _days(account, "filed") or (False if day in _days(account) else None)
    if "missed" in account and proves_health(str(account.get("status", "")), account.get("reason")):
        return day not in _days(account)
    return None


def gone(report: dict[str, Any], open_issues: dict[str, dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Open missed-day issues for which this result shows a plan on the site now."""
    accounts = {str(a.get("id")): a for a in _accounts(report)}
    closing = []
    for title, issue in open_issues.items():
        match = TITLE_RE.fullmatch(title)
        if match and match.group(1) in accounts and _filed(accounts[match.group(1)], match.group(2)):
            closing.append((issue, f"The run of {report.get('date', '')} read the history of "
                                   f"{code(match.group(1))} and no longer lists {match.group(2)} as "
                                   "missed: a plan is there now."))
    return closing
