"""The ``sahelsat`` command line: one sub-module per domain, loaded when its command runs.

Each module in ``COMMAND_MODULES`` defines ``register(app: typer.Typer) -> None``;
``COMMANDS`` says which module holds which command, so ``sahelsat run bad.toml`` imports
the scenario commands alone and a bad file fails before any capability loads. A module
listed in ``COMMAND_MODULES`` but not in ``COMMANDS`` is loaded when an unknown command
name is asked for (and for ``--help``, which lists every command).
"""

from __future__ import annotations

import importlib

import typer
import typer.main
from typer.core import TyperGroup

COMMAND_MODULES = [
    "orbit", "update", "service", "monitor", "comms", "design", "coverage", "tasking",
    "scenario", "brief",
]  # fmt: skip

#: Command name -> the module of ``sahelsat.cli`` that registers it.
COMMANDS = {
    "demo": "orbit", "catalogues": "orbit", "elements": "orbit", "propagate": "orbit",
    "passes": "orbit", "update": "update", "serve": "service", "token": "service",
    "flood": "monitor", "design": "design",
    "vegetation": "monitor", "link": "comms", "service": "comms", "coverage": "coverage",
    "spot5": "tasking", "opportunities": "tasking", "plan": "tasking", "bench": "tasking",
    "run": "scenario", "check-scenario": "scenario", "brief": "brief",
}  # fmt: skip


class LazyGroup(TyperGroup):
    """A command group that imports a command's module only when the command is used."""

    def _load(self, module: str) -> None:
        loaded = self.__dict__.setdefault("_loaded", set())
        if module in loaded:
            return
        loaded.add(module)
        sub = typer.Typer()
        importlib.import_module(f"sahelsat.cli.{module}").register(sub)
        group = typer.main.get_group(sub)
        for name, command in group.commands.items():
            self.commands.setdefault(name, command)

    def list_commands(self, ctx) -> list[str]:
        for module in COMMAND_MODULES:
            self._load(module)
        return sorted(self.commands)

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in COMMANDS:
            self._load(COMMANDS[name])
        if name not in self.commands:
            for module in COMMAND_MODULES:
                if module not in COMMANDS.values():
                    self._load(module)
        return self.commands.get(name)


app = typer.Typer(
    name="sahelsat",
    cls=LazyGroup,
    help=(
        "Ground software for the Sahel regional satellite system (Mali, Niger, Burkina Faso): "
        "element sets, propagation and passes, coverage, link budgets, Earth-observation "
        "planning and disaster maps. Times are UTC ISO-8601, angles in degrees."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """Ground software for the Sahel regional satellite system."""


def main() -> None:
    """Entry point of the ``sahelsat`` console script."""
    app()
