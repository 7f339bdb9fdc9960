"""dailyplan: files your daily plan in your team's web system every workday, safely."""

__version__ = "0.1.0"
