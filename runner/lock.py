"""An advisory file lock so two runs on one machine (a cron overlap) never submit twice.

The second run waits for the first, then finds the plan there and skips it as
already-submitted: the same idempotence that makes late schedule slots harmless.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.errors import RunnerError
from runner.status import Reason

DEFAULT_WAIT_SECONDS = 300.0


class LockTimeout(RunnerError):
    reason = Reason.LOCKED


def lock_path(lock_file: str = "") -> Path:
    """DAILYPLAN_LOCK_FILE (``Inputs.lock_file``) when set."""
    if lock_file:
        return Path(lock_file)
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"dailyplan-{uid}.lock"


@contextmanager
def run_lock(lock_file: str = "", wait: float = DEFAULT_WAIT_SECONDS) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; scheduled runs there do not overlap in practice
        yield
        return
    path = lock_path(lock_file)
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
