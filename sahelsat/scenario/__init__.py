"""Scenarios end to end: a TOML file (or a built-in one) -> every capability -> a report.

``config`` validates scenario files (errors name the key and line), ``run`` runs the
steps into an output folder, ``report`` writes the HTML (and PDF) mission report.
"""

from sahelsat.scenario.config import BUILTIN, Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["BUILTIN", "Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
