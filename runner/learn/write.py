"""Render what was learned as a complete, commented ``dailyplan.toml`` (and a template if needed).

Every key carries a comment naming the recorded request it came from, so a person can check it
against the recording. Each key passes the secret guard on its own: a value that would leak is
left out with a comment, never written.
"""

from __future__ import annotations

import re
from typing import Any

from runner.learn.guard import leaks
from runner.learn.model import Key, Learned

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if "\n" in text:
        return '"""\n' + _escape(text, multiline=True) + '"""'
    return '"' + _escape(text, multiline=False) + '"'


def _escape(text: str, *, multiline: bool) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n" and multiline:
            out.append("\n")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_key(name: str) -> str:
    return name if _BARE.match(name) else '"' + _escape(name, multiline=False) + '"'


def _block(key: Key, secrets: set[str], notes: list[str]) -> list[str]:
    line = f"{toml_key(key.name)} = {toml_value(key.value)}"
    if leaks(f"{key.why}\n{line}", secrets):
        notes.append(f"{key.name}: left out: the recorded value is a secret")
        return [f"# {key.name}: left out, the recording's value for it is a secret"]
    return [f"# {key.why}", line]


def render(learned: Learned, *, source: str, account_id: str, template_path: str | None) -> str:
    notes: list[str] = []
    lines = [
        f"# dailyplan.toml written by `dailyplan learn` from {source}:",
        f"#   {learned.summary}.",
        "# Each comment names the recorded request a key came from (entries counted from 1).",
        "# Check the values, set the secret named below, then run: dailyplan check",
        "# The recording holds your password and session: delete it, never commit it.",
        "",
        "[site]",
    ]
    for key in learned.site:
        lines += _block(key, learned.secrets, notes)
    for table, keys in (("site.headers", learned.headers), ("site.submit_fields", learned.submit_fields)):
        if keys:
            lines += ["", f"[{table}]"]
            for key in keys:
                lines += _block(key, learned.secrets, notes)
    lines += ["", "[[accounts]]", f"id = {toml_value(account_id)}"]
    unused = 'not in the recording: your login name (unused with auth = "cookie-secret")'
    user = Key("username", learned.username or account_id, learned.username_why or unused)
    lines += _block(user, learned.secrets, notes)
    lines += _block(Key("plan", learned.plan, learned.plan_why), learned.secrets, notes)
    if template_path:
        lines += ["# reproduces the text you submitted (see the note above it)",
                  f"template = {toml_value(template_path)}"]
    head = [f"# note: {n}" for n in learned.notes + notes]
    text = "\n".join(lines[:5] + head + lines[5:]) + "\n"
    if leaks(text, learned.secrets):
        raise AssertionError("a secret reached the written config")  # never written: a bug to report
    learned.notes += notes
    return text
