"""The sandbox in a process of its own, driven over a pipe: one fresh sandbox per measured run.

In the bench's process, the sandbox's request handling would take the GIL from the client under
test and inflate exactly the many-accounts case; a real system runs elsewhere, and so does this.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from runner.sandbox import LogEntry, Sandbox

Seed = list[tuple[str, str, dict[str, str]]]  # (username, password, {day: plan})


def _serve(conn: Connection) -> None:
    """Child process: one fresh Sandbox per run, driven over a pipe."""
    sandbox: Sandbox | None = None
    while True:
        command, arg = conn.recv()
        if command == "fresh":
            if sandbox is not None:
                sandbox.stop()
            latency_ms, accounts = arg
            sandbox = Sandbox().start()
            sandbox.faults.latency_ms = latency_ms
            for username, password, plans in accounts:
                sandbox.add_account(username, password, plans)
            conn.send(sandbox.url)
        elif command == "log":
            conn.send(list(sandbox.log) if sandbox else [])
        elif command == "plans":
            conn.send(sandbox.plans if sandbox else {})
        else:
            if sandbox is not None:
                sandbox.stop()
            conn.send(None)
            return


class SandboxProcess:
    """The sandbox in its own process: its request handling never takes the client's GIL."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()

    def _call(self, command: str, arg: object = None) -> Any:
        self._conn.send((command, arg))
        return self._conn.recv()

    def fresh(self, latency_ms: int, accounts: Seed) -> str:
        return self._call("fresh", (latency_ms, accounts))

    def log(self) -> list[LogEntry]:
        return self._call("log")

    def plans(self) -> dict[str, dict[str, str]]:
        return self._call("plans")

    def close(self) -> None:
        self._call("stop")
        self._process.join(timeout=5)
