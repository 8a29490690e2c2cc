"""`python -m cli` is `pantry`."""

from cli.main import run

run()
