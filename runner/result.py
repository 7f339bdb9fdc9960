"""What happened, per account, and the three ways it is reported: JSON, Markdown, a console line.

The result file is the contract with the workflow's notify step and with people's own scripts,
so it carries no plan text and no credential, only what a maintainer needs to act.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from runner.audit import describe
from runner.month import MonthView
from runner.month import markdown as month_markdown
from runner.output import atomic_write
from runner.redact import Redactor
from runner.status import Notice, Reason, Status


def notices(items: list[str]) -> list[dict[str, Any]]:
    return [(i if isinstance(i, Notice) else Notice(i)).as_dict() for i in items]


def _redacted(warning: str, redact: Redactor) -> str:
    """A warning through ``redact``, keeping what it is about (its kind and fields)."""
    if isinstance(warning, Notice):
        return Notice(redact(warning), warning.kind, **warning.about)
    return redact(warning)

ICONS = {Status.SUBMITTED: "✅", Status.SKIPPED: "⏭️", Status.PREVIEWED: "👀", Status.FAILED: "❌"}


@dataclass
class AccountResult:
    id: str
    status: Status
    reason: Reason | None
    message: str
    previous_date: date | None = None
    requests: int | None = None
    seconds: float | None = None
    github: str | None = None
    plan: str | None = field(default=None, repr=False)  # printed for --dry-run/demo, never saved
    warnings: list[str] = field(default_factory=list, repr=False)  # stderr, and the file as notices
    missed: list[date] | None = None  # recent workdays with no plan on the site (None: not read)
    filed: list[date] | None = None  # the days the history read showed a plan for
    month: MonthView | None = field(default=None, repr=False)  # this month, for the step summary

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "status": self.status, "reason": self.reason,
                                "message": self.message}
        if self.previous_date is not None:
            data["previous_date"] = self.previous_date.isoformat()
        if self.requests is not None:
            data["requests"] = self.requests
        if self.seconds is not None:
            data["seconds"] = round(self.seconds, 2)
        if self.github:
            data["github"] = self.github
        if self.missed is not None and self.filed is not None:
            data["missed"] = [d.isoformat() for d in self.missed]
            data["filed"] = [d.isoformat() for d in self.filed]
        if self.warnings:
            data["warnings"] = notices(self.warnings)
        return data


@dataclass
class RunResult:
    date: date
    timezone: str
    accounts: list[AccountResult]
    warnings: list[str] = field(default_factory=list)  # the run's own, e.g. next year's calendar

    @property
    def failed(self) -> bool:
        return any(a.status == Status.FAILED for a in self.accounts)

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "timezone": self.timezone,
                "accounts": [a.as_dict() for a in self.accounts], "warnings": notices(self.warnings)}

    def redacted(self, redact: Redactor) -> RunResult:
        """The same result with every text a sink shows passed through ``redact``."""
        return replace(self, accounts=[
            replace(a, message=redact(a.message), warnings=[_redacted(w, redact) for w in a.warnings],
                    plan=None if a.plan is None else redact(a.plan))
            for a in self.accounts], warnings=[_redacted(w, redact) for w in self.warnings])

    def write(self, path: Path, redact: Redactor) -> None:
        """Atomically, so a notify step never reads half a file from a killed run; redacted,
        because notify quotes it in issues that GitHub never masks."""
        data = self.redacted(redact).as_dict()
        atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def markdown(self) -> str:
        lines = [f"### Daily plan for {self.date} ({self.timezone})", "",
                 "| account | status | reason | message | requests | seconds |",
                 "|---|---|---|---|---:|---:|"]
        for a in self.accounts:
            icon = ICONS[a.status]
            message = " ".join(a.message.split()).replace("|", "\\|")
            cells = [a.id, f"{icon} {a.status}", a.reason or "", message,
                     "" if a.requests is None else str(a.requests),
                     "" if a.seconds is None else f"{a.seconds:.2f}"]
            lines.append("| " + " | ".join(cells) + " |")
        for a in self.accounts:
            if a.missed:
                lines += ["", missed_line(a)]
        for a in self.accounts:
            if a.month is not None:
                lines += ["", month_markdown(a.month, a.id).rstrip("\n")]
        return "\n".join(lines) + "\n"


def missed_line(a: AccountResult) -> str:
    return describe(a.id, a.missed or [])


def console_line(a: AccountResult, width: int) -> str:
    status = a.status + (f" ({a.reason})" if a.reason else "")
    extra = []
    if a.requests is not None:
        extra.append(f"{a.requests} req")
    if a.seconds is not None:
        extra.append(f"{a.seconds:.2f} s")
    tail = f"  [{', '.join(extra)}]" if extra else ""
    message = " ".join(a.message.splitlines())  # one line per account, whatever the site said
    return f"{a.id:<{width}}  {status:<28} {message}{tail}"
