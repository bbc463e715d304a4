"""Acquisition and downlink planning: which opportunities to take, sent down in which contact.

:func:`plan_acquisitions` maximises the total value of the acquisitions taken over a
:class:`~sahelsat.tasking.problem.PlanningProblem` with OR-Tools CP-SAT, on the shared
selection core (:mod:`sahelsat.tasking.selection`):

- one option per opportunity, at most one per request (group), except for requests
  valued by coverage (the problem's ``pieces``): several of their opportunities may be
  taken, and each piece of their area counts once when any taken strip covers it;
- a clause for each pair of opportunities of one satellite that overlap or leave too
  little time for the manoeuvre between them (agility model in ``problem``);
- a knapsack row per satellite and orbit for energy;
- downlink variables: ``y[a, k]`` sends acquisition ``a`` in contact ``k`` (a later contact
  of its satellite), ``u[k]`` uses contact ``k``; overlapping contacts of one station
  exclude each other; contact volume ``<= rate * duration``; the recorder, checked just
  before each contact of the satellite ends and at the end of the horizon, never holds
  more than its memory.

A greedy construction (best value first, earliest feasible contact) gives the solver its
starting point and is the answer when the solver finds nothing within the time limit.
Volumes are counted in whole Mbit and energies in whole mWh, rounded against the plan
(volumes up, capacities down), so a plan the model accepts is valid to the checker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sahelsat.tasking.problem import PlanningProblem, seconds_since
from sahelsat.tasking.selection import SelectionProblem, solve_selection

#: Look angles closer than this (degrees) are one pointing: no manoeuvre between them.
LOOK_TOL_DEG = 1e-6

#: Contacts considered for the downlink of one acquisition: the next ones of its satellite.
MAX_CONTACTS_PER_ACQUISITION = 8


@dataclass
class Arrays:
    """The problem as arrays. Opportunities (n): ``sat`` satellite index, ``start``,
    ``end`` (s since epoch), ``look`` (deg), ``value``, ``volume`` (Mbit, rounded up),
    ``energy`` (mWh, rounded up), ``request`` (request index), ``group`` (the request
    index, or a label of its own for an opportunity of a request valued by coverage),
    ``own`` (value counted per opportunity: ``value``, 0 for those valued by coverage).
    Satellites (S): ``memory`` (Mbit, rounded down), ``rate`` (deg/s), ``settle`` (s),
    ``period`` (s), ``budget`` (mWh). Contacts (K): ``c_sat``, ``c_station`` (index),
    ``c_start``, ``c_end``, ``c_capacity`` (Mbit, rounded down). ``after[a]``: contact
    indices usable by ``a``. ``pieces``: ``(value, opportunity indices)`` per piece.
    """

    sat: np.ndarray
    start: np.ndarray
    end: np.ndarray
    look: np.ndarray
    value: np.ndarray
    volume: np.ndarray
    energy: np.ndarray
    group: np.ndarray
    memory: np.ndarray
    rate: np.ndarray
    settle: np.ndarray
    period: np.ndarray
    budget: np.ndarray
    c_sat: np.ndarray
    c_station: np.ndarray
    c_start: np.ndarray
    c_end: np.ndarray
    c_capacity: np.ndarray
    after: list[np.ndarray]
    request: np.ndarray
    own: np.ndarray
    pieces: list[tuple[int, np.ndarray]]

    def objective(self, selected: np.ndarray) -> int:
        """Plan value of the boolean (n,) ``selected``: the opportunities' own values plus
        the pieces of areas they cover."""
        selected = np.asarray(selected, dtype=bool)
        covered = sum(v for v, o in self.pieces if selected[o].any())
        return int(self.own[selected].sum()) + int(covered)


def problem_arrays(problem: PlanningProblem) -> Arrays:
    """Index and round the problem's tables into :class:`Arrays`."""
    opp, sats, con = problem.opportunities, problem.satellites, problem.contacts
    sat_index = {s: i for i, s in enumerate(sats["satellite"])}
    req_index = {r: i for i, r in enumerate(problem.requests)}
    stations = {s: i for i, s in enumerate(sorted(set(con["station"])))}
    c_sat = con["satellite"].map(sat_index).to_numpy(dtype=np.int64)
    c_start = seconds_since(con["start"].to_numpy(), problem.epoch)
    c_end = seconds_since(con["end"].to_numpy(), problem.epoch)
    rate_mbps = sats["downlink_rate_mbps"].to_numpy(dtype=float)
    c_capacity = np.floor(rate_mbps[c_sat] * (c_end - c_start) + 1e-6).astype(np.int64)
    sat = opp["satellite"].map(sat_index).to_numpy(dtype=np.int64)
    end = seconds_since(opp["end"].to_numpy(), problem.epoch)
    after = []
    order = np.lexsort((c_start, c_sat))
    for s, e in zip(sat.tolist(), end.tolist(), strict=True):
        ok = order[(c_sat[order] == s) & (c_start[order] >= e - 1e-6)]
        after.append(ok[:MAX_CONTACTS_PER_ACQUISITION])
    request = opp["request"].map(req_index).to_numpy(dtype=np.int64)
    value = opp["value"].to_numpy(dtype=np.int64)
    by_coverage = opp["request"].isin(problem.coverage_requests).to_numpy()
    index = {o: i for i, o in enumerate(opp["opportunity"])}
    pieces = [
        (int(rows["value"].iat[0]), rows["opportunity"].map(index).to_numpy(dtype=np.int64))
        for _, rows in problem.pieces.groupby("piece", sort=True)
    ]
    return Arrays(
        sat=sat,
        start=seconds_since(opp["start"].to_numpy(), problem.epoch),
        end=end,
        look=opp["look_angle_deg"].to_numpy(dtype=float),
        value=value,
        volume=np.ceil(opp["volume_gbit"].to_numpy(dtype=float) * 1000 - 1e-6).astype(np.int64),
        energy=np.ceil(opp["energy_wh"].to_numpy(dtype=float) * 1000 - 1e-6).astype(np.int64),
        group=np.where(by_coverage, len(req_index) + np.arange(len(opp)), request),
        memory=np.floor(sats["memory_gbit"].to_numpy(dtype=float) * 1000 + 1e-6).astype(np.int64),
        rate=sats["slew_rate_deg_s"].to_numpy(dtype=float),
        settle=sats["settle_s"].to_numpy(dtype=float),
        period=sats["orbit_period_s"].to_numpy(dtype=float),
        budget=np.floor(sats["energy_per_orbit_wh"].to_numpy(dtype=float) * 1000 + 1e-6).astype(
            np.int64
        ),
        c_sat=c_sat,
        c_station=con["station"].map(stations).to_numpy(dtype=np.int64),
        c_start=c_start,
        c_end=c_end,
        c_capacity=c_capacity,
        after=after,
        request=request,
        own=np.where(by_coverage, 0, value),
        pieces=pieces,
    )


def transition_conflicts(ar: Arrays) -> np.ndarray:
    """(m, 2) pairs of opportunities of one satellite that cannot both be taken: pointed
    differently, they overlap or the gap is shorter than ``settle + |delta look| / rate``
    (at one pointing the instrument just keeps imaging: no manoeuvre, no conflict)."""
    pairs = []
    for s in np.unique(ar.sat):
        idx = np.flatnonzero(ar.sat == s)
        idx = idx[np.lexsort((ar.end[idx], ar.start[idx]))]
        st, en, lk = ar.start[idx], ar.end[idx], ar.look[idx]
        reach = ar.settle[s] + 180.0 / ar.rate[s]
        # candidates j > i start before end_i + the longest possible manoeuvre
        last = np.searchsorted(st, np.maximum.accumulate(en) + reach, side="left")
        for i in range(idx.size):
            j = np.arange(i + 1, max(last[i], i + 1))
            if not j.size:
                continue
            turn = np.abs(lk[j] - lk[i])
            need = ar.settle[s] + turn / ar.rate[s]
            bad = (turn > LOOK_TOL_DEG) & ((st[j] < en[i]) | (st[j] - en[i] < need - 1e-9))
            pairs.extend(zip([idx[i]] * int(bad.sum()), idx[j[bad]].tolist(), strict=True))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def energy_knapsacks(ar: Arrays) -> list[tuple[np.ndarray, int]]:
    """One row per (satellite, orbit) whose acquisitions could exceed the energy budget."""
    orbit = np.floor(ar.start / ar.period[ar.sat]).astype(np.int64)
    rows = []
    for s, o in sorted(set(zip(ar.sat.tolist(), orbit.tolist(), strict=True))):
        w = np.where((ar.sat == s) & (orbit == o), ar.energy, 0)
        if int(w.sum()) > int(ar.budget[s]):
            rows.append((w, int(ar.budget[s])))
    return rows


def station_conflicts(ar: Arrays) -> np.ndarray:
    """(m, 2) pairs of contacts at one station that overlap in time."""
    pairs = []
    for k in range(ar.c_start.size):
        other = np.flatnonzero(
            (ar.c_station == ar.c_station[k])
            & (ar.c_start < ar.c_end[k])
            & (ar.c_end > ar.c_start[k])
            & (np.arange(ar.c_start.size) > k)
        )
        pairs.extend((k, int(j)) for j in other)
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


class _GreedyState:
    """Incremental feasibility of a plan under construction (the greedy's bookkeeping)."""

    def __init__(
        self, ar: Arrays, conflicts: np.ndarray, station_pairs: np.ndarray, require_downlink: bool
    ):
        self.ar = ar
        self.require_downlink = require_downlink
        n, nk = ar.sat.size, ar.c_start.size
        self.neighbours = [set() for _ in range(n)]
        for a, b in conflicts.tolist():
            self.neighbours[a].add(b)
            self.neighbours[b].add(a)
        self.contact_neighbours = [set() for _ in range(nk)]
        for a, b in station_pairs.tolist():
            self.contact_neighbours[a].add(b)
            self.contact_neighbours[b].add(a)
        self.selected = np.zeros(n, dtype=bool)
        self.contact_of = np.full(n, -1, dtype=np.int64)
        self.load = np.zeros(nk, dtype=np.int64)
        self.used = np.zeros(nk, dtype=bool)
        self.groups: set[int] = set()
        self.energy: dict[tuple[int, int], int] = {}
        self.orbit = np.floor(ar.start / ar.period[ar.sat]).astype(np.int64)
        self.pieces_of: list[list[int]] = [[] for _ in range(n)]
        for k, (_, options) in enumerate(ar.pieces):
            for a in options.tolist():
                self.pieces_of[a].append(k)
        self.covered: set[int] = set()

    def gain(self, a: int) -> int:
        """What taking ``a`` adds to the plan's value now."""
        extra = sum(self.ar.pieces[k][0] for k in self.pieces_of[a] if k not in self.covered)
        return int(self.ar.own[a]) + int(extra)

    def memory_ok(self, s: int, extra: tuple[int, int] | None) -> bool:
        ar = self.ar
        items = [(a, self.contact_of[a]) for a in np.flatnonzero(self.selected & (ar.sat == s))]
        if extra is not None:
            items.append(extra)
        events = []
        for a, k in items:
            events.append((ar.start[a], 1, int(ar.volume[a])))
            if k >= 0:
                events.append((ar.c_end[k], 0, -int(ar.volume[a])))
        stored = 0
        for _, _, d in sorted(events):
            stored += d
            if stored > ar.memory[s]:
                return False
        return True

    def why_not(self, a: int) -> tuple[str | None, int]:
        """First rule that stops adding ``a`` (None when it fits) and the contact to use."""
        ar = self.ar
        if int(ar.group[a]) in self.groups:
            return "request", -1
        blockers = [b for b in self.neighbours[a] if self.selected[b]]
        if blockers:
            return "conflict", int(blockers[0])
        key = (int(ar.sat[a]), int(self.orbit[a]))
        if self.energy.get(key, 0) + ar.energy[a] > ar.budget[ar.sat[a]]:
            return "energy", -1
        usable = [
            int(k)
            for k in ar.after[a]
            if self.load[k] + ar.volume[a] <= ar.c_capacity[k]
            and not any(self.used[j] for j in self.contact_neighbours[k])
        ]
        if not usable and self.require_downlink:
            return "downlink", -1
        s = int(ar.sat[a])
        for k in usable:
            if self.memory_ok(s, (a, k)):
                return None, k
        if not self.require_downlink and self.memory_ok(s, (a, -1)):
            return None, -1
        return "memory", -1

    def add(self, a: int, k: int) -> None:
        ar = self.ar
        self.selected[a] = True
        self.contact_of[a] = k
        self.groups.add(int(ar.group[a]))
        self.covered.update(self.pieces_of[a])
        key = (int(ar.sat[a]), int(self.orbit[a]))
        self.energy[key] = self.energy.get(key, 0) + int(ar.energy[a])
        if k >= 0:
            self.load[k] += ar.volume[a]
            self.used[k] = True


def greedy_plan(
    ar: Arrays,
    conflicts: np.ndarray,
    station_pairs: np.ndarray,
    require_downlink: bool = True,
    keep: np.ndarray | None = None,
) -> _GreedyState:
    """Greedy construction: opportunities ``keep`` first (in time order), then the others by
    value (higher first), then earlier start; each added when every rule allows it."""
    state = _GreedyState(ar, conflicts, station_pairs, require_downlink)
    n = ar.sat.size
    first = np.zeros(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    order = np.r_[
        np.flatnonzero(first)[np.argsort(ar.start[first], kind="stable")],
        np.flatnonzero(~first)[np.lexsort((ar.start[~first], -ar.value[~first]))],
    ]
    for a in order.tolist():
        if state.gain(a) <= 0 and not first[a]:
            continue
        reason, k = state.why_not(a)
        if reason is None:
            state.add(a, k)
    return state


def prune(ar: Arrays, state: _GreedyState, conflicts, station_pairs, require_downlink):
    """The plan of ``state`` without the acquisitions that add nothing to its value (a
    strip over pieces that other taken strips cover already); dropping an acquisition
    never breaks a rule, so the result stays feasible."""
    keep = state.selected.copy()
    value = ar.objective(keep)
    for a in np.flatnonzero(keep)[np.argsort(ar.value[keep], kind="stable")].tolist():
        keep[a] = False
        if ar.objective(keep) < value:
            keep[a] = True
    if keep.sum() == state.selected.sum():
        return state
    out = _GreedyState(ar, conflicts, station_pairs, require_downlink)
    for a in np.flatnonzero(keep).tolist():
        out.add(a, int(state.contact_of[a]))
    return out


def downlink_extension(ar: Arrays, station_pairs: np.ndarray, require_downlink: bool):
    """``extend(model, x)`` adding the downlink and recorder constraints; returns ``y``."""

    def extend(model, x):
        nk = ar.c_start.size
        u = [model.NewBoolVar(f"u{k}") for k in range(nk)]
        for a, b in station_pairs.tolist():
            model.AddBoolOr([u[a].Not(), u[b].Not()])
        y: dict[tuple[int, int], object] = {}
        by_contact: list[list[int]] = [[] for _ in range(nk)]
        for a, ks in enumerate(ar.after):
            for k in ks.tolist():
                y[a, k] = model.NewBoolVar(f"y{a}_{k}")
                model.AddImplication(y[a, k], u[k])
                model.AddImplication(y[a, k], x[a])
                by_contact[k].append(a)
            sent = [y[a, k] for k in ks.tolist()]
            if require_downlink:
                if sent:
                    model.Add(sum(sent) == x[a])
                else:
                    model.Add(x[a] == 0)
            elif sent:
                model.Add(sum(sent) <= x[a])
        for k, acq in enumerate(by_contact):
            if acq and int(ar.volume[acq].sum()) > ar.c_capacity[k]:
                model.Add(sum(int(ar.volume[a]) * y[a, k] for a in acq) <= int(ar.c_capacity[k]))
        for s in np.unique(ar.sat).tolist():
            acq = np.flatnonzero(ar.sat == s)
            if int(ar.volume[acq].sum()) <= ar.memory[s]:
                continue
            ends = np.unique(ar.c_end[ar.c_sat == s]).tolist() + [math.inf]
            for e in ends:
                filled = [a for a in acq.tolist() if ar.start[a] < e and ar.volume[a] > 0]
                if int(ar.volume[filled].sum()) <= ar.memory[s]:
                    continue
                freed = [(a, k) for a in filled for k in ar.after[a].tolist() if ar.c_end[k] < e]
                model.Add(
                    sum(int(ar.volume[a]) * x[a] for a in filled)
                    - sum(int(ar.volume[a]) * y[a, k] for a, k in freed)
                    <= int(ar.memory[s])
                )
        return y

    return extend


@dataclass
class Plan:
    """An acquisition and downlink plan.

    ``acquisitions``: one row per acquisition taken (the opportunity's columns plus
    ``contact, station, downlink_end, latency_s``: the contact that sends it down and the
    time from the end of the acquisition to the end of that contact). ``unsatisfied``:
    ``request, reason, detail`` for each request not served (reason: no opportunity,
    conflict, energy, memory, downlink, or not selected). ``value``, ``bound`` (best proven
    upper bound), ``gap`` (relative), ``proven_optimal``, ``seconds``, ``method``
    (``cp-sat`` or ``greedy``). ``coverage``: ``request, fraction`` covered by the plan,
    for the requests valued by coverage whose pieces give their fractions.
    """

    problem: PlanningProblem
    acquisitions: pd.DataFrame
    unsatisfied: pd.DataFrame
    value: int
    bound: int
    gap: float
    proven_optimal: bool
    seconds: float
    method: str
    coverage: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["request", "fraction"])
    )

    @property
    def selected(self) -> np.ndarray:
        """(n,) bool over the problem's opportunities."""
        return (
            self.problem.opportunities["opportunity"]
            .isin(self.acquisitions["opportunity"])
            .to_numpy()
        )


def explain_unsatisfied(problem: PlanningProblem, ar: Arrays, state: _GreedyState) -> pd.DataFrame:
    """Why each request without an acquisition in ``state`` is not served.

    Each of its opportunities is tried against the plan; the reason reported is that of
    the opportunity that got furthest (conflict, then energy, downlink, memory)."""
    opp = problem.opportunities
    served = set(ar.request[state.selected].tolist())
    rank = {"conflict": 0, "energy": 1, "downlink": 2, "memory": 3, None: 4}
    rows = []
    for r, req in enumerate(problem.requests):
        if r in served:
            continue
        mine = np.flatnonzero(ar.request == r)
        if not mine.size:
            rows.append((req, "no opportunity", "no opportunity of our satellites meets its needs"))
            continue
        best = None
        for a in mine.tolist():
            reason, other = state.why_not(a)
            if best is None or rank[reason] > rank[best[0]]:
                best = (reason, a, other)
        reason, a, other = best
        name = opp["opportunity"].iat[a]
        if reason == "conflict":
            detail = (
                f"{name} overlaps or leaves no time to slew from/to planned "
                f"{opp['opportunity'].iat[other]}"
            )
        elif reason == "energy":
            detail = f"{name}: the orbit's energy budget is spent"
        elif reason == "downlink":
            detail = f"{name}: no later contact of {opp['satellite'].iat[a]} with room"
        elif reason == "memory":
            detail = f"{name}: the recorder of {opp['satellite'].iat[a]} would overflow"
        else:
            reason, detail = "not selected", f"{name} fits but was not chosen (value or time limit)"
        rows.append((req, reason, detail))
    return pd.DataFrame(rows, columns=["request", "reason", "detail"])


def build_plan(
    problem: PlanningProblem,
    ar: Arrays,
    state: _GreedyState,
    *,
    bound: int,
    proven: bool,
    seconds: float,
    method: str,
) -> Plan:
    """Assemble a :class:`Plan` from a feasible ``state`` (selection and contacts)."""
    opp = problem.opportunities
    idx = np.flatnonzero(state.selected)
    acq = opp.iloc[idx].reset_index(drop=True).copy()
    k = state.contact_of[idx]
    con = problem.contacts
    has = k >= 0
    kk = np.maximum(k, 0)
    none = np.full(idx.size, None, dtype=object)
    acq["contact"] = np.where(has, con["contact"].to_numpy()[kk], none) if len(con) else none
    acq["station"] = np.where(has, con["station"].to_numpy()[kk], none) if len(con) else none
    if len(con):
        acq["downlink_end"] = pd.Series(con["end"].to_numpy()[kk]).where(has)
        acq["latency_s"] = np.where(has, ar.c_end[kk] - ar.end[idx], np.nan)
    else:
        acq["downlink_end"] = pd.Series(np.full(idx.size, np.datetime64("NaT"), "datetime64[ns]"))
        acq["latency_s"] = np.nan
    acq = acq.sort_values(["satellite", "start"]).reset_index(drop=True)
    value = ar.objective(state.selected)
    bound = max(int(bound), value)
    pieces = problem.pieces
    taken = pieces["opportunity"].isin(set(opp["opportunity"].iloc[idx]))
    covered = pieces[taken].drop_duplicates("piece").groupby("request")["fraction"].sum()
    coverage = pd.DataFrame(
        {
            "request": sorted(problem.coverage_requests),
            "fraction": [
                round(float(covered.get(r, 0.0)), 4) for r in sorted(problem.coverage_requests)
            ],
        }  # fmt: skip
    )
    return Plan(
        problem=problem,
        acquisitions=acq,
        unsatisfied=explain_unsatisfied(problem, ar, state),
        value=value,
        bound=bound,
        gap=0.0 if proven else (bound - value) / max(bound, 1),
        proven_optimal=bool(proven),
        seconds=float(seconds),
        method=method,
        coverage=coverage,
    )


def plan_acquisitions(
    problem: PlanningProblem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    method: str = "cp-sat",
    seed: int = 0,
) -> Plan:
    """The best plan found within ``time_limit`` seconds.

    ``method``: ``"cp-sat"`` (greedy start, then CP-SAT; the greedy plan if CP-SAT finds
    nothing better in time) or ``"greedy"`` alone (fast, for very large instances).
    """
    import time

    t0 = time.perf_counter()
    ar = problem_arrays(problem)
    conflicts = transition_conflicts(ar)
    station_pairs = station_conflicts(ar)
    greedy = greedy_plan(ar, conflicts, station_pairs, problem.require_downlink)
    upper = int(_group_upper_bound(ar))
    if method == "greedy" or ar.sat.size == 0:
        return build_plan(
            problem,
            ar,
            prune(ar, greedy, conflicts, station_pairs, problem.require_downlink),
            bound=upper,
            proven=False,
            seconds=time.perf_counter() - t0,
            method="greedy",
        )
    if method != "cp-sat":
        raise ValueError(f"method must be 'cp-sat' or 'greedy', not {method!r}")
    selection = SelectionProblem(
        value=ar.own,
        group=ar.group,
        conflicts=[conflicts] if conflicts.size else [],
        knapsacks=energy_knapsacks(ar),
        pieces=ar.pieces,
    )

    def complete(sel: np.ndarray) -> np.ndarray:
        return greedy_plan(
            ar, conflicts, station_pairs, problem.require_downlink, keep=sel
        ).selected

    left = time_limit - (time.perf_counter() - t0)
    result = solve_selection(
        selection,
        time_limit=max(left, 0.5),
        workers=workers,
        seed=seed,
        extend=downlink_extension(ar, station_pairs, problem.require_downlink),
        start=greedy.selected,
        complete=complete,
    )
    if result.solver is None or result.value <= ar.objective(greedy.selected):
        state = greedy
        proven = result.proven_optimal and result.value == ar.objective(greedy.selected)
        used = "greedy" if result.solver is None else "cp-sat"
    else:
        state = _GreedyState(ar, conflicts, station_pairs, problem.require_downlink)
        y = result.extension
        for a in np.flatnonzero(result.selected).tolist():
            k = next((k for k in ar.after[a].tolist() if result.solver.BooleanValue(y[a, k])), -1)
            state.add(a, k)
        proven, used = result.proven_optimal, "cp-sat"
    state = prune(ar, state, conflicts, station_pairs, problem.require_downlink)
    bound = result.bound if result.solver is not None else upper
    return build_plan(
        problem,
        ar,
        state,
        bound=min(bound, upper),
        proven=proven,
        seconds=time.perf_counter() - t0,
        method=used,
    )


def _group_upper_bound(ar: Arrays) -> int:
    """Sum over requests of their best opportunity value, and every piece of the areas
    valued by coverage: a trivial upper bound."""
    best = np.zeros(int(ar.group.max()) + 1 if ar.group.size else 0, dtype=np.int64)
    np.maximum.at(best, ar.group, ar.own)
    return int(best.sum()) + sum(v for v, _ in ar.pieces)
