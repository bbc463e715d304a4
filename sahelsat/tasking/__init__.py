"""Earth-observation operations: imaging requests, opportunities, acquisition and downlink
plans, emergency re-plans, and the SPOT5 benchmark on the same scheduling core.

Modules, one topic each: ``requests`` (validated imaging requests), ``opportunities``
(swaths fixed to real tracks: candidates of ours, forecasts of the others), ``pieces``
(areas cut by their strips, for valuing coverage), ``downlink`` (contacts from passes,
satellite figures), ``problem`` (validated planning tables), ``selection`` (the CP-SAT
selection core), ``scheduler`` (acquisition + downlink planning), ``checker``
(independent plan checker), ``replan`` (emergency insertion), ``spot5`` (benchmark
adapter), ``outputs`` (JSON, CSV, GeoJSON, Gantt, strip map, summary), ``pipeline``
(requests to plan and forecasts).

The main entry points are re-exported here, imported on first use (OR-Tools is heavy).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "make_request": "requests",
    "read_requests": "requests",
    "find_opportunities": "opportunities",
    "contacts_from_passes": "downlink",
    "planning_problem": "problem",
    "plan_acquisitions": "scheduler",
    "check_plan": "checker",
    "insert_emergency": "replan",
    "read_spot5": "spot5",
    "solve_spot5": "spot5",
    "write_plan": "outputs",
    "plan_requests": "pipeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"sahelsat.tasking.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'sahelsat.tasking' has no attribute {name!r}")
