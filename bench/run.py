"""Requests and wall time: the runner against the script it replaces, on the same sandbox data.

    .venv/bin/python bench/run.py            # or: make bench
    .venv/bin/python bench/run.py --latency-ms 20 --repeat 5 --parallel 32

Every run gets a fresh sandbox seeded with identical data, with a fixed latency added to every
request (the sandbox sleeps before answering), so the cost of a request is the latency and the
number of requests decides the wall time, as it does against a real system across a network.
Requests are counted by the sandbox's own log, not by the client. The sandbox runs in its own
process (bench/server.py), so its work never competes with the client for the GIL. The runner is
driven in process through ``runner.cli.main(["run", ...], env)``, exactly what ``dailyplan run``
does minus interpreter start-up, which is measured on its own (``--help``, in subprocesses).
Wall times are medians of ``--repeat`` runs after one untimed warm-up run of each side; the
original's 50-account case runs once (it is the slow part). Results go to the console and to
bench/results.md; the exit status is 1 when a target fails.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from original import MAX_WALK_DAYS, Task, auto_daily_task
from server import SandboxProcess, Seed

from runner import cli
from runner.config import DEFAULT_PARALLEL
from runner.workday import decide

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"

WORKDAY = date(2026, 11, 18)  # a Wednesday; the accounts' last plan is Tuesday's
AFTER_LEAVE = date(2026, 11, 16)  # a Monday back from a week off; the last plan is Friday 2026-11-06
DAY_OFF = date(2026, 11, 21)  # a Saturday
TEAMMATES = 7  # teammates who filed on the day: 7 > 5 + 1 passes the original's default threshold
QUORUM = 7  # the runner's quorum scenario asks for the same 7
HISTORY = 30  # workdays of history per account: a full 31-day window, as after six weeks of use
PRESET = "继续推进当前迭代的开发任务\n评审合并请求并补充单元测试"
WORK = [
    "1. 完成登录模块的单元测试\n2. 修复日报导出时的编码问题",
    "1. 评审 #42 合并请求\n2. 补充接口文档中的错误码说明",
    "1. 排查定时任务偶发超时\n2. 修正 a<b && c 的边界判断",
    "1. 重构配置加载，去掉全局变量\n2. 和产品确认下周迭代范围",
]


# ------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Scenario:
    name: str
    accounts: int
    day: date
    previous: date  # each account's last plan before `day`
    teammates_filed: bool = True  # whether the 7 teammates have filed `day` (not on a day off)
    quorum: int = 0
    parallel: int | None = None  # None: the runner's default
    original: bool = True  # also run the original script
    original_repeat: int | None = None  # None: --repeat

    @property
    def workday(self) -> bool:
        return self.teammates_filed



def _workdays_back(last: date, count: int) -> list[date]:
    days, day = [], last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def _history(days: list[date], salt: int) -> dict[str, str]:
    """Plans in the team's shape: date, today's work, blank line, the previous plan's first part."""
    plans: dict[str, str] = {}
    head = f"{days[0] - timedelta(days=1):%Y.%m.%d}\n{WORK[salt % len(WORK)]}"
    for i, day in enumerate(days):
        text = f"{day:%Y.%m.%d}\n{WORK[(i + salt) % len(WORK)]}\n\n{head}"
        plans[day.isoformat()] = text
        head = text.split("\n\n")[0]
    return plans


def users(scenario: Scenario) -> list[str]:
    return [f"u{i:02d}" for i in range(1, scenario.accounts + 1)]


def seed(scenario: Scenario) -> Seed:
    """The same data for both sides: the accounts under test, and teammates for the team page."""
    accounts: Seed = [(user, f"pw-{user}", _history(_workdays_back(scenario.previous, HISTORY), i))
                      for i, user in enumerate(users(scenario))]
    mates_last = scenario.day if scenario.teammates_filed else scenario.day - timedelta(days=1)
    accounts += [(f"mate{i}", f"pw-mate{i}", _history(_workdays_back(mates_last, HISTORY), i))
                 for i in range(1, TEAMMATES + 1)]
    return accounts


# ------------------------------------------------------------------------------ the two sides


@dataclass
class Run:
    wall: float
    cpu: float  # this process's CPU seconds during the run, all threads
    requests: int  # as the sandbox logged them
    statuses: dict[str, str]  # username -> status
    stored: dict[str, str]  # username -> the plan stored for the day, if any
    self_reported: int | None = None  # the runner's own count, from its result file


def run_runner(url: str, scenario: Scenario, tmp: Path) -> tuple[dict[str, str], int]:
    names = users(scenario)
    lines = ['timezone = "Asia/Shanghai"']
    if scenario.parallel is not None:
        lines.append(f"parallel = {scenario.parallel}")
    lines += ["[site]", f'base_url = "{url}"', "[workday]", 'calendar = "cn"',
              f"quorum = {scenario.quorum}"]
    for name in names:
        lines += ["[[accounts]]", f'id = "{name}"', f'username = "{name}"',
                  f"plan = {json.dumps(PRESET, ensure_ascii=False)}"]
    env = {
        "DAILYPLAN_CONFIG": "\n".join(lines) + "\n",
        "DAILYPLAN_SECRETS": "".join(f"DAILYPLAN_PASSWORD_{n.upper()}=pw-{n}\n" for n in names),
        "DAILYPLAN_LOCK_FILE": str(tmp / "dailyplan.lock"),
    }
    result_file = tmp / "result.json"
    result_file.unlink(missing_ok=True)
    argv = ["run", "--date", scenario.day.isoformat(), "--result", str(result_file)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(argv, env)
    if code != 0 or not result_file.exists():
        raise SystemExit(f"bench: the runner exited {code} in '{scenario.name}':\n{out.getvalue()}")
    accounts = json.loads(result_file.read_text(encoding="utf-8"))["accounts"]
    statuses = {a["id"]: a["status"] for a in accounts}
    return statuses, sum(a.get("requests", 0) for a in accounts)


def run_original(url: str, scenario: Scenario) -> tuple[dict[str, str], None]:
    tasks = [Task(name, f"pw-{name}", PRESET) for name in users(scenario)]
    outcomes = auto_daily_task(url, tasks, scenario.day)
    return {o.username: o.status for o in outcomes}, None


def measure(server: SandboxProcess, scenario: Scenario, side: str, latency_ms: int, repeat: int,
            tmp: Path) -> Run:
    """Median wall time of `repeat` runs, each on a fresh sandbox; requests must not vary."""
    runs: list[Run] = []
    for _ in range(repeat):
        url = server.fresh(latency_ms, seed(scenario))
        started, cpu = time.perf_counter(), time.process_time()
        if side == "runner":
            statuses, self_reported = run_runner(url, scenario, tmp)
        else:
            statuses, self_reported = run_original(url, scenario)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        plans = server.plans()
        stored = {u: plans[u][scenario.day.isoformat()] for u in users(scenario)
                  if scenario.day.isoformat() in plans.get(u, {})}
        runs.append(Run(wall, cpu, len(server.log()), statuses, stored, self_reported))
    _check(scenario, side, runs)
    first = runs[0]
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               first.requests, first.statuses, first.stored, first.self_reported)


def _check(scenario: Scenario, side: str, runs: list[Run]) -> None:
    """A bench of a run that did the wrong thing measures nothing: stop instead."""
    if len({r.requests for r in runs}) > 1:
        raise SystemExit(f"bench: {side} made a varying number of requests in '{scenario.name}': "
                         f"{[r.requests for r in runs]}")
    for run in runs:
        if scenario.workday:
            wanted = {u: "submitted" for u in users(scenario)}
        elif side == "runner":
            wanted = {u: "skipped" for u in users(scenario)}
        else:
            wanted = {u: "not-reached" for u in users(scenario)} | {"u01": "not-a-workday"}
        if run.statuses != wanted:
            raise SystemExit(f"bench: {side} in '{scenario.name}' ended with {run.statuses}")
        if scenario.workday and set(run.stored) != set(users(scenario)):
            raise SystemExit(f"bench: {side} in '{scenario.name}' left no plan for "
                             f"{sorted(set(users(scenario)) - set(run.stored))}")
        if run.self_reported is not None and run.self_reported != run.requests:
            print(f"note: the runner counted {run.self_reported} requests in '{scenario.name}', "
                  f"the sandbox logged {run.requests}")


# ------------------------------------------------------------------------------- start-up


def startup(args: Sequence[str], runs: int) -> float:
    """Median seconds for `python <args>` in a fresh interpreter."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ------------------------------------------------------------------------------- reporting


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """An aligned Markdown table: readable on the console, rendered on GitHub."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i in right else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return [line(headers), rule, *[line(r) for r in rows]]


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 else "—"


def fmt_requests(run: Run | None, accounts: int) -> str:
    if run is None:
        return "—"
    per = run.requests / accounts
    return f"{per:.0f}" if per == int(per) else f"{per:.2f}"


# ------------------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every request (50)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is shown (3)")
    parser.add_argument("--parallel", type=int, default=None,
                        help=f"the runner's pool size for every case (default: its own, {DEFAULT_PARALLEL})")
    parser.add_argument("--sweep", default="16,25,32,50",
                        help="other pool sizes to try on 50 accounts, comma-separated ('' for none)")
    parser.add_argument("--startup-runs", type=int, default=15, help="runs per start-up command (15)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown results file")
    return parser.parse_args(argv)


@dataclass
class Measured:
    scenarios: list[Scenario]
    runs: dict[tuple[int, str], Run]  # (scenario index, "runner" | "original") -> run
    swept: dict[int, Run]  # pool size -> the runner on 50 accounts
    floor: Run | None  # the runner on 50 accounts with no added latency: its own CPU cost
    floor_parallel: int
    starts: dict[str, float]  # start-up command -> median seconds


def scenarios_for(parallel: int | None) -> list[Scenario]:
    yesterday = WORKDAY - timedelta(days=1)
    return [
        Scenario("workday", 1, WORKDAY, yesterday, parallel=parallel),
        Scenario("workday", 10, WORKDAY, yesterday, parallel=parallel),
        Scenario("workday", 50, WORKDAY, yesterday, parallel=parallel, original_repeat=1),
        Scenario("back after a week off (10-day gap)", 1, AFTER_LEAVE, date(2026, 11, 6),
                 parallel=parallel),
        Scenario(f"workday, quorum = {QUORUM}", 1, WORKDAY, yesterday, quorum=QUORUM,
                 parallel=parallel),
        Scenario("day off (Saturday)", 1, DAY_OFF, DAY_OFF - timedelta(days=1),
                 teammates_filed=False, parallel=parallel),
    ]


def collect(args: argparse.Namespace, parallel: int) -> Measured:
    scenarios = scenarios_for(args.parallel)  # None keeps the runner's own default in the config
    sweep = [int(x) for x in args.sweep.split(",") if x.strip() and int(x) != parallel]
    floor_parallel = max([parallel, *sweep])
    runs: dict[tuple[int, str], Run] = {}
    swept: dict[int, Run] = {}
    server = SandboxProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="dailyplan-bench-") as tmp_name:
            tmp = Path(tmp_name)
            print("warming up (imports, first connections; not timed) ...", flush=True)
            measure(server, scenarios[0], "runner", 0, 1, tmp)
            measure(server, scenarios[0], "original", 0, 1, tmp)
            for i, s in enumerate(scenarios):
                print(f"  {s.name}, {s.accounts} account(s) ...", flush=True)
                runs[i, "runner"] = measure(server, s, "runner", args.latency_ms, args.repeat, tmp)
                if s.original:
                    runs[i, "original"] = measure(server, s, "original", args.latency_ms,
                                                  s.original_repeat or args.repeat, tmp)
            fifty = replace(scenarios[2], original=False)
            for size in sweep:
                print(f"  workday, 50 accounts, parallel = {size} ...", flush=True)
                swept[size] = measure(server, replace(fifty, parallel=size), "runner",
                                      args.latency_ms, args.repeat, tmp)
            print(f"  workday, 50 accounts, parallel = {floor_parallel}, no added latency ...",
                  flush=True)
            floor = measure(server, replace(fifty, parallel=floor_parallel), "runner", 0,
                            args.repeat, tmp)
    finally:
        server.close()
    print("  start-up ...", flush=True)
    starts = {
        "python -c pass": startup(["-c", "pass"], args.startup_runs),
        "python -m runner --help": startup(["-m", "runner", "--help"], args.startup_runs),
        "python -m runner run --help": startup(["-m", "runner", "run", "--help"], args.startup_runs),
    }
    return Measured(scenarios, runs, swept, floor, floor_parallel, starts)


def targets_of(m: Measured, parallel: int) -> list[tuple[str, bool]]:
    runner = [m.runs[i, "runner"] for i in range(len(m.scenarios))]
    per = [fmt_requests(r, s.accounts) for r, s in zip(runner, m.scenarios, strict=True)]
    scale = runner[2].wall / runner[0].wall
    found = [
        (f"runner requests/account ≤ 5 on a workday (1, 10, 50 accounts: {', '.join(per[:3])})",
         all(r.requests <= 5 * s.accounts for r, s in zip(runner[:3], m.scenarios, strict=False))),
        (f"runner requests/account ≤ 5 after a 10-day gap ({per[3]})", runner[3].requests <= 5),
        (f"runner requests/account = 6 with quorum ({per[4]})", runner[4].requests == 6),
        (f"runner requests/account = 0 on a day off ({per[5]})", runner[5].requests == 0),
        (f"runner 50 accounts ≤ 2× the wall time of 1 account, parallel = {parallel} ({scale:.1f}×)",
         scale <= 2),
    ]
    for command in ("python -m runner --help", "python -m runner run --help"):
        seconds = m.starts[command]
        found.append((f"`{command}` median ≤ 0.3 s ({seconds:.3f} s)", seconds <= 0.3))
    return found


def render(m: Measured, args: argparse.Namespace, argv: Sequence[str], parallel: int,
           targets: list[tuple[str, bool]]) -> list[str]:
    rows = []
    for i, s in enumerate(m.scenarios):
        runner, original = m.runs[i, "runner"], m.runs.get((i, "original"))
        rows.append([
            s.name, str(s.accounts), fmt_requests(runner, s.accounts), fmt_requests(original, s.accounts),
            f"{runner.wall:.3f}", f"{original.wall:.3f}" if original else "—",
            ratio(original.requests, runner.requests) if original else "—",
            ratio(original.wall, runner.wall) if original else "—",
        ])
    for command in ("python -m runner --help", "python -m runner run --help"):
        rows.append([f"start-up: `{command}`", "—", "0", "—", f"{m.starts[command]:.3f}", "—", "—", "—"])
    same = all(m.runs[i, "runner"].stored == m.runs[i, "original"].stored
               for i, s in enumerate(m.scenarios) if s.original)
    one, fifty = m.runs[0, "runner"], m.runs[2, "runner"]
    one_o, fifty_o = m.runs[0, "original"], m.runs[2, "original"]
    command = shlex.join([".venv/bin/python", "bench/run.py", *argv])
    lines = [
        "# Benchmark: dailyplan runner vs the original script",
        "",
        f"- command: `{command}` (`make bench` runs it with the defaults)",
        f"- latency: {args.latency_ms} ms added to every request by the sandbox; wall times are "
        f"medians of {args.repeat} runs, each on a fresh sandbox with identical data "
        "(the original's 50 accounts: 1 run)",
        f"- machine: {platform.system()} {platform.machine()}, nproc = {os.cpu_count()}, "
        f"Python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- runner: parallel = {parallel}{'' if args.parallel else ' (its default)'}, driven in "
        "process through `runner.cli.main(['run', '--date', D, '--result', F], env)` after one "
        "untimed warm-up; the sandbox runs in its own process; requests are counted by its log",
        "",
        *table(["scenario", "accounts", "requests/account runner", "original", "wall s runner",
                "original", "requests original/runner", "wall original/runner"],
               rows, right={1, 2, 3, 4, 5, 6, 7}),
        "",
        f"Both stored the same plan text for every account: {'yes' if same else 'NO'}. "
        f"Start-up medians are of {args.startup_runs} runs in a fresh interpreter "
        f"(`python -c pass` alone: {m.starts['python -c pass']:.3f} s).",
        "",
        f"50 accounts / 1 account, wall: runner {fifty.wall / one.wall:.1f}× (parallel = {parallel}), "
        f"original {fifty_o.wall / one_o.wall:.1f}× (one account after another).",
        "",
    ]
    if m.swept:
        sizes = {parallel: fifty, **m.swept}
        sweep_rows = [[str(size), f"{run.wall:.3f}", f"{run.wall / one.wall:.1f}×",
                       "PASS" if run.wall <= 2 * one.wall else "FAIL"]
                      for size, run in sorted(sizes.items())]
        enough = next((r[0] for r in sweep_rows if r[3] == "PASS"), None)
        lines += [
            f"The runner on 50 accounts by pool size (1 account: {one.wall:.3f} s):",
            "",
            *table(["parallel", "wall s", "/ 1 account", "≤ 2×"], sweep_rows, right={0, 1, 2}),
            "",
            f"Smallest pool size tried that makes ≤ 2×: {enough or 'none'}.",
            "",
        ]
    if m.floor is not None:
        lines += [
            f"The same 50 accounts with no added latency (parallel = {m.floor_parallel}) take "
            f"{m.floor.wall:.3f} s with {m.floor.cpu:.3f} s of CPU in the runner's process "
            f"({m.floor.cpu / 50 * 1000:.1f} ms per account), {m.floor.wall / one.wall:.1f}× one "
            f"account at {args.latency_ms} ms: the runner's own CPU time, which threads share under "
            "the GIL, sets this floor whatever the pool size.",
        ]
    lines += [
        "",
        "Targets:",
        "",
        *[f"- {'PASS' if ok else 'FAIL'}: {text}" for text, ok in targets],
        "",
        "The original (bench/original.py) is the article's algorithm: a login before every request, "
        "the team page to decide the day (threshold 5 as in the article, i.e. more than 6 plans; "
        f"the bench's team has {TEAMMATES} teammates who filed that day), the previous plan found by "
        "walking back one day at a time (one login and one history request per day, capped at "
        f"{MAX_WALK_DAYS} days, never reached here), accounts one after another, and the first day "
        "off stops every remaining account. It decodes with json, not unicode-escape. Ratios are the "
        "claim; absolute times depend on the machine.",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    for day, off in ((WORKDAY, None), (AFTER_LEAVE, None), (DAY_OFF, "weekend")):
        if decide(day, calendar="cn").off != off:
            raise SystemExit(f"bench: {day} is not what the bench assumes; pick other dates")
    parallel = args.parallel or DEFAULT_PARALLEL
    measured = collect(args, parallel)
    targets = targets_of(measured, parallel)
    lines = render(measured, args, argv, parallel, targets)
    print()
    print("\n".join(lines))
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.output}")
    return 0 if all(ok for _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
