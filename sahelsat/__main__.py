"""``python -m sahelsat``: the command line."""

from sahelsat.cli import main

main()
