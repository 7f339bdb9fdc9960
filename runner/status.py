"""The result vocabulary every module shares: statuses, reasons and exit codes.

Standard library only, so ``github.notify`` (which runs in a job without the site's packages in
mind) can import it alone. A typo in a bare string would silently stop issues from closing; a
misspelt enum member fails at import.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any


class Status(StrEnum):
    SUBMITTED = "submitted"  # filed and read back identical
    SKIPPED = "skipped"  # nothing to do, with proof (a parsed page or the calendar)
    PREVIEWED = "previewed"  # a dry run that would have submitted
    FAILED = "failed"  # the plan may not be there: a person must hear of it


class Reason(StrEnum):
    # why a day was skipped
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    LEAVE = "leave"
    QUORUM = "quorum"
    ALREADY_SUBMITTED = "already-submitted"
    # why an account failed
    AUTH = "auth"
    NETWORK = "network"
    REJECTED = "rejected"
    SITE_CHANGED = "site-changed"
    VERIFY = "verify"
    CONFIG = "config"
    LOCKED = "locked"
    INTERRUPTED = "interrupted"
    INTERNAL = "internal"


DAY_OFF = frozenset({Reason.WEEKEND, Reason.HOLIDAY, Reason.LEAVE})
SKIP_REASONS = frozenset({*DAY_OFF, Reason.QUORUM, Reason.ALREADY_SUBMITTED})
FAILURE_REASONS = frozenset(set(Reason) - SKIP_REASONS)


def proves_health(status: str, reason: str | None) -> bool:
    """Whether a result shows the account works: a login and a read happened and the plan is there.

    A day off, a quorum skip or a dry run makes no such proof, so it must not close a failure issue.
    """
    return status == Status.SUBMITTED or (status == Status.SKIPPED
                                          and reason == Reason.ALREADY_SUBMITTED)


class ExitCode(IntEnum):
    OK = 0  # no account failed
    FAILED = 1  # at least one account failed
    USAGE = 2  # bad command line, config, secret or environment value: found before any account runs
    INTERRUPTED = 130  # Ctrl-C or SIGTERM: what finished is reported, nothing new was started

class Notice(str):
    """A warning line that also says what it is about, so notify can keep a heads-up issue for it.

    A ``str``, so every place that prints warnings keeps working; ``as_dict`` is its file form,
    e.g. ``{"kind": "calendar", "year": 2027, "message": ...}``.
    """

    kind: str
    about: dict[str, Any]

    def __new__(cls, message: str, kind: str = "other", **about: Any) -> Notice:
        self = super().__new__(cls, message)
        self.kind, self.about = kind, about
        return self

    def as_dict(self) -> dict[str, Any]:
        return {"kind": getattr(self, "kind", "other"), **getattr(self, "about", {}), "message": str(self)}
