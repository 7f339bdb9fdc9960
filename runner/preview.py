"""A dry run on a day off previews the next workday, labelled as such.

The first dry run a new user tries is usually on a weekend; "skipped (weekend)" alone shows them
nothing. Today's decision stands (nothing would be filed today); the preview says what the next
workday's run would file, with the same login, read and render.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from runner.config import Account, Config, Secret
from runner.pipeline import Options, run_all
from runner.result import AccountResult, RunResult
from runner.status import DAY_OFF, Status
from runner.workday import next_workday


def preview_days_off(config: Config, accounts: list[Account], secrets: dict[str, Secret],
                     opts: Options, result: RunResult) -> RunResult:
    """``result`` with each day-off skip followed by a preview of that account's next workday."""
    by_id = {a.id: a for a in accounts}
    groups: dict[date, list[Account]] = {}
    for skipped in result.accounts:
        if skipped.status == Status.SKIPPED and skipped.reason in DAY_OFF:
            upcoming = next_workday(config.decider(by_id[skipped.id]), opts.day)
            if upcoming is not None:
                groups.setdefault(upcoming, []).append(by_id[skipped.id])
    previews: dict[str, tuple[date, AccountResult]] = {}
    for upcoming, group in groups.items():
        for preview in run_all(config, group, secrets, replace(opts, day=upcoming)).accounts:
            previews[preview.id] = (upcoming, preview)
    return replace(result, accounts=[_joined(a, *previews[a.id]) if a.id in previews else a
                                     for a in result.accounts])


def _joined(today: AccountResult, upcoming: date, preview: AccountResult) -> AccountResult:
    label = f"today {today.message}: skipped; preview for the next workday, {upcoming}"
    if preview.status == Status.FAILED:  # the dry run was asked to find exactly this
        return replace(preview, message=f"{label} failed: {preview.message}",
                       warnings=today.warnings + preview.warnings)
    return replace(today, message=f"{label}: {preview.message}", plan=preview.plan,
                   requests=preview.requests, previous_date=preview.previous_date,
                   warnings=today.warnings + preview.warnings)
