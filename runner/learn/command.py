"""``dailyplan learn RECORDING.har``: read, infer, write, and say what to do next.

The only part of ``learn`` that touches files and the terminal. Every line it prints passes the
secret guard, like the file it writes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from runner.config import SECRETS_HINT, env_suffix
from runner.errors import ExitCode, UsageError
from runner.learn import har, infer
from runner.learn.guard import leaks
from runner.learn.write import render
from runner.output import atomic_write


def account_id(given: str | None, username: str) -> str:
    if given:
        return given
    simple = re.sub(r"[^a-z0-9_.-]", "", username.split("@")[0].lower())  # an email's local part
    return simple or "me"


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan learn``, the shape every command shares."""
    return run(args.recording, given_id=args.id, out=args.out, force=args.force, strict=args.strict)


def run(recording: str, *, given_id: str | None, out: str, force: bool, strict: bool,
        stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    path = Path(recording)
    entries = har.load(path)
    learned = infer.learn(entries, path.name)
    say = stderr if out == "-" else stdout

    def tell(line: str) -> None:
        print("(a line was withheld: it would show a secret)" if leaks(line, learned.secrets) else line,
              file=say)

    if strict and learned.missing:
        for note in learned.notes:
            tell(f"note: {note}")
        raise UsageError(f"{path.name}: no {' and no '.join(learned.missing)} recorded (--strict); "
                         f"{infer.RECORD_AGAIN}")
    ident = account_id(given_id, learned.username)
    target = None if out == "-" else Path(out)
    template_file = None
    if learned.template is not None:
        template_file = f"templates/{ident}.txt.j2"
    for file in (target, target.parent / template_file if target and template_file else None):
        if file is not None and file.exists() and not force:
            raise UsageError(f"{file} already exists; pass --force to replace it, or --out another file")
    text = render(learned, source=path.name, account_id=ident, template_path=template_file)
    if target is None:
        if learned.template is not None:
            text += f"\n# save this as {template_file}, next to the config:\n"
            text += "".join(f"#   {line}\n" for line in learned.template.splitlines())
        stdout.write(text)
    else:
        atomic_write(target, text)
        tell(f"wrote {target} from {path.name}: {learned.summary}")
        if learned.template is not None and template_file:
            atomic_write(target.parent / template_file, learned.template)
            tell(f"wrote {target.parent / template_file}: a template that reproduces the plan you submitted")
    for note in learned.notes:
        tell(f"note: {note}")
    secret = f"DAILYPLAN_{learned.secret}_{env_suffix(ident)}"
    if learned.secret == "COOKIE" and learned.cookie_hint:
        tell(f"set {secret} to the value of your session cookie \"{learned.cookie_hint}\" (browser "
             f"DevTools → Application/Storage → Cookies), and again when the session ends {SECRETS_HINT}")
    elif learned.secret == "COOKIE":
        tell(f"set {secret} to the Cookie header your browser sends to {learned.host} (DevTools → "
             "Network → a request → Request Headers → Cookie: name=value; …), and again when the "
             f"session ends {SECRETS_HINT}")
    elif learned.secret == "TOKEN":
        tell(f"set {secret} to the token your browser sends (Authorization: Bearer …) {SECRETS_HINT}")
    else:
        tell(f"set {secret} to your password {SECRETS_HINT}")
    config = "" if target is None or (target.name == "dailyplan.toml" and target.parent == Path()) \
        else f" --config {target}"
    tell(f"next: dailyplan check{config}   (then: dailyplan run --dry-run{config})")
    tell(f"{path} holds your password and session: delete it now, and never commit it")
    return ExitCode.OK
