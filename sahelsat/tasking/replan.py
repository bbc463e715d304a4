"""Emergency re-planning: insert one urgent request into a committed plan, changing little.

:func:`insert_emergency` takes a plan and the opportunities of an emergency request and
returns the new plan that serves the emergency while displacing as few committed
acquisitions as possible (then keeping as much of their value as possible); nothing new
is added besides the emergency. Each displaced acquisition comes with the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sahelsat.tasking.problem import PlanningInputError, planning_problem
from sahelsat.tasking.scheduler import (
    Plan,
    _GreedyState,
    build_plan,
    downlink_extension,
    energy_knapsacks,
    problem_arrays,
    station_conflicts,
    transition_conflicts,
)
from sahelsat.tasking.selection import SelectionProblem, solve_selection


@dataclass
class Replan:
    """``plan``: the new plan over the old problem plus the emergency opportunities.
    ``emergency``: the acquisition that serves the emergency (a row of
    ``plan.acquisitions``). ``displaced``: ``opportunity, request, value, reason`` of each
    committed acquisition dropped. ``kept``: how many committed acquisitions stay."""

    plan: Plan
    emergency: pd.Series
    displaced: pd.DataFrame
    kept: int


class EmergencyInfeasible(ValueError):
    """No opportunity of the emergency request fits, even with the plan emptied."""


def insert_emergency(
    plan: Plan, emergency_opportunities, *, time_limit: float = 20.0, workers: int = 2
) -> Replan:
    """Serve the emergency with the fewest displaced acquisitions of ``plan``.

    ``emergency_opportunities``: opportunity table (columns of
    :data:`~sahelsat.tasking.problem.OPPORTUNITY_COLUMNS`) of one request not in the plan.
    Raises :class:`EmergencyInfeasible` when no opportunity of it fits at all.
    """
    t0 = time.perf_counter()
    old = plan.problem
    new = pd.DataFrame(emergency_opportunities)
    if new.empty:
        raise PlanningInputError("emergency: no opportunity given")
    requests = sorted(set(new["request"].astype(str)))
    if len(requests) != 1:
        raise PlanningInputError(f"emergency: expected one request, got {requests}")
    if requests[0] in old.requests:
        raise PlanningInputError(f"emergency: request {requests[0]!r} is already in the plan")
    opp_cols = list(old.opportunities.columns)
    if "opportunity" not in new.columns:
        new["opportunity"] = [f"{requests[0]}#{i}" for i in range(len(new))]
    merged = planning_problem(
        pd.concat([old.opportunities, new[opp_cols]], ignore_index=True),
        old.satellites,
        old.contacts,
        requests=[*old.requests, requests[0]],
        require_downlink=old.require_downlink,
        epoch=old.epoch,
        pieces=old.pieces,
    )
    ar = problem_arrays(merged)
    n_old = len(old.opportunities)
    committed = np.zeros(len(merged.opportunities), dtype=bool)
    committed[:n_old] = plan.selected
    is_new = np.zeros_like(committed)
    is_new[n_old:] = True
    candidate = committed | is_new

    conflicts = transition_conflicts(ar)
    station_pairs = station_conflicts(ar)
    # Keep-count first, then kept value: each committed acquisition is worth W + value.
    weight = int(ar.value[committed].sum()) + 1
    gains = np.where(committed, weight + ar.value, 0)  # own values: a proxy for coverage
    selection = SelectionProblem(
        value=gains,
        group=ar.group,
        conflicts=[conflicts] if conflicts.size else [],
        knapsacks=energy_knapsacks(ar),
    )
    base = downlink_extension(ar, station_pairs, merged.require_downlink)

    def extend(model, x):
        for i in np.flatnonzero(~candidate):
            model.Add(x[i] == 0)
        model.Add(sum(x[i] for i in np.flatnonzero(is_new)) == 1)
        return base(model, x)

    try:
        result = solve_selection(
            selection,
            time_limit=time_limit,
            workers=workers,
            extend=extend,
            complete=lambda sel: sel,
        )
    except ValueError:
        raise EmergencyInfeasible(
            f"emergency {requests[0]!r}: none of its {len(new)} opportunities can be planned"
            " (downlink, memory, energy or slew rules), even with the plan emptied"
        ) from None
    if result.solver is None or not result.selected[is_new].any():
        raise EmergencyInfeasible(
            f"emergency {requests[0]!r}: no insertion found within {time_limit} s"
        )
    state = _GreedyState(ar, conflicts, station_pairs, merged.require_downlink)
    for a in np.flatnonzero(result.selected).tolist():
        k = next(
            (k for k in ar.after[a].tolist() if result.solver.BooleanValue(result.extension[a, k])),
            -1,
        )
        state.add(a, k)
    new_plan = build_plan(
        merged,
        ar,
        state,
        bound=ar.objective(state.selected),
        proven=result.proven_optimal,
        seconds=time.perf_counter() - t0,
        method="cp-sat",
    )
    chosen = int(np.flatnonzero(result.selected & is_new)[0])
    orbit = np.floor(ar.start / ar.period[ar.sat]).astype(np.int64)
    pairs = {(min(p), max(p)) for p in conflicts.tolist()}
    rows = []
    for a in np.flatnonzero(committed & ~result.selected).tolist():
        opp = merged.opportunities.iloc[a]
        if (min(a, chosen), max(a, chosen)) in pairs:
            reason = "overlaps the emergency acquisition or leaves no time to slew"
        elif ar.sat[a] == ar.sat[chosen] and orbit[a] == orbit[chosen]:
            reason = "energy budget of the orbit"
        elif ar.sat[a] == ar.sat[chosen]:
            reason = "recorder memory or downlink capacity"
        else:
            reason = "ground-station contact needed by the emergency's downlink"
        rows.append((opp["opportunity"], opp["request"], int(opp["value"]), reason))
    displaced = pd.DataFrame(rows, columns=["opportunity", "request", "value", "reason"])
    acq = new_plan.acquisitions
    emergency = acq[acq["opportunity"] == merged.opportunities["opportunity"].iat[chosen]].iloc[0]
    return Replan(new_plan, emergency, displaced, int((committed & result.selected).sum()))
