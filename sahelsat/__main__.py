"""``python -m sahelsat``: the command line."""

from sahelsat.launcher import main

main()
