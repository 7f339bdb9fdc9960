"""Text that goes into an issue: site words as data, one mention we chose, a marker we can find.

GitHub renders issue bodies as Markdown and turns ``@name`` into a notification. A message
quoted from the team system, or an account id from the config, must do neither: each goes into
an inline code span (fenced with more backticks than it holds), where GitHub renders no markup,
links no URL and notifies nobody. The only ``@`` that reaches a body is the account's configured
``github`` handle, and only when it is a valid GitHub user name.
"""

from __future__ import annotations

import re

HANDLE = re.compile(r"@?([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})")
LIMIT = 300


def code(value: object, limit: int = LIMIT) -> str:
    """``value`` on one line, at most ``limit`` characters, as an inline code span."""
    text = " ".join(str(value).encode("utf-8", "replace").decode("utf-8").split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text:
        return "(none)"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def mention(handle: object) -> str | None:
    """``@handle`` for a valid GitHub user name, else None (a typo must not ping a stranger's team)."""
    found = HANDLE.fullmatch(str(handle or ""))
    return f"@{found.group(1)}" if found else None


def marker(key: str) -> str:
    """An invisible line that lets a later read recognise this write as ours (and this run's)."""
    return f"<!-- dailyplan:{re.sub(r'[^A-Za-z0-9._:-]', '-', key)} -->"
