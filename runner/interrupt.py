"""Ctrl-C and SIGTERM: stop starting work, finish what is in flight, report it all.

A run stopped half-way must still say which plans were filed and which were not, so neither
signal kills it: SIGTERM (what a cancelled workflow or ``kill`` sends) is turned into the same
KeyboardInterrupt as Ctrl-C, and ``pipeline.run_all`` answers that by setting the run's stop
event, which every account checks right before it submits. The result file is then written as
usual, with the unfinished accounts failed as ``interrupted``, and the run exits 130.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Future, wait
from datetime import date
from types import FrameType

from runner.config import Account
from runner.errors import RunnerError
from runner.result import AccountResult, RunResult
from runner.status import Reason, Status


def result_of(future: Future[AccountResult]) -> AccountResult:
    """``future.result()``, waking every 50 ms so a signal is acted on while waiting.

    A signal may be delivered to any thread; the main thread only notices it between waits.
    """
    while not future.done():
        wait([future], timeout=0.05)
    return future.result()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside, SIGTERM raises KeyboardInterrupt in the main thread, as Ctrl-C does.

    Signal handlers can only be set from the main thread; elsewhere (a test driving ``main`` from
    a thread) this does nothing, and SIGTERM keeps its default.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def settle(accounts: list[Account], futures: list[Future[AccountResult]],
           day: date) -> list[AccountResult]:
    """Every account's result after an interrupt: waited for while running, unless interrupted again."""
    results: list[AccountResult] = []
    hurry = False
    for account, future in zip(accounts, futures, strict=True):
        if not hurry and not future.cancelled():
            try:
                results.append(result_of(future))
                continue
            except KeyboardInterrupt:  # a second Ctrl-C: stop waiting, report what is known
                hurry = True
        if future.done() and not future.cancelled():
            results.append(future.result())
        elif future.cancelled():
            results.append(_interrupted(account, "before this account started; nothing was sent for it"))
        else:
            results.append(_interrupted(account, f"while this account was still running; check its "
                                                 f"plan for {day} by hand"))
    return results


def not_started(accounts: list[Account], day: date, timezone: str,
                why: RunnerError | None = None) -> RunResult:
    """The result of a run stopped before any account started: interrupted, or ``why`` (the lock)."""
    if why is None:
        return RunResult(day, timezone, [
            _interrupted(a, "before this account started; nothing was sent for it") for a in accounts])
    return RunResult(day, timezone, [AccountResult(a.id, Status.FAILED, why.reason, str(why),
                                                   github=a.github) for a in accounts])


def _interrupted(account: Account, when: str) -> AccountResult:
    return AccountResult(account.id, Status.FAILED, Reason.INTERRUPTED,
                         f"interrupted (Ctrl-C or SIGTERM) {when}", github=account.github)
