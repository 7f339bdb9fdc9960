"""An advisory file lock so two runs on one machine (a cron overlap) never submit twice.

The second run waits for the first, then finds the plan there and skips it as
already-submitted: the same idempotence that makes late schedule slots harmless.

The lock lives where only its user can reach it: ``$XDG_RUNTIME_DIR`` when that is a private
directory of ours, else a 0700 folder under the user's cache directory. In a shared temp folder
another local user could hold the lock to stop every run, or plant a symlink to make us create or
truncate a file elsewhere; so the file is opened without following symlinks and must be ours. A
lock that cannot be opened or taken is one line (reason ``locked``), never "unexpected".
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from runner.errors import RunnerError
from runner.status import Reason

DEFAULT_WAIT_SECONDS = 300.0
LOCK_NAME = "dailyplan.lock"
FIX = "set DAILYPLAN_LOCK_FILE to a file of your own"


class LockError(RunnerError):
    """The run lock cannot be opened, or is not safely ours; nothing was submitted."""

    reason = Reason.LOCKED


class LockTimeout(LockError):
    """Another run held the lock for longer than DAILYPLAN_LOCK_WAIT."""


def lock_path(lock_file: str = "", runtime_dir: str = "", cache_home: str = "") -> Path:
    """DAILYPLAN_LOCK_FILE when set, else ``dailyplan.lock`` in a private folder.

    The arguments are ``Inputs.lock_file``, ``runtime_dir`` (XDG_RUNTIME_DIR) and ``cache_home``
    (XDG_CACHE_HOME, else ``~/.cache``). Where the cache cannot be written (a read-only home in a
    container), a 0700 ``dailyplan-<uid>`` folder in the temp folder serves, checked the same way.
    """
    if lock_file:
        return Path(lock_file)
    if runtime_dir and _private(Path(runtime_dir)):
        return Path(runtime_dir) / LOCK_NAME
    folders = [Path(tempfile.gettempdir()) / f"dailyplan-{os.getuid()}"]
    with contextlib.suppress(RuntimeError):  # no home directory to be found
        folders.insert(0, Path(cache_home or Path.home() / ".cache") / "dailyplan")
    first: str | None = None
    for folder in folders:
        try:
            _make_private(folder)
            return folder / LOCK_NAME
        except OSError as exc:  # cannot be made here: try the next place
            first = first or f"cannot make the run lock's folder {folder} ({exc.strerror}); {FIX}"
    raise LockError(first or f"no private folder for the run lock; {FIX}")


def _private(folder: Path) -> bool:
    """A real directory (not a symlink), ours, that no one else may read or write."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def _make_private(folder: Path) -> None:
    """Make ``folder`` 0700; OSError if it cannot be made, LockError if it is not ours to use."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise LockError(f"the run lock's folder {folder} is not a directory of yours "
                        f"(a symlink, or another user's); remove it, or {FIX}")
    if st.st_mode & 0o077:
        os.chmod(folder, 0o700)


def _open(path: Path) -> int:
    """Open (or create, 0600) the lock without following a symlink; it must be our regular file."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if os.path.islink(path):
            raise LockError(f"the run lock {path} is a symbolic link, which dailyplan never "
                            f"follows; remove it, or {FIX}") from None
        raise LockError(f"cannot open the run lock {path} ({exc.strerror}); {FIX}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        os.close(fd)
        raise LockError(f"the run lock {path} is not a file of yours (another user could hold it "
                        f"to stop every run); remove it, or {FIX}")
    return fd


@contextlib.contextmanager
def run_lock(lock_file: str = "", wait: float = DEFAULT_WAIT_SECONDS, runtime_dir: str = "",
             cache_home: str = "") -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; scheduled runs there do not overlap in practice
        yield
        return
    path = lock_path(lock_file, runtime_dir, cache_home)
    fd = _open(path)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"another dailyplan run has held {path} for over {wait:g} s; "
                                      "nothing was submitted by this run") from None
                time.sleep(0.1)
            except OSError as exc:  # e.g. a file system without locks
                raise LockError(f"cannot lock {path} ({exc.strerror}); {FIX}") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
