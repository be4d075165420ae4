"""Prep Agent: mock-interview practice grounded in your own study notes."""

__version__ = "0.1.0"
