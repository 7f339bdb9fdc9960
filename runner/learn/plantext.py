"""Split the submitted text into what the person typed and what a template can produce.

The submitted text is made of pieces the runner can write itself (today's date, the previous
plan or its first part) and the rest, which is what the person typed. When the pieces fall in the
shipped template's order (date line, typed text, blank line, previous plan) the shipped template
is kept; otherwise a template that reproduces the text is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from runner.learn.values import as_date_text
from runner.plan import first_part, normalize

_FORMATS = ("%Y.%m.%d", "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%m.%d", "%m/%d")
SHIPPED = ("date:%Y.%m.%d", "\n", "plan", "\n\n", "previous")


@dataclass(frozen=True)
class PlanShape:
    plan: str  # the typed part: the account's starting `plan`
    template: str | None  # None: the shipped template reproduces the text
    pieces: tuple[str, ...]


def split(text: str, today: date, previous: str | None) -> PlanShape:
    text = normalize(text)
    pieces: list[tuple[int, int, str]] = []  # (start, end, piece)
    if previous:
        full, head = normalize(previous), first_part(previous)
        for value, piece in ((full, "previous_full"), (head, "previous")):
            at = text.rfind(value) if value else -1
            if at > 0:
                pieces.append((at, at + len(value), piece))
                break
    limit = pieces[0][0] if pieces else len(text)
    for fmt in _FORMATS:
        written = as_date_text(today, fmt)
        at = text.find(written, 0, limit)
        if at >= 0:
            pieces.append((at, at + len(written), f"date:{fmt}"))
            break
    pieces.sort()
    out: list[str] = []
    literals: list[tuple[int, str]] = []
    pos = 0
    for start, end, piece in pieces:
        if start > pos:
            literals.append((len(out), text[pos:start]))
            out.append(text[pos:start])
        out.append(piece)
        pos = end
    if pos < len(text):
        literals.append((len(out), text[pos:]))
        out.append(text[pos:])
    dated = next((i for i, p in enumerate(out) if p.startswith("date:")), -1)
    after = [x for x in literals if x[0] > dated and x[1].strip()]
    typed = max(after or literals, key=lambda x: len(x[1].strip()), default=None)
    plan = ""
    if typed and typed[1].strip():
        at, literal = typed
        lead, body, trail = _typed(literal, before=at > 0, after=at < len(out) - 1)
        plan = body
        out[at: at + 1] = [p for p in (lead, "plan", trail) if p]
    shape = tuple(out)
    if shape in (SHIPPED, SHIPPED[:3]):
        return PlanShape(plan, None, shape)
    return PlanShape(plan, _template(shape), shape)


def _typed(literal: str, *, before: bool, after: bool) -> tuple[str, str, str]:
    """(lead, typed, trail): typed text starts and ends on a line boundary; the rest of a heading
    line it shares with the date or the previous plan (``今日计划 11/20：``) stays literal."""
    lead, body, trail = "", literal, ""
    if before and "\n" in body:
        cut = body.index("\n") + 1
        lead, body = body[:cut], body[cut:]
    blank = re.search(r"\n[ \t]*\n", body.strip("\n"))
    if after and blank:  # what follows the first blank line is a heading of the next piece
        cut = body.index(body.strip("\n")) + blank.start()
        body, trail = body[:cut], body[cut:]
    elif after and "\n" in body.rstrip("\n") and not body.endswith("\n"):
        cut = body.rstrip("\n").rindex("\n")
        body, trail = body[:cut], body[cut:]
    stripped = body.strip("\n")
    start = body.index(stripped) if stripped else 0
    lead, trail = lead + body[:start], body[start + len(stripped):] + trail
    return lead, stripped, trail


def _template(pieces: tuple[str, ...]) -> str:
    """Jinja2 that renders the same pieces; literal text is wrapped so braces stay literal, and
    the previous plan with the heading just before it only shows when there is one."""
    out = ["{#- Written by `dailyplan learn` to reproduce the plan you submitted by hand. -#}\n"]
    for i, piece in enumerate(pieces):
        if piece in ("previous", "previous_full"):
            heading = out.pop() if i > 0 and _is_literal(pieces[i - 1]) else ""
            out.append("{% if " + piece + " %}" + heading + "{{ " + piece + " }}{% endif %}")
        elif piece.startswith("date:"):
            out.append('{{ today.strftime("' + piece[5:] + '") }}')
        elif piece == "plan":
            out.append("{{ plan }}")
        else:
            out.append(_literal(piece))
    return "".join(out) + "\n"


def _is_literal(piece: str) -> bool:
    return not piece.startswith("date:") and piece not in ("plan", "previous", "previous_full")


def _literal(piece: str) -> str:
    return "{% raw %}" + piece + "{% endraw %}" if any(m in piece for m in ("{{", "{%", "{#")) else piece
