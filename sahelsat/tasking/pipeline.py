"""From requests to a plan: opportunities and forecasts, contacts, satellites, the scheduler.

Only the satellites we operate are planned (acquisitions and downlinks through our
stations); the systematic acquisitions of the others are forecast beside the plan.
"""

from __future__ import annotations

import pandas as pd

from sahelsat.tasking.downlink import contacts_from_passes, satellite_table
from sahelsat.tasking.opportunities import CANDIDATE, find_opportunities
from sahelsat.tasking.pieces import coverage_pieces
from sahelsat.tasking.problem import OPPORTUNITY_COLUMNS, planning_problem
from sahelsat.tasking.requests import ImagingRequest, expand_repeats
from sahelsat.tasking.scheduler import Plan, plan_acquisitions


def plan_requests(
    requests: list[ImagingRequest],
    fleet,
    start,
    stop,
    *,
    stations=None,
    satellites: pd.DataFrame | None = None,
    sensors: dict | None = None,
    ours=None,
    min_elevation: float = 5.0,
    time_limit: float = 30.0,
    method: str = "cp-sat",
    workers: int = 2,
) -> tuple[Plan, pd.DataFrame]:
    """Plan ``requests`` (repeats expanded) with the satellites of ``fleet`` we operate,
    between ``start`` and ``stop``, and forecast the others.

    ``stations``: ground stations (default the three national ones); ``satellites``:
    planning figures (default :func:`~sahelsat.tasking.downlink.satellite_table`);
    ``sensors``: satellite name -> :class:`~sahelsat.sensors.Sensor` for satellites the
    shipped table does not know (designed ones); ``ours``: names of the satellites we
    operate (default: those whose sensor has no systematic scenario, see
    :func:`~sahelsat.tasking.opportunities.find_opportunities`). Several partial strips
    of one area combine: the plan values each area by the fraction covered.
    Returns the plan and the opportunity table (candidates and forecasts, with each
    strip's geometry; ``status`` says which).
    """
    requests = expand_repeats(requests)
    opportunities = find_opportunities(fleet, requests, start, stop, sensors=sensors, ours=ours)
    candidates = opportunities[opportunities["status"] == CANDIDATE]
    mine = [str(n) for n in fleet.names if str(n) in set(candidates["satellite"])]
    if ours is not None:
        mine = [str(n) for n in fleet.names if str(n) in set(ours)]
    planned = fleet[mine] if mine else fleet[[]]
    if len(planned):
        contacts = contacts_from_passes(planned, stations, start, stop, min_elevation=min_elevation)
    else:
        contacts = None
    if satellites is None:
        sats = satellite_table(planned, sensors=sensors)
    else:
        sats = satellites[satellites["satellite"].isin(mine)]
    problem = planning_problem(
        candidates[list(OPPORTUNITY_COLUMNS)],
        sats,
        contacts,
        requests=[r.id for r in requests],
        pieces=coverage_pieces(candidates, requests),
    )
    plan = plan_acquisitions(problem, time_limit=time_limit, method=method, workers=workers)
    return plan, opportunities
