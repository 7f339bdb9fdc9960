"""The two ways the runner's words leave the process: workflow commands and files.

Standard library only (``github.notify`` uses it). A workflow command's data is escaped as GitHub
specifies (``%``, CR, LF; and ``:`` ``,`` in properties), so text from the site can never end an
annotation early or start a command of its own. Every file is written atomically (a temporary file
in the same folder, fsync, ``os.replace``), so a reader never sees half a file from a killed run.
"""

from __future__ import annotations

import errno
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TextIO


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, data: str = "", **properties: str) -> str:
    """``::warning title=dailyplan::data``, every part escaped."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command}{' ' + props if props else ''}::{escape_data(data)}"


def atomic_write(path: Path, text: str) -> None:
    """Write all of ``text`` or nothing; the temporary file never outlives a failure.

    Only a regular file is ever replaced: ``os.replace`` onto /dev/null or a pipe would swap the
    device itself for a file. A symbolic link is followed, so the file it names is the one written.
    """
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        raise OSError(errno.EINVAL, f"{path} is not a regular file")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path) -> str | None:
    """Why ``path`` cannot be written, or None: asked before any account runs (exit 2 then).

    A real probe (a temporary file created and removed where the file will go), since
    permissions alone do not show a read-only disk, and say nothing when running as root.
    """
    try:
        if path.is_dir():
            return "is a folder"
        if path.exists() and not path.resolve().is_file():
            return "is not a regular file (a device or a pipe)"
        folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte
        return f"is not a usable path ({getattr(exc, 'strerror', None) or exc.__class__.__name__})"
    if folder is None or not folder.is_dir():
        return f"is inside {folder}, which is not a folder"
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
    except OSError as exc:
        return f"cannot be written here ({exc.strerror or exc.__class__.__name__})"
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
    if path.exists() and not os.access(path, os.W_OK):
        return "is not writable by this user"
    return None


STAMP_WHEN_PIPED = True  # the test suite's console is a pipe that is not cron: it turns this off


def wants_timestamps(stream: TextIO, actions: bool) -> bool:
    """Cron mails or appends the output with no time on it: stamp each line there.

    Actions stamps lines itself, and a person at a terminal knows what time it is.
    """
    return STAMP_WHEN_PIPED and not actions and not _isatty(stream)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def stamp(line: str) -> str:
    return f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S%z} {line}"



