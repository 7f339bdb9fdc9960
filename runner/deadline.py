"""The run's own deadline, and the one parser for duration values read from the environment.

The workflow step is killed after 10 minutes; a killed run writes no result file, so nobody hears
which plans were not filed. The run therefore stops itself first (8 minutes by default): every
request is clipped to what is left, and accounts not finished by then fail as ``network``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from runner.errors import UsageError

RUN_DEADLINE_VARIABLE = "DAILYPLAN_RUN_DEADLINE"
DEFAULT_RUN_SECONDS = 480.0  # the workflow step's timeout is 10 minutes


def env_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A number of seconds from ``env[name]``; anything else is one line naming the variable."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{name} must be a number of seconds (e.g. 300), got {raw[:40]!r}; "
                         f"unset it for the default of {default:g}")
    return value


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock; ``remaining`` is what a request may still spend."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Deadline:
        return cls.after(env_seconds(env, RUN_DEADLINE_VARIABLE, DEFAULT_RUN_SECONDS))

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def why(self, what: str) -> str:
        return (f"the run's {self.seconds:g} s deadline ({RUN_DEADLINE_VARIABLE}) passed before "
                f"{what}; this account was not finished, so check its plan by hand")
