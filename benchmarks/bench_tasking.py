"""Earth-observation planning benchmark (``make bench``).

1. SPOT5 (Bensana et al. 1999): every instance through our selection core (tiers, greedy
   hint, clauses) beside a textbook CP-SAT model of the same instance (one integer
   variable per photograph, forbidden tuples as table constraints, recorder as a linear
   constraint, no hint), same time limit and 2 workers, against the published values.
   Multi-orbit instances under both readings of the recorder limit: 200 units of 451.15
   (which the published values follow) and the file's 90000 as written (``literal``).
2. A realistic day: 4 agile optical satellites, 200 town requests over Mali, Niger and
   Burkina Faso, 3 ground stations: CP-SAT plan beside the value-first greedy plan.

Time limit per SPOT5 instance: ``SAHELSAT_SPOT5_LIMIT`` seconds (default 60).
Writes ``benchmarks/results/tasking.json``.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from ortools.sat.python import cp_model

HERE = Path(__file__).resolve().parent
SPOT5 = HERE.parents[1] / "shared" / "data" / "spot5"
LIMIT = float(os.environ.get("SAHELSAT_SPOT5_LIMIT", "60"))


def textbook_spot5(inst, time_limit: float):
    """The direct CSP model: x_p in {0} + domain(p), tables of forbidden tuples."""
    model = cp_model.CpModel()
    xs, units = [], []
    for p in range(inst.n_photographs):
        mask = inst.option_photo == p
        values = [0, *inst.option_value[mask].tolist()]
        xs.append(model.NewIntVarFromDomain(cp_model.Domain.FromValues(values), f"p{p}"))
        units.append(dict(zip(inst.option_value[mask].tolist(), inst.option_units[mask].tolist(),
                              strict=True)))  # fmt: skip
    for photos, forbidden in inst.constraints:
        model.AddForbiddenAssignments([xs[p] for p in photos.tolist()], forbidden.tolist())
    taken = []
    for p, x in enumerate(xs):
        b = model.NewBoolVar(f"t{p}")
        model.Add(x != 0).OnlyEnforceIf(b)
        model.Add(x == 0).OnlyEnforceIf(b.Not())
        taken.append(b)
    if inst.capacity_units is not None:
        use = []
        for p, x in enumerate(xs):
            for v, u in units[p].items():
                if u:
                    is_v = model.NewBoolVar("")
                    model.Add(x == v).OnlyEnforceIf(is_v)
                    model.Add(x != v).OnlyEnforceIf(is_v.Not())
                    use.append(u * is_v)
        model.Add(sum(use) <= inst.capacity_units)
    model.Maximize(sum(int(w) * b for w, b in zip(inst.weight.tolist(), taken, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    t0 = time.perf_counter()
    status = solver.Solve(model)
    seconds = time.perf_counter() - t0
    value = int(solver.ObjectiveValue()) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0
    return value, status == cp_model.OPTIMAL, seconds


def bench_spot5() -> list[dict]:
    from sahelsat.tasking.spot5 import check_spot5, read_spot5, solve_spot5

    with open(SPOT5 / "known_values.csv") as f:
        known = list(csv.DictReader(f))
    rows = []
    print(f"SPOT5, {LIMIT:g} s per instance, 2 workers; peer: textbook CP-SAT model")
    head = (f"{'instance':>8} {'n':>5} {'best':>7} {'ours':>7} {'proven':>6} {'s':>6}"
            f" {'peer':>7} {'proven':>6} {'s':>6} {'gap %':>6} {'peer/ours s':>11}"
            f" {'literal':>8} {'proven':>6}")  # fmt: skip
    print(head)
    for k in known:
        inst = read_spot5(SPOT5 / k["file"])
        ours = solve_spot5(inst, time_limit=LIMIT, workers=2)
        value, problems = check_spot5(inst, ours.selected)
        assert not problems and value == ours.value, problems
        p_value, p_proven, p_seconds = textbook_spot5(inst, LIMIT)
        literal = None
        if inst.recorder is not None:  # the same instance, recorder limit read as written
            lit = read_spot5(SPOT5 / k["file"], recorder="literal")
            literal = solve_spot5(lit, time_limit=LIMIT, workers=2)
            value, problems = check_spot5(lit, literal.selected)
            assert not problems and value == literal.value, problems
        best = int(k["best_known_value"])
        row = dict(
            instance=k["instance"], file=k["file"], photographs=inst.n_photographs,
            best_known=best, ours=ours.value, ours_proven=ours.proven_optimal,
            ours_s=round(ours.seconds, 2), ours_bound=ours.bound, peer=p_value,
            peer_proven=p_proven, peer_s=round(p_seconds, 2),
            gap_to_best_pct=round(100 * max(best - ours.value, 0) / best, 4),
            time_ratio=round(p_seconds / max(ours.seconds, 1e-3), 2),
            recorder_rule=inst.recorder,
            ours_literal=None if literal is None else literal.value,
            ours_literal_proven=None if literal is None else literal.proven_optimal,
        )  # fmt: skip
        rows.append(row)
        print(f"{k['instance']:>8} {inst.n_photographs:>5} {best:>7} {ours.value:>7}"
              f" {'yes' if ours.proven_optimal else 'no':>6} {ours.seconds:>6.1f} {p_value:>7}"
              f" {'yes' if p_proven else 'no':>6} {p_seconds:>6.1f}"
              f" {row['gap_to_best_pct']:>6.3f} {row['time_ratio']:>11.2f}"
              f" {'-' if literal is None else literal.value:>8}"
              f" {'-' if literal is None else 'yes' if literal.proven_optimal else 'no':>6}",
              flush=True)  # fmt: skip
    return rows


def realistic_day() -> dict:
    from sahelsat.fleet import earth_observation_fleet
    from sahelsat.places import ground_stations, towns
    from sahelsat.tasking.checker import check_plan
    from sahelsat.tasking.downlink import contacts_from_passes, satellite_table
    from sahelsat.tasking.opportunities import AGILE_OPTICAL, find_opportunities
    from sahelsat.tasking.problem import OPPORTUNITY_COLUMNS, planning_problem
    from sahelsat.tasking.requests import make_request
    from sahelsat.tasking.scheduler import plan_acquisitions

    start, stop = "2026-05-31T00:00:00Z", "2026-06-01T00:00:00Z"
    fleet = earth_observation_fleet().select("SENTINEL-2|LANDSAT 9")[:4]
    sensors = {str(n): AGILE_OPTICAL for n in fleet.names}  # as agile 20 km imagers
    rng = np.random.default_rng(2026)
    tw = towns(min_population=0).sort_values("population", ascending=False).head(200)
    reqs = [
        make_request(f"{r.name}-{i}", {"type": "Point", "coordinates": [r.longitude_deg,
                     r.latitude_deg]}, radius_km=5.0, start=start, end=stop,
                     priority=int(rng.integers(1, 6)), sensor="optical")
        for i, r in enumerate(tw.itertuples())
    ]  # fmt: skip
    t0 = time.perf_counter()
    opps = find_opportunities(fleet, reqs, start, stop, sensors=sensors)
    t_opp = time.perf_counter() - t0
    contacts = contacts_from_passes(fleet, ground_stations(), start, stop)
    problem = planning_problem(
        opps[list(OPPORTUNITY_COLUMNS)], satellite_table(fleet, sensors=sensors, memory_gbit=64),
        contacts, requests=[r.id for r in reqs],
    )  # fmt: skip
    greedy = plan_acquisitions(problem, method="greedy")
    cpsat = plan_acquisitions(problem, time_limit=30.0)
    for plan in (greedy, cpsat):
        assert check_plan(problem, plan.acquisitions, value=plan.value) == []
    out = dict(
        satellites=len(fleet), requests=len(reqs), stations=3, opportunities=len(opps),
        contacts=len(contacts), opportunities_s=round(t_opp, 2),
        cpsat_value=cpsat.value, cpsat_bound=cpsat.bound, cpsat_gap=round(cpsat.gap, 4),
        cpsat_s=round(cpsat.seconds, 2), cpsat_served=int(cpsat.acquisitions["request"].nunique()),
        greedy_value=greedy.value, greedy_s=round(greedy.seconds, 3),
        greedy_served=int(greedy.acquisitions["request"].nunique()),
        value_ratio=round(cpsat.value / max(greedy.value, 1), 3),
        unsatisfied=cpsat.unsatisfied["reason"].value_counts().to_dict(),
    )  # fmt: skip
    print("\nRealistic day: 4 agile optical satellites, 200 requests, 3 stations")
    print(f"  opportunities {len(opps)} in {t_opp:.1f} s, contacts {len(contacts)}")
    print(f"  {'planner':<8} {'value':>7} {'served':>6} {'s':>7} {'gap %':>6}")
    print(f"  {'greedy':<8} {greedy.value:>7} {out['greedy_served']:>6} {greedy.seconds:>7.2f}"
          f" {'':>6}")  # fmt: skip
    print(
        f"  {'cp-sat':<8} {cpsat.value:>7} {out['cpsat_served']:>6} {cpsat.seconds:>7.2f}"
        f" {100 * cpsat.gap:>6.2f}   (value ratio cp-sat/greedy {out['value_ratio']})"
    )
    print(f"  unsatisfied: {out['unsatisfied']}")
    return out


def main() -> int:
    warnings.simplefilter("ignore")
    results = {}
    if (SPOT5 / "known_values.csv").exists():
        results["spot5"] = bench_spot5()
    else:
        print(f"SPOT5 data not found at {SPOT5}; skipped")
    results["realistic_day"] = realistic_day()
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "tasking.json").write_text(json.dumps(results, indent=1))
    print(f"\nwrote {out / 'tasking.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
