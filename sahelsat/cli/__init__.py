"""The ``sahelsat`` command line: one sub-module per domain, each adding its commands.

Each module in ``COMMAND_MODULES`` defines ``register(app: typer.Typer) -> None``.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="sahelsat",
    help=(
        "Ground software for the Sahel regional satellite system (Mali, Niger, Burkina Faso): "
        "element sets, propagation and passes, coverage, link budgets, Earth-observation "
        "planning and disaster maps. Times are UTC ISO-8601, angles in degrees."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

COMMAND_MODULES = [
    "orbit", "service", "monitor", "comms", "design", "coverage", "tasking", "scenario",
]  # fmt: skip

for _name in COMMAND_MODULES:
    importlib.import_module(f"sahelsat.cli.{_name}").register(app)


def main() -> None:
    """Entry point of the ``sahelsat`` console script."""
    app()
