"""The runner's exceptions, and the one place they become statuses and exit codes.

Every failure an account can meet is one of these, so the pipeline never has to guess what a
stray exception means: an unexpected one is a bug and is reported as such, not as a network blip.
"""

from __future__ import annotations

from runner.status import ExitCode, Reason

__all__ = ["ExitCode", "Reason"]


class RunnerError(Exception):
    """Base of everything the runner reports on purpose. ``reason`` is the result's reason."""

    reason: Reason = Reason.INTERNAL


class UsageError(RunnerError):
    """Bad input found before any account runs: config, secrets, command line. Exit 2."""

    reason = Reason.CONFIG


class ConfigError(RunnerError):
    """A problem with one account's own setup that only shows while it runs (its template)."""

    reason = Reason.CONFIG


class AuthError(RunnerError):
    """Wrong password, refused or expired token. Never retried: retrying locks accounts."""

    reason = Reason.AUTH


class NetworkError(RunnerError):
    """The site could not be reached, or kept answering 5xx after the retries ran out."""

    reason = Reason.NETWORK


class Rejected(RunnerError):
    """The site understood the request and said no (an error text, or a 4xx).

    ``answer`` is what it said, already shortened for a message (``'内容不能为空'``, ``HTTP 403``):
    after a submit the pipeline reads the day back before believing the no, and if the plan is
    there after all it warns with these words instead.
    """

    reason = Reason.REJECTED

    def __init__(self, message: str, answer: str | None = None) -> None:
        super().__init__(message)
        self.answer = answer or message


class SiteChanged(RunnerError):
    """A page no longer has the shape the profile expects; submitting blind would be unsafe."""

    reason = Reason.SITE_CHANGED


class VerifyError(RunnerError):
    """The site said the plan was saved, but reading it back shows something else."""

    reason = Reason.VERIFY


class Interrupted(RunnerError):
    """Ctrl-C or SIGTERM arrived before this account finished; no submit starts after it."""

    reason = Reason.INTERRUPTED
