"""``dailyplan sandbox``: serve the demo team on a port until Ctrl-C, in the shape a profile says."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from runner.errors import UsageError
from runner.sandbox.app import Sandbox
from runner.sandbox.data import DEMO_ACCOUNTS, demo_plans
from runner.sandbox.profiles import PROFILES
from runner.status import ExitCode


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan sandbox``, the shape every command shares."""
    return run_cli(args.host, args.port, Path(args.state) if args.state else None, args.profile)


def run_cli(host: str, port: int, state: Path | None, profile: str = "reference") -> ExitCode:
    """`python -m runner sandbox`: seed the demo team, say how to reach it, serve until Ctrl-C."""
    if profile not in PROFILES:
        hint = difflib.get_close_matches(profile, list(PROFILES), n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise UsageError(f"--profile {profile!r} is not known{did}; use one of {', '.join(PROFILES)}")
    sandbox = Sandbox(host=host, port=port, state_file=state, profile=profile)
    if not sandbox.accounts:
        seeded = demo_plans(date.today())
        for username, password in DEMO_ACCOUNTS.items():
            sandbox.add_account(username, password, seeded.get(username))
    sandbox._bind()
    url = sandbox.url
    print(f"sandbox serving at {url}  (Ctrl-C stops it)")
    print(f"profile: {profile}: {PROFILES[profile].summary}")
    print(f"config:  examples/{profile}.toml (set DAILYPLAN_BASE_URL={url} if the port differs)")
    print(f"state: {state}" if state else "state: in memory, gone when it stops")
    if PROFILES[profile].login_path is None:
        print("session cookies (no login here: SSO issued them):")
        for username in sorted(sandbox.accounts):
            cookie = f"{PROFILES[profile].cookie_name}={sandbox.issue_cookie(username)}"
            print(f"  DAILYPLAN_COOKIE_{username.upper()}='{cookie}'")
    else:
        print("accounts (username / password):")
        for username, password in sorted(sandbox.accounts.items()):
            print(f"  {username} / {password}")
    if profile == "reference":
        print("try:")
        print(f"  curl -i -c jar.txt '{url}/login?username=demo&password=demo'")
        print(
            f"  curl -b jar.txt --data-urlencode date={date.today()} "
            f"--data-urlencode 'content=今日计划' {url}/routine/daily",
        )
    print(end="", flush=True)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        print("sandbox stopped")
    return ExitCode.OK
