"""The independent plan checker catches each broken rule on hand-made plans."""

from __future__ import annotations

import pandas as pd
from test_tasking_scheduler import contact, opp, sat

from sahelsat.tasking.checker import check_plan
from sahelsat.tasking.problem import planning_problem


def kinds(problem, rows, value=None):
    table = pd.DataFrame(rows, columns=["opportunity", "contact"])
    return {v.kind for v in check_plan(problem, table, value=value)}


def make(opps, sats=None, contacts=None, **kw):
    return planning_problem(
        pd.DataFrame(opps),
        pd.DataFrame(sats or [sat()]),
        pd.DataFrame(contacts or [contact("K", 5000, 600)]),
        **kw,
    )


def test_valid_plan_has_no_violation():
    p = make([opp("a", "r1", 0), opp("b", "r2", 100)])
    assert kinds(p, [("a", "K"), ("b", "K")], value=2) == set()


def test_each_rule_is_caught():
    p = make([opp("a", "r1", 0, 100), opp("b", "r2", 50, look=5), opp("c", "r1", 500)])
    assert kinds(p, [("a", "K"), ("b", "K")]) == {"overlap"}
    assert kinds(p, [("a", "K"), ("c", "K")]) == {"request"}
    assert kinds(p, [("zz", "K")]) == {"unknown"}
    assert kinds(p, [("a", "nope")]) == {"unknown"}
    assert kinds(p, [("a", None)]) == {"downlink"}
    assert kinds(p, [("a", "K")], value=7) == {"value"}

    p = make([opp("a", "r1", 0, look=-30), opp("b", "r2", 20, look=30)])
    assert kinds(p, [("a", "K"), ("b", "K")]) == {"slew"}
    # a long strip at one pointing hides nothing: c (look 5) overlaps a, not its neighbour b
    p = make([opp("a", "r1", 0, 100), opp("b", "r2", 10), opp("c", "r3", 50, look=5)])
    assert kinds(p, [("a", "K"), ("b", "K"), ("c", "K")]) == {"overlap"}

    p = make([opp("a", "r1", 0, energy=60), opp("b", "r2", 100, energy=60)], [sat(energy=100)])
    assert kinds(p, [("a", "K"), ("b", "K")]) == {"energy"}

    p = make(
        [opp("a", "r1", 0, volume=6), opp("b", "r2", 100, volume=6)],
        [sat(memory=10)],
    )
    assert kinds(p, [("a", "K"), ("b", "K")]) == {"memory"}

    p = make([opp("a", "r1", 0, volume=6)], [sat(downlink=10)], [contact("K", 5000, 60)])
    assert kinds(p, [("a", "K")]) == {"contact-volume"}  # 10 Mbit/s * 60 s = 0.6 Gbit

    p = make([opp("a", "r1", 6000)])  # contact K (5000-5600 s) is before the image
    assert kinds(p, [("a", "K")]) == {"downlink"}

    sats = [sat("S1"), sat("S2")]
    cons = [
        contact("K1", 5000, 600, sat="S1", station="Niamey"),
        contact("K2", 5300, 600, sat="S2", station="Niamey"),
    ]
    p = make([opp("a", "r1", 0, sat="S1"), opp("b", "r2", 0, sat="S2")], sats, cons)
    assert kinds(p, [("a", "K1"), ("b", "K2")]) == {"station"}
    assert kinds(p, [("a", "K2")]) == {"downlink"}  # contact of another satellite


def test_memory_freed_at_the_end_of_the_contact():
    # 10 Gbit recorder: a (6) sent in K1 (1000-1100 s); b (6) starts at 1050 s, before K1
    # has ended: 12 Gbit on board at that moment. Starting at 1100 s it fits.
    cons = [contact("K1", 1000, 100), contact("K2", 5000, 600)]
    p = make([opp("a", "r1", 0, volume=6), opp("b", "r2", 1050, volume=6)], [sat(memory=10)], cons)
    assert kinds(p, [("a", "K1"), ("b", "K2")]) == {"memory"}
    p = make([opp("a", "r1", 0, volume=6), opp("b", "r2", 1100, volume=6)], [sat(memory=10)], cons)
    assert kinds(p, [("a", "K1"), ("b", "K2")]) == set()
