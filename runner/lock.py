"""An advisory file lock so two runs on one machine (a cron overlap) never submit twice.

The second run waits for the first, then finds the plan there and skips it as
already-submitted: the same idempotence that makes late schedule slots harmless.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from runner.errors import RunnerError
from runner.status import Reason

DEFAULT_WAIT_SECONDS = 300.0


class LockTimeout(RunnerError):
    reason = Reason.LOCKED


def lock_path(env: Mapping[str, str]) -> Path:
    if env.get("DAILYPLAN_LOCK_FILE"):
        return Path(env["DAILYPLAN_LOCK_FILE"])
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"dailyplan-{uid}.lock"


@contextmanager
def run_lock(env: Mapping[str, str], wait: float | None = None) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; scheduled runs there do not overlap in practice
        yield
        return
    wait = float(env.get("DAILYPLAN_LOCK_WAIT", DEFAULT_WAIT_SECONDS)) if wait is None else wait
    path = lock_path(env)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"another dailyplan run has held {path} for over {wait:g} s; "
                                      "nothing was submitted by this run") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
