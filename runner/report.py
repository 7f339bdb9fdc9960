"""Where results and warnings go: the console, GitHub annotations, the step summary, the file.

Every sink is a method of ``Reporter``, and every method passes its text through the one
``Redactor``: there is no way to print, annotate, summarise or write a result around it. The
result file comes first and never depends on the others: a step summary that cannot be written
is a warning, not a lost result.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TextIO

from runner.errors import UsageError
from runner.inputs import Inputs
from runner.output import check_writable, stamp, wants_timestamps, workflow_command
from runner.redact import Redactor
from runner.result import RunResult, console_line, missed_line
from runner.status import Status

TITLE = "dailyplan"
_COMMAND_START = re.compile(r"^(\s*)::")
PUBLIC_LOG = ("this repository is public, so its logs are too: the plan text is not shown here. "
              "To preview it privately, run `dailyplan run --dry-run` on your own machine.")


class Reporter:
    def __init__(self, redact: Redactor, inputs: Inputs, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        self.redact = redact
        self.actions = inputs.actions
        self.summary = Path(inputs.step_summary) if inputs.step_summary else None
        self.public_logs = inputs.public_logs
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.timestamps = wants_timestamps(self.out, self.actions)
        self._warned: set[str] = set()

    # -------------------------------------------------------------- lines

    def _print(self, text: str, stream: TextIO) -> None:
        for line in self.redact(text).splitlines() or [""]:
            if self.actions:  # site text on a line of its own must not become a workflow command
                line = _COMMAND_START.sub(r"\1: :", line)
            print(stamp(line) if self.timestamps else line, file=stream, flush=True)

    def line(self, text: str) -> None:
        self._print(text, self.out)

    def mask_secrets(self) -> None:
        """Under Actions, before anything else: GitHub then hides these values in every log."""
        if self.actions:
            for value in self.redact.masks():
                print(workflow_command("add-mask", value), file=self.out, flush=True)

    def notice(self, message: str) -> None:
        if self.actions:
            print(workflow_command("notice", self.redact(message), title=TITLE), file=self.out)
        else:
            self.line(message)

    def warn(self, message: str) -> None:
        message = self.redact(message)
        if message in self._warned:
            return
        self._warned.add(message)
        self._print(f"warning: {message}", self.err)
        if self.actions:
            print(workflow_command("warning", message, title=TITLE), file=self.err, flush=True)

    # -------------------------------------------------------------- the result

    @staticmethod
    def check_result_path(path: Path) -> None:
        """Before any account runs: a result that cannot be written is exit 2, not a lost run."""
        problem = check_writable(path)
        if problem:
            raise UsageError(f"--result {path} {problem}; choose a writable path")

    def write_result(self, result: RunResult, path: Path) -> bool:
        """False (and one line saying so) when the file could not be written after all."""
        try:
            result.write(path, self.redact)
            return True
        except OSError as exc:
            self._print(f"error: the result file {path} could not be written ({exc.__class__.__name__}: "
                        f"{exc.strerror or exc}); the notify step will report the run as failed "
                        "without it", self.err)
            return False

    def report(self, result: RunResult, show_plans: bool = False) -> None:
        result = result.redacted(self.redact)
        for account in result.accounts:
            for warning in account.warnings:
                self.warn(warning)
        hide_plans = show_plans and self.public_logs
        width = max((len(a.id) for a in result.accounts), default=0)
        self.line(f"daily plan for {result.date} ({result.timezone})")
        for account in result.accounts:
            self.line(console_line(account, width))
            if show_plans and not hide_plans and account.plan is not None:
                self.line("\n".join("    │ " + line for line in account.plan.splitlines()))
            if account.missed:
                self.line(missed_line(account))
            if self.actions and account.status == Status.FAILED:
                print(workflow_command("error", f"{account.reason}: {account.message}",
                                       title=f"{TITLE} {account.id}"), file=self.out, flush=True)
        if hide_plans and any(a.plan is not None for a in result.accounts):
            self.notice(PUBLIC_LOG)
        if self.summary:
            try:
                with self.summary.open("a", encoding="utf-8") as out:
                    out.write(result.markdown())
            except OSError as exc:
                self.warn(f"the step summary {self.summary} could not be written "
                          f"({exc.__class__.__name__}); the result file and the log have it all")
