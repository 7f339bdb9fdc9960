"""The script dailyplan replaces, re-implemented for the bench: its algorithm and its costs.

Source: seeds/000_78aec08a507fd233.txt ("Python自动化提交每日任务"), functions ``login``,
``submit_daily_task``, ``get_last_weekday_content``, ``judge_weekday`` and ``auto_daily_task``.
Kept as they were, because they are what the bench measures:

- ``login()`` before EVERY request (GET /login, read the ``session`` cookie), and a fresh
  connection for every request (``requests.get``, no ``Session``);
- ``judge_weekday``: log in, fetch the team page for the day, count textareas whose decoded text
  is longer than 15 characters, and call it a workday when there are more than
  ``user_threshold + 1`` of them (the article's default threshold, 5, is kept: the bench seeds a
  team of 7 teammates who filed that day, so 7 > 6 passes on a workday and 0 > 6 fails on a day
  off);
- the previous plan is found by walking back ONE DAY AT A TIME from yesterday, each step a
  login plus a history request for that single day, until a non-empty plan turns up;
- accounts one after another, and the first account that sees a day off stops all of them
  (the article's ``else: break``).

Changed, and why:
- decoding uses ``json`` instead of ``.encode().decode("unicode-escape")``: that is a correctness
  bug (mojibake for real UTF-8), not a cost, and the bench compares the stored plans;
- the day-by-day walk stops after ``MAX_WALK_DAYS`` (the article's loop is unbounded and would
  spin forever for an account with no history); the bench's data never reaches the cap;
- every request has a timeout, so a stuck bench fails instead of hanging;
- no e-mail on failure, no scheduler, no logging: the result is returned instead;
- the base URL, the accounts and "today" are parameters instead of placeholders and clocks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from urllib import parse

import requests
from bs4 import BeautifulSoup

USER_THRESHOLD = 5  # the article's default: a workday when more than 5 + 1 plans are on the team page
MAX_WALK_DAYS = 60  # safety cap on the day-by-day walk; not in the article
TIMEOUT = 30.0  # seconds per request; not in the article


@dataclass(frozen=True)
class Task:
    """One ``username:password:content`` item of the article's TASK variable."""

    username: str
    password: str
    content: str


@dataclass(frozen=True)
class Outcome:
    username: str
    status: str  # submitted | failed | not-a-workday | not-reached (stopped by an earlier day off)
    message: str


def _decode(raw: str) -> str:
    """The page's JSON-escaped text, decoded as JSON (the article used unicode-escape)."""
    return json.loads(f'"{raw}"', strict=False)


def login(base_url: str, username: str, password: str) -> str:
    url = f"{base_url}/login?username={username}&password={password}"
    response = requests.get(url, timeout=TIMEOUT)
    session = response.cookies.values()[0]
    return session


def submit_daily_task(base_url: str, username: str, password: str, content: str, today: date,
                      ) -> tuple[bool, str]:
    url = f"{base_url}/routine/daily"
    session = login(base_url, username, password)
    headers = {
        "Cookie": f"session={session}",
        "Accept": "*/*",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    payload = parse.urlencode({"date": today, "content": content})
    response = requests.request("POST", url, headers=headers, data=payload, timeout=TIMEOUT)
    result = json.loads(response.text)
    return result == "修改成功", result


def get_last_weekday_content(base_url: str, username: str, password: str, last_date: date) -> str:
    url = f"{base_url}/routine/daily?start_date={last_date}&end_date={last_date}"
    session = login(base_url, username, password)
    headers = {"Cookie": f"session={session}", "Accept": "*/*", "Connection": "keep-alive"}
    response = requests.get(url, headers=headers, timeout=TIMEOUT)
    soup = BeautifulSoup(response.text, "html.parser")
    textarea_text = soup.select("textarea")[0].get_text()
    last_date_content = textarea_text.split(r"\n\n")[0]
    return _decode(last_date_content)


def judge_weekday(base_url: str, username: str, password: str, today: date,
                  user_threshold: int = USER_THRESHOLD) -> bool:
    url = f"{base_url}/routine/daily?mode=1&date={today}"
    session = login(base_url, username, password)
    headers = {"Cookie": f"session={session}", "Accept": "*/*", "Connection": "keep-alive"}
    response = requests.get(url, headers=headers, timeout=TIMEOUT)
    soup = BeautifulSoup(response.text, "html.parser")
    textarea_list = [
        _decode(textarea.get_text())
        for textarea in soup.select("textarea")
        if len(_decode(textarea.get_text())) > 15
    ]
    # 带一个自己的昨日工作计划 ("plus one: my own plan from yesterday"), as the article says
    return len(textarea_list) > (user_threshold + 1)


def auto_daily_task(base_url: str, tasks: list[Task], today: date) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for task in tasks:
        username, password, content = task.username, task.password, task.content
        if not judge_weekday(base_url, username, password, today):
            outcomes.append(Outcome(username, "not-a-workday", "team page below the threshold"))
            break  # the article stops every remaining account here
        last_weekday = today - timedelta(days=1)
        last_weekday_content: str | None = None
        walked = 0
        while last_weekday_content is None or last_weekday_content == "":
            if walked == MAX_WALK_DAYS:
                last_weekday_content = ""
                break
            last_weekday_content = get_last_weekday_content(base_url, username, password, last_weekday)
            last_weekday = last_weekday - timedelta(days=1)
            walked += 1
        text = f'{str(today).replace("-", ".")}\n{content}\n\n{last_weekday_content}'
        ok, message = submit_daily_task(base_url, username, password, text, today)
        outcomes.append(Outcome(username, "submitted" if ok else "failed", message))
    done = {o.username for o in outcomes}
    outcomes += [Outcome(t.username, "not-reached", "an earlier account saw a day off")
                 for t in tasks if t.username not in done]
    return outcomes
