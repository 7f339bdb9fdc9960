"""Heads-up issues: a warning with a deadline kept open as one issue per subject until it is gone.

An annotation on a green run is read by nobody. "No statutory calendar for 2027" on December 1st
becomes, on January 1st, a Monday–Friday calendar that misses the Spring Festival's make-up
Saturdays; a token that expires on Friday becomes Monday's auth failure. So each warning the run
file carries with a ``kind`` opens an issue once, says what to do, and is closed when a later run
shows the condition gone. Pure functions over the result file; notify does the I/O.
"""

from __future__ import annotations

import re
from typing import Any

from runner.github.text import code, mention
from runner.status import proves_health

CALENDAR_TITLE = "dailyplan: no statutory calendar for {year}"
TOKEN_TITLE = "dailyplan: token for {id} expires {date}"
CALENDAR_RE = re.compile(r"dailyplan: no statutory calendar for (\d{4})")
TOKEN_RE = re.compile(r"dailyplan: token for (.+) expires (\d{4}-\d{2}-\d{2})")
FOOTER = "This issue closes itself once a run shows the condition gone."


def _warnings(item: dict[str, Any]) -> list[dict[str, Any]]:
    found = item.get("warnings")
    return [w for w in found if isinstance(w, dict)] if isinstance(found, list) else []


def _accounts(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in report.get("accounts", []) if isinstance(a, dict)]


def calendar_years(report: dict[str, Any]) -> set[int]:
    """Years without statutory data, from the run's own warnings and any account's."""
    found = [*_warnings(report), *(w for a in _accounts(report) for w in _warnings(a))]
    return {int(w["year"]) for w in found
            if w.get("kind") == "calendar" and str(w.get("year", "")).isdigit()}


def wanted(report: dict[str, Any]) -> dict[str, str]:
    """Title → body of every heads-up this result asks for."""
    handles = " ".join(dict.fromkeys(h for a in _accounts(report) if (h := mention(a.get("github")))))
    issues = {}
    for year in sorted(calendar_years(report)):
        issues[CALENDAR_TITLE.format(year=year)] = "\n".join([
            f"The `chinesecalendar` package in this copy has no statutory holidays for {year}. From "
            f"{year}-01-01 dailyplan falls back to Monday–Friday: make-up Saturdays (the Spring "
            "Festival has them) are missed and weekday public holidays are filed as workdays.", "",
            "What to do, before the new year: merge the dependency update pull request for "
            "`chinesecalendar` (Dependabot opens one weekly once the data is published), or "
            f"list {year}'s days off under `[workday] holidays` and its make-up days under "
            "`[workday] workdays` in `dailyplan.toml`.", "", *([handles, ""] if handles else []), FOOTER])
    for account in _accounts(report):
        for warning in _warnings(account):
            expires = str(warning.get("expires", ""))[:10]
            if warning.get("kind") != "token" or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires):
                continue
            who = mention(account.get("github"))
            issues[TOKEN_TITLE.format(id=account.get("id"), date=expires)] = "\n".join([
                f"The token of account {code(account.get('id'))} "
                f"({code(warning.get('variable', 'DAILYPLAN_TOKEN'))}) expires on {expires} (UTC). "
                "After that every run fails with `auth` and no plan is filed.", "",
                "What to do: get a new token from the team system and paste it into that repository "
                "secret (Settings → Secrets and variables → Actions).", "", *([who, ""] if who else []),
                FOOTER])
    return issues


def gone(report: dict[str, Any], open_issues: dict[str, dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Open heads-ups whose condition this result shows gone, with the comment that closes each.

    The calendar is assessed on every run that writes ``warnings``; a token only by a run that
    logged that account in (its status proves health), so a weekend never closes a token issue.
    """
    still = set(wanted(report))
    assessed = "warnings" in report
    healthy = {str(a.get("id")) for a in _accounts(report)
               if proves_health(str(a.get("status", "")), a.get("reason"))}
    day = report.get("date", "")
    closing = []
    for title, issue in open_issues.items():
        if title in still:
            continue
        if (match := CALENDAR_RE.fullmatch(title)) and assessed:
            closing.append((issue, f"The run of {day} finds statutory data for {match.group(1)}: "
                                   "the calendar is complete again."))
        elif (match := TOKEN_RE.fullmatch(title)) and match.group(1) in healthy:
            closing.append((issue, f"The run of {day} logged {code(match.group(1))} in with a token "
                                   "that is not about to expire: renewed."))
    return closing
