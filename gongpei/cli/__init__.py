"""The ``gongpei`` command line: one module per group of commands (``commands`` holds the main
group and the day commands; ``county``, ``replan`` and ``sweep`` register their own)."""

from gongpei.cli.commands import main

__all__ = ["main"]
