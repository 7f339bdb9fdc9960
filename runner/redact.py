"""The one redaction every sink applies: console, annotations, step summary, result file.

Redaction happens where data leaves, not where a message is built: messages are written never to
hold a secret, and this makes sure a mistake (a login page that echoes the password back, an
error that quotes a URL) stays private. Each secret is removed in every form a page or a library
may have turned it into: raw, URL-encoded (``%20`` and ``+`` for a space), HTML- and JSON-escaped.
The host of a ``DAILYPLAN_BASE_URL`` given as a secret is a secret too (an intranet name).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus, urlsplit

REDACTED = "***"
MIN_LENGTH = 3  # shorter values would blank ordinary words; no real password is that short
_LOWER_HEX = re.compile(r"%[0-9A-F]{2}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def forms(value: str) -> set[str]:
    """Every spelling of ``value`` a sink might be handed."""
    found = {value, quote(value, safe=""), quote(value), quote_plus(value), quote_plus(value, safe="/"),
             html.escape(value), html.escape(value, quote=False),
             json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
             value.replace(" ", "+")}
    found |= {html.escape(f) for f in list(found)}  # an escaped URL inside an HTML attribute
    found |= {_LOWER_HEX.sub(lambda m: m.group().lower(), f) for f in list(found)}  # %2f, not %2F
    found |= {f.replace("&#x27;", "&#39;").replace("&quot;", "&#34;") for f in list(found)}
    found |= {f.replace("/", "\\/") for f in list(found)}  # JSON as PHP writes it
    return {f for f in found if len(f) >= MIN_LENGTH}


def _worth(value: str) -> bool:
    """Long enough to hold a secret: a bare scheme ('https://') holds none, and blanking it
    would garble every URL in a message."""
    return len(_SCHEME.sub("", value.strip())) >= MIN_LENGTH


class Redactor:
    """``redactor(text)`` returns ``text`` with every secret (in every form) as ``***``."""

    def __init__(self, values: Iterable[str] = (), hosts: Iterable[str] = ()) -> None:
        self.values = sorted({v for v in values if _worth(v)}, key=len, reverse=True)
        spelled = sorted({f for v in self.values for f in forms(v)}, key=len, reverse=True)
        self._exact = re.compile("|".join(map(re.escape, spelled))) if spelled else None
        self.hosts = sorted({h for h in hosts if len(h) >= MIN_LENGTH}, key=len, reverse=True)
        self._hosts = (re.compile("|".join(map(re.escape, self.hosts)), re.IGNORECASE)
                       if self.hosts else None)

    @classmethod
    def for_secrets(cls, secrets: Mapping[str, str]) -> Redactor:
        """From the environment's DAILYPLAN_* secrets (``Inputs.secrets``)."""
        base_url = secrets.get("DAILYPLAN_BASE_URL", "").strip()
        hosts = []
        if base_url:
            parts = urlsplit(base_url if "://" in base_url else f"//{base_url}")
            hosts = [h for h in (parts.netloc.rpartition("@")[2], parts.hostname or "") if h]
        return cls(secrets.values(), hosts)

    def __call__(self, text: str) -> str:
        if self._exact is not None:
            text = self._exact.sub(REDACTED, text)
        if self._hosts is not None:
            text = self._hosts.sub(REDACTED, text)
        return text

    def masks(self) -> list[str]:
        """The values to hand GitHub's ``::add-mask::``, so its log hides them too."""
        lines = [line for v in self.values for line in v.splitlines() if _worth(line)]  # GitHub
        return list(dict.fromkeys([*lines, *self.hosts]))  # masks a multi-line value line by line


NOTHING = Redactor()
