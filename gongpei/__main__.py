"""``python -m gongpei`` runs the command line (as the ``gongpei`` script does)."""

from gongpei.cli.commands import main

main()
