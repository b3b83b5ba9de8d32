"""``python -m gongpei.cli`` runs the command line (as the ``gongpei`` script does)."""

from gongpei.cli.commands import main

main()
