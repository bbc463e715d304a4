"""From requests to a plan: opportunities, contacts, satellites, then the scheduler."""

from __future__ import annotations

import pandas as pd

from sahelsat.tasking.downlink import contacts_from_passes, satellite_table
from sahelsat.tasking.opportunities import find_opportunities
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
    min_elevation: float = 5.0,
    time_limit: float = 30.0,
    method: str = "cp-sat",
    workers: int = 2,
) -> tuple[Plan, pd.DataFrame]:
    """Plan ``requests`` (repeats expanded) with ``fleet`` between ``start`` and ``stop``.

    ``stations``: ground stations (default the three national ones); ``satellites``:
    planning figures (default :func:`~sahelsat.tasking.downlink.satellite_table`);
    ``sensors``: satellite name -> :class:`~sahelsat.tasking.opportunities.Sensor` for
    satellites the shipped table does not know (designed ones).
    Returns the plan and the opportunity table (with each strip's geometry).
    """
    requests = expand_repeats(requests)
    opportunities = find_opportunities(fleet, requests, start, stop, sensors=sensors)
    contacts = contacts_from_passes(fleet, stations, start, stop, min_elevation=min_elevation)
    sats = satellite_table(fleet, sensors=sensors) if satellites is None else satellites
    problem = planning_problem(
        opportunities[list(OPPORTUNITY_COLUMNS)],
        sats,
        contacts,
        requests=[r.id for r in requests],
    )
    plan = plan_acquisitions(problem, time_limit=time_limit, method=method, workers=workers)
    return plan, opportunities
