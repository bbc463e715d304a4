"""Partial strips combine: areas cut into pieces, valued by the fraction covered, planned and
checked.

The pieces of a square are checked against geodesic areas measured here with pyproj; the
planning instances are built so that the optimum is known (two strips that together
cover more than either alone), and every plan is replayed by the independent checker.
"""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

from sahelsat.tasking.checker import check_plan
from sahelsat.tasking.pieces import apportion, coverage_pieces
from sahelsat.tasking.problem import PlanningInputError, planning_problem
from sahelsat.tasking.requests import make_request
from sahelsat.tasking.scheduler import plan_acquisitions

GEOD = Geod(ellps="WGS84")
T0 = pd.Timestamp("2026-06-01T00:00:00")
AREA = box(2.0, 13.0, 3.0, 14.0)


def area_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def _request(priority=1.0):
    return make_request("zone", AREA, start="2026-06-01", end="2026-06-02", priority=priority)


def _opportunities(strips, sats=None, starts=None, looks=None):
    n = len(strips)
    sats = sats or [f"S{i}" for i in range(n)]
    starts = starts or [100.0 * (i + 1) for i in range(n)]
    looks = looks or [0.0] * n
    return pd.DataFrame(
        {
            "opportunity": [f"o{i}" for i in range(n)],
            "request": "zone",
            "satellite": sats,
            "start": [T0 + pd.Timedelta(seconds=s) for s in starts],
            "end": [T0 + pd.Timedelta(seconds=s + 10) for s in starts],
            "look_angle_deg": looks,
            "value": [round(100 * area_km2(s.intersection(AREA)) / area_km2(AREA)) for s in strips],
            "volume_gbit": 1.0,
            "energy_wh": 1.0,
            "strip": strips,
        }
    )


def _satellites(names):
    return pd.DataFrame(
        {
            "satellite": names,
            "memory_gbit": 100.0,
            "slew_rate_deg_s": 1.0,
            "settle_s": 5.0,
            "orbit_period_s": 6000.0,
            "energy_per_orbit_wh": 1000.0,
            "downlink_rate_mbps": 100.0,
        }
    )


def _contacts(names):
    return pd.DataFrame(
        {
            "contact": [f"C{s}" for s in names],
            "satellite": names,
            "station": [f"G{s}" for s in names],
            "start": T0 + pd.Timedelta(seconds=5000),
            "end": T0 + pd.Timedelta(seconds=5600),
        }
    )


def test_pieces_are_the_overlay_cells_with_their_geodesic_shares():
    west, east = box(1.5, 12.5, 2.6, 14.5), box(2.4, 12.5, 3.5, 14.5)  # overlap 2.4-2.6
    pieces = coverage_pieces(_opportunities([west, east]), [_request(priority=3)])
    cells = pieces.groupby("piece").agg(
        members=("opportunity", lambda o: tuple(sorted(o))), fraction=("fraction", "first"),
        value=("value", "first"),
    )  # fmt: skip
    share = {m: f for m, f in zip(cells["members"], cells["fraction"], strict=True)}
    total = area_km2(AREA)
    assert share[("o0",)] == pytest.approx(area_km2(box(2.0, 13.0, 2.4, 14.0)) / total, abs=1e-6)
    assert share[("o0", "o1")] == pytest.approx(area_km2(box(2.4, 13, 2.6, 14)) / total, abs=1e-6)
    assert share[("o1",)] == pytest.approx(area_km2(box(2.6, 13.0, 3.0, 14.0)) / total, abs=1e-6)
    assert cells["value"].sum() == 300  # the whole area, priority 3


def test_apportion_keeps_the_rounded_total():
    assert apportion(100, [0.333, 0.333, 0.334]).tolist() == [33, 33, 34]
    assert apportion(7, [1, 1, 1, 1]).sum() == 7
    assert apportion(5, []).tolist() == []


def _plan(opps, pieces=True, time_limit=10):
    names = sorted(set(opps["satellite"]))
    problem = planning_problem(
        opps.drop(columns=["strip"]),
        _satellites(names),
        _contacts(names),
        requests=["zone"],
        pieces=coverage_pieces(opps, [_request()]) if pieces else None,
    )
    plans = {
        m: plan_acquisitions(problem, time_limit=time_limit, method=m) for m in ("cp-sat", "greedy")
    }
    for plan in plans.values():
        assert check_plan(problem, plan.acquisitions, value=plan.value) == []
    return problem, plans["cp-sat"], plans["greedy"]


def test_two_partial_strips_cover_the_area_together():
    west, east = box(1.5, 12.5, 2.55, 14.5), box(2.45, 12.5, 3.5, 14.5)  # each about 55 %
    problem, plan, greedy = _plan(_opportunities([west, east]))
    assert sorted(plan.acquisitions["opportunity"]) == ["o0", "o1"]
    assert plan.value == 100 and plan.proven_optimal
    assert plan.coverage.set_index("request")["fraction"]["zone"] == pytest.approx(1.0, abs=1e-4)
    assert greedy.value == 100
    # without pieces, a request is served once: the larger strip alone
    _, once, _ = _plan(_opportunities([west, east]), pieces=False)
    assert len(once.acquisitions) == 1 and once.value == max(problem.opportunities["value"])


def test_a_strip_adding_nothing_is_left_out():
    whole, inner = box(1.5, 12.5, 3.5, 14.5), box(2.2, 13.2, 2.8, 13.8)
    _, plan, greedy = _plan(_opportunities([whole, inner]))
    assert plan.acquisitions["opportunity"].tolist() == ["o0"] and plan.value == 100
    assert greedy.acquisitions["opportunity"].tolist() == ["o0"]


def test_conflicting_strips_keep_the_larger_share():
    west, east = box(1.5, 12.5, 2.7, 14.5), box(2.6, 12.5, 3.5, 14.5)  # 70 % and 40 %
    # one satellite, the second strip 12 s after the first, pointed 40 degrees away
    opps = _opportunities(
        [west, east], sats=["S0", "S0"], starts=[100.0, 112.0], looks=[-20.0, 20.0]
    )
    _, plan, _ = _plan(opps)
    assert plan.acquisitions["opportunity"].tolist() == ["o0"]
    assert plan.value == 70


def test_checker_values_pieces_once_and_allows_several_strips():
    west, east = box(1.5, 12.5, 2.55, 14.5), box(2.45, 12.5, 3.5, 14.5)
    problem, plan, _ = _plan(_opportunities([west, east]))
    both = plan.acquisitions
    assert check_plan(problem, both, value=100) == []
    (bad,) = check_plan(problem, both, value=110)  # the overlap counted twice
    assert bad.kind == "value"
    once = planning_problem(problem.opportunities, problem.satellites, problem.contacts)
    kinds = {v.kind for v in check_plan(once, both)}
    assert kinds == {"request"}  # a request not valued by coverage is served once


def test_bad_pieces_are_named():
    opps = _opportunities([box(1.5, 12.5, 2.55, 14.5)])
    sats, cons = _satellites(["S0"]), _contacts(["S0"])
    bad = pd.DataFrame({"piece": ["p"], "request": ["other"], "opportunity": ["o0"], "value": [5]})
    with pytest.raises(PlanningInputError, match="pieces row 0: the opportunity belongs"):
        planning_problem(opps.drop(columns=["strip"]), sats, cons, pieces=bad)
    bad = pd.DataFrame({"piece": ["p"], "request": ["zone"], "opportunity": ["o9"], "value": [5]})
    with pytest.raises(PlanningInputError, match="pieces row 0: opportunity not in the table"):
        planning_problem(opps.drop(columns=["strip"]), sats, cons, pieces=bad)
