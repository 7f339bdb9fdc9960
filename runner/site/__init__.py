"""The only code that speaks to the team system: the HTTP client and the parsing of its pages."""
