"""The ``sahelsat`` command's entry point: a scenario given to ``run`` or
``check-scenario`` is validated before the command line and its capabilities are
imported, so that a bad file fails at once; then the command line runs."""

from __future__ import annotations

import sys

_VALUE_OPTIONS = {"--out", "--lang"}  # options of ``run`` that take a value


def scenario_argument(args: list[str]) -> str | None:
    """The scenario named on a ``run`` / ``check-scenario`` command line (``sahel`` when
    ``run`` names none), or None for other commands and for ``--help``."""
    if not args or args[0] not in ("run", "check-scenario") or "--help" in args:
        return None
    rest, k = args[1:], 0
    while k < len(rest):
        if rest[k] in _VALUE_OPTIONS:
            k += 2
            continue
        if not rest[k].startswith("-"):
            return rest[k]
        k += 1
    return "sahel" if args[0] == "run" else None


def main() -> None:
    source = scenario_argument(sys.argv[1:])
    if source is not None:
        from sahelsat.scenario.config import ScenarioError, load_scenario

        try:
            load_scenario(source)
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)
    from sahelsat.cli import main as cli_main

    cli_main()
