"""Local stand-ins for team systems: the reference application, its HTTP glue and the demo team.

A test and demo tool shipped inside the package (so ``dailyplan demo`` works from a wheel); no
product module imports it except ``demo``.
"""

from runner.sandbox.app import Faults, LogEntry, Sandbox, escape_plan
from runner.sandbox.data import DEMO_ACCOUNTS, demo_plans

__all__ = ["DEMO_ACCOUNTS", "Faults", "LogEntry", "Sandbox", "demo_plans", "escape_plan"]
