"""Where results and warnings go: the console, GitHub annotations, the step summary.

Every line leaves through ``Reporter``, which redacts each known secret value as a last line of
defence: messages are built never to contain one, and this makes sure a mistake stays private.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from runner.result import RunResult, console_line, missed_line
from runner.status import Status

_SECRET_PREFIXES = ("DAILYPLAN_PASSWORD", "DAILYPLAN_TOKEN", "DAILYPLAN_COOKIE", "DAILYPLAN_BASE_URL")
REDACTED = "***"


class Reporter:
    def __init__(self, secret_env: Mapping[str, str], env: Mapping[str, str]) -> None:
        self.secrets = sorted(
            {v for k, v in secret_env.items() if k.startswith(_SECRET_PREFIXES) and len(v) >= 3},
            key=len, reverse=True)
        self.actions = env.get("GITHUB_ACTIONS") == "true"
        self.summary = env.get("GITHUB_STEP_SUMMARY") or None
        self._warned: set[str] = set()

    def mask_secrets(self) -> None:
        """Under Actions, before anything else: GitHub then hides these values in every log."""
        if self.actions:
            for value in self.secrets:
                print(f"::add-mask::{value}", flush=True)

    def redact(self, text: str) -> str:
        for value in self.secrets:
            text = text.replace(value, REDACTED)
        return text

    def notice(self, message: str) -> None:
        message = self.redact(message)
        print(f"::notice title=dailyplan::{message}" if self.actions else message)

    def warn(self, message: str) -> None:
        message = self.redact(message)
        if message in self._warned:
            return
        self._warned.add(message)
        print(f"warning: {message}", file=sys.stderr)
        if self.actions:
            print(f"::warning title=dailyplan::{message}", file=sys.stderr)

    def report(self, result: RunResult, show_plans: bool = False) -> None:
        for account in result.accounts:
            for warning in account.warnings:
                self.warn(warning)
        width = max((len(a.id) for a in result.accounts), default=0)
        print(f"daily plan for {result.date} ({result.timezone})")
        for account in result.accounts:
            print(self.redact(console_line(account, width)))
            if show_plans and account.plan is not None:
                print(self.redact("\n".join("    │ " + line for line in account.plan.splitlines())))
            if account.missed:
                print(self.redact(missed_line(account)))
            if self.actions and account.status == Status.FAILED:
                print(self.redact(f"::error title=dailyplan {account.id}::"
                                  f"{account.reason}: {account.message}"))
        if self.summary:
            with Path(self.summary).open("a", encoding="utf-8") as out:
                out.write(self.redact(result.markdown()))
