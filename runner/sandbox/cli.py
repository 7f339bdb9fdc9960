"""``dailyplan sandbox``: serve the demo team on a port until Ctrl-C."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from runner.sandbox.app import Sandbox
from runner.sandbox.data import DEMO_ACCOUNTS, demo_plans
from runner.status import ExitCode


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan sandbox``, the shape every command shares."""
    return run_cli(args.host, args.port, Path(args.state) if args.state else None)


def run_cli(host: str, port: int, state: Path | None) -> ExitCode:
    """`python -m runner sandbox`: seed the demo team, say how to reach it, serve until Ctrl-C."""
    sandbox = Sandbox(host=host, port=port, state_file=state)
    if not sandbox.accounts:
        seeded = demo_plans(date.today())
        for username, password in DEMO_ACCOUNTS.items():
            sandbox.add_account(username, password, seeded.get(username))
    sandbox._bind()
    url = sandbox.url
    print(f"sandbox serving at {url}  (Ctrl-C stops it)")
    print(f"state: {state}" if state else "state: in memory, gone when it stops")
    print("accounts (username / password):")
    for username, password in sorted(sandbox.accounts.items()):
        print(f"  {username} / {password}")
    print("try:")
    print(f"  curl -i -c jar.txt '{url}/login?username=demo&password=demo'")
    print(
        f"  curl -b jar.txt --data-urlencode date={date.today()} "
        f"--data-urlencode 'content=今日计划' {url}/routine/daily",
        flush=True,
    )
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        print("sandbox stopped")
    return ExitCode.OK
