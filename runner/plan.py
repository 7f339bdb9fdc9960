"""What today's plan says: the previous plan's first part, and the Jinja2 template.

Pure text functions; the template is the one thing a user is expected to edit, so its errors
name the file and line, and undefined names are caught before any account runs.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from runner.errors import ConfigError

CONTEXT_NAMES = frozenset({"today", "plan", "previous", "previous_full", "previous_date", "account"})
_BLANK_LINE = re.compile(r"^[ \t\f\v]*$", re.MULTILINE)


def normalize(text: str) -> str:
    """What 'the same plan' means when comparing: line ends and trailing space do not count."""
    return text.replace("\r\n", "\n").rstrip()


def first_part(text: str) -> str:
    """The 'what I plan today' part of a plan: everything before its first blank line."""
    text = text.replace("\r\n", "\n")
    match = _BLANK_LINE.search(text)
    return (text[: match.start()] if match else text).rstrip()


@dataclass(frozen=True)
class PlanContext:
    today: date
    plan: str
    previous_full: str
    previous_date: date | None
    account: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "plan": self.plan.strip("\n"),
            "previous": first_part(self.previous_full),
            "previous_full": normalize(self.previous_full),
            "previous_date": self.previous_date,
            "account": dict(self.account),
        }


@lru_cache(maxsize=32)
def _environment(folder: Path) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _load(path: Path) -> Any:
    import jinja2

    try:
        return _environment(path.parent).get_template(path.name)
    except jinja2.TemplateNotFound:
        raise ConfigError(f"template {path} not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"template {path}, line {exc.lineno}: {exc.message}") from None


def check_template(path: Path) -> None:
    """Catch syntax errors and unknown names up front, so a typo fails the check, not a run."""
    from jinja2 import meta

    _load(path)
    env = _environment(path.parent)
    source = path.read_text(encoding="utf-8")
    unknown = meta.find_undeclared_variables(env.parse(source)) - CONTEXT_NAMES
    if unknown:
        name = sorted(unknown)[0]
        line = next((n for n, text in enumerate(source.splitlines(), 1) if name in text), 0)
        raise ConfigError(
            f"template {path}, line {line}: '{name}' is undefined; "
            f"use one of {', '.join(sorted(CONTEXT_NAMES))}"
        )


def previous_plan(rows: Iterable[Any], day: date) -> Any | None:
    """The latest row before ``day`` with text (rows come newest first, as the history reads them)."""
    return next((r for r in rows if r.day < day and r.text.strip()), None)


def context_for(account: Any, day: date, previous_text: str, previous_date: date | None) -> PlanContext:
    """What a template sees for an account on a day: the one place the context is assembled."""
    return PlanContext(today=day, plan=account.plan, previous_full=previous_text,
                       previous_date=previous_date,
                       account={"id": account.id, "username": account.username,
                                "github": account.github})


def names_used(path: Path) -> set[str]:
    """The context names a template reads (``plan``, ``previous`` …)."""
    from jinja2 import meta

    return set(meta.find_undeclared_variables(_environment(path.parent).parse(
        path.read_text(encoding="utf-8"))))


def empty_plan(account: Any) -> str | None:
    """An account whose template shows ``plan`` but whose ``plan`` is blank: a config error for
    ``run`` as for ``check``, since the rendered text (a date line and the previous plan) would
    otherwise be filed as today's plan without a word of today in it."""
    if account.plan.strip() or "plan" not in names_used(account.template):
        return None
    return f"config: the account's plan is empty; write today's text in its plan = \"…\" (in {account.id})"


def render(path: Path, context: PlanContext) -> str:
    """The plan's text, or ConfigError: a template error, or a plan that would be empty."""
    import jinja2

    template = _load(path)
    try:
        text = template.render(context.as_dict())
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"template {path}, line {_line(exc, path)}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise ConfigError(f"template {path}: {exc.message}") from None
    except Exception as exc:  # a filter or method misused inside the template
        raise ConfigError(f"template {path}, line {_line(exc, path)}: "
                          f"{exc.__class__.__name__}: {exc}") from None
    if not normalize(text).strip():
        raise ConfigError(f"template {path} renders an empty plan for account "
                          f"{context.account.get('id')}; give it text, or set the account's plan")
    return normalize(text)


def _line(exc: BaseException, path: Path) -> int | str:
    """Jinja2 rewrites tracebacks so template frames carry the template's file and line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return frames[-1].lineno if frames and frames[-1].lineno else "?"
