"""The only code that speaks to GitHub: the issues API client and the notify decisions."""
