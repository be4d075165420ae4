"""Command line: `prep-agent COMMAND` or `python -m prep_agent COMMAND` (entry: `main.main`)."""
