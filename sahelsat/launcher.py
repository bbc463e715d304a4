"""The ``sahelsat`` command's entry point (the console script): the command line of
:mod:`sahelsat.cli`, whose commands load lazily, so that ``sahelsat run bad.toml`` reads
and rejects the file before any capability is imported."""

from __future__ import annotations


def main() -> None:
    from sahelsat.cli import main as cli_main

    cli_main()
