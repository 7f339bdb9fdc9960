"""The run's own deadline (DAILYPLAN_RUN_DEADLINE, parsed with every other input in inputs.py).

The workflow step is killed after 10 minutes; a killed run writes no result file, so nobody hears
which plans were not filed. The run therefore stops itself first (8 minutes by default): every
request is clipped to what is left, and accounts not finished by then fail as ``network``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from runner.inputs import DEFAULT_RUN_SECONDS

RUN_DEADLINE_VARIABLE = "DAILYPLAN_RUN_DEADLINE"
__all__ = ["DEFAULT_RUN_SECONDS", "RUN_DEADLINE_VARIABLE", "Deadline"]


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock; ``remaining`` is what a request may still spend."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def why(self, what: str) -> str:
        return (f"the run's {self.seconds:g} s deadline ({RUN_DEADLINE_VARIABLE}) passed before "
                f"{what}; this account was not finished, so check its plan by hand")
