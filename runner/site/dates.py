"""Dates as team systems write them: pure parsing, one place for every written form.

``2026-11-20``, ``2026/11/20``, ``2026.11.20``, ``2026年11月20日``, ``20261120``, with words or a
time around them; a moment with an offset (Jackson's ``2026-11-19T16:00:00.000+00:00``) or a Unix
time read as the day it stands for in China; ``11月20日`` without a year read within the range
asked for. ``format_day`` is the other direction: how the runner writes a date (``date_format``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from runner.config import Site

# 2026-11-20, 2026/11/20, 2026.11.20, 2026年11月20日, 20261120; words or a time may surround it
_DAY = re.compile(r"(?<!\d)(\d{4})(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?|(\d{2})(\d{2}))(?!\d)")

_WITH_OFFSET = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
                          r"(?:Z|[+-]\d{2}:?\d{2})(?![\d:])")


def parse_day(text: str) -> date | None:
    """The first date in any of the common written forms (``日期：2026/11/20 09:30`` too); else None.

    A time with an explicit offset is a moment, not a wall-clock date: Jackson writes a plan dated
    2026-11-20 (midnight in China) as ``2026-11-19T16:00:00.000+00:00``, so it is read as
    ``epoch_day`` reads a Unix time, never by its first ten characters.
    """
    if (stamped := _WITH_OFFSET.search(text or "")) is not None:
        try:
            return _moment_day(datetime.fromisoformat(stamped.group(0).replace("Z", "+00:00")))
        except ValueError:
            pass
    for match in _DAY.finditer(text or ""):
        year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


_MONTH_DAY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?(?![\d/.-])")


def year_less_day(text: str, last: date) -> date | None:
    """``11-20`` or ``11月20日`` in a list that leaves the year out (many OA lists do): the latest
    such day not after ``last``, the end of the range asked for, so December's plans read in
    January are last year's. Only ever tried after ``parse_day`` found no full date."""
    for match in _MONTH_DAY.finditer(text or ""):
        for year in (last.year, last.year - 1):
            try:
                found = date(year, int(match.group(1)), int(match.group(2)))
            except ValueError:
                continue
            if found <= last:
                return found
    return None


def epoch_day(text: str) -> date | None:
    """A date written as a Unix time, as Java JSON APIs do (``1795104000000``, milliseconds).

    A date-only field holds midnight where the system runs: China's midnight first (the tool's
    home; a midnight there is 16:00 UTC the day before), then UTC's; any other time of day is read
    in China's time.
    """
    if not re.fullmatch(r"\d{10}|\d{13}", text.strip()):
        return None
    seconds = int(text.strip()) / (1000 if len(text.strip()) == 13 else 1)
    return _moment_day(datetime.fromtimestamp(seconds, UTC))


def _moment_day(moment: datetime) -> date:
    """The day a moment stands for: China's midnight first, then UTC's, else China's date."""
    moment = moment.astimezone(UTC)
    for offset in (timedelta(hours=8), timedelta(0)):
        local = moment + offset
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            return local.date()
    return (moment + timedelta(hours=8)).date()


def format_day(day: date, site: Site) -> str:
    """How the runner writes a date into a query or the submit: ``site.date_format``."""
    return day.strftime(site.date_format)
