"""The subset of GitHub Actions expressions our workflows use, evaluated as GitHub documents them.

Operators ``!``, ``==``, ``!=``, ``&&``, ``||`` and parentheses; 'string' literals, true/false/null;
context lookups (``needs.run.outputs.notify``); the status functions ``always()``, ``success()``,
``failure()`` and ``cancelled()``. Strings compare case-insensitively, as GitHub does; a missing
property is null, which equals neither 'false' nor 'true'. ``&&``/``||`` return an operand, as
GitHub's do, so ``a || 'default'`` works in ``runs-on``. Anything else raises, so a workflow that
grows an expression this does not know fails the tests instead of being misread.
"""

from __future__ import annotations

import re
from typing import Any

TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|"
                   r"(?P<call>[a-z]+\(\))|(?P<name>[A-Za-z_][\w.-]*))")
STATUS = ("always()", "success()", "failure()", "cancelled()")


def tokens(text: str) -> list[tuple[str, str]]:
    found, pos, text = [], 0, text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise AssertionError(f"the test evaluator does not know {text[pos:]!r} in {text!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        pos = match.end()
    return found


def truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return a == b


class Evaluator:
    def __init__(self, context: dict[str, Any], status: dict[str, bool]) -> None:
        self.context, self.status = context, status

    def __call__(self, text: str) -> Any:
        text = text.strip()
        if text.startswith("${{") and text.endswith("}}"):
            text = text[3:-2]
        self.items, self.pos = tokens(text), 0
        value = self._or()
        assert self.pos == len(self.items), f"trailing tokens in {text!r}"
        return value

    def _peek(self) -> str | None:
        return self.items[self.pos][1] if self.pos < len(self.items) else None

    def _take(self) -> tuple[str, str]:
        self.pos += 1
        return self.items[self.pos - 1]

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._compare()
        while self._peek() == "&&":
            self._take()
            right = self._compare()
            value = right if truthy(value) else value
        return value

    def _compare(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!="):
            op = self._take()[1]
            right = self._unary()
            value = equal(value, right) if op == "==" else not equal(value, right)
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        if self._peek() == "(":
            self._take()
            value = self._or()
            assert self._take()[1] == ")"
            return value
        kind, text = self._take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "call":
            assert text in STATUS, f"unknown function {text}"
            return self.status[text]
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        value: Any = self.context
        for key in text.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        return value


def job_runs(condition: str | None, context: dict[str, Any], *, upstream_failed: bool,
             cancelled: bool = False) -> bool:
    """Whether a job (or step) with this ``if:`` runs. Without a status function GitHub adds
    ``success() &&``, which is false after an upstream failure or a cancel."""
    status = {"always()": True, "cancelled()": cancelled,
              "success()": not upstream_failed and not cancelled,
              "failure()": upstream_failed and not cancelled}
    evaluate = Evaluator(context, status)
    if condition is None:
        return status["success()"]
    value = truthy(evaluate(condition))
    if not any(fn in condition for fn in STATUS):
        value = value and status["success()"]
    return value
