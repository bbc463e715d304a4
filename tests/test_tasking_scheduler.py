"""Acquisition planning on hand-built instances whose optimum is known by construction.

Every plan produced is replayed by the independent checker. Each constraint has an
instance where ignoring it would pay more than the optimum, so a scheduler that dropped
it would fail both the value assertion and the checker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahelsat.tasking.checker import check_plan
from sahelsat.tasking.problem import PlanningInputError, planning_problem
from sahelsat.tasking.scheduler import plan_acquisitions
from sahelsat.tasking.selection import value_tiers

T0 = pd.Timestamp("2026-06-01T00:00:00")


def t(seconds: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(seconds=seconds)


def opp(
    name, request, start, duration=10.0, *, sat="S1", look=0.0, value=1, volume=1.0, energy=1.0
):
    return dict(
        opportunity=name,
        request=request,
        satellite=sat,
        start=t(start),
        end=t(start + duration),
        look_angle_deg=look,
        value=value,
        volume_gbit=volume,
        energy_wh=energy,
    )


def sat(
    name="S1", *, memory=100.0, rate=1.0, settle=5.0, period=6000.0, energy=1000.0, downlink=100.0
):
    return dict(
        satellite=name,
        memory_gbit=memory,
        slew_rate_deg_s=rate,
        settle_s=settle,
        orbit_period_s=period,
        energy_per_orbit_wh=energy,
        downlink_rate_mbps=downlink,
    )


def contact(name, start, duration, *, sat="S1", station="Bamako"):
    return dict(
        contact=name, satellite=sat, station=station, start=t(start), end=t(start + duration)
    )


def late_contacts(*sats, start=5000.0):
    """A generous contact per satellite at the end, each at its own station."""
    return [contact(f"C{s}", start, 600.0, sat=s, station=f"G{s}") for s in sats]


def solve(opps, sats, contacts, requests=None, **kw):
    problem = planning_problem(
        pd.DataFrame(opps), pd.DataFrame(sats), pd.DataFrame(contacts), requests=requests, **kw
    )
    out = {}
    for method in ("cp-sat", "greedy"):
        plan = plan_acquisitions(problem, time_limit=10, method=method)
        violations = check_plan(problem, plan.acquisitions, value=plan.value)
        assert violations == [], f"{method}: {violations}"
        out[method] = plan
    assert out["cp-sat"].value >= out["greedy"].value
    return problem, out["cp-sat"]


def taken(plan) -> set[str]:
    return set(plan.acquisitions["opportunity"])


def test_independent_acquisitions_are_all_taken():
    opps = [opp("a", "r1", 0), opp("b", "r2", 100), opp("c", "r3", 200)]
    _, plan = solve(opps, [sat()], late_contacts("S1"))
    assert taken(plan) == {"a", "b", "c"}
    assert plan.value == 3 and plan.proven_optimal and plan.gap == 0
    assert plan.unsatisfied.empty
    # latency: from the end of each acquisition to the end of contact CS1 (5600 s)
    row = plan.acquisitions.set_index("opportunity").loc["a"]
    assert row["contact"] == "CS1" and row["latency_s"] == pytest.approx(5600 - 10)


def test_overlap_one_at_a_time():
    # a (value 5, look 10) overlaps b (3) and c (3), both at look -10 and compatible:
    # optimum b + c = 6.
    opps = [
        opp("a", "r1", 0, 100, value=5, look=10),
        opp("b", "r2", 10, 20, value=3, look=-10),
        opp("c", "r3", 60, 20, value=3, look=-10),
    ]
    _, plan = solve(opps, [sat(settle=0.0, rate=100.0)], late_contacts("S1"))
    assert taken(plan) == {"b", "c"} and plan.value == 6 and plan.proven_optimal
    assert plan.unsatisfied.set_index("request").loc["r1", "reason"] == "conflict"


def test_one_pointing_serves_overlapping_requests():
    # a fixed-swath imager (every look 0) serves overlapping areas in one strip; but a
    # strip pointed elsewhere (d, look 20) during the long strip a conflicts with it.
    opps = [
        opp("a", "r1", 0, 100, value=5),
        opp("b", "r2", 10, 20, value=3),
        opp("c", "r3", 60, 20, value=3),
        opp("d", "r4", 120, 10, value=4, look=20),
    ]
    _, plan = solve(opps, [sat(settle=5.0, rate=1.0)], late_contacts("S1"))
    # d needs 5 + 20 s after the end of a (100 s) but starts at 120 s
    assert taken(plan) == {"a", "b", "c"} and plan.value == 11


def test_slew_time_from_the_agility_model():
    # a at look -20, b at +20 10 s later: 5 s settle + 40 deg at 1 deg/s = 45 s > 10 s.
    # c at the same look as a 10 s after it: 5 s settle suffices.
    opps = [
        opp("a", "r1", 0, look=-20, value=2),
        opp("b", "r2", 20, look=20, value=3),
        opp("c", "r3", 40, look=20, value=2),
    ]
    _, plan = solve(opps, [sat(rate=1.0, settle=5.0)], late_contacts("S1"))
    # b and c (same look, 10 s apart) can both be taken; a conflicts with both.
    assert taken(plan) == {"b", "c"} and plan.value == 5
    # with a fast slew (40 deg at 10 deg/s = 4 s + 5 s settle = 9 s <= 10 s) all fit
    _, plan = solve(opps, [sat(rate=10.0, settle=5.0)], late_contacts("S1"))
    assert plan.value == 7


def test_energy_per_orbit():
    # three acquisitions of 40 Wh in one orbit, 100 Wh budget: two fit; a fourth in the
    # next orbit fits too.
    opps = [
        opp(x, f"r{x}", s, energy=40.0, value=v)
        for x, s, v in [("a", 0, 3), ("b", 100, 2), ("c", 200, 4), ("d", 3100, 1)]
    ]
    _, plan = solve(opps, [sat(energy=100.0, period=3000.0)], late_contacts("S1"))
    assert taken(plan) == {"a", "c", "d"} and plan.value == 8
    assert plan.unsatisfied.set_index("request").loc["rb", "reason"] == "energy"


def test_memory_is_freed_only_by_a_contact():
    # 10 Gbit recorder, 4 Gbit images. Before contact K1 (1000-1100 s): a, b, c -> two fit.
    # After K1 ends, d and e fit again (downlinked in K2).
    opps = [
        opp("a", "ra", 0, volume=4.0, value=2),
        opp("b", "rb", 100, volume=4.0, value=3),
        opp("c", "rc", 200, volume=4.0, value=4),
        opp("d", "rd", 1200, volume=4.0),
        opp("e", "re", 1300, volume=4.0),
    ]
    contacts = [contact("K1", 1000, 100), contact("K2", 5000, 600)]
    _, plan = solve(opps, [sat(memory=10.0, downlink=1000.0)], contacts)
    assert taken(plan) == {"b", "c", "d", "e"} and plan.value == 9
    assert plan.unsatisfied.set_index("request").loc["ra", "reason"] == "memory"


def test_downlink_contact_volume_and_required_downlink():
    # one contact of 10 s at 500 Mbit/s carries 5 Gbit; images of 4 Gbit: one goes down.
    opps = [opp("a", "ra", 0, volume=4.0, value=2), opp("b", "rb", 100, volume=4.0, value=3)]
    contacts = [contact("K1", 1000, 10)]
    problem, plan = solve(opps, [sat(downlink=500.0)], contacts)
    assert taken(plan) == {"b"} and plan.value == 3
    assert plan.unsatisfied.set_index("request").loc["ra", "reason"] == "downlink"
    # an image taken after the last contact can never be downlinked
    opps2 = opps + [opp("c", "rc", 2000, volume=0.1, value=9)]
    _, plan = solve(opps2, [sat(downlink=500.0)], contacts)
    assert "c" not in taken(plan)
    assert plan.unsatisfied.set_index("request").loc["rc", "reason"] == "downlink"
    # without the downlink requirement, both fit in memory and are kept on board
    _, plan = solve(opps, [sat(downlink=500.0)], contacts, require_downlink=False)
    assert plan.value == 5


def test_one_antenna_per_station():
    # S1 and S2 each have one image and one contact, both at Niamey at overlapping times.
    opps = [opp("a", "ra", 0, sat="S1", value=2), opp("b", "rb", 0, sat="S2", value=3)]
    sats = [sat("S1"), sat("S2")]
    contacts = [
        contact("K1", 1000, 300, sat="S1", station="Niamey"),
        contact("K2", 1200, 300, sat="S2", station="Niamey"),
    ]
    _, plan = solve(opps, sats, contacts)
    assert taken(plan) == {"b"} and plan.value == 3
    # a second station for S1 lifts the conflict
    contacts.append(contact("K3", 1000, 300, sat="S1", station="Bamako"))
    _, plan = solve(opps, sats, contacts)
    assert plan.value == 5
    assert plan.acquisitions.set_index("opportunity").loc["a", "station"] == "Bamako"


def test_each_request_served_once_and_unserved_ones_reported():
    opps = [
        opp("a1", "r1", 0, value=4),
        opp("a2", "r1", 500, value=4),
        opp("b", "r2", 1000, value=1),
    ]
    _, plan = solve(opps, [sat()], late_contacts("S1"), requests=["r1", "r2", "r3"])
    assert plan.value == 5 and len(plan.acquisitions) == 2
    reasons = plan.unsatisfied.set_index("request")["reason"]
    assert reasons.to_dict() == {"r3": "no opportunity"}


def test_priority_tiers_are_lexicographic():
    # tiers separate where everything below sums to less than the step above:
    # 1 + 1 + 1 < gcd(1000, 2000); 1000 + 1000 + 3 >= 2000, so 2000 is no tier of its own.
    value = np.array([1000, 1000, 1, 1, 1, 2000])
    assert value_tiers(value, np.arange(6)) == [1000]
    assert value_tiers(np.array([1000, 1, 1, 1, 2000]), np.arange(5)) == [2000, 1000]
    # options of one group count once (the best of them)
    assert value_tiers(np.array([4, 3, 3, 3]), np.array([0, 1, 1, 1])) == [4]
    assert value_tiers(np.array([3, 2, 2]), np.arange(3)) == []
    # an urgent request (1000) beats two routine ones (1 each) that conflict with it
    opps = [
        opp("u", "urgent", 0, 100, value=1000, look=10),
        opp("x", "r1", 10, value=1),
        opp("y", "r2", 50, value=1),
        opp("z", "r3", 300, value=1),
    ]
    _, plan = solve(opps, [sat()], late_contacts("S1"))
    assert taken(plan) == {"u", "z"} and plan.value == 1001 and plan.proven_optimal


def test_random_instances_are_valid_and_cp_sat_matches_or_beats_greedy():
    rng = np.random.default_rng(7)
    for _ in range(3):
        sats = [
            sat(f"S{i}", memory=8.0, energy=60.0, period=1500.0, downlink=50.0) for i in range(2)
        ]
        opps = []
        for i in range(40):
            s = f"S{rng.integers(2)}"
            start = float(rng.uniform(0, 5000))
            opps.append(
                opp(
                    f"o{i}",
                    f"r{rng.integers(25)}",
                    start,
                    float(rng.uniform(5, 30)),
                    sat=s,
                    look=float(rng.uniform(-30, 30)),
                    value=int(rng.integers(1, 10)),
                    volume=float(rng.uniform(0.5, 3)),
                    energy=float(rng.uniform(5, 25)),
                )
            )
        contacts = [
            contact(f"K{j}{s}", float(st), 60.0, sat=s, station=f"G{j % 2}")
            for j, st in enumerate(np.linspace(800, 5600, 5))
            for s in ("S0", "S1")
        ]
        solve(opps, sats, contacts)  # both methods checked inside


def test_bad_tables_are_named():
    good = [opp("a", "r1", 0)]
    with pytest.raises(PlanningInputError, match="opportunities row 0: end must be after start"):
        planning_problem(pd.DataFrame([opp("a", "r1", 0, duration=-5)]), pd.DataFrame([sat()]))
    with pytest.raises(PlanningInputError, match=r"missing column\(s\) \['memory_gbit'\]"):
        planning_problem(pd.DataFrame(good), pd.DataFrame([sat()]).drop(columns="memory_gbit"))
    with pytest.raises(PlanningInputError, match="opportunities row 0: satellite not in"):
        planning_problem(pd.DataFrame([opp("a", "r1", 0, sat="X")]), pd.DataFrame([sat()]))
    bad = pd.DataFrame(good)
    bad["value"] = ["lots"]
    with pytest.raises(PlanningInputError, match="row 0: column 'value' is not a finite"):
        planning_problem(bad, pd.DataFrame([sat()]))
    with pytest.raises(PlanningInputError, match="slew_rate_deg_s must be > 0"):
        planning_problem(pd.DataFrame(good), pd.DataFrame([sat(rate=0.0)]))
